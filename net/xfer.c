/* xfer.c -- the transfer engine: one request on the multi handle, retries, errors, messages. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "net/decode.h"
#include "net/errbody.h"
#include "net/internal.h"
#include "net/log.h"
#include "net/retry.h"
#include "net/url.h"

void batch_free_ptr(void *p)
{
    if (p != NULL)
        batch_done(p);
    free(p);
}

void job_free_ptr(void *p)
{
    if (p != NULL)
        job_done(p);
    free(p);
}

struct cached_job *cached_job_new(const struct job *j)
{
    struct cached_job *c = xcalloc(1, sizeof *c);
    c->type = (uint8_t)j->type;
    c->status = (uint8_t)j->status;
    if (!xstreq(j->status_text, job_status_name(j->status)))
        c->status_text = xstrdup(j->status_text);
    c->error_message = xstrdup(j->error_message);
    c->has_credits = j->has_credits;
    c->credits = j->credits;
    c->has_pages = j->has_pages;
    c->pages_billed = j->pages_billed;
    return c;
}

void cached_job_to_job(struct job *j, const char *id, const struct cached_job *c)
{
    memset(j, 0, sizeof *j);
    j->id = xstrdup(id);
    j->type = (enum job_type)c->type;
    j->status = (enum job_status)c->status;
    j->status_text = xstrdup(c->status_text ? c->status_text : job_status_name(j->status));
    j->error_message = xstrdup(c->error_message);
    j->created_ms = j->updated_ms = -1;
    j->has_credits = c->has_credits;
    j->credits = c->credits;
    j->has_pages = c->has_pages;
    j->pages_billed = c->pages_billed;
}

void cached_job_free_ptr(void *p)
{
    struct cached_job *c = p;
    if (c == NULL)
        return;
    free(c->status_text);
    free(c->error_message);
    free(c);
}

double jitter(struct net *n)
{
    n->rand_state = n->rand_state * 1103515245u + 12345u;
    return (double)((n->rand_state >> 8) & 0xffff) / 65536.0;
}

/* Replace every occurrence of the API key in s by '*' (belt and braces). */
static void scrub_key(const struct net *n, char *s)
{
    if (s == NULL || n->api_key == NULL || n->api_key[0] == '\0')
        return;
    size_t k = strlen(n->api_key);
    for (char *p = strstr(s, n->api_key); p != NULL; p = strstr(p + k, n->api_key))
        memset(p, '*', k);
}

void error_set(struct net_error *e, int status, const char *message)
{
    net_error_done(e);
    e->http_status = status;
    e->message = xstrdup(message);
}

void error_copy(struct net_error *dst, const struct net_error *src)
{
    net_error_done(dst);
    dst->http_status = src->http_status;
    dst->message = xstrdup(src->message);
    dst->field = xstrdup(src->field);
}

