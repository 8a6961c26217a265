/* decode.c -- strict, path-naming JSON decoders (json-c) for every API object batchtop reads. */
#include "config.h"

#include "net/decode.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "net/jsonexact.h"

/* ---- errors and paths ---- */

/* Record "path.key: what" (or "path: what" when key is NULL) and return false. */
static bool fail(char **cause, const char *path, const char *key, const char *what)
{
    if (cause != NULL) {
        if (key == NULL)
            *cause = xasprintf("%s: %s", path[0] ? path : "body", what);
        else if (path[0] == '\0')
            *cause = xasprintf("%s: %s", key, what);
        else
            *cause = xasprintf("%s.%s: %s", path, key, what);
    }
    return false;
}

/* path + "." + key into buf (for nested objects). */
static void join(char *buf, size_t len, const char *path, const char *key)
{
    size_t o = 0;
    for (const char *p = path; *p && o + 1 < len; p++)
        buf[o++] = *p;
    if (path[0] != '\0' && o + 1 < len)
        buf[o++] = '.';
    for (const char *p = key; *p && o + 1 < len; p++)
        buf[o++] = *p;
    buf[o] = '\0';
}

struct json_object *decode_json(const char *body, size_t len, char **cause)
{
    if (body == NULL)
        len = 0;
    if (len == 0) {
        fail(cause, "", NULL, "empty body");
        return NULL;
    }
    if (len > DECODE_MAX_BODY || len > INT_MAX) {
        fail(cause, "", NULL, "body too large");
        return NULL;
    }
    /* Count objects and arrays outside strings first: refused before json-c allocates. */
    size_t containers = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char ch = body[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
        } else if ((ch == '{' || ch == '[') && ++containers > DECODE_MAX_CONTAINERS) {
            fail(cause, "", NULL, "too many objects in one answer (over 250,000)");
            return NULL;
        }
    }
    struct json_tokener *tok = json_tokener_new_ex(DECODE_MAX_DEPTH);
    if (tok == NULL) {
        fail(cause, "", NULL, "out of memory");
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *root = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    if (root == NULL || err != json_tokener_success) {
        const char *what = err == json_tokener_continue      ? "truncated JSON"
                           : err == json_tokener_error_depth ? "nested too deeply"
                                                             : json_tokener_error_desc(err);
        char *msg = xasprintf("invalid JSON (%s)", what ? what : "unknown error");
        fail(cause, "", NULL, msg);
        free(msg);
        json_object_put(root);
        json_tokener_free(tok);
        return NULL;
    }
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    for (size_t i = end; i < len; i++) {
        char ch = body[i];
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
            fail(cause, "", NULL, "invalid JSON (trailing data)");
            json_object_put(root);
            return NULL;
        }
    }
    return root;
}

/* ---- field helpers: absent and null are the same; a wrong type is an error ---- */

static struct json_object *field(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return v; /* NULL for a JSON null */
}

/* s[0..len) as a C string with each NUL byte (JSON "\u0000") written as the two characters
 * "\0", so nothing after it is silently cut off the text that is shown. */
