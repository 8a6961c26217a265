/* cache.h -- the batch list kept between runs: shown at start, then brought current. */
#ifndef TUI_CACHE_H
#define TUI_CACHE_H

#include <stdbool.h>

#include "net/msg.h"
#include "tui/app.h"

/* Start the list (submits NET_CMD_WATCH_LIST): seeded from the snapshot of this endpoint and
 * project when one is readable, else a plain full listing. The net thread gets only what it
 * needs for the delta refresh (the batches that can still change and the newest), submitted
 * before the store is filled, so the refresh's round trip overlaps that work; then every batch
 * of the snapshot goes into the store and a->cached_ms is set. A snapshot that cannot be used
 * is one line in the Messages log. Nothing is read with --no-cache or --demo. */
void cache_open(struct app *a);
/* Write the snapshot: at most once a minute unless `now` (at exit). */
void cache_save(struct app *a, bool now);

#endif