void error_move(struct net_error *dst, struct net_error *src)
{
    net_error_done(dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
}

/* ================================================================ messages out */

static unsigned requests_last_minute(struct net *n)
{
    int64_t now = clock_mono_ms();
    size_t drop = 0;
    while (drop < n->n_sends && n->sends[drop] <= now - 60000)
        drop++;
    if (drop > 0) {
        memmove(n->sends, n->sends + drop, (n->n_sends - drop) * sizeof *n->sends);
        n->n_sends -= drop;
    }
    return (unsigned)n->n_sends;
}

/*
 * The queue to the UI is bounded by merging, never by dropping. While the UI has not taken
 * the queue, job statuses of the watched batch (NET_MSG_JOBS, one per page of 100, hundreds a
 * round for a big batch) go into the NET_MSG_JOBS already queued for the same batch, one entry
 * per job ID: so the queue holds at most one status per job, however long the UI is busy
 * (issue 14: a 100,000-file batch grew it without bound). A later status replaces an earlier
 * one, keeping credits and pages the later one lacks, which is what detail_set_jobs would make
 * of the two in order. Moving statuses up to the queued message is safe because the UI merges
 * them by ID, whatever arrives between (batch answers, file names, errors); a message that
 * itself carries jobs (NET_MSG_OUTPUT) ends the merging, so no status overtakes it.
 * Connection fields: a merged message keeps its stamp; when it is not the last in the queue
 * and the newer stamp differs, a NET_MSG_STATE carries it, so the UI ends on the newest state.
 */

static bool same_stamp(const struct net_msg *a, const struct net_msg *b)
{
    return a->conn == b->conn && a->retry_in_ms == b->retry_in_ms &&
           a->latency_ms == b->latency_ms && a->requests_per_min == b->requests_per_min &&
           a->updated_ms == b->updated_ms;
}

/* Move src into dst, an earlier status of the same job. */
static void job_merge(struct job *dst, struct job *src)
{
    if (!src->has_credits && dst->has_credits) {
        src->has_credits = true;
        src->credits = dst->credits;
    }
    if (!src->has_pages && dst->has_pages) {
        src->has_pages = true;
        src->pages_billed = dst->pages_billed;
    }
    job_done(dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
}

/* Merge m's jobs into n->merge_jobs (under n->lock; it is still queued). m keeps none. */
static void merge_into_queued(struct net *n, struct net_msg *m)
{
    struct net_msg *t = n->merge_jobs;
    for (size_t i = 0; i < m->n_jobs; i++) {
        size_t k;
        if (m->jobs[i].id != NULL && strmap_get_index(&n->merge_index, m->jobs[i].id, &k)) {
            job_merge(&t->jobs[k], &m->jobs[i]);
            continue;
        }
        if (t->n_jobs == n->merge_cap) {
            n->merge_cap = n->merge_cap ? n->merge_cap * 2 : 128;
            t->jobs = xreallocarray(t->jobs, n->merge_cap, sizeof *t->jobs);
        }
        t->jobs[t->n_jobs] = m->jobs[i];
        memset(&m->jobs[i], 0, sizeof m->jobs[i]);
        strmap_put_index(&n->merge_index, t->jobs[t->n_jobs].id, t->n_jobs);
        t->n_jobs++;
    }
    for (size_t i = 0; i < m->n_jobs; i++)
        job_done(&m->jobs[i]);
    free(m->jobs);
    m->jobs = NULL;
    m->n_jobs = 0;
}

/* m becomes the message later job statuses merge into. */
static void merge_start(struct net *n, struct net_msg *m)
{
    n->merge_jobs = m;
    n->merge_takes = n->msg_takes;
    n->merge_cap = m->n_jobs;
    strmap_clear(&n->merge_index);
    for (size_t i = 0; i < m->n_jobs; i++)
        strmap_put_index(&n->merge_index, m->jobs[i].id, i);
}

/* Stamp m with the connection fields and hand it to the UI. Takes m. */
void msg_push(struct net *n, struct net_msg *m)
{
    m->conn = n->conn;
    m->retry_in_ms = n->conn == NET_CONN_RETRYING ? n->retry_in_ms : 0;
    int64_t held = n->hold_until - clock_mono_ms();
    if (held > 0 && n->conn != NET_CONN_UNAUTHORIZED) {
        /* the server asked for a pause: whatever else answered, that is what happens now */
        m->conn = NET_CONN_RETRYING;
        m->retry_in_ms = held;
    }
    m->latency_ms = n->latency_ms;
    m->requests_per_min = requests_last_minute(n);
    m->updated_ms = n->updated_ms;
    m->stalled_ms = n->stalled_ms;
    scrub_key(n, m->error.message);
    m->next = NULL;
    pthread_mutex_lock(&n->lock);
    if (n->merge_jobs != NULL && n->merge_takes != n->msg_takes)
        n->merge_jobs = NULL; /* the UI has it */
    if (m->type == NET_MSG_JOBS && n->merge_jobs != NULL && xstreq(n->merge_jobs->id, m->id)) {
        merge_into_queued(n, m);
        struct net_msg *t = n->merge_jobs;
        if (n->msg_tail == t || same_stamp(m, n->msg_tail)) {
            if (n->msg_tail == t) { /* the last message: it takes the newest stamp */
                t->conn = m->conn;
                t->retry_in_ms = m->retry_in_ms;
                t->latency_ms = m->latency_ms;
                t->requests_per_min = m->requests_per_min;
                t->updated_ms = m->updated_ms;
            }
            pthread_mutex_unlock(&n->lock);
            net_msg_free(m);
            return;
        }
        m->type = NET_MSG_STATE; /* only its stamp is left to deliver */
    } else if (m->type == NET_MSG_JOBS) {
        merge_start(n, m);
    } else if (m->n_jobs > 0) {
        n->merge_jobs = NULL; /* no status may overtake this message's */
    }
    bool was_empty = n->msg_head == NULL;
    if (n->msg_tail != NULL)
        n->msg_tail->next = m;
    else
        n->msg_head = m;
    n->msg_tail = m;
    if (was_empty) {
        char byte = 1;
        ssize_t w = write(n->pipe_wr, &byte, 1);
        (void)w;
    }
    pthread_mutex_unlock(&n->lock);
}

struct net_msg *msg_new(enum net_msg_type type, uint64_t req, const char *id)
{
    struct net_msg *m = net_msg_new(type);
    m->req = req;
    m->id = xstrdup(id);
    return m;
}

void msg_fail(struct net_msg *m, const struct net_error *e)
{
    m->ok = false;
    error_copy(&m->error, e);
}

static void push_state(struct net *n)
{
    msg_push(n, net_msg_new(NET_MSG_STATE));
}

/* ================================================================ transfers */

/* Append add bytes to the kept body (NUL-terminated). */
static void on_body_keep(struct xfer *x, const char *ptr, size_t add)
{
    if (x->len + add + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (x->len + add + 1 > cap)
            cap *= 2;
        x->buf = xrealloc(x->buf, cap);
        x->cap = cap;
    }
    memcpy(x->buf + x->len, ptr, add);
    x->len += add;
    x->buf[x->len] = '\0';
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t add = size * nmemb;
    x->data_mono = clock_mono_ms();
    if (x->body_status == 0) {
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->body_status);
        if (x->stream_batch && x->body_status >= 200 && x->body_status < 300)
            x->bstream = decode_batch_stream_new();
    }
    if (x->bstream != NULL) { /* decoded as it comes: refused at the first byte that shows it */
        if (decode_batch_stream_feed(x->bstream, ptr, add))
            return add;
        x->stream_refused = true;
        return 0; /* ends the transfer: nothing more of it is wanted */
    }
    if (x->body_status < 200 || x->body_status >= 300) {
        /* an error answer: only its first ERRBODY_KEEP bytes are ever read (errbody.c) */
        if (x->len >= ERRBODY_KEEP) {
            x->body_dropped = true;
            return add;
        }
        if (add > ERRBODY_KEEP - x->len) {
            x->body_dropped = true;
            add = ERRBODY_KEEP - x->len;
            size_t all = size * nmemb;
            on_body_keep(x, ptr, add);
            return all;
        }
    }
    if (x->len + add > MAX_BODY_BYTES) {
        x->too_big = true;
        return 0; /* aborts the transfer */
    }
    on_body_keep(x, ptr, add);
    return add;
}

/* Keep a header value (trimmed) when its name is one we use. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t len = size * nmemb;
    x->data_mono = clock_mono_ms();
    static const struct {
        const char *name;
        size_t off;
    } wanted[] = {
        {"retry-after", offsetof(struct xfer, h_retry_after)},
        {"retry-after-ms", offsetof(struct xfer, h_retry_after_ms)},
        {"x-should-retry", offsetof(struct xfer, h_should_retry)},
        {"date", offsetof(struct xfer, h_date)},
    };
    const char *colon = memchr(ptr, ':', len);
    if (colon == NULL || len > 512)
        return len;
    size_t nlen = (size_t)(colon - ptr);
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        if (strlen(wanted[i].name) == nlen && strncasecmp(ptr, wanted[i].name, nlen) == 0) {
            const char *v = colon + 1, *end = ptr + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
            char **slot = (char **)((char *)x + wanted[i].off);
            free(*slot);
            *slot = xstrndup(v, (size_t)(end - v));
        }
    }
    return len;
}

static void xfer_reset_answer(struct xfer *x)
{
    free(x->buf);
    x->buf = NULL;
    x->len = x->cap = 0;
    x->too_big = false;
    x->body_status = 0;
    x->body_dropped = false;
    decode_batch_stream_free(x->bstream);
    x->bstream = NULL;
    x->stream_refused = false;
    free(x->h_retry_after);
    free(x->h_retry_after_ms);
    free(x->h_should_retry);
    free(x->h_date);
    x->h_retry_after = x->h_retry_after_ms = x->h_should_retry = x->h_date = NULL;
    x->errbuf[0] = '\0';
    x->status = 0;
    x->code = CURLE_OK;
}

/* The try's mime, once its handle has let go of it. */
static void xfer_body_release(struct xfer *x)
{
    if (x->mime != NULL)
        curl_mime_free(x->mime);
    x->mime = NULL;
}

void xfer_free(struct xfer *x)
{
    if (x == NULL)
        return;
    xfer_body_release(x);
    xfer_reset_answer(x);
    free(x->url);
    free(x->post);
    if (x->ctx_free != NULL)
        x->ctx_free(x->ctx);
    free(x);
}

/* A new request for url (taken). ctx is handed to done(); ctx_free (may be NULL) frees it. */
struct xfer *xfer_new(char *url, xfer_fn *done, void *ctx, void (*ctx_free)(void *))
{
    struct xfer *x = xcalloc(1, sizeof *x);
    x->url = url;
    x->done = done;
    x->ctx = ctx;
    x->ctx_free = ctx_free;
    x->max_retries = MAX_READ_RETRIES;
    return x;
}

/* An easy handle with default options: a spare one when there is one. */
static CURL *easy_get(struct net *n)
{
    if (n->n_spare_easy > 0)
        return n->spare_easy[--n->n_spare_easy];
    CURL *e = curl_easy_init();
    if (e == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    return e;
}

/* A handle already removed from the multi: reset and kept for easy_get, or cleaned up. */
static void easy_release(struct net *n, CURL *e)
{
    if (n->n_spare_easy < MAX_SPARE_EASY) {
        curl_easy_reset(e);
        n->spare_easy[n->n_spare_easy++] = e;
    } else {
        curl_easy_cleanup(e);
    }
}

void xfer_send(struct net *n, struct xfer *x)
{
    if (n->hold_until > clock_mono_ms()) {
        /* the server asked for a pause (Retry-After): this request waits for its end */
        x->due = n->hold_until;
        x->next = n->waiting;
        n->waiting = x;
        return;
    }
    xfer_reset_answer(x);
    CURL *e = easy_get(n);
    x->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, x->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, n->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "batchtop/" PACKAGE_VERSION);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    if (x->post != NULL) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->post);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(x->post));
    }
    if (x->body_setup != NULL)
        x->body_setup(n, x, e);
    x->sent_mono = clock_mono_ms();
    x->data_mono = 0;
    if (n->n_sends == n->cap_sends) {
        n->cap_sends = n->cap_sends ? n->cap_sends * 2 : 64;
        n->sends = xreallocarray(n->sends, n->cap_sends, sizeof *n->sends);
    }
    n->sends[n->n_sends++] = x->sent_mono;
    x->next = n->active;
    n->active = x;
    curl_multi_add_handle(n->multi, e);
    log_printf("net", "%s %s (try %d)", x->post || x->body_setup ? "POST" : "GET", x->url,
               x->attempt + 1);
}

