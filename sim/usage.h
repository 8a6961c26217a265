/* usage.h -- what a job costs and what it produced: credits, billed pages, failed pages. */
#ifndef SIM_USAGE_H
#define SIM_USAGE_H

/*
 * Usage as the SDK 2.16.0 types it: a parse job's usage {credits} and an extract job's
 * usage {credits, extract_credits, parse_credits} plus metadata.usage {num_pages_billed,
 * num_pages_extracted}; every number is null until billing has recorded it, which happens
 * --billing-delay after the job's terminal state (speed applied). Also which pages of a
 * COMPLETED parse job failed (--failed-pages). Everything is a pure function of the item's
 * seed, the configuration's tier and the clock, so answers are reproducible. Builders return
 * new json objects the caller owns; the world lock must be held.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

#define USAGE_PAGES 3 /* pages in every simulated document */

/* Is page (1..USAGE_PAGES) of item i of a parse batch a failed page? Only meaningful for a
 * COMPLETED job; always false without --failed-pages. */
bool usage_page_failed(const struct world *w, const struct world_batch *b, size_t i, int page);
/* Pages of item i that succeeded (USAGE_PAGES when none failed). */
int usage_pages_ok(const struct world *w, const struct world_batch *b, size_t i);
/* The error text of a failed page (static). */
const char *usage_page_error(const struct world_batch *b, size_t i, int page);
/* A parse job's usage: {"credits": null | number}. */
json_object *usage_parse(const struct world *w, const struct world_batch *b, size_t i,
                         const struct world_item_state *st, int64_t now);
/* Add "usage" and "metadata": {"usage": {...}} to an extract job object. */
void usage_extract(json_object *job, const struct world *w, const struct world_batch *b, size_t i,
                   const struct world_item_state *st, int64_t now);

#endif
