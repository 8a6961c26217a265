/* dirs.c -- expiring directories and soft-deleted directory files (issue 12). */
#include "config.h"

#include "sim/dirs.h"

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
