/* wire.c -- JSON objects for every answer of batchtop-sim, written with json-c. */
#include "config.h"

#include "sim/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "sim/names.h"

#define PAGES_PER_DOC 3

json_object *wire_time(int64_t ms)
{
    char buf[40];
    rng_format_time(ms, buf, sizeof buf);
    return json_object_new_string(buf);
}

static void put(json_object *o, const char *key, json_object *v)
{
    json_object_object_add(o, key, v);
}

static json_object *str_or_null(const char *s)
{
    return s != NULL ? json_object_new_string(s) : NULL;
}

json_object *wire_batch(const struct world *w, const struct world_batch *b, int64_t t,
                        bool results)
{
    json_object *o = json_object_new_object();
    put(o, "id", json_object_new_string(b->id));
    put(o, "project_id", json_object_new_string(w->project_id));
    put(o, "source_directory_id", json_object_new_string(w->dirs[b->dir].id));
    json_object *job = json_object_new_object();
    put(job, "type", json_object_new_string(job_type_name(b->type)));
    put(job, "configuration_id", json_object_new_string(w->configs[b->config].id));
    json_object *config = json_object_new_object();
    put(config, "job", job);
    put(o, "config", config);
    put(o, "status", json_object_new_string(batch_status_name(b->status)));
    put(o, "created_at", wire_time(b->created));
    put(o, "updated_at", wire_time(b->updated));
    /* "results: null unless requested with expand=results, or while the batch is still
     * running" (SDK 2.16.0): with results_null, no partial list is ever shown. */
    if (w->params.results_null && !batch_status_is_terminal(b->status))
        results = false;
    size_t mapped = results ? world_mapped_count(b, t) : 0;
    if (mapped == 0) {
        put(o, "results", NULL);
        return o;
    }
    const struct world_dir *d = &w->dirs[b->dir];
    json_object *arr = json_object_new_array_ext((int)mapped);
    for (size_t i = 0; i < mapped; i++) {
        json_object *r = json_object_new_object();
        put(r, "source_directory_file_id", json_object_new_string(d->files[i].id));
        if (b->items[i].kind == WORLD_ITEM_MAP_ERROR) {
            char *err = world_item_error(w, b, i);
            put(r, "job_reference", NULL);
            put(r, "error_message", json_object_new_string(err));
            free(err);
        } else {
            json_object *ref = json_object_new_object();
            put(ref, "type", json_object_new_string(job_type_name(b->type)));
            put(ref, "id", json_object_new_string(b->items[i].job_id));
            put(r, "job_reference", ref);
            put(r, "error_message", NULL);
        }
        json_object_array_add(arr, r);
    }
    put(o, "results", arr);
    return o;
}

json_object *wire_directory(const struct world *w, const struct world_dir *d)
{
    json_object *o = json_object_new_object();
    put(o, "id", json_object_new_string(d->id));
    put(o, "name", json_object_new_string(d->name));
    put(o, "project_id", json_object_new_string(w->project_id));
    put(o, "type", json_object_new_string("user"));
    put(o, "description", json_object_new_string(d->description));
    put(o, "data_source_id", NULL);
    put(o, "file_count", json_object_new_int64((int64_t)d->nfiles));
    put(o, "created_at", wire_time(d->created));
    put(o, "updated_at", wire_time(d->updated));
    put(o, "deleted_at", NULL);
    return o;
}

json_object *wire_file(const struct world *w, const struct world_dir *d,
                       const struct world_file *f)
{
    json_object *o = json_object_new_object();
    put(o, "id", json_object_new_string(f->id));
    put(o, "directory_id", json_object_new_string(d->id));
    put(o, "display_name", json_object_new_string(f->name));
    put(o, "project_id", json_object_new_string(w->project_id));
    put(o, "unique_id", json_object_new_string(f->file_id));
    put(o, "file_id", json_object_new_string(f->file_id));
    put(o, "created_at", wire_time(f->created));
    put(o, "updated_at", wire_time(f->created));
    put(o, "deleted_at", NULL);
    return o;
}

