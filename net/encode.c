/* encode.c -- API objects back to JSON with the API's own field names. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "net/encode.h"

static _Noreturn void out_of_memory(void)
{
    fputs("batchtop: out of memory\n", stderr);
    abort();
}

struct json_object *encode_need(struct json_object *o)
{
    if (o == NULL)
        out_of_memory();
    return o;
}

void encode_put(struct json_object *o, const char *key, struct json_object *v)
{
    json_object_object_add(o, key, v);
}

struct json_object *encode_str(const char *s)
{
    return s != NULL ? encode_need(json_object_new_string(s)) : NULL;
}

struct json_object *encode_count(long v)
{
    return v >= 0 ? encode_need(json_object_new_int64(v)) : NULL;
}

static const char *type_text(enum job_type t, const char *wire)
{
    return wire != NULL ? wire : t != JOB_TYPE_UNKNOWN ? job_type_name(t) : NULL;
}

struct json_object *encode_batch_result(const struct batch_result *r)
{
    struct json_object *o = encode_need(json_object_new_object()), *ref = NULL;
    encode_put(o, "source_directory_file_id", encode_str(r->file_id));
    if (r->job_id != NULL) {
        ref = encode_need(json_object_new_object());
        encode_put(ref, "type", encode_str(type_text(r->job_type, r->job_type_text)));
        encode_put(ref, "id", encode_str(r->job_id));
    }
    encode_put(o, "job_reference", ref);
    encode_put(o, "error_message", encode_str(r->error_message));
    return o;
}

struct json_object *encode_batch(const struct batch *b, bool with_results)
{
    struct json_object *o = encode_need(json_object_new_object()), *config, *job;
    encode_put(o, "id", encode_str(b->id ? b->id : ""));
    encode_put(o, "project_id", encode_str(b->project_id));
    encode_put(o, "source_directory_id", encode_str(b->source_directory_id));
    encode_put(o, "status",
               encode_str(b->status_text ? b->status_text : batch_status_name(b->status)));
    encode_put(o, "created_at", encode_str(b->created_at));
    encode_put(o, "updated_at", encode_str(b->updated_at));
    job = encode_need(json_object_new_object());
    encode_put(job, "type", encode_str(type_text(b->job_type, b->job_type_text)));
    encode_put(job, "configuration_id", encode_str(b->configuration_id));
    config = encode_need(json_object_new_object());
    encode_put(config, "job", job);
    encode_put(o, "config", config);
    if (with_results) {
        struct json_object *a = NULL;
        if (b->has_results) {
            a = encode_need(json_object_new_array_ext((int)b->n_results));
            for (size_t i = 0; i < b->n_results; i++)
                json_object_array_add(a, encode_batch_result(&b->results[i]));
        }
        encode_put(o, "results", a);
    }
    return o;
}

struct json_object *encode_directory(const struct directory *d)
{
    struct json_object *o = encode_need(json_object_new_object());
    encode_put(o, "id", encode_str(d->id));
    encode_put(o, "name", encode_str(d->name));
    encode_put(o, "type", encode_str(d->type));
    encode_put(o, "description", encode_str(d->description));
    encode_put(o, "project_id", encode_str(d->project_id));
    encode_put(o, "created_at", encode_str(d->created_at));
    encode_put(o, "updated_at", encode_str(d->updated_at));
    if (d->expires_at != NULL)
        encode_put(o, "expires_at", encode_str(d->expires_at));
    return o;
}

struct json_object *encode_config(const struct config *c)
{
    struct json_object *o = encode_need(json_object_new_object());
    encode_put(o, "id", encode_str(c->id));
    encode_put(o, "name", encode_str(c->name));
    encode_put(o, "product_type", encode_str(c->product_type));
    encode_put(o, "version", encode_str(c->version));
    encode_put(o, "created_at", encode_str(c->created_at));
    encode_put(o, "updated_at", encode_str(c->updated_at));
    if (c->tier != NULL) {
        struct json_object *p = encode_need(json_object_new_object());
        encode_put(p, "tier", encode_str(c->tier));
        encode_put(o, "parameters", p);
    }
    return o;
}
