/* server.c -- batchtop-sim's routes over libmicrohttpd: auth, paging, errors, faults, log. */
#include "config.h"

#include "sim/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "model/xalloc.h"
#include "sim/wire.h"

#define BODY_MAX (1024 * 1024)
#define PAGE_SIZE_DEFAULT 50
#define MAX_ARGS 512

struct server {
    struct MHD_Daemon *daemon;
    struct world *world;
    struct faults *faults;
    struct server_params p;
    int port;
};

/* One request, from the URI log callback to the completion callback. */
struct request {
    char *uri; /* raw path?query as received */
    struct timespec start;
    bool started;
    char *body;
    size_t len;
    bool too_big;
};

struct arg {
    const char *key, *value;
};

struct args {
    struct arg v[MAX_ARGS];
    size_t n;
};

/* What a handler answers. */
struct reply {
    int status;
    json_object *json; /* owned */
    const char *allow; /* Allow header for 405 */
};

/* ---- small helpers ---- */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct args *a = cls;
    (void)kind;
    if (a->n < MAX_ARGS) {
        a->v[a->n].key = key;
        a->v[a->n].value = value != NULL ? value : "";
        a->n++;
    }
    return MHD_YES;
}

static const char *arg_get(const struct args *a, const char *key)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].key, key) == 0)
            return a->v[i].value;
    return NULL;
}

/* Does a repeated (or comma-separated) key hold value? */
static bool arg_has_value(const struct args *a, const char *key, const char *value)
{
    size_t vl = strlen(value);
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].key, key) != 0 && !(strncmp(a->v[i].key, key, strlen(key)) == 0 &&
                                               strcmp(a->v[i].key + strlen(key), "[]") == 0))
            continue;
        const char *p = a->v[i].value;
        while (*p != '\0') {
            size_t n = strcspn(p, ",");
            if (n == vl && strncmp(p, value, vl) == 0)
                return true;
            p += n;
            if (*p == ',')
                p++;
        }
    }
    return false;
}

static void reply_set(struct reply *r, int status, json_object *j)
{
    if (r->json != NULL)
        json_object_put(r->json);
    r->status = status;
    r->json = j;
}

static void reply_detail(struct reply *r, int status, const char *msg)
{
    reply_set(r, status, wire_detail(msg));
}

static void reply_422(struct reply *r, const char *where, const char *field, const char *msg,
                      const char *type)
{
    const char *loc[] = {where, field, NULL};
    reply_set(r, 422, wire_validation(loc, msg, type));
}

/* ---- page tokens: hex of "v1|created|id|filters-hash" ---- */

/* Hash of every argument that is a filter (all but paging and tenancy keys), order-free. */
static uint64_t filters_hash(const struct args *a)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < a->n; i++) {
        const char *k = a->v[i].key;
        if (strcmp(k, "page_token") == 0 || strcmp(k, "page_size") == 0 ||
            strcmp(k, "organization_id") == 0 || strcmp(k, "project_id") == 0)
            continue;
        uint64_t h = rng_fnv(RNG_FNV_INIT, k, strlen(k));
        h = rng_fnv(h, "=", 1);
        h = rng_fnv(h, a->v[i].value, strlen(a->v[i].value));
        sum += h * 0x9e3779b97f4a7c15ULL + (h >> 17);
    }
    return sum;
}

static char *token_make(int64_t created, const char *id, uint64_t hash)
{
    char *plain = xasprintf("v1|%" PRId64 "|%s|%016" PRIx64, created, id, hash);
    size_t n = strlen(plain);
    char *hex = xmalloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++)
        snprintf(hex + i * 2, 3, "%02x", (unsigned char)plain[i]);
    free(plain);
    return hex;
}

/* Decode a token; false if it is not one of ours or was made for other filters. */
static bool token_read(const char *tok, uint64_t hash, int64_t *created, char *id, size_t idsize)
{
    size_t n = strlen(tok);
    if (n == 0 || n % 2 != 0 || n > 512)
        return false;
    char plain[260];
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)tok[2 * i]) || !isxdigit((unsigned char)tok[2 * i + 1]) ||
            sscanf(tok + 2 * i, "%2x", &v) != 1)
            return false;
        plain[i] = (char)v;
    }
    plain[n / 2] = '\0';
    long long c;
    char idbuf[WORLD_ID_SIZE];
    char hbuf[17];
    if (sscanf(plain, "v1|%lld|%47[^|]|%16[0-9a-f]", &c, idbuf, hbuf) != 3)
        return false;
    if (strtoull(hbuf, NULL, 16) != hash)
        return false;
    *created = c;
    snprintf(id, idsize, "%s", idbuf);
    return true;
}

struct paging {
    size_t size;
    bool has_token;
    int64_t after_created;
    char after_id[WORLD_ID_SIZE];
    uint64_t hash;
};