json_object *wire_config(const struct world_config *c)
{
    json_object *o = json_object_new_object();
    put(o, "id", json_object_new_string(c->id));
    put(o, "name", json_object_new_string(c->name));
    put(o, "product_type", json_object_new_string(c->product_type));
    json_object *p = json_object_new_object();
    put(p, "product_type", json_object_new_string(c->product_type));
    if (c->tier != NULL)
        put(p, "tier", json_object_new_string(c->tier));
    if (c->type == JOB_TYPE_EXTRACT) {
        json_object *schema = json_tokener_parse(
            "{\"type\":\"object\",\"properties\":{\"number\":{\"type\":\"string\"},"
            "\"total\":{\"type\":\"number\"},\"currency\":{\"type\":\"string\"}}}");
        put(p, "data_schema", schema);
    }
    put(o, "parameters", p);
    char version[16];
    snprintf(version, sizeof version, "%d", c->version);
    put(o, "version", json_object_new_string(version));
    put(o, "created_at", wire_time(c->created));
    put(o, "updated_at", wire_time(c->updated));
    return o;
}

static void job_common(json_object *o, const struct world *w, const struct world_batch *b,
                       size_t i, const struct world_item_state *st)
{
    put(o, "id", json_object_new_string(b->items[i].job_id));
    put(o, "project_id", json_object_new_string(w->project_id));
    put(o, "status", json_object_new_string(job_status_name(st->status)));
    char *err = st->status == JOB_FAILED ? world_item_error(w, b, i) : NULL;
    if (st->status == JOB_CANCELLED)
        err = xstrdup("job was cancelled with its batch");
    put(o, "error_message", str_or_null(err));
    free(err);
    put(o, "created_at", wire_time(st->created));
    put(o, "updated_at", wire_time(st->updated));
}

json_object *wire_parse_job(const struct world *w, const struct world_batch *b, size_t i,
                            const struct world_item_state *st)
{
    json_object *o = json_object_new_object();
    job_common(o, w, b, i, st);
    put(o, "name", json_object_new_string(w->dirs[b->dir].files[i].name));
    const char *tier = w->configs[b->config].tier;
    put(o, "tier", json_object_new_string(tier != NULL ? tier : "agentic"));
    return o;
}

static json_object *pages(const struct world *w, const struct world_batch *b, size_t i,
                          bool markdown)
{
    const char *title = w->dirs[b->dir].files[i].name;
    json_object *o = json_object_new_object();
    json_object *arr = json_object_new_array();
    for (int p = 1; p <= PAGES_PER_DOC; p++) {
        struct rng r;
        rng_init(&r, b->items[i].seed + (uint64_t)p);
        char *s = markdown ? names_markdown_page(&r, title, p, w->params.hostile)
                           : names_text_page(&r, title, p, w->params.hostile);
        json_object *pg = json_object_new_object();
        put(pg, "page_number", json_object_new_int(p));
        put(pg, markdown ? "markdown" : "text", json_object_new_string(s));
        if (markdown)
            put(pg, "success", json_object_new_boolean(1));
        json_object_array_add(arr, pg);
        free(s);
    }
    put(o, "pages", arr);
    return o;
}

json_object *wire_parse_get(const struct world *w, const struct world_batch *b, size_t i,
                            const struct world_item_state *st, unsigned expand)
{
    json_object *o = json_object_new_object();
    put(o, "job", wire_parse_job(w, b, i, st));
    if (st->status != JOB_COMPLETED)
        return o;
    const char *title = w->dirs[b->dir].files[i].name;
    struct rng r;
    rng_init(&r, b->items[i].seed);
    if (expand & WIRE_EXPAND_MARKDOWN_FULL) {
        char *s = names_markdown(&r, title, PAGES_PER_DOC, w->params.hostile);
        put(o, "markdown_full", json_object_new_string(s));
        free(s);
    }
    if (expand & WIRE_EXPAND_TEXT_FULL) {
        char *s = names_text(&r, title, PAGES_PER_DOC, w->params.hostile);
        put(o, "text_full", json_object_new_string(s));
        free(s);
    }
    if (expand & WIRE_EXPAND_MARKDOWN)
        put(o, "markdown", pages(w, b, i, true));
    if (expand & WIRE_EXPAND_TEXT)
        put(o, "text", pages(w, b, i, false));
    if (expand & WIRE_EXPAND_JOB_METADATA) {
        json_object *m = json_object_new_object();
        put(m, "page_count", json_object_new_int(PAGES_PER_DOC));
        put(m, "credits_used", json_object_new_int(PAGES_PER_DOC * 3));
        put(o, "job_metadata", m);
    }
    return o;
}

