/* encode.h -- API objects back to JSON with the API's own field names (snapshot, scripts). */
#ifndef NET_ENCODE_H
#define NET_ENCODE_H

/*
 * The inverse of decode.c for what batchtop keeps: each object comes out with the field names
 * and wire texts it arrived with (status and type as sent, times as sent, null for what was
 * null or absent), so `batchtop list --json` shows what the API said. Fields batchtop does
 * not model are not kept, so they do not come back. Results and jobs keep their order.
 * Returns a new json-c object owned by the caller (json_object_put); never NULL (out of
 * memory exits through xalloc's handler).
 */

#include <json-c/json.h>

#include "model/objects.h"

/* {"id", "project_id", "source_directory_id", "status", "created_at", "updated_at",
 *  "config": {"job": {"type", "configuration_id"}}} and, with_results, "results": [...] or
 * null (when the batch had none). */
struct json_object *encode_batch(const struct batch *b, bool with_results);
/* {"source_directory_file_id", "job_reference": {"type", "id"} | null, "error_message"} */
struct json_object *encode_batch_result(const struct batch_result *r);
/* {"id", "name", "type", "description", "project_id", "created_at", "updated_at",
 *  "expires_at"} (expires_at only when set) */
struct json_object *encode_directory(const struct directory *d);
/* {"id", "name", "product_type", "version", "created_at", "updated_at", "parameters":
 *  {"tier"} (only when a tier came)} */
struct json_object *encode_config(const struct config *c);

/* Helpers for callers adding their own fields: o itself, exiting when it is NULL (json-c out
 * of memory); add key to object o (taking v, which may be NULL for a JSON null); a string or
 * null; an int or null (v < 0). */
struct json_object *encode_need(struct json_object *o);
void encode_put(struct json_object *o, const char *key, struct json_object *v);
struct json_object *encode_str(const char *s);
struct json_object *encode_count(long v);

#endif