/* Read page_size and page_token; false with r filled on error. */
static bool paging_read(const struct server *s, const struct args *a, struct paging *pg,
                        struct reply *r)
{
    memset(pg, 0, sizeof *pg);
    pg->size = PAGE_SIZE_DEFAULT;
    pg->hash = filters_hash(a);
    const char *size = arg_get(a, "page_size");
    if (size != NULL && size[0] != '\0') {
        char *end;
        long v = strtol(size, &end, 10);
        if (*end != '\0' || v < 1) {
            reply_422(r, "query", "page_size",
                      v < 1 && *end == '\0' ? "Input should be greater than or equal to 1"
                                            : "Input should be a valid integer",
                      v < 1 && *end == '\0' ? "greater_than_equal" : "int_parsing");
            return false;
        }
        pg->size = (size_t)v;
    }
    if (pg->size > s->p.page_size_max)
        pg->size = s->p.page_size_max;
    const char *tok = arg_get(a, "page_token");
    if (tok != NULL && tok[0] != '\0') {
        if (!token_read(tok, pg->hash, &pg->after_created, pg->after_id, sizeof pg->after_id)) {
            reply_detail(r, 400, "invalid page_token");
            return false;
        }
        pg->has_token = true;
    }
    return true;
}

static json_object *page_object(json_object *items, char *next, size_t total)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "items", items);
    json_object_object_add(o, "next_page_token", next ? json_object_new_string(next) : NULL);
    json_object_object_add(o, "total_size", json_object_new_int64((int64_t)total));
    free(next);
    return o;
}

/* A generic candidate for sorted paging (newest first, ties by id). */
struct pick {
    int64_t created;
    const char *id;
    size_t a, b;
};

static int pick_cmp(const void *pa, const void *pb)
{
    const struct pick *x = pa, *y = pb;
    if (x->created != y->created)
        return x->created > y->created ? -1 : 1;
    return strcmp(x->id, y->id);
}

struct picks {
    struct pick *v;
    size_t n, cap;
};

static void picks_add(struct picks *p, int64_t created, const char *id, size_t a, size_t b)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
    }
    p->v[p->n++] = (struct pick){created, id, a, b};
}

/* Sort, then return [*first, *first + *count) of the page; *next a fresh token or NULL. */
static void picks_page(struct picks *p, const struct paging *pg, size_t *first, size_t *count,
                       char **next)
{
    if (p->n > 1)
        qsort(p->v, p->n, sizeof *p->v, pick_cmp);
    size_t start = 0;
    if (pg->has_token) {
        struct pick key = {pg->after_created, pg->after_id, 0, 0};
        while (start < p->n && pick_cmp(&p->v[start], &key) <= 0)
            start++;
    }
    size_t n = p->n - start < pg->size ? p->n - start : pg->size;
    *first = start;
    *count = n;
    *next = NULL;
    if (start + n < p->n && n > 0)
        *next = token_make(p->v[start + n - 1].created, p->v[start + n - 1].id, pg->hash);
}

/* ---- handlers (world locked, advanced to now) ---- */

static void h_batch_list(struct server *s, const struct args *a, int64_t now, struct reply *r)
{
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *st = arg_get(a, "status");
    enum batch_status want = BATCH_UNKNOWN;
    if (st != NULL && st[0] != '\0') {
        want = batch_status_parse(st);
        if (want == BATCH_UNKNOWN) {
            reply_422(r, "query", "status",
                      "Input should be 'PENDING', 'THROTTLED', 'RUNNING', 'COMPLETED', "
                      "'FAILED' or 'CANCELLED'",
                      "enum");
            return;
        }
    }
    const char *dir = arg_get(a, "source_directory_id");
    if (dir != NULL && dir[0] == '\0')
        dir = NULL;
    int64_t after = INT64_MIN, before = INT64_MAX;
    const char *t1 = arg_get(a, "created_at_on_or_after");
    const char *t2 = arg_get(a, "created_at_on_or_before");
    if (t1 != NULL && t1[0] != '\0' && !rng_parse_time(t1, &after)) {
        reply_422(r, "query", "created_at_on_or_after", "Input should be a valid datetime",
                  "datetime_from_date_parsing");
        return;
    }
    if (t2 != NULL && t2[0] != '\0' && !rng_parse_time(t2, &before)) {
        reply_422(r, "query", "created_at_on_or_before", "Input should be a valid datetime",
                  "datetime_from_date_parsing");
        return;
    }
    /* Batches are stored oldest first with strictly increasing created: walk backwards. */
    size_t hi = world_batch_lower_bound(w, before == INT64_MAX ? INT64_MAX : before + 1);
    size_t lo = world_batch_lower_bound(w, after);
    size_t limit = hi;
    if (pg.has_token) {
        size_t tpos = world_batch_lower_bound(w, pg.after_created);
        if (tpos < limit)
            limit = tpos;
    }
    json_object *items = json_object_new_array();
    size_t total = 0, count = 0;
    const struct world_batch *last = NULL;
    bool more = false;
    for (size_t i = hi; i > lo; i--) {
        const struct world_batch *b = w->batches[i - 1];
        if (want != BATCH_UNKNOWN && b->status != want)
            continue;
        if (dir != NULL && strcmp(w->dirs[b->dir].id, dir) != 0)
            continue;
        total++;
        if (i - 1 >= limit)
            continue;
        if (count < pg.size) {
            json_object_array_add(items, wire_batch(w, b, now, false));
            last = b;
            count++;
        } else {
            more = true;
        }
    }
    char *next = more && last != NULL ? token_make(last->created, last->id, pg.hash) : NULL;
    reply_set(r, 200, page_object(items, next, total));
}

