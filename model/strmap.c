/* strmap.c -- the one string-keyed hash table: a thin ownership layer over uthash. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/strmap.h"
#include "model/xalloc.h"

/* uthash allocates its buckets itself: through xmalloc, like every allocation of the program. */
#define uthash_malloc(sz) xmalloc(sz)
#define uthash_fatal(msg) abort()
#include <uthash.h>

struct strmap_entry {
    UT_hash_handle hh;
    union {
        void *ptr;
        size_t index;
    } v;
    char key[]; /* NUL-terminated copy */
};

void strmap_init(struct strmap *m, void (*free_value)(void *value))
{
    m->head = NULL;
    m->free_value = free_value;
}

static void entry_free(struct strmap *m, struct strmap_entry *e)
{
    if (m->free_value != NULL)
        m->free_value(e->v.ptr);
    free(e);
}

void strmap_done(struct strmap *m)
{
    struct strmap_entry *e, *tmp;
    HASH_ITER(hh, m->head, e, tmp) {
        HASH_DEL(m->head, e);
        entry_free(m, e);
    }
    m->head = NULL;
}

bool strmap_done_some(struct strmap *m, size_t *steps)
{
    while (m->head != NULL && *steps > 0) {
        struct strmap_entry *e = m->head;
        HASH_DEL(m->head, e);
        entry_free(m, e);
        (*steps)--;
    }
    return m->head == NULL;
}

void strmap_clear(struct strmap *m)
{
    strmap_done(m);
}

size_t strmap_count(const struct strmap *m)
{
    return m->head != NULL ? HASH_COUNT(m->head) : 0;
}

static struct strmap_entry *find(const struct strmap *m, const char *key)
{
    struct strmap_entry *e = NULL;
    if (key != NULL && m->head != NULL)
        HASH_FIND_STR(m->head, key, e);
    return e;
}

/* The entry of key, added (value zeroed) when new. */
static struct strmap_entry *find_or_add(struct strmap *m, const char *key, bool *added)
{
    struct strmap_entry *e = find(m, key);
    *added = e == NULL;
    if (e != NULL)
        return e;
    size_t len = strlen(key);
    e = xcalloc(1, sizeof *e + len + 1);
    memcpy(e->key, key, len + 1);
    HASH_ADD_KEYPTR(hh, m->head, e->key, len, e);
    return e;
}

void *strmap_get(const struct strmap *m, const char *key)
{
    struct strmap_entry *e = find(m, key);
    return e != NULL ? e->v.ptr : NULL;
}

bool strmap_has(const struct strmap *m, const char *key)
{
    return find(m, key) != NULL;
}

void strmap_put(struct strmap *m, const char *key, void *value)
{
    if (key == NULL)
        return;
    bool added;
    struct strmap_entry *e = find_or_add(m, key, &added);
    if (!added && m->free_value != NULL && e->v.ptr != value)
        m->free_value(e->v.ptr);
    e->v.ptr = value;
}

bool strmap_remove(struct strmap *m, const char *key)
{
    struct strmap_entry *e = find(m, key);
    if (e == NULL)
        return false;
    HASH_DEL(m->head, e);
    entry_free(m, e);
    return true;
}

bool strmap_get_index(const struct strmap *m, const char *key, size_t *index)
{
    struct strmap_entry *e = find(m, key);
    if (e == NULL)
        return false;
    *index = e->v.index;
    return true;
}

void strmap_put_index(struct strmap *m, const char *key, size_t index)
{
    if (key == NULL)
        return;
    bool added;
    find_or_add(m, key, &added)->v.index = index;
}

struct strmap_entry *strmap_first(const struct strmap *m)
{
    return m->head;
}

struct strmap_entry *strmap_next(const struct strmap_entry *e)
{
    return e->hh.next;
}

const char *strmap_key(const struct strmap_entry *e)
{
    return e->key;
}

void *strmap_value(const struct strmap_entry *e)
{
    return e->v.ptr;
}

size_t strmap_index(const struct strmap_entry *e)
{
    return e->v.index;
}
