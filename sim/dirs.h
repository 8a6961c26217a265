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
/* Soft-delete the first n files of d (directory order) at time at; a file already deleted
 * earlier keeps its time. */
void dirs_delete_first(struct world_dir *d, size_t n, int64_t at);

#endif