/* Send x again after delay_ms; only from inside its done() or the completion path. */
void xfer_requeue(struct net *n, struct xfer *x, int64_t delay_ms)
{
    x->attempt++;
    x->due = clock_mono_ms() + delay_ms;
    x->requeued = true;
    x->next = n->waiting;
    n->waiting = x;
}

int64_t xfer_watch_stalls(struct net *n)
{
    int64_t now = clock_mono_ms(), worst = 0;
    if (n->active == NULL) {
        if (n->stalled_ms > 0) {
            n->stalled_ms = 0;
            push_state(n);
        }
        return -1;
    }
    for (struct xfer *x = n->active; x != NULL; x = x->next) {
        int64_t quiet = now - (x->data_mono > 0 ? x->data_mono : x->sent_mono);
        worst = quiet > worst ? quiet : worst;
    }
    int64_t shown = worst >= STALL_MS ? worst / 1000 * 1000 : 0;
    if (shown != n->stalled_ms) { /* at most one state message a second while stalled */
        n->stalled_ms = shown;
        push_state(n);
    }
    return worst >= STALL_MS ? 1000 - worst % 1000 : STALL_MS - worst;
}

void xfer_release_hold(struct net *n)
{
    int64_t now = clock_mono_ms();
    if (n->hold_until <= now)
        return;
    n->hold_until = 0;
    for (struct xfer *x = n->waiting; x != NULL; x = x->next)
        if (x->due > now)
            x->due = now;
}

