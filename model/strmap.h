/* strmap.h -- a string-keyed hash map to an index, private to model/ (store, view, detail). */
#ifndef MODEL_STRMAP_H
#define MODEL_STRMAP_H

/*
 * Open addressing with linear probing and backward-shift deletion, so lookups stay O(1)
 * with 10,000+ keys and no tombstones pile up. The map owns a copy of every key; values are
 * plain indexes into an array the caller keeps. Embed a struct strmap and pair
 * strmap_init/strmap_done. Single-threaded, like the rest of model/.
 */

#include <stdbool.h>
#include <stddef.h>

struct strmap_slot {
    char *key;                  /* owned; NULL = empty slot */
    size_t hash;
    size_t value;
};

struct strmap {
    struct strmap_slot *slots;  /* cap slots, cap a power of two (0 before the first put) */
    size_t cap;
    size_t count;
};

void strmap_init(struct strmap *m);
/* Frees every key and the table; leaves the map empty and reusable. */
void strmap_done(struct strmap *m);
/* Removes every key but keeps the table allocated. */
void strmap_clear(struct strmap *m);
size_t strmap_count(const struct strmap *m);

/* True and *value set when key is present; NULL key is never present. */
bool strmap_get(const struct strmap *m, const char *key, size_t *value);
/* Insert key (copied) or replace its value. NULL key is ignored. */
void strmap_put(struct strmap *m, const char *key, size_t value);
/* False when key was not present. */
bool strmap_remove(struct strmap *m, const char *key);

#endif