static void h_batch_get(struct server *s, const char *id, const struct args *a, int64_t now,
                        struct reply *r)
{
    struct world_batch *b = world_find_batch(s->world, id);
    if (b == NULL) {
        reply_detail(r, 404, "Batch not found");
        return;
    }
    reply_set(r, 200, wire_batch(s->world, b, now, arg_has_value(a, "expand", "results")));
}

static void h_batch_cancel(struct server *s, const char *id, int64_t now, struct reply *r)
{
    struct world_batch *b = world_find_batch(s->world, id);
    if (b == NULL) {
        reply_detail(r, 404, "Batch not found");
        return;
    }
    if (!world_cancel_batch(s->world, b, now)) {
        char *msg = xasprintf("Batch %s is %s and cannot be cancelled", b->id,
                              batch_status_name(b->status));
        reply_detail(r, 409, msg);
        free(msg);
        return;
    }
    reply_set(r, 200, wire_batch(s->world, b, now, false));
}

/* A string member of o, or NULL (with *wrong_type set when present but not a string). */
static const char *member_string(json_object *o, const char *key, bool *present)
{
    json_object *v = NULL;
    *present = o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL;
    if (!*present || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static void h_batch_create(struct server *s, const struct request *rq, int64_t now,
                           struct reply *r, bool *created)
{
    struct world *w = s->world;
    *created = false;
    json_tokener *tok = json_tokener_new();
    json_object *body =
        rq->body != NULL ? json_tokener_parse_ex(tok, rq->body, (int)rq->len) : NULL;
    bool complete = body != NULL && json_tokener_get_error(tok) == json_tokener_success &&
                    (size_t)json_tokener_get_parse_end(tok) == rq->len;
    json_tokener_free(tok);
    if (!complete || !json_object_is_type(body, json_type_object)) {
        const char *loc[] = {"body", NULL};
        reply_set(r, 422,
                  wire_validation(
                      loc, complete ? "Input should be a valid dictionary" : "JSON decode error",
                      complete ? "dict_type" : "json_invalid"));
        json_object_put(body);
        return;
    }
    bool present;
    const char *dir_id = member_string(body, "source_directory_id", &present);
    json_object *config = NULL, *job = NULL;
    json_object_object_get_ex(body, "config", &config);
    if (config != NULL)
        json_object_object_get_ex(config, "job", &job);
    const char *const loc_dir[] = {"body", "source_directory_id", NULL};
    const char *const loc_config[] = {"body", "config", NULL};
    const char *const loc_job[] = {"body", "config", "job", NULL};
    const char *const loc_type[] = {"body", "config", "job", "type", NULL};
    const char *const loc_cfg[] = {"body", "config", "job", "configuration_id", NULL};
    if (dir_id == NULL) {
        reply_set(r, 422,
                  wire_validation(loc_dir,
                                  present ? "Input should be a valid string" : "Field required",
                                  present ? "string_type" : "missing"));
    } else if (config == NULL || !json_object_is_type(config, json_type_object)) {
        reply_set(r, 422, wire_validation(loc_config, "Field required", "missing"));
    } else if (job == NULL || !json_object_is_type(job, json_type_object)) {
        reply_set(r, 422, wire_validation(loc_job, "Field required", "missing"));
    } else {
        const char *type = member_string(job, "type", &present);
        bool cpresent;
        const char *cfg_id = member_string(job, "configuration_id", &cpresent);
        enum job_type jt = job_type_parse(type);
        if (type == NULL && !present) {
            reply_set(r, 422, wire_validation(loc_type, "Field required", "missing"));
        } else if (jt != JOB_TYPE_PARSE && jt != JOB_TYPE_EXTRACT) {
            reply_set(r, 422,
                      wire_validation(loc_type,
                                      "Input should be 'parse_v2' or "
                                      "'extract_v2'",
                                      "literal_error"));
        } else if (cfg_id == NULL) {
            reply_set(r, 422,
                      wire_validation(loc_cfg,
                                      cpresent ? "Input should be a valid "
                                                 "string"
                                               : "Field required",
                                      cpresent ? "string_type" : "missing"));
        } else {
            struct world_config *c = world_find_config(w, cfg_id);
            struct world_dir *d = world_find_dir(w, dir_id);
            if (c == NULL) {
                reply_set(r, 422,
                          wire_validation(loc_cfg, "Configuration not found", "value_error"));
            } else if (c->type != jt) {
                char *msg =
                    xasprintf("Configuration %s is a %s configuration; %s needs a %s "
                              "configuration",
                              c->id, c->product_type, job_type_name(jt), job_type_name(jt));
                reply_set(r, 422, wire_validation(loc_cfg, msg, "value_error"));
                free(msg);
            } else if (d == NULL) {
                reply_detail(r, 404, "Directory not found");
            } else if (d->nfiles > WORLD_MAX_FILES) {
                char *msg = xasprintf("Directory %s has %zu files; a batch can process at most "
                                      "1,000 files",
                                      d->id, d->nfiles);
                reply_detail(r, 400, msg);
                free(msg);
            } else {
                struct world_batch *b =
                    world_create_batch(w, (size_t)(d - w->dirs), (size_t)(c - w->configs), now);
                reply_set(r, 201, wire_batch(w, b, now, false));
                *created = true;
            }
        }
    }
    json_object_put(body);
}

static void h_dir_list(struct server *s, const struct args *a, struct reply *r)
{
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *name = arg_get(a, "name");
    struct picks p = {0};
    for (size_t i = 0; i < w->ndirs; i++)
        if (name == NULL || name[0] == '\0' || strcmp(w->dirs[i].name, name) == 0)
            picks_add(&p, w->dirs[i].created, w->dirs[i].id, i, 0);
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++)
        json_object_array_add(items, wire_directory(w, &w->dirs[p.v[k].a]));
    reply_set(r, 200, page_object(items, next, p.n));
    free(p.v);
}

static void h_dir_get(struct server *s, const char *id, struct reply *r)
{
    struct world_dir *d = world_find_dir(s->world, id);
    if (d == NULL)
        reply_detail(r, 404, "Directory not found");
    else
        reply_set(r, 200, wire_directory(s->world, d));
}

static void h_file_list(struct server *s, const char *id, const struct args *a, struct reply *r)
{
    struct world_dir *d = world_find_dir(s->world, id);
    if (d == NULL) {
        reply_detail(r, 404, "Directory not found");
        return;
    }
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *name = arg_get(a, "display_name");
    const char *contains = arg_get(a, "display_name_contains");
    const char *file_id = arg_get(a, "file_id");
    struct picks p = {0};
    for (size_t i = 0; i < d->nfiles; i++) {
        const struct world_file *f = &d->files[i];
        if (name != NULL && name[0] != '\0' && strcmp(f->name, name) != 0)
            continue;
        if (contains != NULL && contains[0] != '\0' && strstr(f->name, contains) == NULL)
            continue;
        if (file_id != NULL && file_id[0] != '\0' && strcmp(f->file_id, file_id) != 0)
            continue;
        picks_add(&p, f->created, f->id, i, 0);
    }
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++)
        json_object_array_add(items, wire_file(s->world, d, &d->files[p.v[k].a]));
    reply_set(r, 200, page_object(items, next, p.n));
    free(p.v);
}