void conn_retrying(struct net *n, int64_t delay_ms)
{
    n->conn = NET_CONN_RETRYING;
    n->retry_in_ms = delay_ms;
    push_state(n);
}

/* For a read whose 2xx body did not decode: retry like a transport error. */
bool xfer_retry_garbled(struct net *n, struct xfer *x)
{
    struct retry_answer a = {.transport_error = true};
    int64_t delay = retry_delay_ms(&a, x->attempt, x->max_retries, clock_now_ms(), jitter(n));
    if (delay < 0)
        return false;
    xfer_requeue(n, x, delay);
    conn_retrying(n, delay);
    return true;
}

static bool not_connected(const struct xfer *x)
{
    return x->code == CURLE_COULDNT_CONNECT || x->code == CURLE_COULDNT_RESOLVE_HOST ||
           x->code == CURLE_COULDNT_RESOLVE_PROXY;
}

bool xfer_unsent(const struct xfer *x)
{
    return not_connected(x) || (x->code == CURLE_OK && x->status == 429);
}

bool xfer_requeue_unsent(struct net *n, struct xfer *x, int *attempts, int max_retries)
{
    if (!xfer_unsent(x))
        return false;
    bool never = not_connected(x);
    struct retry_answer a = {
        .http_status = never ? 0 : x->status,
        .transport_error = never,
        .retry_after_ms = x->h_retry_after_ms,
        .retry_after = x->h_retry_after,
    };
    int64_t delay = retry_delay_ms(&a, *attempts, max_retries, clock_now_ms(), jitter(n));
    if (delay < 0)
        return false;
    (*attempts)++;
    xfer_requeue(n, x, delay);
    conn_retrying(n, delay);
    return true;
}

