/* wire.c -- JSON objects for every answer of batchtop-sim, written with json-c. */
#include "config.h"

#include "sim/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "sim/dirs.h"
#include "sim/names.h"
#include "sim/usage.h"

#define PAGES_PER_DOC USAGE_PAGES

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
        put(r, "source_directory_file_id", json_object_new_string(d->files[b->items[i].file].id));
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
    /* SDK 2.16.0 DirectoryGetResponse: no data_source_id, no file_count; expires_at is set
     * on the ephemeral directories of --directory-ttl */
    put(o, "type", json_object_new_string(d->expires > 0 ? "ephemeral" : "user"));
    put(o, "description", str_or_null(d->description));
    put(o, "created_at", wire_time(d->created));
    put(o, "updated_at", wire_time(d->updated));
    put(o, "deleted_at", NULL);
    put(o, "expires_at", d->expires > 0 ? wire_time(d->expires) : NULL);
    return o;
}

json_object *wire_file(const struct world *w, const struct world_dir *d,
                       const struct world_file *f, int64_t t)
{
    json_object *o = json_object_new_object();
    put(o, "id", json_object_new_string(f->id));
    put(o, "directory_id", json_object_new_string(d->id));
    put(o, "display_name", json_object_new_string(f->name));
    put(o, "project_id", json_object_new_string(w->project_id));
    put(o, "unique_id", json_object_new_string(dirs_file_unique_id(f)));
    put(o, "file_id", json_object_new_string(f->file_id));
    if (f->metadata != NULL) /* as an add gave it (checked to be an object then) */
        put(o, "metadata", json_tokener_parse(f->metadata));
    put(o, "created_at", wire_time(f->created));
    bool gone = dirs_file_deleted(f, t);
    put(o, "updated_at", wire_time(gone ? f->deleted : f->created));
    put(o, "deleted_at", gone ? wire_time(f->deleted) : NULL);
    return o;
}

/* The current dated parse version of a tier, as SDK 2.16.0 lists them. */
static const char *dated(const char *tier)
{
    if (tier != NULL && strcmp(tier, "fast") == 0)
        return "2026-06-15";
    if (tier != NULL && (strcmp(tier, "cost_effective") == 0 || strcmp(tier, "agentic_plus") == 0))
        return "2026-08-19";
    return "2026-09-07";
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
    /* ParseV2Parameters.version is required: "latest" or one of the tier's dated versions
     * (the SDK lists each tier's current one); ExtractV2Parameters.version is optional. */
    if (c->type == JOB_TYPE_PARSE)
        put(p, "version", json_object_new_string(c->version % 2 ? "latest" : dated(c->tier)));
    else if (c->type == JOB_TYPE_EXTRACT)
        put(p, "version", json_object_new_string("latest"));
    if (c->type == JOB_TYPE_EXTRACT) {
        json_object *schema = json_tokener_parse(
            "{\"type\":\"object\",\"properties\":{\"number\":{\"type\":\"string\"},"
            "\"total\":{\"type\":\"number\"},\"currency\":{\"type\":\"string\"}}}");
        put(p, "data_schema", schema);
    }
    put(o, "parameters", p);
    /* ConfigurationResponse.version: "Version identifier (datetime string)" */
    put(o, "version", wire_time(c->updated));
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
    put(o, "name", json_object_new_string(w->dirs[b->dir].files[b->items[i].file].name));
    const char *tier = w->configs[b->config].tier;
    put(o, "tier", json_object_new_string(tier != NULL ? tier : "agentic"));
    return o;
}

/* {"pages": [...]}; a failed page (--failed-pages) is {page_number, success: false, error}, the
 * SDK's FailedMarkdownPage; in text pages it also keeps "text": "" because the SDK's Text.Page
 * has no failed variant and requires text (the simulator's guess). */