static void h_file_get(struct server *s, char *ids, struct reply *r)
{
    char *slash = strchr(ids, '/');
    *slash = '\0';
    struct world_dir *d = world_find_dir(s->world, ids);
    if (d == NULL) {
        reply_detail(r, 404, "Directory not found");
        return;
    }
    for (size_t i = 0; i < d->nfiles; i++) {
        if (strcmp(d->files[i].id, slash + 1) == 0) {
            reply_set(r, 200, wire_file(s->world, d, &d->files[i]));
            return;
        }
    }
    reply_detail(r, 404, "Directory file not found");
}

static void h_config_list(struct server *s, const struct args *a, struct reply *r)
{
    static const char *const products[] = {"parse_v2", "extract_v2",     "classify_v2",
                                           "split_v1", "spreadsheet_v1", "unknown"};
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    bool any_product = false;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].key, "product_type") != 0)
            continue;
        bool known = false;
        for (size_t k = 0; k < sizeof products / sizeof products[0]; k++)
            known = known || strcmp(a->v[i].value, products[k]) == 0;
        if (!known) {
            reply_422(r, "query", "product_type",
                      "Input should be 'classify_v2', 'extract_v2', 'parse_v2', 'split_v1', "
                      "'spreadsheet_v1' or 'unknown'",
                      "enum");
            return;
        }
        any_product = true;
    }
    const char *name = arg_get(a, "name");
    struct picks p = {0};
    for (size_t i = 0; i < w->nconfigs; i++) {
        const struct world_config *c = &w->configs[i];
        if (!c->listed)
            continue;
        if (any_product && !arg_has_value(a, "product_type", c->product_type))
            continue;
        if (name != NULL && name[0] != '\0' && strcmp(c->name, name) != 0)
            continue;
        picks_add(&p, c->created, c->id, i, 0);
    }
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++)
        json_object_array_add(items, wire_config(&w->configs[p.v[k].a]));
    reply_set(r, 200, page_object(items, next, p.n));
    free(p.v);
}

static void h_config_get(struct server *s, const char *id, struct reply *r)
{
    struct world_config *c = world_find_config(s->world, id);
    if (c == NULL)
        reply_detail(r, 404, "Configuration not found");
    else
        reply_set(r, 200, wire_config(c));
}

