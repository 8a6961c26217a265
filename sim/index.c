/* index.c -- the world's ID index: open addressing, FNV hash, linear probing. */
#include "config.h"

#include "sim/index.h"

#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "sim/rng.h"

struct world_index {
    size_t cap, count;
    const char **keys; /* borrowed from batches/items, which never move */
    size_t *a, *b;
};

struct world_index *index_new(size_t expect)
{
    struct world_index *ix = xcalloc(1, sizeof *ix);
    ix->cap = 64;
    while (ix->cap < expect * 2)
        ix->cap *= 2;
    ix->keys = xcalloc(ix->cap, sizeof *ix->keys);
    ix->a = xcalloc(ix->cap, sizeof *ix->a);
    ix->b = xcalloc(ix->cap, sizeof *ix->b);
    return ix;
}

void index_free(struct world_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->keys);
    free(ix->a);
    free(ix->b);
    free(ix);
}

static size_t index_slot(const struct world_index *ix, const char *key)
{
    size_t mask = ix->cap - 1;
    size_t i = (size_t)rng_fnv(RNG_FNV_INIT, key, strlen(key)) & mask;
    while (ix->keys[i] != NULL && strcmp(ix->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

void index_put(struct world_index *ix, const char *key, size_t a, size_t b)
{
    if ((ix->count + 1) * 2 > ix->cap) {
        struct world_index old = *ix;
        ix->cap *= 2;
        ix->count = 0;
        ix->keys = xcalloc(ix->cap, sizeof *ix->keys);
        ix->a = xcalloc(ix->cap, sizeof *ix->a);
        ix->b = xcalloc(ix->cap, sizeof *ix->b);
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i] != NULL)
                index_put(ix, old.keys[i], old.a[i], old.b[i]);
        free(old.keys);
        free(old.a);
        free(old.b);
    }
    size_t i = index_slot(ix, key);
    if (ix->keys[i] == NULL)
        ix->count++;
    ix->keys[i] = key;
    ix->a[i] = a;
    ix->b[i] = b;
}

bool index_get(const struct world_index *ix, const char *key, size_t *a, size_t *b)
{
    size_t i = index_slot(ix, key);
    if (ix->keys[i] == NULL)
        return false;
    *a = ix->a[i];
    if (b != NULL)
        *b = ix->b[i];
    return true;
}
