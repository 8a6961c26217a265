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

static struct json_object *need(struct json_object *o)
{
    if (o == NULL)
        out_of_memory();
    return o;
}

static void put(struct json_object *o, const char *key, struct json_object *v)
{
    json_object_object_add(o, key, v);
}

struct json_object *encode_str(const char *s)
{
    return s != NULL ? need(json_object_new_string(s)) : NULL;
}

struct json_object *encode_count(long v)
{
    return v >= 0 ? need(json_object_new_int64(v)) : NULL;
}

static const char *type_text(enum job_type t, const char *wire)
{
    return wire != NULL ? wire : t != JOB_TYPE_UNKNOWN ? job_type_name(t) : NULL;
}

struct json_object *encode_batch_result(const struct batch_result *r)
{
    struct json_object *o = need(json_object_new_object()), *ref = NULL;
    put(o, "source_directory_file_id", encode_str(r->file_id));
    if (r->job_id != NULL) {
        ref = need(json_object_new_object());
        put(ref, "type", encode_str(type_text(r->job_type, r->job_type_text)));
        put(ref, "id", encode_str(r->job_id));
    }
    put(o, "job_reference", ref);
    put(o, "error_message", encode_str(r->error_message));
    return o;
}

struct json_object *encode_batch(const struct batch *b, bool with_results)
{
    struct json_object *o = need(json_object_new_object()), *config, *job;
    put(o, "id", encode_str(b->id ? b->id : ""));
    put(o, "project_id", encode_str(b->project_id));
    put(o, "source_directory_id", encode_str(b->source_directory_id));
    put(o, "status", encode_str(b->status_text ? b->status_text : batch_status_name(b->status)));
    put(o, "created_at", encode_str(b->created_at));
    put(o, "updated_at", encode_str(b->updated_at));
    job = need(json_object_new_object());
    put(job, "type", encode_str(type_text(b->job_type, b->job_type_text)));
    put(job, "configuration_id", encode_str(b->configuration_id));
    config = need(json_object_new_object());
    put(config, "job", job);
    put(o, "config", config);
    if (with_results) {
        struct json_object *a = NULL;
        if (b->has_results) {
            a = need(json_object_new_array_ext((int)b->n_results));
            for (size_t i = 0; i < b->n_results; i++)
                json_object_array_add(a, encode_batch_result(&b->results[i]));
        }
        put(o, "results", a);
    }
    return o;
}

struct json_object *encode_directory(const struct directory *d)
{
    struct json_object *o = need(json_object_new_object());
    put(o, "id", encode_str(d->id));
    put(o, "name", encode_str(d->name));
    put(o, "type", encode_str(d->type));
    put(o, "description", encode_str(d->description));
    put(o, "project_id", encode_str(d->project_id));
    put(o, "created_at", encode_str(d->created_at));
    put(o, "updated_at", encode_str(d->updated_at));
    if (d->expires_at != NULL)
        put(o, "expires_at", encode_str(d->expires_at));
    return o;
}

struct json_object *encode_config(const struct config *c)
{
    struct json_object *o = need(json_object_new_object());
    put(o, "id", encode_str(c->id));
    put(o, "name", encode_str(c->name));
    put(o, "product_type", encode_str(c->product_type));
    put(o, "version", encode_str(c->version));
    put(o, "created_at", encode_str(c->created_at));
    put(o, "updated_at", encode_str(c->updated_at));
    if (c->tier != NULL) {
        struct json_object *p = need(json_object_new_object());
        put(p, "tier", encode_str(c->tier));
        put(o, "parameters", p);
    }
    return o;
}