/* Job lookup that hides jobs of the other type and jobs not created yet. */
static struct world_batch *find_job(struct server *s, const char *id, enum job_type type,
                                    int64_t now, size_t *item, struct world_item_state *st)
{
    struct world_batch *b = world_find_job(s->world, id, item);
    if (b == NULL || b->type != type)
        return NULL;
    world_item_state(s->world, b, *item, now, st);
    return st->has_job ? b : NULL;
}

static void h_job_list(struct server *s, enum job_type type, const struct args *a, int64_t now,
                       struct reply *r)
{
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *st_text = arg_get(a, "status");
    enum job_status want = JOB_UNKNOWN;
    if (st_text != NULL && st_text[0] != '\0') {
        want = job_status_parse(st_text);
        if (want == JOB_UNKNOWN) {
            reply_422(r, "query", "status",
                      "Input should be 'PENDING', 'RUNNING', "
                      "'COMPLETED', 'FAILED' or 'CANCELLED'",
                      "enum");
            return;
        }
    }
    int64_t after = INT64_MIN, before = INT64_MAX;
    const char *t1 = arg_get(a, "created_at_on_or_after");
    const char *t2 = arg_get(a, "created_at_on_or_before");
    bool bad1 = t1 != NULL && t1[0] != '\0' && !rng_parse_time(t1, &after);
    bool bad2 = t2 != NULL && t2[0] != '\0' && !rng_parse_time(t2, &before);
    if (bad1 || bad2) {
        reply_422(r, "query", bad1 ? "created_at_on_or_after" : "created_at_on_or_before",
                  "Input should be a valid datetime", "datetime_from_date_parsing");
        return;
    }
    bool by_id = arg_get(a, "job_ids") != NULL || arg_get(a, "job_ids[]") != NULL;
    struct picks p = {0};
    struct world_item_state st;
    if (by_id) {
        for (size_t k = 0; k < a->n; k++) {
            if (strcmp(a->v[k].key, "job_ids") != 0 && strcmp(a->v[k].key, "job_ids[]") != 0)
                continue;
            const char *v = a->v[k].value;
            while (*v != '\0') {
                size_t len = strcspn(v, ",");
                char id[WORLD_ID_SIZE];
                if (len < sizeof id) {
                    memcpy(id, v, len);
                    id[len] = '\0';
                    size_t item;
                    struct world_batch *b = find_job(s, id, type, now, &item, &st);
                    bool dup = false;
                    for (size_t q = 0; b != NULL && q < p.n; q++)
                        dup = dup || strcmp(p.v[q].id, b->items[item].job_id) == 0;
                    if (b != NULL && !dup)
                        picks_add(&p, st.created, b->items[item].job_id,
                                  world_batch_lower_bound(w, b->created), item);
                }
                v += len;
                if (*v == ',')
                    v++;
            }
        }
    } else {
        for (size_t bi = 0; bi < w->nbatches; bi++) {
            const struct world_batch *b = w->batches[bi];
            if (b->type != type)
                continue;
            size_t mapped = world_mapped_count(b, now);
            for (size_t i = 0; i < mapped; i++)
                if (b->items[i].kind != WORLD_ITEM_MAP_ERROR)
                    picks_add(&p, b->run_start + b->items[i].map_off, b->items[i].job_id, bi, i);
        }
    }
    /* Filters on state and time, applied to the candidates. */
    size_t keep = 0;
    for (size_t k = 0; k < p.n; k++) {
        const struct world_batch *b = w->batches[p.v[k].a];
        world_item_state(w, b, p.v[k].b, now, &st);
        if (want != JOB_UNKNOWN && st.status != want)
            continue;
        if (st.created < after || st.created > before)
            continue;
        p.v[keep++] = p.v[k];
    }
    p.n = keep;
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++) {
        const struct world_batch *b = w->batches[p.v[k].a];
        world_item_state(w, b, p.v[k].b, now, &st);
        json_object_array_add(items, type == JOB_TYPE_PARSE
                                         ? wire_parse_job(w, b, p.v[k].b, &st)
                                         : wire_extract_job(w, b, p.v[k].b, &st));
    }
    reply_set(r, 200, page_object(items, next, p.n));
    free(p.v);
}

static void h_job_get(struct server *s, enum job_type type, const char *id, const struct args *a,
                      int64_t now, struct reply *r)
{
    size_t item;
    struct world_item_state st;
    struct world_batch *b = find_job(s, id, type, now, &item, &st);
    if (b == NULL) {
        reply_detail(r, 404, "Job not found");
        return;
    }
    if (type == JOB_TYPE_EXTRACT) {
        reply_set(r, 200, wire_extract_job(s->world, b, item, &st));
        return;
    }
    unsigned expand = 0;
    if (arg_has_value(a, "expand", "markdown_full"))
        expand |= WIRE_EXPAND_MARKDOWN_FULL;
    if (arg_has_value(a, "expand", "text_full"))
        expand |= WIRE_EXPAND_TEXT_FULL;
    if (arg_has_value(a, "expand", "markdown"))
        expand |= WIRE_EXPAND_MARKDOWN;
    if (arg_has_value(a, "expand", "text"))
        expand |= WIRE_EXPAND_TEXT;
    if (arg_has_value(a, "expand", "job_metadata"))
        expand |= WIRE_EXPAND_JOB_METADATA;
    reply_set(r, 200, wire_parse_get(s->world, b, item, &st, expand));
}

