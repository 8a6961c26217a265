/* index.h -- a small open-addressing hash index from an ID string to two numbers (a, b). */
#ifndef SIM_INDEX_H
#define SIM_INDEX_H

/*
 * The world's batch and job lookups. Keys are borrowed: the index stores the pointers it is
 * given, so every key must stay valid and unchanged while the index lives (batch and job IDs
 * live in batches, which the world never frees while running). Not thread-safe on its own:
 * the world lock covers it.
 */

#include <stdbool.h>
#include <stddef.h>

struct world_index;

/* An empty index sized for about expect keys (it grows). Never NULL. */
struct world_index *index_new(size_t expect);
/* Free the index, not the keys. NULL is fine. */
void index_free(struct world_index *ix);
/* Insert or replace key -> (a, b); key is borrowed. */
void index_put(struct world_index *ix, const char *key, size_t a, size_t b);
/* Look key up; b may be NULL. False when absent. */
bool index_get(const struct world_index *ix, const char *key, size_t *a, size_t *b);

#endif
