/* dirs.c -- expiring directories and soft-deleted directory files (issue 12). */
#include "config.h"

#include "sim/dirs.h"

#include <stdio.h>
#include <string.h>

#include "model/xalloc.h"

#define DAY_MS (86400LL * 1000)

bool dirs_expired(const struct world_dir *d, int64_t now)
{
    return d->expires > 0 && now >= d->expires;
}

bool dirs_file_deleted(const struct world_file *f, int64_t now)
{
    return f->deleted > 0 && f->deleted <= now;
}

struct world_dir *dirs_find_live(struct world *w, const char *id, int64_t now)
{
    struct world_dir *d = world_find_dir(w, id);
    return d != NULL && !dirs_expired(d, now) ? d : NULL;
}

void dirs_delete_first(struct world_dir *d, size_t n, int64_t at)
{
    for (size_t i = 0; i < n && i < d->nfiles; i++)
        if (d->files[i].deleted == 0 || d->files[i].deleted > at)
            d->files[i].deleted = at;
}

struct world_dir *dirs_find_name(struct world *w, const char *name, int64_t now)
{
    for (size_t i = 0; i < w->ndirs; i++)
        if (!dirs_expired(&w->dirs[i], now) && strcmp(w->dirs[i].name, name) == 0)
            return &w->dirs[i];
    return NULL;
}

const struct world_file *dirs_find_file_id(const struct world *w, const char *file_id)
{
    for (size_t i = 0; i < w->ndirs; i++)
        for (size_t j = 0; j < w->dirs[i].nfiles; j++)
            if (strcmp(w->dirs[i].files[j].file_id, file_id) == 0)
                return &w->dirs[i].files[j];
    return NULL;
}

const char *dirs_file_unique_id(const struct world_file *f)
{
    return f->unique_id != NULL ? f->unique_id : f->file_id;
}

struct world_file *dirs_find_unique(struct world_dir *d, const char *unique_id, int64_t now)
{
    for (size_t i = 0; i < d->nfiles; i++)
        if (!dirs_file_deleted(&d->files[i], now) &&
            strcmp(dirs_file_unique_id(&d->files[i]), unique_id) == 0)
            return &d->files[i];
    return NULL;
}

struct world_dir *dirs_create(struct world *w, const char *name, const char *description,
                              bool ephemeral, int64_t now)
{
    if (w->ndirs == w->cap_dirs) {
        w->cap_dirs = w->cap_dirs ? w->cap_dirs * 2 : 8;
        w->dirs = xreallocarray(w->dirs, w->cap_dirs, sizeof *w->dirs);
    }
    struct world_dir *d = &w->dirs[w->ndirs++];
    memset(d, 0, sizeof *d);
    rng_uuid(&w->rng, "dir-", d->id, sizeof d->id);
    d->name = xstrdup(name);
    d->description = description != NULL ? xstrdup(description) : NULL;
    d->created = d->updated = now;
    if (ephemeral)
        d->expires =
            now + (w->params.directory_ttl_s > 0 ? w->params.directory_ttl_s * 1000 : DAY_MS);
    d->cap_files = 8;
    d->files = xcalloc(d->cap_files, sizeof *d->files);
    return d;
}

struct world_file *dirs_add_file(struct world *w, struct world_dir *d, const char *file_id,
                                 const char *display_name, const char *unique_id,
                                 const char *metadata, int64_t now)
{
    if (d->nfiles == d->cap_files) {
        d->cap_files = d->cap_files ? d->cap_files * 2 : 8;
        d->files = xreallocarray(d->files, d->cap_files, sizeof *d->files);
    }
    struct world_file *f = &d->files[d->nfiles++];
    memset(f, 0, sizeof *f);
    rng_uuid(&w->rng, "dfl-", f->id, sizeof f->id);
    snprintf(f->file_id, sizeof f->file_id, "%s", file_id);
    f->name = xstrdup(display_name);
    f->unique_id = unique_id != NULL ? xstrdup(unique_id) : NULL;
    f->metadata = metadata != NULL ? xstrdup(metadata) : NULL;
    f->created = now;
    d->updated = now;
    return f;
}

struct world_file *dirs_upload_file(struct world *w, struct world_dir *d, const char *display_name,
                                    const char *unique_id, const char *metadata, uint64_t size,
                                    const char *sha256, int64_t now)
{
    char file_id[WORLD_ID_SIZE];
    rng_uuid(&w->rng, "", file_id, sizeof file_id);
    struct world_file *f = dirs_add_file(w, d, file_id, display_name, unique_id, metadata, now);
    f->upload = xcalloc(1, sizeof *f->upload);
    f->upload->size = size;
    snprintf(f->upload->sha256, sizeof f->upload->sha256, "%s", sha256);
    return f;
}