static void h_state(struct server *s, struct reply *r)
{
    struct world *w = s->world;
    json_object *arr = json_object_new_array_ext((int)w->nbatches);
    for (size_t i = w->nbatches; i > 0; i--) {
        const struct world_batch *b = w->batches[i - 1];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(b->id));
        json_object_object_add(o, "status", json_object_new_string(batch_status_name(b->status)));
        json_object_array_add(arr, o);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "batches", arr);
    json_object_object_add(o, "project_id", json_object_new_string(w->project_id));
    json_object_object_add(o, "faults_active", json_object_new_boolean(faults_active(s->faults)));
    reply_set(r, 200, o);
}

/* ---- routing ---- */

enum route {
    R_NONE,
    R_BATCHES,
    R_BATCH,
    R_BATCH_CANCEL,
    R_DIRS,
    R_DIR,
    R_DIR_FILES,
    R_DIR_FILE,
    R_CONFIGS,
    R_CONFIG,
    R_PARSE,
    R_PARSE_JOB,
    R_EXTRACT,
    R_EXTRACT_JOB,
    R_SIM_STATE,
    R_SIM_FAULTS_OFF,
};

/* Match path; *id gets the path parameter (points into a copy the caller frees via idbuf). */
static enum route route_match(const char *path, char *idbuf, size_t idsize, const char **allow)
{
    static const struct {
        const char *prefix, *suffix;
        enum route route;
        const char *allow;
    } table[] = {
        {"/api/v2/batches", NULL, R_BATCHES, "GET, POST"},
        {"/api/v2/batches/", "/cancel", R_BATCH_CANCEL, "POST"},
        {"/api/v2/batches/", "", R_BATCH, "GET"},
        {"/api/v1/beta/directories", NULL, R_DIRS, "GET"},
        {"/api/v1/beta/directories/", "/files", R_DIR_FILES, "GET"},
        {"/api/v1/beta/directories/", "", R_DIR, "GET"},
        {"/api/v1/beta/configurations", NULL, R_CONFIGS, "GET"},
        {"/api/v1/beta/configurations/", "", R_CONFIG, "GET"},
        {"/api/v2/parse", NULL, R_PARSE, "GET"},
        {"/api/v2/parse/", "", R_PARSE_JOB, "GET"},
        {"/api/v2/extract", NULL, R_EXTRACT, "GET"},
        {"/api/v2/extract/", "", R_EXTRACT_JOB, "GET"},
        {"/_sim/state", NULL, R_SIM_STATE, "GET"},
        {"/_sim/faults/off", NULL, R_SIM_FAULTS_OFF, "POST"},
    };
    size_t plen = strlen(path);
    while (plen > 1 && path[plen - 1] == '/')
        plen--; /* tolerate a trailing slash */
    /* /api/v1/beta/directories/{dir}/files/{file}: idbuf gets "dir/file" */
    static const char dirs[] = "/api/v1/beta/directories/";
    if (plen > sizeof dirs - 1 && strncmp(path, dirs, sizeof dirs - 1) == 0) {
        const char *rest = path + sizeof dirs - 1;
        size_t rlen = plen - (sizeof dirs - 1);
        const char *mid = memchr(rest, '/', rlen);
        if (mid != NULL && (size_t)(rest + rlen - mid) > 7 && strncmp(mid, "/files/", 7) == 0 &&
            mid > rest && memchr(mid + 7, '/', (size_t)(rest + rlen - mid - 7)) == NULL &&
            rlen < idsize) {
            memcpy(idbuf, rest, (size_t)(mid - rest));
            idbuf[mid - rest] = '/';
            memcpy(idbuf + (mid - rest) + 1, mid + 7, (size_t)(rest + rlen - mid - 7));
            idbuf[rlen - 6] = '\0';
            *allow = "GET";
            return R_DIR_FILE;
        }
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t pre = strlen(table[i].prefix);
        if (table[i].suffix == NULL) {
            if (plen == pre && strncmp(path, table[i].prefix, pre) == 0) {
                *allow = table[i].allow;
                return table[i].route;
            }
            continue;
        }
        size_t suf = strlen(table[i].suffix);
        if (plen <= pre + suf || strncmp(path, table[i].prefix, pre) != 0 ||
            strncmp(path + plen - suf, table[i].suffix, suf) != 0)
            continue;
        size_t idlen = plen - pre - suf;
        if (memchr(path + pre, '/', idlen) != NULL || idlen >= idsize)
            continue;
        memcpy(idbuf, path + pre, idlen);
        idbuf[idlen] = '\0';
        *allow = table[i].allow;
        return table[i].route;
    }
    return R_NONE;
}

static bool method_ok(enum route rt, const char *method)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    switch (rt) {
    case R_BATCHES:
        return get || post;
    case R_BATCH_CANCEL:
    case R_SIM_FAULTS_OFF:
        return post;
    default:
        return get;
    }
}

