/* idmap.c -- open-addressing string hash map with owned keys. */
#include "config.h"

#include "net/idmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void idmap_init(struct idmap *m, void (*free_value)(void *value))
{
    memset(m, 0, sizeof *m);
    m->free_value = free_value;
}

void idmap_done(struct idmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] != NULL) {
            free(m->keys[i]);
            if (m->free_value != NULL)
                m->free_value(m->values[i]);
        }
    }
    free(m->keys);
    free(m->values);
    void (*fv)(void *) = m->free_value;
    memset(m, 0, sizeof *m);
    m->free_value = fv;
}

static size_t slot(const struct idmap *m, const char *key)
{
    size_t i = (size_t)(hash(key) & (m->cap - 1));
    while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *idmap_get(const struct idmap *m, const char *key)
{
    if (m->cap == 0 || key == NULL)
        return NULL;
    size_t i = slot(m, key);
    return m->keys[i] != NULL ? m->values[i] : NULL;
}

bool idmap_has(const struct idmap *m, const char *key)
{
    if (m->cap == 0 || key == NULL)
        return false;
    return m->keys[slot(m, key)] != NULL;
}

static void grow(struct idmap *m)
{
    struct idmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->values = xcalloc(m->cap, sizeof *m->values);
    for (size_t i = 0; i < old.cap; i++) {
        if (old.keys[i] != NULL) {
            size_t j = slot(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->values[j] = old.values[i];
        }
    }
    free(old.keys);
    free(old.values);
}

void idmap_put(struct idmap *m, const char *key, void *value)
{
    if (key == NULL)
        return;
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    size_t i = slot(m, key);
    if (m->keys[i] != NULL) {
        if (m->free_value != NULL && m->values[i] != value)
            m->free_value(m->values[i]);
    } else {
        m->keys[i] = xstrdup(key);
        m->count++;
    }
    m->values[i] = value;
}

size_t idmap_count(const struct idmap *m)
{
    return m->count;
}

bool idmap_next(const struct idmap *m, size_t *i, const char **key, void **value)
{
    for (; *i < m->cap; (*i)++) {
        if (m->keys[*i] != NULL) {
            *key = m->keys[*i];
            if (value != NULL)
                *value = m->values[*i];
            (*i)++;
            return true;
        }
    }
    return false;
}
