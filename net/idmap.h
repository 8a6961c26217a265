/* idmap.h -- a small string-keyed hash map (IDs to values) used by the network thread. */
#ifndef NET_IDMAP_H
#define NET_IDMAP_H

/*
 * Open addressing, keys copied and owned by the map. Values are opaque pointers; the map
 * frees them with the free function given to idmap_init (NULL: the map never frees values).
 * Not thread-safe (the net thread owns every map).
 */

#include <stdbool.h>
#include <stddef.h>

struct idmap {
    char **keys;
    void **values;
    size_t cap, count;
    void (*free_value)(void *value);
};

void idmap_init(struct idmap *m, void (*free_value)(void *value));
void idmap_done(struct idmap *m);
/* The value stored for key, or NULL. */
void *idmap_get(const struct idmap *m, const char *key);
bool idmap_has(const struct idmap *m, const char *key);
/* Store value for key, freeing a value it replaces. */
void idmap_put(struct idmap *m, const char *key, void *value);
size_t idmap_count(const struct idmap *m);
/* Iterate: for (i = 0; idmap_next(m, &i, &key, &value); ) ... */
bool idmap_next(const struct idmap *m, size_t *i, const char **key, void **value);

#endif