static json_object *extract_result(const struct world *w, const struct world_batch *b, size_t i)
{
    struct rng r;
    rng_init(&r, b->items[i].seed);
    static const char *const vendors[] = {"Acme GmbH", "Globex Corporation", "株式会社サンプル",
                                          "Initech SARL", "Umbrella Ltd"};
    static const char *const currencies[] = {"EUR", "USD", "JPY", "GBP"};
    json_object *o = json_object_new_object();
    char num[32];
    snprintf(num, sizeof num, "INV-%06u", (unsigned)rng_below(&r, 1000000));
    put(o, "number", json_object_new_string(num));
    const char *vendor = vendors[rng_below(&r, 5)];
    if (w->params.hostile && rng_chance(&r, 0.5)) {
        char *h = xasprintf("%s%s", names_hostile_fragment((size_t)rng_below(&r, 7)), vendor);
        put(o, "vendor", json_object_new_string(h));
        free(h);
    } else {
        put(o, "vendor", json_object_new_string(vendor));
    }
    put(o, "total", json_object_new_double((double)rng_below(&r, 1000000) / 100.0));
    put(o, "currency", json_object_new_string(currencies[rng_below(&r, 4)]));
    json_object *lines = json_object_new_array();
    int n = 1 + (int)rng_below(&r, 4);
    for (int k = 0; k < n; k++) {
        json_object *l = json_object_new_object();
        char desc[48];
        snprintf(desc, sizeof desc, "Item %d", k + 1);
        put(l, "description", json_object_new_string(desc));
        put(l, "quantity", json_object_new_int(1 + (int)rng_below(&r, 9)));
        put(l, "amount", json_object_new_double((double)rng_below(&r, 100000) / 100.0));
        json_object_array_add(lines, l);
    }
    put(o, "line_items", lines);
    return o;
}

json_object *wire_extract_job(const struct world *w, const struct world_batch *b, size_t i,
                              const struct world_item_state *st)
{
    json_object *o = json_object_new_object();
    job_common(o, w, b, i, st);
    put(o, "configuration_id", json_object_new_string(w->configs[b->config].id));
    put(o, "file_input", json_object_new_string(w->dirs[b->dir].files[i].file_id));
    put(o, "extract_result", st->status == JOB_COMPLETED ? extract_result(w, b, i) : NULL);
    return o;
}

json_object *wire_detail(const char *message)
{
    json_object *o = json_object_new_object();
    put(o, "detail", json_object_new_string(message));
    return o;
}

json_object *wire_validation(const char *const *loc, const char *msg, const char *type)
{
    json_object *e = json_object_new_object();
    json_object *l = json_object_new_array();
    for (size_t i = 0; loc[i] != NULL; i++)
        json_object_array_add(l, json_object_new_string(loc[i]));
    put(e, "loc", l);
    put(e, "msg", json_object_new_string(msg));
    put(e, "type", json_object_new_string(type));
    json_object *arr = json_object_new_array();
    json_object_array_add(arr, e);
    json_object *o = json_object_new_object();
    put(o, "detail", arr);
    return o;
}

char *wire_string(json_object *o, size_t *len)
{
    size_t n = 0;
    const char *s = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    if (len != NULL)
        *len = n;
    return copy;
}
