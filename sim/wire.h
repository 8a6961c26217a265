/* wire.h -- the simulator's JSON writing: world objects as the API's wire objects (json-c). */
#ifndef SIM_WIRE_H
#define SIM_WIRE_H

/*
 * Builders for every object batchtop-sim answers with, independent of net/ so that a client
 * bug cannot hide behind a shared codec. Each returns a new json_object the caller owns
 * (json_object_put); world pointers are borrowed and the world lock must be held. t is the
 * current time in epoch milliseconds.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/world.h"

/* Job output a job GET (or list) can expand. */
enum wire_expand {
    WIRE_EXPAND_MARKDOWN_FULL = 1,
    WIRE_EXPAND_TEXT_FULL = 2,
    WIRE_EXPAND_MARKDOWN = 4,
    WIRE_EXPAND_TEXT = 8,
    WIRE_EXPAND_JOB_METADATA = 16,
    WIRE_EXPAND_USAGE = 32,            /* parse job.usage; extract usage + metadata.usage */
    WIRE_EXPAND_EXTRACT_METADATA = 64, /* extract: extract_metadata */
};

json_object *wire_time(int64_t ms);
json_object *wire_batch(const struct world *w, const struct world_batch *b, int64_t t,
                        bool results);
json_object *wire_directory(const struct world *w, const struct world_dir *d);
/* A directory file; deleted_at is set once it is soft-deleted at t. */
json_object *wire_file(const struct world *w, const struct world_dir *d,
                       const struct world_file *f, int64_t t);
json_object *wire_config(const struct world_config *c);
/* A flat parse job (list items and the "job" member of GET). */
json_object *wire_parse_job(const struct world *w, const struct world_batch *b, size_t i,
                            const struct world_item_state *st);
/* GET /api/v2/parse/{id}: {"job": {...}} plus expanded outputs (only when COMPLETED);
 * job.usage with WIRE_EXPAND_USAGE (any status). now decides whether billing landed. */
json_object *wire_parse_get(const struct world *w, const struct world_batch *b, size_t i,
                            const struct world_item_state *st, unsigned expand, int64_t now);
/* A flat extract job, extract_result filled once COMPLETED; usage/metadata and
 * extract_metadata as expand asks. */
json_object *wire_extract_job(const struct world *w, const struct world_batch *b, size_t i,
                              const struct world_item_state *st, unsigned expand, int64_t now);
/* {"detail": message} */
json_object *wire_detail(const char *message);
/* FastAPI validation error with one entry; loc is a NULL-terminated list of strings. */
json_object *wire_validation(const char *const *loc, const char *msg, const char *type);
/* Serialise without slash escaping; a fresh string the caller frees. */
char *wire_string(json_object *o, size_t *len);

#endif