static char *visible_copy(const char *s, size_t len)
{
    size_t nuls = 0;
    for (size_t i = 0; i < len; i++)
        nuls += s[i] == '\0';
    char *out = xmalloc(len + nuls + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0') {
            *o++ = '\\';
            *o++ = '0';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

/* A string field: *out = copy or NULL (absent/null). Display text (ident false) keeps a
 * NUL visible as "\0"; an identifier (ident true) holding one is refused, since a C string
 * would silently name a different object. */
static bool get_string(struct json_object *o, const char *path, const char *key, bool required,
                       bool ident, char **out, char **cause)
{
    struct json_object *v = field(o, key);
    *out = NULL;
    if (v == NULL)
        return required ? fail(cause, path, key, "missing") : true;
    if (!json_object_is_type(v, json_type_string))
        return fail(cause, path, key, "expected a string");
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (ident && memchr(s, '\0', len) != NULL)
        return fail(cause, path, key, "contains a NUL character");
    *out = visible_copy(s, len);
    return true;
}

/* Display text: names, messages, statuses, times. */
static bool get_str(struct json_object *o, const char *path, const char *key, bool required,
                    char **out, char **cause)
{
    return get_string(o, path, key, required, false, out, cause);
}

/* An identifier that may be absent or null (IDs, tokens): never with a NUL. */
static bool get_ident(struct json_object *o, const char *path, const char *key, char **out,
                      char **cause)
{
    return get_string(o, path, key, false, true, out, cause);
}

/* A required ID: a non-empty string. An empty one would build a path that names the
 * collection instead of the item ("/api/v2/batches/"), so it is refused here. */
static bool get_id(struct json_object *o, const char *path, const char *key, char **out,
                   char **cause)
{
    if (!get_string(o, path, key, true, true, out, cause))
        return false;
    if ((*out)[0] == '\0') {
        free(*out);
        *out = NULL;
        return fail(cause, path, key, "empty");
    }
    return true;
}

/* A string that may also be sent as a number (e.g. a version); numbers become their text. */
static bool get_str_or_num(struct json_object *o, const char *path, const char *key, char **out,
                           char **cause)
{
    struct json_object *v = field(o, key);
    *out = NULL;
    if (v == NULL)
        return true;
    if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
        *out = xstrdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return true;
    }
    return get_str(o, path, key, false, out, cause);
}

/* A time: its text (or NULL) and its parsed value (or -1). */
static bool get_time(struct json_object *o, const char *path, const char *key, char **text,
                     int64_t *ms, char **cause)
{
    *ms = -1;
    if (!get_str(o, path, key, false, text, cause))
        return false;
    if (*text != NULL && !clock_parse_iso8601(*text, ms))
        *ms = -1;
    return true;
}

/* An object field or null/absent (*out NULL). */
static bool get_obj(struct json_object *o, const char *path, const char *key,
                    struct json_object **out, char **cause)
{
    struct json_object *v = field(o, key);
    *out = NULL;
    if (v == NULL)
        return true;
    if (!json_object_is_type(v, json_type_object))
        return fail(cause, path, key, "expected an object");
    *out = v;
    return true;
}

/* A number that may be null or absent (*has false). Integers stay exact up to 2^53. */
static bool get_num(struct json_object *o, const char *path, const char *key, bool *has,
                    double *out, char **cause)
{
    struct json_object *v = field(o, key);
    *has = false;
    *out = 0;
    if (v == NULL)
        return true;
    if (json_object_is_type(v, json_type_int))
        *out = (double)json_object_get_int64(v);
    else if (json_object_is_type(v, json_type_double))
        *out = json_object_get_double(v);
    else
        return fail(cause, path, key, "expected a number");
    if (!(*out >= 0 && *out < 1e15)) /* NaN, negative or absurd: not a bill to add up */
        return fail(cause, path, key, "out of range");
    *has = true;
    return true;
}

static bool need_object(struct json_object *o, const char *path, char **cause)
{
    if (o == NULL || !json_object_is_type(o, json_type_object))
        return fail(cause, path, NULL, "expected an object");
    return true;
}

/* ---- objects ---- */

static bool result_from(struct json_object *o, const char *path, struct batch_result *r,
                        char **cause)
{
    memset(r, 0, sizeof *r);
    r->job_type = JOB_TYPE_UNKNOWN;
    struct json_object *ref;
    char sub[160];
    if (!need_object(o, path, cause) ||
        !get_string(o, path, "source_directory_file_id", true, true, &r->file_id, cause) ||
        !get_str(o, path, "error_message", false, &r->error_message, cause) ||
        !get_obj(o, path, "job_reference", &ref, cause))
        goto bad;
    if (ref != NULL) {
        join(sub, sizeof sub, path, "job_reference");
        if (!get_id(ref, sub, "id", &r->job_id, cause) ||
            !get_str(ref, sub, "type", false, &r->job_type_text, cause))
            goto bad;
        r->job_type = job_type_parse(r->job_type_text);
    }
    return true;
bad:
    batch_result_done(r);
    return false;
}

static bool batch_from(struct json_object *o, const char *path, struct batch *b, char **cause)
{
    memset(b, 0, sizeof *b);
    b->job_type = JOB_TYPE_UNKNOWN;
    b->created_ms = b->updated_ms = -1;
    struct json_object *config, *job = NULL, *results;
    char sub[160] = "";
    if (!need_object(o, path, cause) || !get_id(o, path, "id", &b->id, cause) ||
        !get_str(o, path, "status", true, &b->status_text, cause) ||
        !get_ident(o, path, "project_id", &b->project_id, cause) ||
        !get_ident(o, path, "source_directory_id", &b->source_directory_id, cause) ||
        !get_time(o, path, "created_at", &b->created_at, &b->created_ms, cause) ||
        !get_time(o, path, "updated_at", &b->updated_at, &b->updated_ms, cause) ||
        !get_obj(o, path, "config", &config, cause))
        goto bad;
    b->status = batch_status_parse(b->status_text);
    if (config != NULL) {
        join(sub, sizeof sub, path, "config");
        if (!get_obj(config, sub, "job", &job, cause))
            goto bad;
    }
    if (job != NULL) {
        char jp[176];
        join(jp, sizeof jp, sub, "job");
        if (!get_str(job, jp, "type", false, &b->job_type_text, cause) ||
            !get_ident(job, jp, "configuration_id", &b->configuration_id, cause))
            goto bad;
        b->job_type = job_type_parse(b->job_type_text);
    }
    results = field(o, "results");
    if (results != NULL) {
        if (!json_object_is_type(results, json_type_array)) {
            fail(cause, path, "results", "expected an array");
            goto bad;
        }
        size_t n = json_object_array_length(results);
        b->has_results = true;
        b->results = xcalloc(n ? n : 1, sizeof *b->results);
        for (size_t i = 0; i < n; i++) {
            char rp[192], idx[40];
            snprintf(idx, sizeof idx, "results[%zu]", i);
            join(rp, sizeof rp, path, idx);
            if (!result_from(json_object_array_get_idx(results, i), rp, &b->results[i], cause))
                goto bad;
            b->n_results = i + 1;
        }
    }
    return true;
bad:
    batch_done(b);
    return false;
}

/* usage.credits (parse and extract), and metadata.usage.num_pages_billed (extract). Absent
 * unless asked for with expand=usage, and null until billing records it. */
static bool job_usage_from(struct json_object *o, const char *path, struct job *j, char **cause)
{
    struct json_object *u, *meta, *mu = NULL;
    char sub[160], sub2[160];
    double pages;
    if (!get_obj(o, path, "usage", &u, cause) || !get_obj(o, path, "metadata", &meta, cause))
        return false;
    join(sub, sizeof sub, path, "usage");
    if (u != NULL) {
        if (!get_num(u, sub, "credits", &j->has_credits, &j->credits, cause))
            return false;
        j->unbilled = !j->has_credits;
    }
    if (meta == NULL)
        return true;
    join(sub, sizeof sub, path, "metadata");
    if (!get_obj(meta, sub, "usage", &mu, cause))
        return false;
    join(sub2, sizeof sub2, sub, "usage");
    if (mu != NULL && !get_num(mu, sub2, "num_pages_billed", &j->has_pages, &pages, cause))
        return false;
    j->pages_billed = j->has_pages ? (int64_t)pages : 0;
    return true;
}

static bool job_from(struct json_object *o, const char *path, enum job_type type, struct job *j,
                     char **cause)
{
    memset(j, 0, sizeof *j);
    j->type = type;
    j->created_ms = j->updated_ms = -1;
    if (!need_object(o, path, cause) || !get_id(o, path, "id", &j->id, cause) ||
        !get_str(o, path, "status", true, &j->status_text, cause) ||
        !get_str(o, path, "error_message", false, &j->error_message, cause) ||
        !get_str(o, path, "name", false, &j->name, cause) ||
        !get_str(o, path, "tier", false, &j->tier, cause) ||
        !get_time(o, path, "created_at", &j->created_at, &j->created_ms, cause) ||
        !get_time(o, path, "updated_at", &j->updated_at, &j->updated_ms, cause) ||
        !job_usage_from(o, path, j, cause)) {
        job_done(j);
        return false;
    }
    j->status = job_status_parse(j->status_text);
    return true;
}

static bool directory_from(struct json_object *o, const char *path, struct directory *d,
                           char **cause)
{
    memset(d, 0, sizeof *d);
    if (!need_object(o, path, cause) || !get_id(o, path, "id", &d->id, cause) ||
        !get_str(o, path, "name", false, &d->name, cause) ||
        !get_str(o, path, "type", false, &d->type, cause) ||
        !get_str(o, path, "description", false, &d->description, cause) ||
        !get_ident(o, path, "project_id", &d->project_id, cause) ||
        !get_str(o, path, "created_at", false, &d->created_at, cause) ||
        !get_str(o, path, "updated_at", false, &d->updated_at, cause) ||
        !get_time(o, path, "expires_at", &d->expires_at, &d->expires_ms, cause)) {
        directory_done(d);
        return false;
    }
    return true;
}

static bool dir_file_from(struct json_object *o, const char *path, struct dir_file *f,
                          char **cause)
{
    memset(f, 0, sizeof *f);
    if (!need_object(o, path, cause) || !get_id(o, path, "id", &f->id, cause) ||
        !get_ident(o, path, "directory_id", &f->directory_id, cause) ||
        !get_str(o, path, "display_name", false, &f->display_name, cause) ||
        !get_ident(o, path, "file_id", &f->file_id, cause) ||
        !get_ident(o, path, "unique_id", &f->unique_id, cause) ||
        !get_str(o, path, "created_at", false, &f->created_at, cause) ||
        !get_str(o, path, "updated_at", false, &f->updated_at, cause) ||
        !get_str(o, path, "deleted_at", false, &f->deleted_at, cause)) {
        dir_file_done(f);
        return false;
    }
    return true;
}

static bool config_from(struct json_object *o, const char *path, struct config *c, char **cause)
{
    memset(c, 0, sizeof *c);
    struct json_object *params;
    char sub[160];
    if (!need_object(o, path, cause) || !get_id(o, path, "id", &c->id, cause) ||
        !get_str(o, path, "name", false, &c->name, cause) ||
        !get_str(o, path, "product_type", false, &c->product_type, cause) ||
        !get_str_or_num(o, path, "version", &c->version, cause) ||
        !get_str(o, path, "created_at", false, &c->created_at, cause) ||
        !get_str(o, path, "updated_at", false, &c->updated_at, cause) ||
        !get_obj(o, path, "parameters", &params, cause))
        goto bad;
    if (params != NULL) {
        join(sub, sizeof sub, path, "parameters");
        if (!get_str(params, sub, "tier", false, &c->tier, cause))
            goto bad;
    }
    return true;
bad:
    config_done(c);
    return false;
}

/* ---- single-object entry points ---- */

bool decode_batch(const char *body, size_t len, struct batch *out, char **cause)
{
    memset(out, 0, sizeof *out);
    struct json_object *root = decode_json(body, len, cause);
    if (root == NULL)
        return false;
    bool ok = batch_from(root, "", out, cause);
    json_object_put(root);
    return ok;
}

bool decode_batch_object(struct json_object *o, const char *path, struct batch *out, char **cause)
{
    return batch_from(o, path != NULL ? path : "", out, cause);
}

/* ---- a batch with results, decoded as its body arrives ---- */

/*
 * A batch of 100,000 files answers ?expand=results with 17 MB of JSON, and json-c makes about
 * 2 KB of objects of each result: 200 MB for one answer (measured), twelve times its text.
 * So the results array is never one tree. Every byte goes through a small scanner that knows
 * strings, depth and the top object's keys. The array of the top-level "results" key is cut
 * out: each element is parsed alone (a tree of one result), converted and kept as soon as it
 * ends. Everything else (the "skeleton", with that array as "[]") goes to one json-c tokener
 * as it comes, which checks the grammar and the depth of the whole. At the end the skeleton
 * is converted as decode_batch converts a body, with the results streamed. Limits as
 * decode_json: body size, containers (counted outside strings as they pass), depth (an
 * element gets the depth left at its place), only white space after the object. A refusal
 * comes at the first byte that shows it.
 */

enum bs_arr {
    BS_ARR_NONE,  /* not in the results array */
    BS_ARR_START, /* after '[': an element or ']' */
    BS_ARR_NEXT,  /* after an element: ',' or ']' */
    BS_ARR_NEED,  /* after ',': an element */
    BS_ARR_ELEM,  /* inside an element */
};

#define BS_KEY_MAX 64 /* a top-level key longer than this (raw) cannot spell "results" */

struct decode_batch_stream {
    struct json_tokener *tok;  /* the skeleton */
    struct json_object *root;  /* the skeleton, once complete */
    struct json_tokener *etok; /* one element at a time */
    char *cause;               /* the refusal, once refused */
    size_t fed, containers;
    /* the scanner, over the skeleton's bytes */
    int depth; /* containers open, outside strings */
    bool in_string, escape;
    bool expect_key;  /* depth 1: the next string is a key */
    bool key_capture; /* in a depth-1 key: its raw bytes go to key[] */
    char key[BS_KEY_MAX + 1];
    size_t key_len;
    bool key_long;
    bool results_key; /* the last depth-1 key was "results"; its ':' not seen yet */
    bool want_array;  /* after "results": the value may be the array to cut out */
    /* the results array */
    enum bs_arr arr;
    int e_kind;  /* the element: 0 an object or array, 1 a string, 2 a number or literal */
    int e_depth; /* inside an element: containers open in it */
    bool e_string, e_escape;
    char *elem;
    size_t elem_len, elem_cap;
    struct batch_result *results;
    size_t n_results, cap_results;
    bool streamed; /* the last "results" key held an array that was cut out */
    char *item_cause; /* the array's first element that did not convert (decided at the
                         end: a later "results" key would replace the array, as in json-c) */
};

struct decode_batch_stream *decode_batch_stream_new(void)
{
    struct decode_batch_stream *s = xcalloc(1, sizeof *s);
    s->tok = json_tokener_new_ex(DECODE_MAX_DEPTH);
    s->etok = json_tokener_new_ex(DECODE_MAX_DEPTH - 2); /* the top object and the array */
    if (s->tok == NULL || s->etok == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    json_tokener_set_flags(s->tok, JSON_TOKENER_STRICT);
    json_tokener_set_flags(s->etok, JSON_TOKENER_STRICT);
    return s;
}

static void bs_drop_results(struct decode_batch_stream *s)
{
    for (size_t i = 0; i < s->n_results; i++)
        batch_result_done(&s->results[i]);
    free(s->results);
    s->results = NULL;
    s->n_results = s->cap_results = 0;
    free(s->item_cause);
    s->item_cause = NULL;
}

void decode_batch_stream_free(struct decode_batch_stream *s)
{
    if (s == NULL)
        return;
    json_tokener_free(s->tok);
    json_tokener_free(s->etok);
    json_object_put(s->root);
    free(s->cause);
    free(s->elem);
    bs_drop_results(s);
    free(s);
}

static bool bs_refuse(struct decode_batch_stream *s, char *cause)
{
    if (s->cause == NULL)
        s->cause = cause;
    else
        free(cause);
    return false;
}

static bool bs_refuse_json(struct decode_batch_stream *s, enum json_tokener_error err)
{
    const char *what = err == json_tokener_continue      ? "truncated JSON"
                       : err == json_tokener_error_depth ? "nested too deeply"
                                                         : json_tokener_error_desc(err);
    return bs_refuse(s, xasprintf("body: invalid JSON (%s)", what ? what : "unknown error"));
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skeleton bytes to the tokener (after its object: white space only). */
static bool bs_skeleton(struct decode_batch_stream *s, const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (s->root != NULL) {
        for (size_t i = 0; i < n; i++)
            if (!is_ws(p[i]))
                return bs_refuse(s, xstrdup("body: invalid JSON (trailing data)"));
        return true;
    }
    struct json_object *o = json_tokener_parse_ex(s->tok, p, (int)n);
    enum json_tokener_error err = json_tokener_get_error(s->tok);
    if (o == NULL && err == json_tokener_continue)
        return true;
    if (o == NULL || err != json_tokener_success) {
        json_object_put(o);
        return bs_refuse_json(s, err);
    }
    s->root = o;
    size_t end = json_tokener_get_parse_end(s->tok);
    return end <= n ? bs_skeleton(s, p + end, n - end) : true;
}

/* The element in elem[] just ended: parsed alone, converted, kept. */
static bool bs_element(struct decode_batch_stream *s)
{
    size_t i = s->n_results;
    json_tokener_reset(s->etok);
    size_t len = s->elem_len;
    if (s->e_kind == 2) { /* a number or literal: read as the one element of an array (a
                             number ends only at the byte after it) */
        s->elem = xrealloc(s->elem, len + 3);
        s->elem_cap = len + 3;
        memmove(s->elem + 1, s->elem, len);
        s->elem[0] = '[';
        s->elem[len + 1] = ']';
        len += 2;
    }
    struct json_object *o = json_tokener_parse_ex(s->etok, s->elem, (int)len);
    enum json_tokener_error err = json_tokener_get_error(s->etok);
    if (o == NULL || err != json_tokener_success || json_tokener_get_parse_end(s->etok) != len ||
        (s->e_kind == 2 && json_object_array_length(o) != 1)) {
        json_object_put(o);
        return bs_refuse_json(s, err == json_tokener_success ? json_tokener_error_parse_unexpected
                                                             : err);
    }
    if (s->e_kind == 2) { /* its one element (NULL for a JSON null) */
        struct json_object *v = json_object_get(json_object_array_get_idx(o, 0));
        json_object_put(o);
        o = v;
    }
    s->elem_len = 0;
    if (s->item_cause != NULL) { /* the array is refused already: only its grammar counts */
        json_object_put(o);
        return true;
    }
    if (s->n_results == s->cap_results) {
        s->cap_results = s->cap_results ? s->cap_results * 2 : 1024;
        s->results = xreallocarray(s->results, s->cap_results, sizeof *s->results);
    }
    char path[40], *why = NULL;
    snprintf(path, sizeof path, "results[%zu]", i);
    bool ok = result_from(o, path, &s->results[i], &why);
    json_object_put(o);
    if (!ok) {
        s->item_cause = why != NULL ? why : xstrdup("malformed result");
        return true;
    }
    s->n_results++;
    return true;
}

static bool bs_container(struct decode_batch_stream *s)
{
    if (++s->containers <= DECODE_MAX_CONTAINERS)
        return true;
    return bs_refuse(s, xstrdup("body: too many objects in one answer (over 250,000)"));
}

/* A depth-1 key ended: is it "results" (as json-c would read it, escapes and all)? */
static bool bs_is_results(const struct decode_batch_stream *s)
{
    if (s->key_long)
        return false;
    if (memchr(s->key, '\\', s->key_len) == NULL)
        return s->key_len == 7 && memcmp(s->key, "results", 7) == 0;
    char quoted[BS_KEY_MAX + 3];
    snprintf(quoted, sizeof quoted, "\"%.*s\"", (int)s->key_len, s->key);
    struct json_object *o = json_tokener_parse(quoted);
    bool yes = o != NULL && json_object_is_type(o, json_type_string) &&
               json_object_get_string_len(o) == 7 &&
               memcmp(json_object_get_string(o), "results", 7) == 0;
    json_object_put(o);
    return yes;
}

/* One byte of the results array outside its elements. */
static bool bs_array_byte(struct decode_batch_stream *s, char c)
{
    if (is_ws(c))
        return true;
    if (s->arr != BS_ARR_NEXT && c != ']' && c != ',' && c != '}' && c != ':') {
        /* an element starts (one that is not an object is refused at its end, as json-c's
         * whole tree would be, unless a later "results" key replaces the array) */
        s->arr = BS_ARR_ELEM;
        s->e_kind = c == '{' || c == '[' ? 0 : c == '"' ? 1 : 2;
        s->e_depth = 1;
        s->e_string = c == '"';
        s->e_escape = false;
        if (s->elem_cap < 256) {
            s->elem_cap = 256;
            s->elem = xrealloc(s->elem, s->elem_cap);
        }
        s->elem[0] = c;
        s->elem_len = 1;
        return s->e_kind == 0 ? bs_container(s) : true;
    }
    if (c == ']' && s->arr != BS_ARR_NEED) {
        s->arr = BS_ARR_NONE;
        s->depth--;
        return bs_skeleton(s, "]", 1);
    }
    if (c == ',' && s->arr == BS_ARR_NEXT) {
        s->arr = BS_ARR_NEED;
        return true;
    }
    return bs_refuse_json(s, json_tokener_error_parse_unexpected);
}

/* Bytes of an element: kept until its last brace. Returns how many were used. */
static size_t bs_element_bytes(struct decode_batch_stream *s, const char *p, size_t n)
{
    size_t i = 0;
    for (; i < n && s->arr == BS_ARR_ELEM; i++) {
        char c = p[i];
        if (s->e_kind == 2) { /* a number or literal: up to the byte that ends it */
            if (is_ws(c) || c == ',' || c == ']' || c == '}' || c == ':' || c == '"' ||
                c == '{' || c == '[') {
                s->arr = BS_ARR_NEXT;
                break;
            }
            continue;
        }
        if (s->e_string) {
            if (s->e_escape)
                s->e_escape = false;
            else if (c == '\\')
                s->e_escape = true;
            else if (c == '"') {
                s->e_string = false;
                if (s->e_kind == 1)
                    s->arr = BS_ARR_NEXT;
            }
        } else if (c == '"') {
            s->e_string = true;
        } else if (c == '{' || c == '[') {
            s->e_depth++;
            if (!bs_container(s))
                return i + 1;
        } else if (c == '}' || c == ']') {
            if (--s->e_depth == 0)
                s->arr = BS_ARR_NEXT;
        }
    }
    if (s->elem_len + i + 1 > s->elem_cap) {
        s->elem_cap = (s->elem_len + i + 1) * 2;
        s->elem = xrealloc(s->elem, s->elem_cap);
    }
    memcpy(s->elem + s->elem_len, p, i);
    s->elem_len += i;
    if (s->arr == BS_ARR_NEXT)
        bs_element(s);
    return i;
}

bool decode_batch_stream_feed(struct decode_batch_stream *s, const char *p, size_t n)
{
    if (s->cause != NULL)
        return false;
    if (n > DECODE_MAX_BODY - s->fed || s->fed + n > INT_MAX)
        return bs_refuse(s, xstrdup("body: body too large"));
    s->fed += n;
    size_t run = 0; /* skeleton bytes start here in p */
    for (size_t i = 0; i < n && s->cause == NULL; i++) {
        if (s->arr == BS_ARR_ELEM) {
            i += bs_element_bytes(s, p + i, n - i);
            if (i == n || s->cause != NULL)
                break;
        }
        if (s->arr != BS_ARR_NONE) {
            bs_array_byte(s, p[i]);
            run = i + 1;
            continue;
        }
        char c = p[i];
        if (s->in_string) {
            if (s->escape)
                s->escape = false;
            else if (c == '\\')
                s->escape = true;
            else if (c == '"') {
                s->in_string = false;
                if (s->key_capture) {
                    s->key_capture = false;
                    s->expect_key = false;
                    s->results_key = bs_is_results(s);
                }
                continue;
            }
            if (s->key_capture) {
                if (s->key_len < BS_KEY_MAX)
                    s->key[s->key_len++] = c;
                else
                    s->key_long = true;
            }
            continue;
        }
        if (is_ws(c))
            continue;
        bool value_start = c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') ||
                           c == 't' || c == 'f' || c == 'n';
        if (s->want_array && value_start) {
            s->want_array = false;
            if (c == '[') { /* the array to cut out: the skeleton gets "[" now, "]" at its end */
                s->depth++;
                if (!bs_container(s) || !bs_skeleton(s, p + run, i + 1 - run))
                    break;
                run = i + 1;
                bs_drop_results(s); /* a "results" key twice: the last one counts */
                s->streamed = true;
                s->arr = BS_ARR_START;
                continue;
            }
            s->streamed = false;
        }
        switch (c) {
        case '"':
            s->in_string = true;
            if (s->depth == 1 && s->expect_key) {
                s->key_capture = true;
                s->key_len = 0;
                s->key_long = false;
            }
            break;
        case '{':
        case '[':
            if (!bs_container(s))
                break;
            s->depth++;
            s->expect_key = s->depth == 1 && c == '{';
            break;
        case '}':
        case ']':
            s->depth--;
            break;
        case ':':
            if (s->depth == 1 && s->results_key)
                s->want_array = true;
            s->results_key = false;
            break;
        case ',':
            if (s->depth == 1)
                s->expect_key = true;
            break;
        default:
            break;
        }
    }
    if (s->cause == NULL && s->arr == BS_ARR_NONE)
        bs_skeleton(s, p + run, n - run);
    return s->cause == NULL;
}

bool decode_batch_stream_end(struct decode_batch_stream *s, struct batch *out, char **cause)
{
    memset(out, 0, sizeof *out);
    char *why = NULL;
    if (s->cause != NULL)
        why = xstrdup(s->cause);
    else if (s->fed == 0)
        why = xstrdup("body: empty body");
    else if (s->root == NULL)
        why = xstrdup("body: invalid JSON (truncated JSON)");
    if (why != NULL) {
        if (cause != NULL)
            *cause = why;
        else
            free(why);
        return false;
    }
    if (!batch_from(s->root, "", out, cause))
        return false;
    if (s->streamed && s->item_cause != NULL) {
        batch_done(out);
        memset(out, 0, sizeof *out);
        if (cause != NULL)
            *cause = xstrdup(s->item_cause);
        return false;
    }
    if (s->streamed && out->has_results) {
        free(out->results);
        out->results = s->results != NULL ? s->results : xcalloc(1, sizeof *out->results);
        out->n_results = s->n_results;
        s->results = NULL;
        s->n_results = s->cap_results = 0;
    }
    return true;
}

/* A growing string; bounded by the body it is built from, which is capped. */
struct strbuf {
    char *data;
    size_t len, cap;
};

static void strbuf_add(struct strbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
}

#define FAILED_PAGES_LISTED 20 /* the rest are counted, not listed */

/* The documented parse output: {"pages": [{page_number, <key>: "…"} | {page_number,
 * success: false, error}]}. Joins the good pages into *joined when it is given (the full
 * field was absent) and, when out is given, counts the pages and lists the failed ones. */
static bool pages_from(struct json_object *root, const char *key, struct job_output *out,
                       char **joined, char **cause)
{
    struct json_object *o, *arr;
    char sub[64];
    if (!get_obj(root, "", key, &o, cause))
        return false;
    if (o == NULL)
        return true;
    arr = field(o, "pages");
    if (arr == NULL)
        return true;
    if (!json_object_is_type(arr, json_type_array))
        return fail(cause, key, "pages", "expected an array");
    struct strbuf text = {0}, failed = {0};
    size_t n = json_object_array_length(arr), nfailed = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        struct json_object *pg = json_object_array_get_idx(arr, i);
        snprintf(sub, sizeof sub, "%s.pages[%zu]", key, i);
        struct json_object *success = field(pg, "success");
        double number = 0;
        bool has_number;
        char *s = NULL, *err = NULL;
        ok = need_object(pg, sub, cause) &&
             get_num(pg, sub, "page_number", &has_number, &number, cause);
        if (!ok)
            break;
        if (success != NULL && json_object_is_type(success, json_type_boolean) &&
            !json_object_get_boolean(success)) {
            ok = get_str(pg, sub, "error", false, &err, cause);
            if (ok && ++nfailed <= FAILED_PAGES_LISTED) {
                char *line = xasprintf("%s%.0f: %s", failed.len > 0 ? "; " : "", number,
                                       err != NULL ? err : "failed");
                strbuf_add(&failed, line);
                free(line);
            } else if (ok && nfailed == FAILED_PAGES_LISTED + 1) {
                strbuf_add(&failed, "; …");
            }
            free(err);
            continue;
        }
        ok = get_str(pg, sub, key, false, &s, cause);
        if (ok && joined != NULL && s != NULL) {
            if (text.len > 0)
                strbuf_add(&text, "\n\n");
            strbuf_add(&text, s);
        }
        free(s);
    }
    if (ok && joined != NULL)
        *joined = text.data != NULL ? text.data : xstrdup("");
    else
        free(text.data);
    if (ok && out != NULL) {
        out->pages = n;
        out->pages_failed = nfailed;
        out->failed_pages = failed.data;
    } else {
        free(failed.data);
    }
    return ok;
}

bool decode_parse_job(const char *body, size_t len, struct job *job, struct job_output *out,
                      char **cause)
{
    memset(job, 0, sizeof *job);
    memset(out, 0, sizeof *out);
    struct json_object *root = decode_json(body, len, cause);
    if (root == NULL)
        return false;
    struct json_object *jo = NULL;
    bool ok = need_object(root, "", cause) && get_obj(root, "", "job", &jo, cause);
    if (ok && jo == NULL)
        ok = fail(cause, "", "job", "missing");
    ok = ok && job_from(jo, "job", JOB_TYPE_PARSE, job, cause);
    /* usage may come beside the job as well as inside it */
    if (ok && !job->has_credits && !job_usage_from(root, "", job, cause))
        ok = false;
    if (ok && (!get_str(root, "", "markdown_full", false, &out->markdown, cause) ||
               !get_str(root, "", "text_full", false, &out->text, cause) ||
               !pages_from(root, "markdown", out, out->markdown == NULL ? &out->markdown : NULL,
                           cause) ||
               !pages_from(root, "text", NULL, out->text == NULL ? &out->text : NULL, cause))) {
        job_done(job);
        job_output_done(out);
        ok = false;
    }
    if (ok) {
        out->job_id = xstrdup(job->id);
        out->type = JOB_TYPE_PARSE;
    }
    json_object_put(root);
    return ok;
}

bool decode_extract_job(const char *body, size_t len, struct job *job, struct job_output *out,
                        char **cause)
{
    memset(job, 0, sizeof *job);
    memset(out, 0, sizeof *out);
    struct json_object *root = decode_json(body, len, cause);
    if (root == NULL)
        return false;
    bool ok = job_from(root, "", JOB_TYPE_EXTRACT, job, cause);
    if (ok) {
        struct json_object *res = field(root, "extract_result");
        size_t start, end;
        /* The text as sent (json-c would round big numbers and drop duplicate keys). Valid
         * text whose indented form is over json_pretty_exact's size bound is kept as sent,
         * unindented; json-c's printing only if the lexer refuses (json-c also takes NaN and
         * raw control bytes in strings). */
        if (res != NULL && json_member_span(body, len, "extract_result", &start, &end)) {
            out->json = json_pretty_exact(body + start, end - start);
            if (out->json == NULL)
                out->json = xstrndup(body + start, end - start);
        }
        if (res != NULL && out->json == NULL)
            out->json = xstrdup(json_object_to_json_string_ext(
                res, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                         JSON_C_TO_STRING_NOSLASHESCAPE));
        out->job_id = xstrdup(job->id);
        out->type = JOB_TYPE_EXTRACT;
    }
    json_object_put(root);
    return ok;
}

/* ---- pages ---- */

typedef bool item_from_fn(struct json_object *o, const char *path, void *item, void *arg,
                          char **cause);
typedef void item_done_fn(void *item);

/* A character a hinted token may hold: the tokens seen are hex or base64url; anything else
 * (an escape, a quote, a control byte) means no hint. */
static bool token_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '-' || c == '_' || c == '.' || c == '~' || c == '=' || c == '+' || c == '/';
}

char *decode_page_token_hint(const char *body, size_t len)
{
    static const char key[] = "\"next_page_token\"";
    const size_t klen = sizeof key - 1;
    if (body == NULL || len < klen)
        return NULL;
    for (size_t i = len - klen + 1; i-- > 0;) {
        if (body[i] != '"' || memcmp(body + i, key, klen) != 0)
            continue;
        size_t j = i + klen;
        while (j < len &&
               (body[j] == ' ' || body[j] == '\t' || body[j] == '\r' || body[j] == '\n'))
            j++;
        if (j >= len || body[j++] != ':')
            return NULL;
        while (j < len &&
               (body[j] == ' ' || body[j] == '\t' || body[j] == '\r' || body[j] == '\n'))
            j++;
        if (j >= len || body[j++] != '"')
            return NULL;
        size_t k = j;
        while (k < len && k - j <= DECODE_TOKEN_HINT_MAX && token_char((unsigned char)body[k]))
            k++;
        if (k >= len || body[k] != '"' || k == j || k - j > DECODE_TOKEN_HINT_MAX)
            return NULL;
        return xstrndup(body + j, k - j);
    }
    return NULL;
}

/* A parsed list page between its two steps (see decode.h). */
struct decode_page {
    struct json_object *root;
    struct json_object *arr; /* root's items array (borrowed from root) */
};

struct decode_page *decode_page_begin(const char *body, size_t len, char **next_token,
                                      char **cause)
{
    if (next_token != NULL)
        *next_token = NULL;
    struct json_object *root = decode_json(body, len, cause);
    if (root == NULL)
        return NULL;
    char *token = NULL;
    struct json_object *arr = NULL;
    bool ok =
        need_object(root, "", cause) && get_ident(root, "", "next_page_token", &token, cause);
    if (ok) {
        arr = field(root, "items");
        if (arr == NULL)
            ok = fail(cause, "", "items", "missing");
        else if (!json_object_is_type(arr, json_type_array))
            ok = fail(cause, "", "items", "expected an array");
    }
    if (!ok) {
        json_object_put(root);
        free(token);
        return NULL;
    }
    if (token != NULL && token[0] == '\0') {
        free(token);
        token = NULL;
    }
    if (next_token != NULL)
        *next_token = token;
    else
        free(token);
    struct decode_page *pg = xmalloc(sizeof *pg);
    pg->root = root;
    pg->arr = arr;
    return pg;
}

size_t decode_page_count(const struct decode_page *pg)
{
    return pg != NULL ? json_object_array_length(pg->arr) : 0;
}

long decode_page_total(const struct decode_page *pg)
{
    struct json_object *v = pg != NULL ? field(pg->root, "total_size") : NULL;
    if (v == NULL || !json_object_is_type(v, json_type_int))
        return -1;
    int64_t t = json_object_get_int64(v);
    return t >= 0 && t < 1000000000 ? (long)t : -1;
}

void decode_page_free(struct decode_page *pg)
{
    if (pg == NULL)
        return;
    json_object_put(pg->root);
    free(pg);
}

/* Step two: each item with from() into a fresh array of size-byte items; frees pg. */
static bool page_items(struct decode_page *pg, size_t size, item_from_fn *from, item_done_fn *done,
                       void *arg, void **items, size_t *n, char **cause)
{
    *items = NULL;
    *n = 0;
    size_t count = json_object_array_length(pg->arr), have = 0, skipped = 0;
    char *out = xcalloc(count ? count : 1, size), *first = NULL;
    /* One bad item must not hide the others: it is left out, and the first reason (with its
     * path) and the count come back in *cause while the page still succeeds. */
    for (size_t i = 0; i < count; i++) {
        char path[40], *why = NULL;
        snprintf(path, sizeof path, "items[%zu]", i);
        if (from(json_object_array_get_idx(pg->arr, i), path, out + have * size, arg, &why)) {
            have++;
            continue;
        }
        done(out + have * size);
        memset(out + have * size, 0, size);
        if (skipped++ == 0)
            first = why;
        else
            free(why);
    }
    decode_page_free(pg);
    if (skipped > 0 && cause != NULL) {
        free(*cause);
        *cause = xasprintf("%zu of %zu items skipped (%s)", skipped, count,
                           first != NULL ? first : "malformed");
    }
    free(first);
    *items = out;
    *n = have;
    return true;
}

/* Both steps at once. */
static bool page_decode(const char *body, size_t len, size_t size, item_from_fn *from,
                        item_done_fn *done, void *arg, void **items, size_t *n, char **next_token,
                        char **cause)
{
    *items = NULL;
    *n = 0;
    char *token = NULL;
    struct decode_page *pg = decode_page_begin(body, len, &token, cause);
    if (pg == NULL) {
        if (next_token != NULL)
            *next_token = NULL;
        return false;
    }
    if (!page_items(pg, size, from, done, arg, items, n, cause)) {
        free(token);
        if (next_token != NULL)
            *next_token = NULL;
        return false;
    }
    if (next_token != NULL)
        *next_token = token;
    else
        free(token);
    return true;
}

/*
 * The typed entry points of one list kind whose items need no argument: the adaptors that the
 * generic pager calls, the one-shot decode_<kind>_page and the second step decode_page_<kinds>.
 */
#define PAGE_KIND(type, from, one_shot, second_step)                                              \
    static bool type##_item(struct json_object *o, const char *path, void *item, void *arg,       \
                            char **cause)                                                         \
    {                                                                                             \
        (void)arg;                                                                                \
        return from(o, path, item, cause);                                                        \
    }                                                                                             \
    static void type##_item_done(void *item)                                                      \
    {                                                                                             \
        type##_done(item);                                                                        \
    }                                                                                             \
    bool one_shot(const char *body, size_t len, struct type **items, size_t *n,                   \
                  char **next_token, char **cause)                                                \
    {                                                                                             \
        void *out;                                                                                \
        bool ok = page_decode(body, len, sizeof **items, type##_item, type##_item_done, NULL,     \
                              &out, n, next_token, cause);                                        \
        *items = out;                                                                             \
        return ok;                                                                                \
    }                                                                                             \
    bool second_step(struct decode_page *pg, struct type **items, size_t *n, char **cause)        \
    {                                                                                             \
        void *out;                                                                                \
        bool ok =                                                                                 \
            page_items(pg, sizeof **items, type##_item, type##_item_done, NULL, &out, n, cause);  \
        *items = out;                                                                             \
        return ok;                                                                                \
    }

PAGE_KIND(batch, batch_from, decode_batch_page, decode_page_batches)
PAGE_KIND(directory, directory_from, decode_directory_page, decode_page_directories)
PAGE_KIND(dir_file, dir_file_from, decode_dir_file_page, decode_page_dir_files)
PAGE_KIND(config, config_from, decode_config_page, decode_page_configs)

static bool job_item(struct json_object *o, const char *path, void *item, void *arg, char **cause)
{
    return job_from(o, path, *(enum job_type *)arg, item, cause);
}

static void job_item_done(void *item)
{
    job_done(item);
}

bool decode_job_page(const char *body, size_t len, enum job_type type, struct job **items,
                     size_t *n, char **next_token, char **cause)
{
    void *out;
    bool ok = page_decode(body, len, sizeof **items, job_item, job_item_done, &type, &out, n,
                          next_token, cause);
    *items = out;
    return ok;
}

bool decode_page_jobs(struct decode_page *pg, enum job_type type, struct job **items, size_t *n,
                      char **cause)
{
    void *out;
    bool ok = page_items(pg, sizeof **items, job_item, job_item_done, &type, &out, n, cause);
    *items = out;
    return ok;
}

/* ---- single objects of a list's kind ---- */

/* The body as one object converted by a page's item function (out: its zeroed struct). */
static bool one_item(const char *body, size_t len,
                     bool (*item)(struct json_object *, const char *, void *, void *, char **),
                     void *out, char **cause)
{
    struct json_object *root = decode_json(body, len, cause);
    if (root == NULL)
        return false;
    bool ok = item(root, "", out, NULL, cause);
    json_object_put(root);
    return ok;
}

bool decode_directory(const char *body, size_t len, struct directory *out, char **cause)
{
    memset(out, 0, sizeof *out);
    return one_item(body, len, directory_item, out, cause);
}

bool decode_dir_file(const char *body, size_t len, struct dir_file *out, char **cause)
{
    memset(out, 0, sizeof *out);
    return one_item(body, len, dir_file_item, out, cause);
}

/* ---- encoding ---- */

/* A plain JSON text of root, which is put. */
static char *body_text(struct json_object *root)
{
    char *s = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    return s;
}

static struct json_object *body_new(void)
{
    struct json_object *o = json_object_new_object();
    if (o == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    return o;
}

char *decode_directory_create_body(const char *name, bool ephemeral)
{
    struct json_object *root = body_new();
    json_object_object_add(root, "name", json_object_new_string(name ? name : ""));
    json_object_object_add(root, "type", json_object_new_string(ephemeral ? "ephemeral" : "user"));
    return body_text(root);
}

char *decode_file_add_body(const char *file_id, const char *display_name)
{
    struct json_object *root = body_new();
    json_object_object_add(root, "file_id", json_object_new_string(file_id ? file_id : ""));
    if (display_name != NULL)
        json_object_object_add(root, "display_name", json_object_new_string(display_name));
    return body_text(root);
}

char *decode_create_body(const char *source_directory_id, enum job_type type,
                         const char *configuration_id)
{
    struct json_object *root = json_object_new_object();
    struct json_object *config = json_object_new_object();
    struct json_object *job = json_object_new_object();
    if (root == NULL || config == NULL || job == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    json_object_object_add(root, "source_directory_id",
                           json_object_new_string(source_directory_id ? source_directory_id : ""));
    json_object_object_add(job, "type", json_object_new_string(job_type_name(type)));
    json_object_object_add(job, "configuration_id",
                           json_object_new_string(configuration_id ? configuration_id : ""));
    json_object_object_add(config, "job", job);
    json_object_object_add(root, "config", config);
    char *s = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    return s;
}