static bool key_ok(const struct server *s, struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
        return false;
    const char *k = auth + 7;
    while (*k == ' ')
        k++;
    /* Compare every byte so the time does not depend on where a wrong key differs. */
    size_t a = strlen(k), b = strlen(s->p.api_key);
    unsigned diff = (unsigned)(a != b);
    for (size_t i = 0; i < a && i < b; i++)
        diff |= (unsigned)(k[i] ^ s->p.api_key[i]);
    return diff == 0;
}

static double elapsed_ms(const struct request *rq)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - rq->start.tv_sec) * 1e3 +
           (double)(now.tv_nsec - rq->start.tv_nsec) / 1e6;
}

static void log_line(const struct server *s, const char *method, const struct request *rq,
                     int status)
{
    if (!s->p.verbose)
        return;
    if (status == 0)
        fprintf(stderr, "%s %s 000 %.1fms\n", method, rq->uri, elapsed_ms(rq));
    else
        fprintf(stderr, "%s %s %d %.1fms\n", method, rq->uri, status, elapsed_ms(rq));
}

void server_note(const struct server *s, const char *line)
{
    if (s->p.verbose)
        fprintf(stderr, "%s\n", line);
}

static enum MHD_Result send_reply(struct server *s, struct MHD_Connection *c, const char *method,
                                  struct request *rq, struct reply *r,
                                  const struct faults_decision *fd)
{
    size_t len = 0;
    char *body = r->json != NULL ? wire_string(r->json, &len) : xstrdup("");
    if (fd != NULL && fd->malform && r->status == 200)
        faults_garble(fd, body, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (r->status == 429)
        MHD_add_response_header(resp, "Retry-After", "1");
    if (r->allow != NULL)
        MHD_add_response_header(resp, "Allow", r->allow);
    if (fd != NULL && fd->action == FAULTS_FAIL && fd->should_retry)
        MHD_add_response_header(resp, "x-should-retry", "true");
    log_line(s, method, rq, r->status); /* before the answer: a client may count it at once */
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    if (r->json != NULL)
        json_object_put(r->json);
    r->json = NULL;
    return ret;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static enum MHD_Result dispatch(struct server *s, struct MHD_Connection *c, const char *method,
                                struct request *rq)
{
    struct reply r = {0};
    if (rq->too_big) {
        reply_detail(&r, 413, "Request body too large (limit 1 MiB)");
        return send_reply(s, c, method, rq, &r, NULL);
    }
    /*
     * Route on the raw path, as received: an escaped "/" (%2F) stays inside its segment, so an
     * ID can never reach another resource. Path parameters are unescaped afterwards.
     */
    char *raw = xstrndup(rq->uri, strcspn(rq->uri, "?"));
    char id[256] = "";
    const char *allow = NULL;
    enum route rt = route_match(raw, id, sizeof id, &allow);
    free(raw);
    bool bad_id = false; /* an escaped NUL would cut the ID short: never look that up */
    if (rt == R_DIR_FILE) {
        char *slash = strchr(id, '/');
        size_t n = MHD_http_unescape(slash + 1);
        bad_id = strlen(slash + 1) != n;
        *slash = '\0';
        size_t d = MHD_http_unescape(id);
        bad_id = bad_id || strlen(id) != d;
        memmove(id + d + 1, slash + 1, n + 1);
        id[d] = '/';
    } else if (rt != R_NONE) {
        size_t n = MHD_http_unescape(id);
        bad_id = strlen(id) != n;
    }
    bool control = rt == R_SIM_STATE || rt == R_SIM_FAULTS_OFF;
    bool is_create = rt == R_BATCHES && strcmp(method, "POST") == 0;
    struct faults_decision fd;
    memset(&fd, 0, sizeof fd);
    if (!control) {
        faults_decide(s->faults, is_create, strcmp(method, "GET") == 0, rng_now_ms(), &fd);
        if (fd.latency_ms > 0)
            sleep_ms(fd.latency_ms);
        if (fd.action == FAULTS_RATE_LIMITED) {
            reply_detail(&r, 429, "Too many requests");
            return send_reply(s, c, method, rq, &r, &fd);
        }
        if (fd.action == FAULTS_RESET) {
            log_line(s, method, rq, 0);
            return MHD_NO;
        }
        if (fd.action == FAULTS_FAIL) {
            reply_detail(&r, fd.status,
                         fd.status == 503   ? "Service Unavailable"
                         : fd.status == 502 ? "Bad Gateway"
                                            : "Internal Server Error");
            return send_reply(s, c, method, rq, &r, &fd);
        }
    }
    if (rt == R_NONE) {
        reply_detail(&r, 404, "Not Found");
        return send_reply(s, c, method, rq, &r, &fd);
    }
    if (!method_ok(rt, method)) {
        reply_detail(&r, 405, "Method Not Allowed");
        r.allow = allow;
        return send_reply(s, c, method, rq, &r, &fd);
    }
    if (rt == R_SIM_FAULTS_OFF) {
        faults_off(s->faults);
        server_note(s, "faults off (POST /_sim/faults/off)");
        reply_set(&r, 200, json_tokener_parse("{\"faults\":\"off\"}"));
        return send_reply(s, c, method, rq, &r, NULL);
    }
    if (!control && !key_ok(s, c)) {
        reply_detail(&r, 401, "Invalid or missing API key");
        return send_reply(s, c, method, rq, &r, &fd);
    }
    struct args *a = xcalloc(1, sizeof *a);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, a);
    const char *project = arg_get(a, "project_id");
    bool created = false;
    world_lock(s->world);
    int64_t now = rng_now_ms();
    world_advance(s->world, now);
    if (!control && project != NULL && project[0] != '\0' &&
        strcmp(project, s->world->project_id) != 0) {
        reply_detail(&r, 404, "Project not found");
    } else if (bad_id) {
        reply_detail(&r, 404, "Not Found");
    } else {
        switch (rt) {
        case R_BATCHES:
            if (is_create)
                h_batch_create(s, rq, now, &r, &created);
            else
                h_batch_list(s, a, now, &r);
            break;
        case R_BATCH:
            h_batch_get(s, id, a, now, &r);
            break;
        case R_BATCH_CANCEL:
            h_batch_cancel(s, id, now, &r);
            break;
        case R_DIRS:
            h_dir_list(s, a, &r);
            break;
        case R_DIR:
            h_dir_get(s, id, &r);
            break;
        case R_DIR_FILES:
            h_file_list(s, id, a, &r);
            break;
        case R_DIR_FILE:
            h_file_get(s, id, &r);
            break;
        case R_CONFIGS:
            h_config_list(s, a, &r);
            break;
        case R_CONFIG:
            h_config_get(s, id, &r);
            break;
        case R_PARSE:
            h_job_list(s, JOB_TYPE_PARSE, a, now, &r);
            break;
        case R_PARSE_JOB:
            h_job_get(s, JOB_TYPE_PARSE, id, a, now, &r);
            break;
        case R_EXTRACT:
            h_job_list(s, JOB_TYPE_EXTRACT, a, now, &r);
            break;
        case R_EXTRACT_JOB:
            h_job_get(s, JOB_TYPE_EXTRACT, id, a, now, &r);
            break;
        case R_SIM_STATE:
            h_state(s, &r);
            break;
        default:
            reply_detail(&r, 404, "Not Found");
            break;
        }
    }
    world_unlock(s->world);
    free(a);
    if (created && fd.ambiguous)
        reply_detail(&r, 500, "Internal Server Error");
    return send_reply(s, c, method, rq, &r, &fd);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct server *s = cls;
    struct request *rq = *req_cls;
    (void)version;
    if (rq == NULL) { /* no URI callback happened (should not occur) */
        rq = xcalloc(1, sizeof *rq);
        rq->uri = xstrdup(url);
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        *req_cls = rq;
    }
    if (!rq->started) {
        rq->started = true;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!rq->too_big) {
            if (rq->len + *upload_data_size > BODY_MAX) {
                rq->too_big = true;
                free(rq->body);
                rq->body = NULL;
                rq->len = 0;
            } else {
                rq->body = xrealloc(rq->body, rq->len + *upload_data_size + 1);
                memcpy(rq->body + rq->len, upload_data, *upload_data_size);
                rq->len += *upload_data_size;
                rq->body[rq->len] = '\0';
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(s, c, method, rq);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct request *rq = xcalloc(1, sizeof *rq);
    rq->uri = xstrdup(uri);
    clock_gettime(CLOCK_MONOTONIC, &rq->start);
    return rq;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct request *rq = *req_cls;
    if (rq == NULL)
        return;
    free(rq->uri);
    free(rq->body);
    free(rq);
    *req_cls = NULL;
}

struct server *server_start(struct world *w, struct faults *f, const struct server_params *p,
                            char **error)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)p->port);
    if (inet_pton(AF_INET, p->host, &addr.sin_addr) != 1) {
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        if (getaddrinfo(p->host, NULL, &hints, &res) != 0 || res == NULL) {
            *error = xasprintf("cannot resolve listen host '%s'", p->host);
            return NULL;
        }
        addr.sin_addr = ((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
        freeaddrinfo(res);
    }
    /* json-c seeds its key hash lazily; do it here, before any connection thread exists. */
    json_object_put(json_tokener_parse("{\"warm\": 1}"));
    struct server *s = xcalloc(1, sizeof *s);
    s->world = w;
    s->faults = f;
    s->p = *p;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (MHD_is_feature_supported(MHD_FEATURE_POLL) == MHD_YES)
        flags |= MHD_USE_POLL; /* no FD_SETSIZE limit on descriptors */
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)p->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(256 * 1024), MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_END);
    if (s->daemon == NULL) {
        *error = xasprintf("cannot listen on %s:%d", p->host, p->port);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : p->port;
    return s;
}

int server_port(const struct server *s)
{
    return s->port;
}

void server_stop(struct server *s)
{
    if (s == NULL)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