bool xfer_ok(const struct xfer *x)
{
    return x->code == CURLE_OK && x->status >= 200 && x->status < 300;
}

bool xfer_decode_batch(struct xfer *x, struct batch *b, char **cause)
{
    if (x->bstream != NULL)
        return decode_batch_stream_end(x->bstream, b, cause);
    return decode_batch(x->buf, x->len, b, cause);
}

/* The error of a failed try, one readable line. */
void xfer_error(struct net *n, const struct xfer *x, struct net_error *e)
{
    memset(e, 0, sizeof *e);
    if (x->too_big) {
        error_set(e, 0, "answer larger than 64 MiB");
    } else if (x->code != CURLE_OK) {
        const char *what = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->code);
        char *raw = xasprintf("network error: %s", what);
        e->message = errbody_sanitize(raw, strlen(raw), ERRBODY_MAX);
        free(raw);
    } else {
        errbody_format(x->status, x->buf, x->len, e);
    }
    scrub_key(n, e->message);
}

/* A 2xx body that did not decode. */
void garbled_error(struct net *n, struct net_error *e, const char *cause)
{
    memset(e, 0, sizeof *e);
    char *raw = xasprintf("malformed answer: %s", cause ? cause : "?");
    e->message = errbody_sanitize(raw, strlen(raw), ERRBODY_MAX);
    free(raw);
    scrub_key(n, e->message);
}

