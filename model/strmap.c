/* strmap.c -- open-addressing string map (linear probing, backward-shift deletion). */
#include "config.h"

#include "model/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

/* FNV-1a, widened to size_t. */
static size_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 32));
}

void strmap_init(struct strmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void strmap_clear(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        m->slots[i].key = NULL;
    }
    m->count = 0;
}

void strmap_done(struct strmap *m)
{
    strmap_clear(m);
    free(m->slots);
    strmap_init(m);
}

size_t strmap_count(const struct strmap *m)
{
    return m->count;
}

/* Slot holding key, or the empty slot where it would go. Needs cap > 0. */
static size_t probe(const struct strmap *m, const char *key, size_t hash)
{
    size_t mask = m->cap - 1;
    size_t i = hash & mask;
    while (m->slots[i].key != NULL) {
        if (m->slots[i].hash == hash && strcmp(m->slots[i].key, key) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

static void grow(struct strmap *m)
{
    size_t old_cap = m->cap;
    struct strmap_slot *old = m->slots;
    m->cap = old_cap ? old_cap * 2 : 16;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key == NULL)
            continue;
        size_t j = probe(m, old[i].key, old[i].hash);
        m->slots[j] = old[i];
    }
    free(old);
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value)
{
    if (key == NULL || m->cap == 0)
        return false;
    size_t i = probe(m, key, hash_str(key));
    if (m->slots[i].key == NULL)
        return false;
    if (value)
        *value = m->slots[i].value;
    return true;
}

void strmap_put(struct strmap *m, const char *key, size_t value)
{
    if (key == NULL)
        return;
    if ((m->count + 1) * 2 > m->cap)   /* load factor at most 1/2 */
        grow(m);
    size_t hash = hash_str(key);
    size_t i = probe(m, key, hash);
    if (m->slots[i].key == NULL) {
        m->slots[i].key = xstrdup(key);
        m->slots[i].hash = hash;
        m->count++;
    }
    m->slots[i].value = value;
}

bool strmap_remove(struct strmap *m, const char *key)
{
    if (key == NULL || m->cap == 0)
        return false;
    size_t mask = m->cap - 1;
    size_t i = probe(m, key, hash_str(key));
    if (m->slots[i].key == NULL)
        return false;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->count--;
    /* Backward shift: pull later members of the probe run into the hole when allowed. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].key != NULL; j = (j + 1) & mask) {
        size_t home = m->slots[j].hash & mask;
        /* j may move to hole when home is not cyclically within (hole, j]. */
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        m->slots[hole] = m->slots[j];
        m->slots[j].key = NULL;
        hole = j;
    }
    return true;
}