static json_object *pages(const struct world *w, const struct world_batch *b, size_t i,
                          bool markdown)
{
    const char *title = w->dirs[b->dir].files[b->items[i].file].name;
    json_object *o = json_object_new_object();
    json_object *arr = json_object_new_array();
    for (int p = 1; p <= PAGES_PER_DOC; p++) {
        if (usage_page_failed(w, b, i, p)) {
            json_object *pg = json_object_new_object();
            put(pg, "page_number", json_object_new_int(p));
            if (!markdown)
                put(pg, "text", json_object_new_string(""));
            put(pg, "success", json_object_new_boolean(0));
            put(pg, "error", json_object_new_string(usage_page_error(b, i, p)));
            json_object_array_add(arr, pg);
            continue;
        }
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

/* markdown_full / text_full: the pages that did not fail, joined as names_markdown() and
 * names_text() join them (same seeds, so the output without failed pages is unchanged). */
static json_object *full_output(const struct world *w, const struct world_batch *b, size_t i,
                                bool markdown)
{
    const char *title = w->dirs[b->dir].files[b->items[i].file].name;
    struct rng r;
    rng_init(&r, b->items[i].seed);
    size_t cap = 4096, len = 0;
    char *out = xmalloc(cap);
    out[0] = '\0';
    for (int p = 1; p <= PAGES_PER_DOC; p++) {
        if (usage_page_failed(w, b, i, p))
            continue;
        struct rng pr;
        rng_init(&pr, r.state + (uint64_t)p);
        char *s = markdown ? names_markdown_page(&pr, title, p, w->params.hostile)
                           : names_text_page(&pr, title, p, w->params.hostile);
        const char *sep = len == 0 ? "" : markdown ? "\n---\n\n" : "\n\n";
        size_t need = len + strlen(sep) + strlen(s) + 1;
        if (need > cap) {
            cap = need * 2;
            out = xrealloc(out, cap);
        }
        len += (size_t)sprintf(out + len, "%s%s", sep, s);
        free(s);
    }
    json_object *o = json_object_new_string(out);
    free(out);
    return o;
}

json_object *wire_parse_get(const struct world *w, const struct world_batch *b, size_t i,
                            const struct world_item_state *st, unsigned expand, int64_t now)
{
    json_object *o = json_object_new_object();
    json_object *job = wire_parse_job(w, b, i, st);
    /* "usage — credits billed against the job" lives in job (ParsingGetResponse.Job.usage) */
    if (expand & WIRE_EXPAND_USAGE)
        put(job, "usage", usage_parse(w, b, i, st, now));
    put(o, "job", job);
    if (st->status != JOB_COMPLETED)
        return o;
    /* --no-full-output: what TS SDK 2.16.0 documents, no markdown_full/text_full at all */
    if ((expand & WIRE_EXPAND_MARKDOWN_FULL) && !w->params.no_full_output)
        put(o, "markdown_full", full_output(w, b, i, true));
    if ((expand & WIRE_EXPAND_TEXT_FULL) && !w->params.no_full_output)
        put(o, "text_full", full_output(w, b, i, false));
    if (expand & WIRE_EXPAND_MARKDOWN)
        put(o, "markdown", pages(w, b, i, true));
    if (expand & WIRE_EXPAND_TEXT)
        put(o, "text", pages(w, b, i, false));
    if (expand & WIRE_EXPAND_JOB_METADATA) {
        /* page counts agree with the pages above; credits are usage's business */
        int ok = usage_pages_ok(w, b, i);
        json_object *m = json_object_new_object();
        put(m, "page_count", json_object_new_int(PAGES_PER_DOC));
        put(m, "pages_succeeded", json_object_new_int(ok));
        put(m, "pages_failed", json_object_new_int(PAGES_PER_DOC - ok));
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
    if (w->params.hostile) {
        /* a number no double or int64 holds: a client must show and save it as sent
         * (json_object_new_double_s serialises the given text verbatim; no rng draw) */
        put(o, "reference_number",
            json_object_new_double_s(1.2345678901234568e29, "123456789012345678901234567890"));
    }
    return o;
}

json_object *wire_extract_job(const struct world *w, const struct world_batch *b, size_t i,
                              const struct world_item_state *st, unsigned expand, int64_t now)
{
    json_object *o = json_object_new_object();
    job_common(o, w, b, i, st);
    put(o, "configuration_id", json_object_new_string(w->configs[b->config].id));
    /* "File ID or parse job ID that was extracted": the directory file's dfl- ID */
    put(o, "file_input", json_object_new_string(w->dirs[b->dir].files[b->items[i].file].id));
    put(o, "extract_result", st->status == JOB_COMPLETED ? extract_result(w, b, i) : NULL);
    if (expand & WIRE_EXPAND_USAGE)
        usage_extract(o, w, b, i, st, now);
    if (expand & WIRE_EXPAND_EXTRACT_METADATA) {
        /* ExtractJobMetadata; the simulator runs no separate parse job, so parse_job_id is
         * null and no per-field metadata is kept */
        json_object *m = json_object_new_object();
        const char *tier = w->configs[b->config].tier;
        put(m, "field_metadata", NULL);
        put(m, "parse_job_id", NULL);
        put(m, "parse_tier", str_or_null(st->status == JOB_COMPLETED ? tier : NULL));
        put(o, "extract_metadata", m);
    }
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
