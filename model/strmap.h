/* strmap.h -- the one string-keyed hash table of the project (uthash inside). */
#ifndef MODEL_STRMAP_H
#define MODEL_STRMAP_H

/*
 * Every map or set keyed by an ID goes through this module: the store's ID index and the
 * detail's name and job indexes in model/, the network thread's caches and ID sets in net/.
 * The table itself is uthash (Debian uthash-dev, header-only, widely used and tested), so the
 * project carries no hash table of its own; this wrapper gives it one lifecycle, one ownership
 * rule and one iteration order. Each entry is one allocation with its key copied inline.
 * Values are either opaque pointers, owned by the map when a free function is given to
 * strmap_init, or plain array indexes (the _index calls, with no free function).
 * Iteration follows insertion order. Single-threaded: each map belongs to one thread.
 */

#include <stdbool.h>
#include <stddef.h>

struct strmap_entry; /* opaque */

struct strmap {
    struct strmap_entry *head;       /* uthash's table; NULL when empty */
    void (*free_value)(void *value); /* NULL: the map does not own its values */
};

/* ---- lifecycle ---- */

/* An empty map; free_value (may be NULL) frees a value when it is replaced or removed. */
void strmap_init(struct strmap *m, void (*free_value)(void *value));
/* Frees every entry (and value); the map stays usable, with the same free function. */
void strmap_done(struct strmap *m);
/* strmap_done a part at a time: up to *steps entries go (*steps is decreased by as many);
 * true once the map is empty. */
bool strmap_done_some(struct strmap *m, size_t *steps);
/* The same as strmap_done: empties the map, which stays usable. */
void strmap_clear(struct strmap *m);
size_t strmap_count(const struct strmap *m);

/* ---- pointer values ---- */

/* The value stored for key, or NULL (also for a NULL key). */
void *strmap_get(const struct strmap *m, const char *key);
bool strmap_has(const struct strmap *m, const char *key);
/* Store value for key (the key is copied); a value it replaces is freed. NULL key: ignored. */
void strmap_put(struct strmap *m, const char *key, void *value);
/* Remove key, freeing its value; false when it was not present. */
bool strmap_remove(struct strmap *m, const char *key);

/* ---- index values (a map with no free function) ---- */

/* True and *index set when key is present. */
bool strmap_get_index(const struct strmap *m, const char *key, size_t *index);
/* Insert key (copied) or replace its index. NULL key: ignored. */
void strmap_put_index(struct strmap *m, const char *key, size_t index);

/* ---- iteration, in insertion order ----
 * for (struct strmap_entry *e = strmap_first(m); e != NULL; e = strmap_next(e)) ...
 * Removing the current entry is safe when the next one was taken first. */

struct strmap_entry *strmap_first(const struct strmap *m);
struct strmap_entry *strmap_next(const struct strmap_entry *e);
/* The entry's key; valid while the entry is in the map. */
const char *strmap_key(const struct strmap_entry *e);
void *strmap_value(const struct strmap_entry *e);
size_t strmap_index(const struct strmap_entry *e);

#endif
