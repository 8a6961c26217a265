/* dirs.h -- directory lifetimes: ephemeral directories that expire, files soft-deleted later. */
#ifndef SIM_DIRS_H
#define SIM_DIRS_H

/*
 * The real API removes things under a client's feet: an ephemeral directory has an
 * expires_at after which it is gone (--directory-ttl), and files vanish from a directory while
 * batches over it run (--delete-files). Both are stored as times in the world (world_dir.expires,
 * world_file.deleted) and read lazily against the wall clock, like the batch lifecycle. The
 * world lock must be held.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

/* Has the directory expired at now (then it answers 404 and leaves the list)? */
bool dirs_expired(const struct world_dir *d, int64_t now);
/* Is the file soft-deleted at now? */
bool dirs_file_deleted(const struct world_file *f, int64_t now);
/* The directory id if it exists and has not expired at now, else NULL. */
struct world_dir *dirs_find_live(struct world *w, const char *id, int64_t now);
/* The live directory called name (exact), or NULL. */
struct world_dir *dirs_find_name(struct world *w, const char *name, int64_t now);
/* A file of any directory of the world (live, expired or soft-deleted: the stored file exists)
 * with this file_id, the first made; NULL when no directory ever held it. A linear scan. */
const struct world_file *dirs_find_file_id(const struct world *w, const char *file_id);
/* The entry of d, not soft-deleted at now, whose unique_id is unique_id, or NULL. */
struct world_file *dirs_find_unique(struct world_dir *d, const char *unique_id, int64_t now);
/* A new empty directory at now (ephemeral: it expires after --directory-ttl, else after a
 * day). Copies name and description (NULL allowed). The caller checked the name is free.
 * Pointers into w->dirs taken before are invalid afterwards. */
struct world_dir *dirs_create(struct world *w, const char *name, const char *description,
                              bool ephemeral, int64_t now);
/* A new entry of d at now for the stored file file_id: a fresh dfl- ID, the same file_id.
 * unique_id NULL means file_id; metadata is JSON object text or NULL; all copied. Pointers
 * into d->files taken before are invalid afterwards. */
struct world_file *dirs_add_file(struct world *w, struct world_dir *d, const char *file_id,
                                 const char *display_name, const char *unique_id,
                                 const char *metadata, int64_t now);
/* A new stored file (a fresh file_id) and its entry of d at now, as dirs_add_file makes it,
 * remembering the upload's size and SHA-256 (hex, copied). unique_id NULL means the new
 * file_id. */
struct world_file *dirs_upload_file(struct world *w, struct world_dir *d, const char *display_name,
                                    const char *unique_id, const char *metadata, uint64_t size,
                                    const char *sha256, int64_t now);
/* The unique_id an entry answers with. */
const char *dirs_file_unique_id(const struct world_file *f);
/* Soft-delete the first n files of d (directory order) at time at; a file already deleted
 * earlier keeps its time. */
void dirs_delete_first(struct world_dir *d, size_t n, int64_t at);

#endif
