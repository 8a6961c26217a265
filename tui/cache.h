/* cache.h -- the batch list kept between runs: shown at start, then brought current. */
#ifndef TUI_CACHE_H
#define TUI_CACHE_H

#include <stdbool.h>

#include "net/msg.h"
#include "tui/app.h"

/* The command that starts the list: seeded from the snapshot of this endpoint and project when
 * one is readable (its batches go into the store at once and a->cached_ms is set), else a plain
 * full listing. A snapshot that cannot be used is one line in the Messages log. Nothing is read
 * with --no-cache or --demo. */
struct net_cmd *cache_open(struct app *a);
/* Write the snapshot: at most once a minute unless `now` (at exit). */
void cache_save(struct app *a, bool now);

#endif
