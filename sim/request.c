/* request.c -- the handlers' plumbing: query arguments, error bodies, page tokens, paging. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "model/xalloc.h"
#include "sim/handlers.h"
#include "sim/server.h"
#include "sim/wire.h"

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

void args_collect(struct MHD_Connection *c, struct args *a)
{
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, a);
}

const char *arg_get(const struct args *a, const char *key)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].key, key) == 0)
            return a->v[i].value;
    return NULL;
}

/* Does a repeated key hold value? Only exact values count (see args_check_arrays). */
bool arg_has_value(const struct args *a, const char *key, const char *value)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].key, key) == 0 && strcmp(a->v[i].value, value) == 0)
            return true;
    return false;
}

bool arg_bool(const struct args *a, const char *key, bool *out, struct reply *r)
{
    /* pydantic's lax booleans */
    static const char *const yes[] = {"true", "1", "yes", "on", "t", "y"};
    static const char *const no[] = {"false", "0", "no", "off", "f", "n"};
    const char *v = arg_get(a, key);
    *out = false;
    if (v == NULL)
        return true;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(v, no[i]) == 0)
            return true;
    }
    reply_422(r, "query", key, "Input should be a valid boolean, unable to interpret input",
              "bool_parsing");
    return false;
}

bool args_check_arrays(const struct args *a, struct reply *r)
{
    /* the array parameters of the endpoints served (SDK 2.16.0) */
    static const char *const arrays[] = {"job_ids", "expand", "product_type", "types", "status"};
    for (size_t i = 0; i < a->n; i++) {
        const char *k = a->v[i].key;
        size_t kl = strlen(k);
        if (kl >= 2 && strcmp(k + kl - 2, "[]") == 0) {
            reply_422(r, "query", k,
                      "Extra inputs are not permitted: an array parameter repeats its plain "
                      "key (job_ids=a&job_ids=b)",
                      "extra_forbidden");
            return false;
        }
        for (size_t j = 0; j < sizeof arrays / sizeof arrays[0]; j++) {
            if (strcmp(k, arrays[j]) == 0 && strchr(a->v[i].value, ',') != NULL) {
                reply_422(r, "query", k,
                          "A comma-separated list is not split: repeat the key for each value "
                          "(job_ids=a&job_ids=b)",
                          "value_error");
                return false;
            }
        }
    }
    return true;
}

void reply_set(struct reply *r, int status, json_object *j)
{
    if (r->json != NULL)
        json_object_put(r->json);
    r->status = status;
    r->json = j;
}

void reply_detail(struct reply *r, int status, const char *msg)
{
    reply_set(r, status, wire_detail(msg));
}

void reply_422(struct reply *r, const char *where, const char *field, const char *msg,
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

char *token_make(int64_t created, const char *id, uint64_t hash)
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

/* Read page_size and page_token; false with r filled on error. */
bool paging_read(const struct server *s, const struct args *a, struct paging *pg, struct reply *r)
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
        if (s->p.page_size_refuse > 0 && pg->size > s->p.page_size_refuse) {
            char msg[96];
            snprintf(msg, sizeof msg, "Input should be less than or equal to %zu",
                     s->p.page_size_refuse);
            reply_422(r, "query", "page_size", msg, "less_than_equal");
            return false;
        }
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

json_object *page_object(const struct server *s, json_object *items, char *next, size_t total)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "items", items);
    json_object_object_add(o, "next_page_token", next ? json_object_new_string(next) : NULL);
    /* not in the SDK's cursor type: only with --total-size */
    if (s->p.total_size)
        json_object_object_add(o, "total_size", json_object_new_int64((int64_t)total));
    free(next);
    return o;
}

static int pick_cmp(const void *pa, const void *pb)
{
    const struct pick *x = pa, *y = pb;
    if (x->created != y->created)
        return x->created > y->created ? -1 : 1;
    return strcmp(x->id, y->id);
}

void picks_add(struct picks *p, int64_t created, const char *id, size_t a, size_t b)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
    }
    p->v[p->n++] = (struct pick){created, id, a, b};
}

/* Sort, then return [*first, *first + *count) of the page; *next a fresh token or NULL. */
void picks_page(struct picks *p, const struct paging *pg, size_t *first, size_t *count,
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

json_object *body_object(const struct request *rq, struct reply *r)
{
    json_tokener *tok = json_tokener_new();
    json_object *body =
        rq->body != NULL ? json_tokener_parse_ex(tok, rq->body, (int)rq->len) : NULL;
    bool complete = body != NULL && json_tokener_get_error(tok) == json_tokener_success &&
                    (size_t)json_tokener_get_parse_end(tok) == rq->len;
    json_tokener_free(tok);
    if (complete && json_object_is_type(body, json_type_object))
        return body;
    const char *loc[] = {"body", NULL};
    reply_set(
        r, 422,
        wire_validation(loc, complete ? "Input should be a valid dictionary" : "JSON decode error",
                        complete ? "dict_type" : "json_invalid"));
    json_object_put(body);
    return NULL;
}

const char *body_string(json_object *o, const char *key, bool *present)
{
    json_object *v = NULL;
    *present = o != NULL && json_object_object_get_ex(o, key, &v) && v != NULL;
    if (!*present || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}