/* A read that failed for good: the connection is offline unless the server plainly refused. */
void conn_after_failure(struct net *n, const struct xfer *x)
{
    if (x->status == 401)
        n->conn = NET_CONN_UNAUTHORIZED;
    else if (x->code != CURLE_OK || x->status == 0 || x->status >= 500 || x->status == 429 ||
             x->status == 408 || xfer_ok(x))
        n->conn = NET_CONN_OFFLINE;
}

void complete(struct net *n, CURL *easy, CURLcode code)
{
    struct xfer *x = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    for (struct xfer **pp = &n->active; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == x) {
            *pp = x->next;
            break;
        }
    }
    x->next = NULL;
    x->code = code;
    if (code == CURLE_WRITE_ERROR && x->stream_refused)
        x->code = code = CURLE_OK; /* read as far as it had to be: done() decodes the refusal */
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &x->status);
    curl_multi_remove_handle(n->multi, easy);
    easy_release(n, easy);
    x->easy = NULL;
    xfer_body_release(x);
    int64_t now = clock_mono_ms();
    n->latency_ms = now - x->sent_mono;
    log_printf("net", "%s %s -> %ld (%s) %lld ms", x->post || x->body_setup ? "POST" : "GET",
               x->url, x->status, code == CURLE_OK ? "ok" : curl_easy_strerror(code),
               (long long)n->latency_ms);

    int64_t date;
    if (x->h_date != NULL && retry_parse_http_date(x->h_date, &date)) {
        n->server_ms = date;
        n->server_mono = now;
        n->have_server_time = true;
    }
    enum net_conn before = n->conn;
    if (x->status == 401)
        n->conn = NET_CONN_UNAUTHORIZED;
    else if (x->status != 0 && x->status < 500 && x->status != 429)
        n->conn = NET_CONN_ONLINE;

    if (!x->manual && !xfer_ok(x)) {
        struct retry_answer a = {
            .http_status = x->status,
            .transport_error = x->code != CURLE_OK && !x->too_big,
            .x_should_retry = x->h_should_retry,
            .retry_after_ms = x->h_retry_after_ms,
            .retry_after = x->h_retry_after,
            .no_retry_on_409 = x->no_retry_409,
        };
        if (x->code != CURLE_OK)
            a.http_status = 0;
        /* a server that drips bytes gets one more try, not three more minutes */
        if (x->code == CURLE_OPERATION_TIMEDOUT && x->attempt >= 1)
            a.transport_error = false;
        int64_t delay = retry_delay_ms(&a, x->attempt, x->max_retries, clock_now_ms(), jitter(n));
        bool told = (x->status == 429 || x->status == 503) &&
                    (x->h_retry_after != NULL || x->h_retry_after_ms != NULL);
        if (delay > 1000 && told && clock_mono_ms() + delay > n->hold_until) {
            /* every request waits, not only this one: a server that says "come back in two
             * minutes" gets nothing before then (r ends the wait) */
            n->hold_until = clock_mono_ms() + delay;
            log_printf("net", "the server asked for a pause of %lld ms (Retry-After)",
                       (long long)delay);
        }
        if (delay >= 0) {
            xfer_requeue(n, x, delay);
            conn_retrying(n, delay);
            return;
        }
    }
    x->requeued = false;
    x->done(n, x);
    if (!x->requeued)
        xfer_free(x);
    if (n->conn != before && n->conn != NET_CONN_RETRYING)
        push_state(n);
}

/* Take back a request xfer_send has just started and nobody has seen answered: its ctx is
 * detached first (the caller keeps it), then the transfer is removed and freed. */
void xfer_abort(struct net *n, struct xfer *x)
{
    for (struct xfer **pp = &n->active; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == x) {
            *pp = x->next;
            break;
        }
    }
    curl_multi_remove_handle(n->multi, x->easy);
    easy_release(n, x->easy);
    x->easy = NULL;
    x->ctx = NULL;
    xfer_free(x);
}
