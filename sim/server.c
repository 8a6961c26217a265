/* server.c -- batchtop-sim's front door over libmicrohttpd: routing, auth, faults, the log. */
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
#include "sim/dirs.h"
#include "sim/handlers.h"
#include "sim/server.h"
#include "sim/wire.h"

enum route {
    R_NONE,
    R_BATCHES,
    R_BATCH,
    R_BATCH_CANCEL,
    R_DIRS,
    R_DIR,
    R_DIR_FILES,
    R_DIR_FILE,
    R_DIR_UPLOAD, /* POST .../directories/{id}/files/upload (GET there is a file named upload) */
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
        {"/api/v1/beta/directories", NULL, R_DIRS, "GET, POST"},
        {"/api/v1/beta/directories/", "/files", R_DIR_FILES, "GET, POST"},
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
    case R_DIRS:
    case R_DIR_FILES:
        return get || post;
    case R_BATCH_CANCEL:
    case R_SIM_FAULTS_OFF:
    case R_DIR_UPLOAD:
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
    if (r->status == 429) {
        char secs[24];
        snprintf(secs, sizeof secs, "%ld", r->retry_after > 0 ? r->retry_after : 1);
        MHD_add_response_header(resp, "Retry-After", secs);
    }
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

/* Route uri (path?query) for method: *id gets the unescaped path parameter ("dir/file" for
 * R_DIR_FILE), *bad_id whether an escaped NUL would cut it short (never look that up). */
static enum route route_request(const char *uri, const char *method, char *id, size_t idsize,
                                const char **allow, bool *bad_id)
{
    /*
     * Route on the raw path, as received: an escaped "/" (%2F) stays inside its segment, so an
     * ID can never reach another resource. Path parameters are unescaped afterwards.
     */
    char *raw = xstrndup(uri, strcspn(uri, "?"));
    id[0] = '\0';
    *allow = NULL;
    enum route rt = route_match(raw, id, idsize, allow);
    free(raw);
    *bad_id = false;
    if (rt == R_DIR_FILE) {
        char *slash = strchr(id, '/');
        size_t n = MHD_http_unescape(slash + 1);
        *bad_id = strlen(slash + 1) != n;
        *slash = '\0';
        size_t d = MHD_http_unescape(id);
        *bad_id = *bad_id || strlen(id) != d;
        /* POST .../files/upload is the upload; any other method there reads a file "upload" */
        if (strcmp(method, "POST") == 0 && strcmp(slash + 1, "upload") == 0) {
            *allow = "POST";
            return R_DIR_UPLOAD;
        }
        memmove(id + d + 1, slash + 1, n + 1);
        id[d] = '/';
    } else if (rt != R_NONE) {
        size_t n = MHD_http_unescape(id);
        *bad_id = strlen(id) != n;
    }
    return rt;
}

enum fault_outcome { FAULT_NONE, FAULT_ANSWER, FAULT_RESET };

/* The distant server's delay, then the request's fault (into fd): FAULT_ANSWER with r filled
 * when the fault is the answer, FAULT_RESET when the connection is to be dropped. */
static enum fault_outcome fault_first(struct server *s, const char *method, bool is_create,
                                      struct faults_decision *fd, struct reply *r)
{
    /* each connection has its own thread: concurrent requests wait side by side */
    if (s->p.rtt_ms > 0)
        sleep_ms(s->p.rtt_ms);
    faults_decide(s->faults, is_create, strcmp(method, "GET") == 0, rng_now_ms(), fd);
    if (fd->latency_ms > 0)
        sleep_ms(fd->latency_ms);
    if (fd->action == FAULTS_RATE_LIMITED) {
        reply_detail(r, 429, "Too many requests");
        return FAULT_ANSWER;
    }
    if (fd->action == FAULTS_RESET)
        return FAULT_RESET;
    if (fd->action == FAULTS_FAIL) {
        reply_detail(r, fd->status,
                     fd->status == 503   ? "Service Unavailable"
                     : fd->status == 502 ? "Bad Gateway"
                                         : "Internal Server Error");
        return FAULT_ANSWER;
    }
    return FAULT_NONE;
}

/* Is the request's project_id (when given) the world's? */
static bool project_ok(const struct server *s, const struct args *a)
{
    const char *project = arg_get(a, "project_id");
    return project == NULL || project[0] == '\0' || strcmp(project, s->world->project_id) == 0;
}

static enum MHD_Result dispatch(struct server *s, struct MHD_Connection *c, const char *method,
                                struct request *rq)
{
    struct reply r = {0};
    if (rq->too_big) {
        reply_detail(&r, 413, "Request body too large (limit 1 MiB)");
        return send_reply(s, c, method, rq, &r, NULL);
    }
    char id[256];
    const char *allow;
    bool bad_id;
    enum route rt = route_request(rq->uri, method, id, sizeof id, &allow, &bad_id);
    bool control = rt == R_SIM_STATE || rt == R_SIM_FAULTS_OFF;
    /* the creates: an ambiguous fault makes the change, then answers 500 */
    bool is_create =
        (rt == R_BATCHES || rt == R_DIRS || rt == R_DIR_FILES) && strcmp(method, "POST") == 0;
    struct faults_decision fd;
    memset(&fd, 0, sizeof fd);
    enum fault_outcome fo = control ? FAULT_NONE : fault_first(s, method, is_create, &fd, &r);
    if (fo == FAULT_RESET) {
        log_line(s, method, rq, 0);
        return MHD_NO;
    }
    if (fo == FAULT_ANSWER)
        return send_reply(s, c, method, rq, &r, &fd);
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
    args_collect(c, a);
    bool created = false;
    world_lock(s->world);
    int64_t now = rng_now_ms();
    world_advance(s->world, now);
    if (!control && !project_ok(s, a)) {
        reply_detail(&r, 404, "Project not found");
    } else if (bad_id) {
        reply_detail(&r, 404, "Not Found");
    } else if (!control && !args_check_arrays(a, &r)) {
        /* r holds the 422 */
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
            if (is_create)
                h_dir_create(s, rq, now, &r, &created);
            else
                h_dir_list(s, a, now, &r);
            break;
        case R_DIR:
            h_dir_get(s, id, now, &r);
            break;
        case R_DIR_FILES:
            if (is_create)
                h_file_add(s, id, rq, now, &r, &created);
            else
                h_file_list(s, id, a, now, &r);
            break;
        case R_DIR_FILE:
            h_file_get(s, id, now, &r);
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
            h_state(s, now, &r);
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

/* ---- uploads: checked when the headers come, the body streamed into a form ---- */

static uint64_t upload_max_body(const struct server *s)
{
    long mb = s->p.max_upload_mb > 0 ? s->p.max_upload_mb : 100;
    return (uint64_t)mb * 1024 * 1024;
}

/* Refuse an upload with r: at once when the client waits for 100 Continue (it sends no body)
 * or when the body is too large (it is never read; a client that sends it anyway may see the
 * connection reset before the answer); else after the body was read and dropped, since a
 * connection closed with unread data may reset before the client reads the answer. */
static enum MHD_Result upload_refuse(struct server *s, struct MHD_Connection *c,
                                     const char *method, struct request *rq, struct reply *r)
{
    const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    if (r->status == 413 || (expect != NULL && strcasecmp(expect, "100-continue") == 0)) {
        rq->answered = true;
        return send_reply(s, c, method, rq, r, &rq->fd);
    }
    rq->refused = true;
    rq->refusal = *r;
    return MHD_YES;
}

/* The checks an upload passes before a byte of its body is read, in the order of any other
 * request (delay and faults, key, project, path), then the directory, the upload rate, a
 * declared Content-Length above the cap and the Content-Type; a failure is answered through
 * upload_refuse. Else the form is set up to read the body. */
static enum MHD_Result upload_begin(struct server *s, struct MHD_Connection *c, const char *method,
                                    struct request *rq, const char *id, bool bad_id)
{
    struct reply r = {0};
    rq->upload = true;
    snprintf(rq->dir, sizeof rq->dir, "%s", id);
    enum fault_outcome fo = fault_first(s, method, true, &rq->fd, &r);
    if (fo == FAULT_RESET) {
        log_line(s, method, rq, 0);
        return MHD_NO;
    }
    if (fo == FAULT_ANSWER)
        return upload_refuse(s, c, method, rq, &r);
    if (!key_ok(s, c)) {
        reply_detail(&r, 401, "Invalid or missing API key");
        return upload_refuse(s, c, method, rq, &r);
    }
    struct args *a = xcalloc(1, sizeof *a);
    args_collect(c, a);
    bool project = project_ok(s, a);
    bool arrays = project && args_check_arrays(a, &r);
    free(a);
    if (!project || bad_id) {
        reply_detail(&r, 404, project ? "Not Found" : "Project not found");
        return upload_refuse(s, c, method, rq, &r);
    }
    if (!arrays) /* r holds the 422 */
        return upload_refuse(s, c, method, rq, &r);
    world_lock(s->world);
    bool known = dirs_find_live(s->world, id, rng_now_ms()) != NULL;
    world_unlock(s->world);
    if (!known) {
        reply_detail(&r, 404, "Directory not found");
        return upload_refuse(s, c, method, rq, &r);
    }
    long retry = 1;
    if (!upload_rate_take(s->upload_rate, rng_now_ms(), &retry)) {
        char *msg = xasprintf("Too many uploads: at most %ld per %d s in a project",
                              s->p.upload_rate, UPLOAD_WINDOW_MS / 1000);
        reply_detail(&r, 429, msg);
        free(msg);
        r.retry_after = retry;
        return upload_refuse(s, c, method, rq, &r);
    }
    uint64_t max = upload_max_body(s);
    const char *length =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length != NULL && strtoull(length, NULL, 10) > max) {
        char *msg = xasprintf("Upload too large (limit %" PRIu64 " MiB)", max >> 20);
        reply_detail(&r, 413, msg);
        free(msg);
        return upload_refuse(s, c, method, rq, &r);
    }
    rq->form = upload_form_new(c, max);
    if (rq->form == NULL) { /* FastAPI reads a non-form body as a form without the file */
        const char *loc[] = {"body", "upload_file", NULL};
        reply_set(&r, 422, wire_validation(loc, "Field required", "missing"));
        return upload_refuse(s, c, method, rq, &r);
    }
    return MHD_YES;
}

/* The whole body was read: answer the upload (an ambiguous fault answers 500 after it). */
static enum MHD_Result upload_finish(struct server *s, struct MHD_Connection *c,
                                     const char *method, struct request *rq)
{
    struct reply r = {0};
    bool created = false;
    if (upload_form_too_big(rq->form)) {
        char *msg =
            xasprintf("Upload too large (limit %" PRIu64 " MiB)", upload_max_body(s) >> 20);
        reply_detail(&r, 413, msg);
        free(msg);
    } else if (upload_form_malformed(rq->form)) {
        reply_detail(&r, 400, "There was an error parsing the body");
    } else {
        world_lock(s->world);
        int64_t now = rng_now_ms();
        world_advance(s->world, now);
        h_file_upload(s, rq->dir, rq->form, now, &r, &created);
        world_unlock(s->world);
    }
    if (created && rq->fd.ambiguous)
        reply_detail(&r, 500, "Internal Server Error");
    return send_reply(s, c, method, rq, &r, &rq->fd);
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
        char id[256];
        const char *allow;
        bool bad_id;
        if (route_request(rq->uri, method, id, sizeof id, &allow, &bad_id) == R_DIR_UPLOAD)
            return upload_begin(s, c, method, rq, id, bad_id);
        return MHD_YES;
    }
    if (rq->upload) {
        if (rq->answered) { /* an early answer: nothing more to read or say */
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (*upload_data_size > 0) {
            if (!rq->refused) /* a refused upload's body is dropped as it comes */
                upload_form_feed(rq->form, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        rq->answered = true;
        if (rq->refused)
            return send_reply(s, c, method, rq, &rq->refusal, &rq->fd);
        return upload_finish(s, c, method, rq);
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
    upload_form_free(rq->form);
    if (rq->refusal.json != NULL) /* refused, then the connection closed before the answer */
        json_object_put(rq->refusal.json);
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
    s->upload_rate = upload_rate_new(p->upload_rate, UPLOAD_WINDOW_MS);
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
        upload_rate_free(s->upload_rate);
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
    upload_rate_free(s->upload_rate);
    free(s);
}
