/* thread.c -- the network thread: one curl multi handle keeps the list and the open batch live. */
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
#include "net/idmap.h"
#include "net/log.h"
#include "net/net.h"
#include "net/retry.h"
#include "net/url.h"

#define PAGE_SIZE 100
#define JOB_CHUNK 100        /* job IDs per bulk status request */
#define MAX_READ_RETRIES 3   /* then OFFLINE until the next interval */
#define MAX_CREATE_RETRIES 3 /* for answers that prove nothing was created (429, refused) */
#define MAX_BODY_BYTES (64u * 1024 * 1024)
#define CREATE_MARGIN_MS 30000 /* how far before the send the look-up starts (server time) */
#define DEPARTED_GET_MAX 2     /* more departed batches than this: consider one range list */
#define IDLE_POLL_MS 60000
#define MAX_FIND_RECORDS 16
#define MAX_PAGES 20000  /* one list never follows more tokens than this */
#define MAX_SPARE_EASY 4 /* easy handles kept for reuse (a fresh one costs a large calloc) */

struct net;
struct xfer;
typedef void xfer_fn(struct net *n, struct xfer *x);

/* ---- one HTTP request (one try at a time; retries reuse the struct) ---- */

struct xfer {
    struct xfer *next; /* in n->active or n->waiting */
    CURL *easy;        /* while in flight */
    char *url;         /* owned */
    char *post;        /* owned body; NULL for GET */
    char *buf;         /* answer body, NUL-terminated; owned */
    size_t len, cap;
    bool too_big;
    char *h_retry_after, *h_retry_after_ms, *h_should_retry, *h_date;
    char errbuf[CURL_ERROR_SIZE];
    long status; /* 0: no HTTP answer */
    CURLcode code;
    int64_t sent_mono;
    int64_t due; /* while waiting: when to send again */
    int attempt; /* retries made so far */
    int max_retries;
    bool no_retry_409;
    bool manual;   /* done() sees every outcome; no automatic retry */
    bool requeued; /* set by xfer_requeue inside done() */
    xfer_fn *done;
    void *ctx; /* for done(); freed with ctx_free when set */
    void (*ctx_free)(void *ctx);
};

/* ---- a paginated list fetch ---- */

enum page_kind { PK_BATCHES, PK_DIRS, PK_FILES, PK_CONFIGS, PK_JOBS };

struct pager;
/* Called once at the end: ok with p->items holding every item, or !ok with err (borrowed). */
typedef void pager_fn(struct net *n, struct pager *p, bool ok, const struct net_error *err);
/* Called for each decoded page (jobs); the items are borrowed. */
typedef void page_fn(struct net *n, struct pager *p, void *items, size_t count);

struct pager {
    enum page_kind kind;
    char *f_status, *f_dir, *f_after, *f_before; /* batch filters, owned */
    char *id;               /* PK_FILES: directory; PK_CONFIGS: product type */
    enum job_type job_type; /* PK_JOBS */
    char **ids;             /* PK_JOBS, owned */
    size_t n_ids;
    char *token;
    void *items; /* accumulated, owned until moved out */
    size_t n, cap;
    pager_fn *finish;
    page_fn *on_page;
    bool keep_items; /* accumulate pages (false: on_page only) */
    int pages;       /* fetched so far; capped against a server that never ends */
    uint64_t gen, req;
    void *owner; /* borrowed */
};

/* ---- persistent state of each duty ---- */

struct list_state {
    bool watching;
    bool have_full;   /* a full generation was delivered */
    bool busy;        /* a refresh is in flight */
    bool full_wanted; /* a full refresh was asked while a delta ran */
    bool full_running;
    bool range_tried; /* this delta already listed the departed batches' range */
    bool gets_tried;  /* ... and already fetched the rest one by one */
    char *filter_dir;
    uint64_t gen; /* bumps on WATCH_LIST: late answers are dropped */
    uint64_t req;
    int pending;
    bool failed;
    struct net_error err;
    struct idmap got;    /* delta answers merged by ID: struct batch * */
    struct idmap active; /* known non-terminal batches: struct batch * */
    struct idmap gone;   /* departed batches answered 404: value unused */
    char *newest;        /* newest created_at seen (server text) */
    int64_t newest_ms;
};

struct watch_state {
    char *id; /* NULL: no batch watched */
    uint64_t gen, req;
    bool busy;
    int pending;
    bool failed;
    bool have_batch;
    struct batch batch; /* last answer, with results */
    bool live;
    bool files_sent;
    struct idmap delivered; /* terminal job IDs already sent for this watch */
};

struct files_entry {
    struct dir_file *files;
    size_t n;
};

struct create_job {
    struct create_job *next;
    uint64_t req;
    bool find_only;
    char *dir, *cfg;
    enum job_type type;
    char *since;
    uint64_t seq_before;
    int sends;
    int attempts;
    struct net_error last_err;
};

struct find_record {
    char *dir, *cfg, *since;
    enum job_type type;
    uint64_t seq_before;
};

struct seen {
    uint64_t seq;
    int64_t created_ms;
    uint32_t key; /* offset of the ID in seenset.text */
    bool ours;    /* returned by one of our creates: never another create's */
};

/*
 * Every batch ID the thread has seen (it only grows), packed: the IDs back to back in one
 * text buffer, the records in one array, an open-addressing table of record numbers. 10,000
 * IDs cost about 0.8 MB here instead of 1.5 MB as an idmap of strdup'd keys and malloc'd
 * records, and no allocation per ID.
 */
struct seenset {
    struct seen *items; /* n used, cap allocated; in order of first sighting */
    size_t n, cap;
    uint32_t *slots; /* n_slots, a power of two; record index + 1, 0 = empty */
    size_t n_slots;
    char *text; /* the IDs, each NUL-terminated */
    size_t text_len, text_cap;
};

struct net {
    /* configuration (owned copies) */
    char *base_url, *api_key, *project_id, *organization_id, *custom_headers;
    int refresh_ms;
    struct url_ctx uctx;

    /* shared with the UI thread, under lock */
    pthread_mutex_t lock;
    struct net_cmd **cmds;
    size_t n_cmds, cap_cmds;
    struct net_msg *msg_head, *msg_tail;
    uint64_t next_req;
    int pipe_rd, pipe_wr;
    atomic_bool stop;

    /* the thread's own */
    pthread_t thread;
    CURLM *multi;
    struct curl_slist *headers;
    struct xfer *active, *waiting;
    bool paused;
    int64_t next_refresh; /* mono ms; 0: none scheduled */
    enum net_conn conn;
    int64_t retry_in_ms, latency_ms, updated_ms;
    int64_t *sends; /* mono times of requests over the last minute */
    size_t n_sends, cap_sends;
    int64_t server_ms, server_mono; /* last server Date and when it arrived */
    bool have_server_time;
    uint64_t seen_seq;
    struct seenset seen;              /* every batch ID ever seen */
    struct idmap files_cache;         /* directory ID -> struct files_entry * */
    char *files_loading;              /* directory whose files are being fetched */
    struct idmap job_cache;           /* terminal jobs: job ID -> struct job * */
    CURL *spare_easy[MAX_SPARE_EASY]; /* finished handles, reset, for the next requests */
    size_t n_spare_easy;
    struct list_state list;
    struct watch_state watch;
    struct create_job *creates; /* queue; the head is in progress when create_busy */
    bool create_busy;
    struct find_record finds[MAX_FIND_RECORDS];
    size_t n_finds;
    unsigned rand_state;
};

/* ================================================================ small helpers */

static void batch_free_ptr(void *p)
{
    if (p != NULL)
        batch_done(p);
    free(p);
}

static void job_free_ptr(void *p)
{
    if (p != NULL)
        job_done(p);
    free(p);
}

static void files_free_ptr(void *p)
{
    struct files_entry *e = p;
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n; i++)
        dir_file_done(&e->files[i]);
    free(e->files);
    free(e);
}

static double jitter(struct net *n)
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

static void error_set(struct net_error *e, int status, const char *message)
{
    net_error_done(e);
    e->http_status = status;
    e->message = xstrdup(message);
}

static void error_copy(struct net_error *dst, const struct net_error *src)
{
    net_error_done(dst);
    dst->http_status = src->http_status;
    dst->message = xstrdup(src->message);
    dst->field = xstrdup(src->field);
}

static void error_move(struct net_error *dst, struct net_error *src)
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

/* Stamp m with the connection fields and hand it to the UI. Takes m. */
static void msg_push(struct net *n, struct net_msg *m)
{
    m->conn = n->conn;
    m->retry_in_ms = n->conn == NET_CONN_RETRYING ? n->retry_in_ms : 0;
    m->latency_ms = n->latency_ms;
    m->requests_per_min = requests_last_minute(n);
    m->updated_ms = n->updated_ms;
    scrub_key(n, m->error.message);
    m->next = NULL;
    pthread_mutex_lock(&n->lock);
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

static struct net_msg *msg_new(enum net_msg_type type, uint64_t req, const char *id)
{
    struct net_msg *m = net_msg_new(type);
    m->req = req;
    m->id = xstrdup(id);
    return m;
}

static void msg_fail(struct net_msg *m, const struct net_error *e)
{
    m->ok = false;
    error_copy(&m->error, e);
}

static void push_state(struct net *n)
{
    msg_push(n, net_msg_new(NET_MSG_STATE));
}

/* ================================================================ seen batches */

/* FNV-1a. */
static size_t seen_hash(const char *id)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding id, or the empty slot where it would go (needs n_slots > 0). */
static size_t seen_slot(const struct seenset *ss, const char *id)
{
    size_t mask = ss->n_slots - 1, i = seen_hash(id) & mask;
    while (ss->slots[i] != 0 && strcmp(ss->text + ss->items[ss->slots[i] - 1].key, id) != 0)
        i = (i + 1) & mask;
    return i;
}

/* The record of id, or NULL; valid until the next seen_add. */
static struct seen *seen_find(const struct seenset *ss, const char *id)
{
    if (id == NULL || ss->n_slots == 0)
        return NULL;
    uint32_t k = ss->slots[seen_slot(ss, id)];
    return k != 0 ? &ss->items[k - 1] : NULL;
}

/* The record of id, added (zeroed but for its key) when new; NULL only when the set is full
 * (4 GiB of IDs). Valid until the next seen_add. */
static struct seen *seen_add(struct seenset *ss, const char *id)
{
    struct seen *s = seen_find(ss, id);
    if (s != NULL)
        return s;
    size_t len = strlen(id) + 1;
    if (ss->text_len + len > UINT32_MAX || ss->n + 1 >= UINT32_MAX)
        return NULL;
    if ((ss->n + 1) * 2 > ss->n_slots) {
        free(ss->slots);
        ss->n_slots = ss->n_slots ? ss->n_slots * 2 : 64;
        ss->slots = xcalloc(ss->n_slots, sizeof *ss->slots);
        for (size_t i = 0; i < ss->n; i++)
            ss->slots[seen_slot(ss, ss->text + ss->items[i].key)] = (uint32_t)(i + 1);
    }
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 64;
        ss->items = xreallocarray(ss->items, ss->cap, sizeof *ss->items);
    }
    if (ss->text_len + len > ss->text_cap) {
        size_t cap = ss->text_cap ? ss->text_cap : 4096;
        while (ss->text_len + len > cap)
            cap *= 2;
        ss->text = xrealloc(ss->text, cap);
        ss->text_cap = cap;
    }
    memcpy(ss->text + ss->text_len, id, len);
    s = &ss->items[ss->n];
    memset(s, 0, sizeof *s);
    s->key = (uint32_t)ss->text_len;
    ss->text_len += len;
    ss->slots[seen_slot(ss, id)] = (uint32_t)(++ss->n);
    return s;
}

static void seen_free(struct seenset *ss)
{
    free(ss->items);
    free(ss->slots);
    free(ss->text);
    memset(ss, 0, sizeof *ss);
}

static void seen_note(struct net *n, const struct batch *b)
{
    if (b->id == NULL)
        return;
    struct seen *s = seen_find(&n->seen, b->id);
    if (s == NULL) {
        s = seen_add(&n->seen, b->id);
        if (s == NULL)
            return;
        s->seq = ++n->seen_seq;
    }
    s->created_ms = b->created_ms;
}

static void note_newest(struct net *n, const struct batch *b)
{
    if (b->created_at == NULL || b->created_ms < 0)
        return;
    if (n->list.newest == NULL || b->created_ms > n->list.newest_ms) {
        xstrset(&n->list.newest, b->created_at);
        n->list.newest_ms = b->created_ms;
    }
}

/* A batch reported outside the list answers (create, cancel, the open batch) and not terminal:
 * the delta refresh must follow it to its end even if no list answer ever showed it active
 * (it may finish between two intervals, and then no status list names it). */
static void active_note(struct net *n, const struct batch *b)
{
    struct list_state *l = &n->list;
    if (!l->have_full || b->id == NULL || batch_status_is_terminal(b->status) ||
        idmap_has(&l->active, b->id))
        return;
    if (l->filter_dir != NULL && !xstreq(l->filter_dir, b->source_directory_id))
        return;
    struct batch *c = xmalloc(sizeof *c);
    batch_copy_without_results(c, b);
    idmap_put(&l->active, c->id, c);
}

/* ================================================================ transfers */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t add = size * nmemb;
    if (x->len + add > MAX_BODY_BYTES) {
        x->too_big = true;
        return 0; /* aborts the transfer */
    }
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
    return add;
}

/* Keep a header value (trimmed) when its name is one we use. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t len = size * nmemb;
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
    free(x->h_retry_after);
    free(x->h_retry_after_ms);
    free(x->h_should_retry);
    free(x->h_date);
    x->h_retry_after = x->h_retry_after_ms = x->h_should_retry = x->h_date = NULL;
    x->errbuf[0] = '\0';
    x->status = 0;
    x->code = CURLE_OK;
}

static void xfer_free(struct xfer *x)
{
    if (x == NULL)
        return;
    xfer_reset_answer(x);
    free(x->url);
    free(x->post);
    if (x->ctx_free != NULL)
        x->ctx_free(x->ctx);
    free(x);
}

/* A new request for url (taken). ctx is handed to done(); ctx_free (may be NULL) frees it. */
static struct xfer *xfer_new(char *url, xfer_fn *done, void *ctx, void (*ctx_free)(void *))
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

static void xfer_send(struct net *n, struct xfer *x)
{
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
    x->sent_mono = clock_mono_ms();
    if (n->n_sends == n->cap_sends) {
        n->cap_sends = n->cap_sends ? n->cap_sends * 2 : 64;
        n->sends = xreallocarray(n->sends, n->cap_sends, sizeof *n->sends);
    }
    n->sends[n->n_sends++] = x->sent_mono;
    x->next = n->active;
    n->active = x;
    curl_multi_add_handle(n->multi, e);
    log_printf("net", "%s %s (try %d)", x->post ? "POST" : "GET", x->url, x->attempt + 1);
}

/* Send x again after delay_ms; only from inside its done() or the completion path. */
static void xfer_requeue(struct net *n, struct xfer *x, int64_t delay_ms)
{
    x->attempt++;
    x->due = clock_mono_ms() + delay_ms;
    x->requeued = true;
    x->next = n->waiting;
    n->waiting = x;
}

static void conn_retrying(struct net *n, int64_t delay_ms)
{
    n->conn = NET_CONN_RETRYING;
    n->retry_in_ms = delay_ms;
    push_state(n);
}

/* For a read whose 2xx body did not decode: retry like a transport error. */
static bool xfer_retry_garbled(struct net *n, struct xfer *x)
{
    struct retry_answer a = {.transport_error = true};
    int64_t delay = retry_delay_ms(&a, x->attempt, x->max_retries, clock_now_ms(), jitter(n));
    if (delay < 0)
        return false;
    xfer_requeue(n, x, delay);
    conn_retrying(n, delay);
    return true;
}

static bool xfer_ok(const struct xfer *x)
{
    return x->code == CURLE_OK && x->status >= 200 && x->status < 300;
}

/* The error of a failed try, one readable line. */
static void xfer_error(struct net *n, const struct xfer *x, struct net_error *e)
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
static void garbled_error(struct net *n, struct net_error *e, const char *cause)
{
    memset(e, 0, sizeof *e);
    char *raw = xasprintf("malformed answer: %s", cause ? cause : "?");
    e->message = errbody_sanitize(raw, strlen(raw), ERRBODY_MAX);
    free(raw);
    scrub_key(n, e->message);
}

/* A read that failed for good: the connection is offline unless the server plainly refused. */
static void conn_after_failure(struct net *n, const struct xfer *x)
{
    if (x->status == 401)
        n->conn = NET_CONN_UNAUTHORIZED;
    else if (x->code != CURLE_OK || x->status == 0 || x->status >= 500 || x->status == 429 ||
             x->status == 408 || xfer_ok(x))
        n->conn = NET_CONN_OFFLINE;
}

static void complete(struct net *n, CURL *easy, CURLcode code)
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
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &x->status);
    curl_multi_remove_handle(n->multi, easy);
    easy_release(n, easy);
    x->easy = NULL;
    int64_t now = clock_mono_ms();
    n->latency_ms = now - x->sent_mono;
    log_printf("net", "%s %s -> %ld (%s) %lld ms", x->post ? "POST" : "GET", x->url, x->status,
               code == CURLE_OK ? "ok" : curl_easy_strerror(code), (long long)n->latency_ms);

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
        int64_t delay = retry_delay_ms(&a, x->attempt, x->max_retries, clock_now_ms(), jitter(n));
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

/* ================================================================ pagers */

static size_t item_size(enum page_kind k)
{
    switch (k) {
    case PK_BATCHES:
        return sizeof(struct batch);
    case PK_DIRS:
        return sizeof(struct directory);
    case PK_FILES:
        return sizeof(struct dir_file);
    case PK_CONFIGS:
        return sizeof(struct config);
    case PK_JOBS:
        return sizeof(struct job);
    }
    return 1;
}

static void items_free(enum page_kind k, void *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (k) {
        case PK_BATCHES:
            batch_done((struct batch *)items + i);
            break;
        case PK_DIRS:
            directory_done((struct directory *)items + i);
            break;
        case PK_FILES:
            dir_file_done((struct dir_file *)items + i);
            break;
        case PK_CONFIGS:
            config_done((struct config *)items + i);
            break;
        case PK_JOBS:
            job_done((struct job *)items + i);
            break;
        }
    }
    free(items);
}

static void pager_free(void *ctx)
{
    struct pager *p = ctx;
    if (p == NULL)
        return;
    free(p->f_status);
    free(p->f_dir);
    free(p->f_after);
    free(p->f_before);
    free(p->id);
    for (size_t i = 0; i < p->n_ids; i++)
        free(p->ids[i]);
    free(p->ids);
    free(p->token);
    items_free(p->kind, p->items, p->n);
    free(p);
}

static struct pager *pager_new(enum page_kind kind, pager_fn *finish, uint64_t gen)
{
    struct pager *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    p->finish = finish;
    p->gen = gen;
    p->keep_items = true;
    return p;
}

static char *pager_url(struct net *n, struct pager *p)
{
    switch (p->kind) {
    case PK_BATCHES: {
        struct url_batch_filter f = {p->f_status, p->f_dir, p->f_after, p->f_before};
        return url_batch_list(&n->uctx, &f, p->token);
    }
    case PK_DIRS:
        return url_directory_list(&n->uctx, p->token);
    case PK_FILES:
        return url_directory_files(&n->uctx, p->id, p->token);
    case PK_CONFIGS:
        return url_config_list(&n->uctx, p->id, p->token);
    case PK_JOBS:
        return url_job_list(&n->uctx, p->job_type, (const char *const *)p->ids, p->n_ids,
                            p->token);
    }
    return xstrdup("");
}

static void pager_page_done(struct net *n, struct xfer *x);

static void pager_start(struct net *n, struct pager *p)
{
    xfer_send(n, xfer_new(pager_url(n, p), pager_page_done, p, pager_free));
}

/* Convert the items of a parsed page (step two of decode.h); pg is freed. */
static bool pager_items(struct pager *p, struct decode_page *pg, void **items, size_t *count,
                        char **cause)
{
    switch (p->kind) {
    case PK_BATCHES:
        return decode_page_batches(pg, (struct batch **)items, count, cause);
    case PK_DIRS:
        return decode_page_directories(pg, (struct directory **)items, count, cause);
    case PK_FILES:
        return decode_page_dir_files(pg, (struct dir_file **)items, count, cause);
    case PK_CONFIGS:
        return decode_page_configs(pg, (struct config **)items, count, cause);
    case PK_JOBS:
        return decode_page_jobs(pg, p->job_type, (struct job **)items, count, cause);
    }
    decode_page_free(pg);
    return false;
}

/* Take back a request xfer_send has just started and nobody has seen answered: its ctx is
 * detached first (the caller keeps it), then the transfer is removed and freed. */
static void xfer_abort(struct net *n, struct xfer *x)
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

/* Send the request for the page after p's current one, with token (taken) as the cursor;
 * x, the answered request, gives the pager to it. Returns the new request. *prev_token gets
 * the cursor that was replaced, to put back if the request is taken back (pager_unsend). */
static struct xfer *pager_send_next(struct net *n, struct pager *p, struct xfer *x, char *token,
                                    char **prev_token)
{
    *prev_token = p->token;
    p->token = token;
    x->ctx = NULL; /* the pager moves to the next page's request */
    struct xfer *next = xfer_new(pager_url(n, p), pager_page_done, p, pager_free);
    xfer_send(n, next);
    int running;
    curl_multi_perform(n->multi, &running); /* out now, not after this page is decoded */
    return next;
}

/* Take back what pager_send_next did: the pager returns to x with its previous cursor. */
static void pager_unsend(struct net *n, struct pager *p, struct xfer *x, struct xfer *next,
                         char *prev_token)
{
    xfer_abort(n, next);
    x->ctx = p;
    free(p->token);
    p->token = prev_token;
}

/* Whether token is one more page to fetch (not the last page, not the same cursor again,
 * not past MAX_PAGES). */
static bool pager_more(const struct pager *p, const char *token)
{
    return token != NULL && p->pages + 1 < MAX_PAGES &&
           !(p->token != NULL && strcmp(p->token, token) == 0);
}

/*
 * One page answered. A cursor list is otherwise one round trip after another, so the next
 * page's request goes out before this page is decoded: as soon as the raw body shows its
 * next_page_token (decode_page_token_hint), and is taken back when the strict parse says
 * otherwise; or else right after the parse, before the items are converted and accumulated.
 * So the server prepares page k+1 while page k is parsed. A page whose items then fail to
 * decode takes that request back, so failures and retries behave as if it was never sent.
 */
static void pager_page_done(struct net *n, struct xfer *x)
{
    struct pager *p = x->ctx;
    struct net_error err = {0};
    if (!xfer_ok(x)) {
        conn_after_failure(n, x);
        xfer_error(n, x, &err);
        p->finish(n, p, false, &err);
        net_error_done(&err);
        return; /* x (and p with it) is freed by the caller */
    }
    void *items = NULL;
    size_t count = 0;
    char *token = NULL, *cause = NULL, *prev_token = NULL;
    struct xfer *next = NULL;
    char *hint = decode_page_token_hint(x->buf, x->len);
    if (pager_more(p, hint))
        next = pager_send_next(n, p, x, hint, &prev_token);
    else
        free(hint);
    struct decode_page *pg = decode_page_begin(x->buf, x->len, &token, &cause);
    if (next != NULL && (pg == NULL || token == NULL || strcmp(token, p->token) != 0)) {
        pager_unsend(n, p, x, next, prev_token); /* the hint was wrong */
        next = NULL;
        prev_token = NULL;
    }
    if (next != NULL) {
        free(token);
        token = NULL;
    } else if (pg != NULL && pager_more(p, token)) {
        next = pager_send_next(n, p, x, token, &prev_token);
        token = NULL;
    }
    if (pg == NULL || !pager_items(p, pg, &items, &count, &cause)) {
        if (next != NULL)
            pager_unsend(n, p, x, next, prev_token);
        free(token);
        if (!xfer_retry_garbled(n, x)) {
            conn_after_failure(n, x);
            garbled_error(n, &err, cause);
            p->finish(n, p, false, &err);
            net_error_done(&err);
        }
        free(cause);
        return;
    }
    free(prev_token);
    if (p->kind == PK_BATCHES) {
        for (size_t i = 0; i < count; i++)
            seen_note(n, (struct batch *)items + i);
    }
    if (p->on_page != NULL)
        p->on_page(n, p, items, count);
    size_t size = item_size(p->kind);
    if (p->keep_items && count > 0) {
        if (p->n + count > p->cap) {
            size_t cap = p->cap ? p->cap : 128;
            while (p->n + count > cap)
                cap *= 2;
            p->items = xreallocarray(p->items, cap, size);
            p->cap = cap;
        }
        memcpy((char *)p->items + p->n * size, items, count * size);
        p->n += count;
        free(items);
    } else {
        items_free(p->kind, items, count);
    }
    if (next != NULL) {
        p->pages++;
        return;
    }
    if (token != NULL && ++p->pages >= MAX_PAGES) {
        free(token);
        garbled_error(n, &err, "the list never ends (too many pages)");
        p->finish(n, p, false, &err);
        net_error_done(&err);
        return;
    }
    free(token); /* NULL, or the token of the page just fetched: the list is over */
    p->finish(n, p, true, NULL);
}

/* ================================================================ the batch list */

static void list_refresh_full(struct net *n, uint64_t req);
static void list_refresh_delta(struct net *n);

/* Merge b (taken) into the delta answers: the most recently updated copy wins. */
static void got_merge(struct net *n, struct batch *b)
{
    struct batch *old = idmap_get(&n->list.got, b->id);
    if (old != NULL && old->updated_ms > b->updated_ms) {
        batch_done(b);
        return;
    }
    struct batch *copy = xmalloc(sizeof *copy);
    *copy = *b;
    memset(b, 0, sizeof *b);
    idmap_put(&n->list.got, copy->id, copy);
}

static void list_end(struct net *n)
{
    struct list_state *l = &n->list;
    l->busy = false;
    l->full_running = false;
    l->failed = false;
    net_error_done(&l->err);
    idmap_done(&l->got);
    if (l->full_wanted && l->watching) {
        l->full_wanted = false;
        list_refresh_full(n, l->req);
    }
}

static void list_full_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct list_state *l = &n->list;
    if (p->gen != l->gen)
        return;
    struct net_msg *m = msg_new(ok ? NET_MSG_LIST_FULL : NET_MSG_LIST_FAILED, p->req, NULL);
    if (ok) {
        idmap_done(&l->active);
        struct batch *items = p->items;
        for (size_t i = 0; i < p->n; i++) {
            note_newest(n, &items[i]);
            if (!batch_status_is_terminal(items[i].status)) {
                struct batch *c = xmalloc(sizeof *c);
                batch_copy_without_results(c, &items[i]);
                idmap_put(&l->active, c->id, c);
            }
        }
        m->batches = p->items;
        m->n_batches = p->n;
        p->items = NULL;
        p->n = p->cap = 0;
        l->have_full = true;
        n->updated_ms = clock_now_ms();
        n->conn = NET_CONN_ONLINE;
    } else {
        msg_fail(m, err);
    }
    msg_push(n, m);
    list_end(n);
}

static void list_refresh_full(struct net *n, uint64_t req)
{
    struct list_state *l = &n->list;
    if (l->busy) {
        if (!l->full_running) {
            l->full_wanted = true;
            l->req = req;
        }
        return; /* coalesced */
    }
    l->busy = true;
    l->full_running = true;
    l->req = req;
    struct pager *p = pager_new(PK_BATCHES, list_full_done, l->gen);
    p->req = req;
    p->f_dir = xstrdup(l->filter_dir);
    pager_start(n, p);
}

/* The delta refresh is over: deliver it, or its failure. */
static void delta_finish(struct net *n)
{
    struct list_state *l = &n->list;
    if (l->failed) {
        struct net_msg *m = msg_new(NET_MSG_LIST_FAILED, 0, NULL);
        msg_fail(m, &l->err);
        msg_push(n, m);
        list_end(n);
        return;
    }
    size_t count = idmap_count(&l->got), k = 0;
    struct net_msg *m = msg_new(NET_MSG_LIST_DELTA, 0, NULL);
    m->batches = xcalloc(count ? count : 1, sizeof *m->batches);
    size_t it = 0;
    const char *key;
    void *value;
    while (idmap_next(&l->got, &it, &key, &value)) {
        struct batch *b = value;
        note_newest(n, b);
        batch_copy_without_results(&m->batches[k++], b);
    }
    m->n_batches = k;
    /* The new active set: what was active and is still unresolved, plus every non-terminal
     * answer, minus terminal answers and batches that are gone. */
    struct idmap next;
    idmap_init(&next, batch_free_ptr);
    it = 0;
    while (idmap_next(&l->active, &it, &key, &value)) {
        if (!idmap_has(&l->got, key) && !idmap_has(&l->gone, key)) {
            struct batch *c = xmalloc(sizeof *c);
            batch_copy_without_results(c, value);
            idmap_put(&next, key, c);
        }
    }
    it = 0;
    while (idmap_next(&l->got, &it, &key, &value)) {
        struct batch *b = value;
        if (!batch_status_is_terminal(b->status)) {
            struct batch *c = xmalloc(sizeof *c);
            batch_copy_without_results(c, b);
            idmap_put(&next, key, c);
        }
    }
    idmap_done(&l->active);
    l->active = next;
    idmap_done(&l->gone);
    n->updated_ms = clock_now_ms();
    msg_push(n, m);
    list_end(n);
}

static void delta_departed(struct net *n);

static void delta_fail(struct net *n, const struct net_error *err)
{
    if (!n->list.failed) {
        n->list.failed = true;
        error_copy(&n->list.err, err);
    }
}

static void delta_list_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct list_state *l = &n->list;
    if (p->gen != l->gen)
        return;
    if (ok) {
        struct batch *items = p->items;
        for (size_t i = 0; i < p->n; i++)
            got_merge(n, &items[i]);
    } else {
        delta_fail(n, err);
    }
    if (--l->pending == 0)
        delta_departed(n);
}

struct get_ctx {
    uint64_t gen;
    char *id;
};

static void get_ctx_free(void *p)
{
    struct get_ctx *g = p;
    if (g != NULL)
        free(g->id);
    free(g);
}

static void delta_get_done(struct net *n, struct xfer *x)
{
    struct get_ctx *g = x->ctx;
    struct list_state *l = &n->list;
    if (g->gen != l->gen)
        return;
    struct net_error err = {0};
    if (xfer_ok(x)) {
        struct batch b;
        char *cause = NULL;
        if (decode_batch(x->buf, x->len, &b, &cause)) {
            seen_note(n, &b);
            got_merge(n, &b);
        } else {
            free(cause);
            if (xfer_retry_garbled(n, x))
                return;
            garbled_error(n, &err, "batch");
            delta_fail(n, &err);
            net_error_done(&err);
        }
    } else if (x->status == 404) {
        idmap_put(&l->gone, g->id, NULL);
    } else {
        conn_after_failure(n, x);
        xfer_error(n, x, &err);
        delta_fail(n, &err);
        net_error_done(&err);
    }
    if (--l->pending == 0)
        delta_departed(n);
}

static void delta_get_one(struct net *n, const char *id)
{
    struct get_ctx *g = xcalloc(1, sizeof *g);
    g->gen = n->list.gen;
    g->id = xstrdup(id);
    n->list.pending++;
    xfer_send(n, xfer_new(url_batch_get(&n->uctx, id, false), delta_get_done, g, get_ctx_free));
}

/*
 * Batches that were active and appear in no answer left the active set: learn how they ended.
 * Few: one GET each. Many: one list over their created_at range when the batches known in that
 * range fit in fewer pages than there are departed batches; anything still missing after that
 * is fetched one by one. Called whenever a stage completes with nothing pending.
 */
static void delta_departed(struct net *n)
{
    struct list_state *l = &n->list;
    if (l->failed) {
        delta_finish(n);
        return;
    }
    const char *key;
    void *value;
    size_t it = 0, n_dep = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    const char *lo_text = NULL, *hi_text = NULL;
    while (idmap_next(&l->active, &it, &key, &value)) {
        struct batch *b = value;
        if (idmap_has(&l->got, key) || idmap_has(&l->gone, key))
            continue;
        n_dep++;
        if (b->created_at != NULL && b->created_ms >= 0) {
            if (b->created_ms < lo) {
                lo = b->created_ms;
                lo_text = b->created_at;
            }
            if (b->created_ms > hi) {
                hi = b->created_ms;
                hi_text = b->created_at;
            }
        }
    }
    if (n_dep == 0) {
        delta_finish(n);
        return;
    }
    if (n_dep > DEPARTED_GET_MAX && lo_text != NULL && !l->range_tried) {
        size_t known = 0;
        for (size_t i = 0; i < n->seen.n; i++) {
            const struct seen *s = &n->seen.items[i];
            if (s->created_ms >= lo && s->created_ms <= hi)
                known++;
        }
        size_t pages = (known + PAGE_SIZE - 1) / PAGE_SIZE;
        if (pages == 0)
            pages = 1;
        if (pages < n_dep) {
            l->range_tried = true; /* a second pass goes to single GETs */
            struct pager *p = pager_new(PK_BATCHES, delta_list_done, l->gen);
            p->f_dir = xstrdup(l->filter_dir);
            p->f_after = xstrdup(lo_text);
            p->f_before = xstrdup(hi_text);
            l->pending++;
            pager_start(n, p);
            return;
        }
    }
    if (l->gets_tried) {
        delta_finish(n); /* answers that named other IDs: give up on the rest this time */
        return;
    }
    l->gets_tried = true;
    it = 0;
    while (idmap_next(&l->active, &it, &key, &value)) {
        if (!idmap_has(&l->got, key) && !idmap_has(&l->gone, key))
            delta_get_one(n, key);
    }
}

static void list_refresh_delta(struct net *n)
{
    struct list_state *l = &n->list;
    if (l->busy)
        return; /* coalesced */
    if (!l->have_full) {
        list_refresh_full(n, 0);
        return;
    }
    l->busy = true;
    l->req = 0;
    l->failed = false;
    l->range_tried = false;
    l->gets_tried = false;
    idmap_init(&l->got, batch_free_ptr);
    idmap_init(&l->gone, NULL);
    static const enum batch_status active[] = {BATCH_PENDING, BATCH_THROTTLED, BATCH_RUNNING};
    for (size_t i = 0; i < 3; i++) {
        struct pager *p = pager_new(PK_BATCHES, delta_list_done, l->gen);
        p->f_status = xstrdup(batch_status_name(active[i]));
        p->f_dir = xstrdup(l->filter_dir);
        l->pending++;
        pager_start(n, p);
    }
    struct pager *p = pager_new(PK_BATCHES, delta_list_done, l->gen);
    p->f_dir = xstrdup(l->filter_dir);
    p->f_after = xstrdup(l->newest);
    l->pending++;
    pager_start(n, p);
}

/* ================================================================ the open batch */

static void watch_round(struct net *n, uint64_t req, bool force_get);

static void watch_round_end(struct net *n)
{
    struct watch_state *w = &n->watch;
    w->busy = false;
    bool live = !w->have_batch || !batch_status_is_terminal(w->batch.status) ||
                !w->batch.has_results || w->failed;
    for (size_t i = 0; !live && i < w->batch.n_results; i++) {
        const struct batch_result *r = &w->batch.results[i];
        if (r->job_id != NULL && !idmap_has(&n->job_cache, r->job_id))
            live = true;
    }
    w->live = live;
    w->failed = false;
}

static void watch_step_done(struct net *n)
{
    if (--n->watch.pending == 0)
        watch_round_end(n);
}

/* Deliver the directory's file names once per watch: from the cache, or fetch every page. */
static void files_done(struct net *n, struct pager *p, bool ok, const struct net_error *err);

static void watch_files(struct net *n)
{
    struct watch_state *w = &n->watch;
    const char *dir = w->batch.source_directory_id;
    if (w->files_sent || dir == NULL)
        return;
    struct files_entry *e = idmap_get(&n->files_cache, dir);
    if (e != NULL) {
        struct net_msg *m = msg_new(NET_MSG_DIR_FILES, w->req, dir);
        m->files = xcalloc(e->n ? e->n : 1, sizeof *m->files);
        for (size_t i = 0; i < e->n; i++)
            dir_file_copy(&m->files[i], &e->files[i]);
        m->n_files = e->n;
        msg_push(n, m);
        w->files_sent = true;
        return;
    }
    if (n->files_loading != NULL)
        return; /* in flight; its answer is delivered to whoever watches then */
    n->files_loading = xstrdup(dir);
    struct pager *p = pager_new(PK_FILES, files_done, w->gen);
    p->id = xstrdup(dir);
    pager_start(n, p);
}

static void files_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct watch_state *w = &n->watch;
    free(n->files_loading);
    n->files_loading = NULL;
    if (ok) {
        struct files_entry *e = xcalloc(1, sizeof *e);
        e->files = p->items;
        e->n = p->n;
        p->items = NULL;
        p->n = p->cap = 0;
        idmap_put(&n->files_cache, p->id, e);
    } else if (w->id != NULL && p->gen == w->gen) {
        w->live = true; /* the next interval asks again */
        struct net_msg *m = msg_new(NET_MSG_BATCH_FAILED, 0, w->id);
        msg_fail(m, err);
        msg_push(n, m);
        return;
    }
    /* Deliver to the batch watched now (from the cache, or start its own fetch). */
    if (w->id != NULL && w->have_batch)
        watch_files(n);
}

/* One page of job statuses: deliver, and remember the terminal ones. */
static void jobs_page(struct net *n, struct pager *p, void *items, size_t count)
{
    struct watch_state *w = &n->watch;
    struct job *jobs = items;
    for (size_t i = 0; i < count; i++) {
        if (job_status_is_terminal(jobs[i].status) && jobs[i].id != NULL) {
            struct job *c = xmalloc(sizeof *c);
            job_copy(c, &jobs[i]);
            idmap_put(&n->job_cache, c->id, c);
        }
    }
    if (p->gen != w->gen || w->id == NULL || count == 0)
        return;
    struct net_msg *m = msg_new(NET_MSG_JOBS, p->req, w->id);
    m->jobs = xcalloc(count, sizeof *m->jobs);
    for (size_t i = 0; i < count; i++) {
        job_copy(&m->jobs[i], &jobs[i]);
        if (job_status_is_terminal(jobs[i].status) && jobs[i].id != NULL)
            idmap_put(&w->delivered, jobs[i].id, NULL);
    }
    m->n_jobs = count;
    msg_push(n, m);
}

static void jobs_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct watch_state *w = &n->watch;
    if (p->gen != w->gen)
        return;
    if (!ok) {
        w->failed = true;
        struct net_msg *m = msg_new(NET_MSG_BATCH_FAILED, p->req, w->id);
        msg_fail(m, err);
        msg_push(n, m);
    }
    watch_step_done(n);
}

/* Jobs of the watched batch: cached terminal ones delivered once, the rest fetched in bulk. */
static void watch_jobs(struct net *n)
{
    struct watch_state *w = &n->watch;
    struct net_msg *cached = NULL;
    char **want[2] = {NULL, NULL};
    size_t n_want[2] = {0, 0};
    struct idmap asked;
    idmap_init(&asked, NULL);
    for (size_t i = 0; i < w->batch.n_results; i++) {
        const struct batch_result *r = &w->batch.results[i];
        if (r->job_id == NULL || idmap_has(&asked, r->job_id))
            continue;
        idmap_put(&asked, r->job_id, NULL);
        struct job *j = idmap_get(&n->job_cache, r->job_id);
        if (j != NULL) {
            if (idmap_has(&w->delivered, r->job_id))
                continue;
            if (cached == NULL) {
                cached = msg_new(NET_MSG_JOBS, w->req, w->id);
                cached->jobs = xcalloc(w->batch.n_results, sizeof *cached->jobs);
            }
            job_copy(&cached->jobs[cached->n_jobs++], j);
            idmap_put(&w->delivered, r->job_id, NULL);
            continue;
        }
        int t = r->job_type == JOB_TYPE_EXTRACT ? 1 : 0;
        if (n_want[t] % 64 == 0)
            want[t] = xreallocarray(want[t], n_want[t] + 64, sizeof *want[t]);
        want[t][n_want[t]++] = r->job_id;
    }
    idmap_done(&asked);
    if (cached != NULL)
        msg_push(n, cached);
    for (int t = 0; t < 2; t++) {
        for (size_t at = 0; at < n_want[t]; at += JOB_CHUNK) {
            size_t k = n_want[t] - at < JOB_CHUNK ? n_want[t] - at : JOB_CHUNK;
            struct pager *p = pager_new(PK_JOBS, jobs_done, w->gen);
            p->job_type = t == 1 ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE;
            p->ids = xcalloc(k, sizeof *p->ids);
            for (size_t i = 0; i < k; i++)
                p->ids[i] = xstrdup(want[t][at + i]);
            p->n_ids = k;
            p->on_page = jobs_page;
            p->keep_items = false;
            p->req = w->req;
            w->pending++;
            pager_start(n, p);
        }
        free(want[t]);
    }
}

struct watch_ctx {
    uint64_t gen;
};

static void watch_get_done(struct net *n, struct xfer *x)
{
    struct watch_state *w = &n->watch;
    struct watch_ctx *c = x->ctx;
    if (c->gen != w->gen || w->id == NULL)
        return; /* a batch no longer watched */
    struct net_error err = {0};
    if (xfer_ok(x)) {
        struct batch b;
        char *cause = NULL;
        if (decode_batch(x->buf, x->len, &b, &cause)) {
            seen_note(n, &b);
            active_note(n, &b);
            batch_done(&w->batch);
            w->batch = b;
            w->have_batch = true;
            struct net_msg *m = msg_new(NET_MSG_BATCH, w->req, w->id);
            m->batches = xcalloc(1, sizeof *m->batches);
            batch_copy(&m->batches[0], &b);
            m->n_batches = 1;
            msg_push(n, m);
            watch_files(n);
            watch_jobs(n);
            watch_step_done(n);
            return;
        }
        if (xfer_retry_garbled(n, x)) {
            free(cause);
            return;
        }
        garbled_error(n, &err, cause);
        free(cause);
    } else {
        conn_after_failure(n, x);
        xfer_error(n, x, &err);
    }
    w->failed = true;
    struct net_msg *m = msg_new(NET_MSG_BATCH_FAILED, w->req, w->id);
    msg_fail(m, &err);
    net_error_done(&err);
    msg_push(n, m);
    watch_step_done(n);
}

static void watch_round(struct net *n, uint64_t req, bool force_get)
{
    struct watch_state *w = &n->watch;
    if (w->id == NULL || w->busy)
        return; /* nothing watched, or coalesced */
    w->busy = true;
    w->pending = 1; /* held by this function until everything is started */
    w->req = req;   /* 0 for a scheduled round */
    if (force_get || !w->have_batch || !batch_status_is_terminal(w->batch.status) ||
        !w->batch.has_results) {
        struct watch_ctx *c = xcalloc(1, sizeof *c);
        c->gen = w->gen;
        w->pending++;
        xfer_send(n, xfer_new(url_batch_get(&n->uctx, w->id, true), watch_get_done, c, free));
    } else {
        watch_files(n);
        watch_jobs(n);
    }
    watch_step_done(n);
}

static void watch_set(struct net *n, const char *id, uint64_t req)
{
    struct watch_state *w = &n->watch;
    w->gen++;
    free(w->id);
    w->id = NULL;
    batch_done(&w->batch);
    w->have_batch = w->busy = w->failed = w->files_sent = false;
    w->pending = 0;
    w->live = false;
    idmap_done(&w->delivered);
    w->req = req;
    if (id == NULL)
        return;
    w->id = xstrdup(id);
    w->live = true;
    watch_round(n, req, true);
}

/* ================================================================ one-shot commands */

struct req_ctx {
    uint64_t req;
    char *id;
    enum job_type type;
};

static void req_ctx_free(void *p)
{
    struct req_ctx *c = p;
    if (c != NULL)
        free(c->id);
    free(c);
}

static struct req_ctx *req_ctx_new(uint64_t req, const char *id, enum job_type type)
{
    struct req_ctx *c = xcalloc(1, sizeof *c);
    c->req = req;
    c->id = xstrdup(id);
    c->type = type;
    return c;
}

static void output_done(struct net *n, struct xfer *x)
{
    struct req_ctx *c = x->ctx;
    struct net_msg *m = msg_new(NET_MSG_OUTPUT, c->req, c->id);
    struct net_error err = {0};
    if (xfer_ok(x)) {
        struct job job;
        char *cause = NULL;
        bool ok = c->type == JOB_TYPE_EXTRACT
                      ? decode_extract_job(x->buf, x->len, &job, &m->output, &cause)
                      : decode_parse_job(x->buf, x->len, &job, &m->output, &cause);
        if (ok) {
            m->jobs = xcalloc(1, sizeof *m->jobs);
            m->jobs[0] = job; /* the job's own fields, for the File screen */
            m->n_jobs = 1;
            msg_push(n, m);
            return;
        }
        if (xfer_retry_garbled(n, x)) {
            free(cause);
            net_msg_free(m);
            return;
        }
        garbled_error(n, &err, cause);
        free(cause);
    } else {
        conn_after_failure(n, x);
        xfer_error(n, x, &err);
    }
    m->type = NET_MSG_OUTPUT_FAILED;
    msg_fail(m, &err);
    net_error_done(&err);
    msg_push(n, m);
}

static void cancel_done(struct net *n, struct xfer *x)
{
    struct req_ctx *c = x->ctx;
    struct net_msg *m = msg_new(NET_MSG_CANCELLED, c->req, c->id);
    struct net_error err = {0};
    if (xfer_ok(x)) {
        struct batch b;
        char *cause = NULL;
        if (decode_batch(x->buf, x->len, &b, &cause)) {
            seen_note(n, &b);
            active_note(n, &b);
            m->batches = xcalloc(1, sizeof *m->batches);
            m->batches[0] = b;
            m->n_batches = 1;
            msg_push(n, m);
            return;
        }
        garbled_error(n, &err, cause);
        free(cause);
    } else if (x->code == CURLE_OK && x->status == 409) {
        error_set(&err, 409, "already finished");
        m->already_finished = true;
    } else {
        conn_after_failure(n, x);
        xfer_error(n, x, &err);
    }
    msg_fail(m, &err);
    net_error_done(&err);
    msg_push(n, m);
}

static void dirs_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct net_msg *m = msg_new(NET_MSG_DIRECTORIES, p->req, NULL);
    if (ok) {
        m->directories = p->items;
        m->n_directories = p->n;
        p->items = NULL;
        p->n = p->cap = 0;
    } else {
        msg_fail(m, err);
    }
    msg_push(n, m);
}

static void configs_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct net_msg *m = msg_new(NET_MSG_CONFIGS, p->req, NULL);
    if (ok) {
        m->configs = p->items;
        m->n_configs = p->n;
        p->items = NULL;
        p->n = p->cap = 0;
    } else {
        msg_fail(m, err);
    }
    msg_push(n, m);
}

/* ================================================================ create, never resent blindly */

static void create_next(struct net *n);
static void create_send(struct net *n, struct create_job *c);
static void create_bound(struct net *n, struct create_job *c);

static void create_job_free(struct create_job *c)
{
    free(c->dir);
    free(c->cfg);
    free(c->since);
    net_error_done(&c->last_err);
    free(c);
}

/* Report the head create's outcome and start the next one. b (taken) is the batch when OK. */
static void create_finish(struct net *n, enum net_create_outcome outcome, struct batch *b,
                          const struct net_error *err)
{
    struct create_job *c = n->creates;
    struct net_msg *m = msg_new(NET_MSG_CREATED, c->req, b != NULL ? b->id : NULL);
    m->create_outcome = outcome;
    if (b != NULL) {
        seen_note(n, b);
        active_note(n, b);
        struct seen *s = seen_find(&n->seen, b->id);
        if (s != NULL)
            s->ours = true;
    }
    m->since = xstrdup(c->since);
    if (b != NULL) {
        m->batches = xcalloc(1, sizeof *m->batches);
        m->batches[0] = *b;
        memset(b, 0, sizeof *b);
        m->n_batches = 1;
    }
    if (outcome != NET_CREATE_OK) {
        m->ok = false;
        if (err != NULL)
            error_copy(&m->error, err);
        else
            error_set(&m->error, 0, "the batch was not created");
    }
    if (outcome == NET_CREATE_UNKNOWN) {
        if (n->n_finds == MAX_FIND_RECORDS) {
            free(n->finds[0].dir);
            free(n->finds[0].cfg);
            free(n->finds[0].since);
            memmove(n->finds, n->finds + 1, (MAX_FIND_RECORDS - 1) * sizeof n->finds[0]);
            n->n_finds--;
        }
        struct find_record *r = &n->finds[n->n_finds++];
        r->dir = xstrdup(c->dir);
        r->cfg = xstrdup(c->cfg);
        r->since = xstrdup(c->since);
        r->type = c->type;
        r->seq_before = c->seq_before;
    }
    msg_push(n, m);
    n->creates = c->next;
    create_job_free(c);
    n->create_busy = false;
    create_next(n);
}

static bool create_matches(struct net *n, const struct create_job *c, const struct batch *b)
{
    if (!xstreq(b->source_directory_id, c->dir) || !xstreq(b->configuration_id, c->cfg) ||
        !xstreq(b->job_type_text, job_type_name(c->type)))
        return false;
    const struct seen *s = seen_find(&n->seen, b->id);
    return s == NULL || (!s->ours && s->seq > c->seq_before);
}

static void create_found(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct create_job *c = n->creates;
    if (c == NULL || p->owner != c)
        return;
    if (!ok) {
        struct net_error e = {0};
        char *text = xasprintf("could not tell whether the batch was created (%s); look again",
                               err && err->message ? err->message : "no answer");
        e.message = text;
        create_finish(n, NET_CREATE_UNKNOWN, NULL, &e);
        net_error_done(&e);
        return;
    }
    struct batch *items = p->items, *best = NULL;
    for (size_t i = 0; i < p->n; i++) {
        if (create_matches(n, c, &items[i]) &&
            (best == NULL || (items[i].created_ms >= 0 && items[i].created_ms < best->created_ms)))
            best = &items[i];
    }
    if (best != NULL) {
        struct batch b = *best;
        memset(best, 0, sizeof *best);
        log_printf("net", "create: found %s after an unknown outcome", b.id);
        create_finish(n, NET_CREATE_OK, &b, NULL);
        return;
    }
    if (!c->find_only && c->sends < 2) {
        log_printf("net", "create: not created; sending once more");
        create_send(n, c);
        return;
    }
    struct net_error e = {0};
    e.message =
        xstrdup(c->last_err.message != NULL ? c->last_err.message : "the batch was not created");
    if (c->last_err.message != NULL) {
        free(e.message);
        e.message = xasprintf("the batch was not created (%s)", c->last_err.message);
    }
    create_finish(n, NET_CREATE_NOT_CREATED, NULL, &e);
    net_error_done(&e);
}

/* Look for the batch among those of its directory created since the bound. */
static void create_find(struct net *n, struct create_job *c)
{
    struct pager *p = pager_new(PK_BATCHES, create_found, 0);
    p->owner = c;
    p->f_dir = xstrdup(c->dir);
    p->f_after = xstrdup(c->since);
    pager_start(n, p);
}

static void create_post_done(struct net *n, struct xfer *x)
{
    struct create_job *c = x->ctx;
    if (n->creates != c)
        return;
    struct net_error err = {0};
    if (xfer_ok(x)) {
        struct batch b;
        char *cause = NULL;
        if (decode_batch(x->buf, x->len, &b, &cause)) {
            seen_note(n, &b);
            create_finish(n, NET_CREATE_OK, &b, NULL);
            return;
        }
        garbled_error(n, &err, cause);
        free(cause);
        error_move(&c->last_err, &err);
        create_find(n, c); /* outcome unknown: garbled answer */
        return;
    }
    xfer_error(n, x, &err);
    bool not_sent = x->code == CURLE_COULDNT_CONNECT || x->code == CURLE_COULDNT_RESOLVE_HOST ||
                    x->code == CURLE_COULDNT_RESOLVE_PROXY;
    if (not_sent || x->status == 429) {
        /* Provably not created: wait as the policy says, then send again. */
        struct retry_answer a = {
            .http_status = not_sent ? 0 : x->status,
            .transport_error = not_sent,
            .retry_after_ms = x->h_retry_after_ms,
            .retry_after = x->h_retry_after,
        };
        int64_t delay =
            retry_delay_ms(&a, c->attempts, MAX_CREATE_RETRIES, clock_now_ms(), jitter(n));
        if (delay >= 0) {
            c->attempts++;
            xfer_requeue(n, x, delay);
            conn_retrying(n, delay);
            net_error_done(&err);
            return;
        }
        create_finish(n, NET_CREATE_REFUSED, NULL, &err);
    } else if (x->code == CURLE_OK && x->status >= 400 && x->status < 500 && x->status != 408) {
        create_finish(n, NET_CREATE_REFUSED, NULL, &err);
    } else {
        /* Timeout, reset, 408 or 5xx after the body went out: it may exist. Look first. */
        error_move(&c->last_err, &err);
        create_find(n, c);
    }
    net_error_done(&err);
}

static void create_send(struct net *n, struct create_job *c)
{
    c->sends++;
    c->seq_before = n->seen_seq;
    create_bound(n, c);
    struct xfer *x = xfer_new(url_batch_create(&n->uctx), create_post_done, c, NULL);
    x->post = decode_create_body(c->dir, c->type, c->cfg);
    x->manual = true;
    xfer_send(n, x);
}

/* A cheap read whose only purpose is the server's Date header (the look-up bound). */
/* The look-up bound: the server's time now (from its last Date header) minus a margin. */
static void create_bound(struct net *n, struct create_job *c)
{
    int64_t server_now = n->server_ms + (clock_mono_ms() - n->server_mono);
    char since[40];
    clock_format_iso8601(server_now - CREATE_MARGIN_MS, since, sizeof since);
    xstrset(&c->since, since);
}

static void create_primed(struct net *n, struct xfer *x)
{
    struct create_job *c = x->ctx;
    if (n->creates != c)
        return;
    if (!n->have_server_time) {
        struct net_error err = {0};
        xfer_error(n, x, &err);
        create_finish(n, c->find_only ? NET_CREATE_UNKNOWN : NET_CREATE_REFUSED, NULL, &err);
        net_error_done(&err);
        return;
    }
    if (c->find_only) {
        create_bound(n, c);
        create_find(n, c);
        return;
    }
    create_send(n, c);
}

static void create_next(struct net *n)
{
    struct create_job *c = n->creates;
    if (n->create_busy || c == NULL)
        return;
    n->create_busy = true;
    if (c->find_only && c->since != NULL && c->since[0] != '\0') {
        create_find(n, c);
        return;
    }
    if (!n->have_server_time) {
        struct url_batch_filter f = {.source_directory_id = c->dir};
        struct url_ctx one = n->uctx;
        one.page_size = 1;
        xfer_send(n, xfer_new(url_batch_list(&one, &f, NULL), create_primed, c, NULL));
        return;
    }
    if (c->find_only) {
        create_bound(n, c); /* no bound given: look back from now */
        create_find(n, c);
        return;
    }
    create_send(n, c);
}

static void create_enqueue(struct net *n, const struct net_cmd *cmd, bool find_only)
{
    struct create_job *c = xcalloc(1, sizeof *c);
    c->req = cmd->req;
    c->find_only = find_only;
    c->dir = xstrdup(cmd->source_directory_id);
    c->cfg = xstrdup(cmd->configuration_id);
    c->type = cmd->job_type;
    if (find_only) {
        c->since = xstrdup(cmd->since);
        for (size_t i = 0; i < n->n_finds; i++) {
            struct find_record *r = &n->finds[i];
            if (xstreq(r->dir, c->dir) && xstreq(r->cfg, c->cfg) && r->type == c->type &&
                xstreq(r->since, c->since))
                c->seq_before = r->seq_before;
        }
    }
    struct create_job **pp = &n->creates;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = c;
    create_next(n);
}

/* ================================================================ commands and schedule */

static void refresh_due(struct net *n)
{
    if (n->list.watching)
        list_refresh_delta(n);
    if (n->watch.id != NULL && n->watch.live)
        watch_round(n, 0, false);
}

static bool schedule_wanted(const struct net *n)
{
    return !n->paused && (n->list.watching || n->watch.id != NULL);
}

static void schedule_from_now(struct net *n)
{
    n->next_refresh = clock_mono_ms() + n->refresh_ms;
}

/* An ID that cannot be put in a path. */
static bool bad_id(struct net *n, const struct net_cmd *cmd, enum net_msg_type type)
{
    if (cmd->id != NULL && cmd->id[0] != '\0')
        return false;
    struct net_msg *m = msg_new(type, cmd->req, cmd->id);
    m->ok = false;
    m->error.message = xstrdup("no ID given");
    msg_push(n, m);
    return true;
}

static void handle(struct net *n, struct net_cmd *cmd)
{
    switch (cmd->type) {
    case NET_CMD_WATCH_LIST:
        n->list.gen++;
        n->list.watching = true;
        n->list.have_full = false;
        n->list.busy = false;
        n->list.full_running = false;
        n->list.full_wanted = false;
        n->list.pending = 0;
        idmap_done(&n->list.got);
        idmap_done(&n->list.gone);
        idmap_done(&n->list.active);
        xstrset(&n->list.filter_dir, cmd->source_directory_id);
        free(n->list.newest);
        n->list.newest = NULL;
        n->list.newest_ms = -1;
        list_refresh_full(n, cmd->req);
        schedule_from_now(n);
        break;
    case NET_CMD_REFRESH:
        if (n->list.watching)
            list_refresh_full(n, cmd->req);
        if (n->watch.id != NULL)
            watch_round(n, cmd->req, true);
        schedule_from_now(n);
        break;
    case NET_CMD_PAUSE:
        n->paused = true;
        break;
    case NET_CMD_RESUME:
        if (n->paused) {
            n->paused = false;
            n->next_refresh = clock_mono_ms(); /* catch up at once */
        }
        break;
    case NET_CMD_SET_INTERVAL: {
        int s = cmd->interval_s < 2 ? 2 : cmd->interval_s;
        n->refresh_ms = s * 1000;
        schedule_from_now(n);
        break;
    }
    case NET_CMD_WATCH_BATCH:
        watch_set(n, cmd->id != NULL && cmd->id[0] != '\0' ? cmd->id : NULL, cmd->req);
        if (n->next_refresh == 0)
            schedule_from_now(n);
        break;
    case NET_CMD_FETCH_OUTPUT:
        if (bad_id(n, cmd, NET_MSG_OUTPUT_FAILED))
            break;
        xfer_send(n, xfer_new(url_job_get(&n->uctx, cmd->job_type, cmd->id), output_done,
                              req_ctx_new(cmd->req, cmd->id, cmd->job_type), req_ctx_free));
        break;
    case NET_CMD_CREATE:
        create_enqueue(n, cmd, false);
        break;
    case NET_CMD_FIND_CREATED:
        create_enqueue(n, cmd, true);
        break;
    case NET_CMD_CANCEL: {
        if (bad_id(n, cmd, NET_MSG_CANCELLED))
            break;
        struct xfer *x = xfer_new(url_batch_cancel(&n->uctx, cmd->id), cancel_done,
                                  req_ctx_new(cmd->req, cmd->id, JOB_TYPE_UNKNOWN), req_ctx_free);
        x->post = xstrdup("");
        x->no_retry_409 = true;
        xfer_send(n, x);
        break;
    }
    case NET_CMD_LIST_DIRECTORIES: {
        struct pager *p = pager_new(PK_DIRS, dirs_done, 0);
        p->req = cmd->req;
        pager_start(n, p);
        break;
    }
    case NET_CMD_LIST_CONFIGS: {
        struct pager *p = pager_new(PK_CONFIGS, configs_done, 0);
        p->req = cmd->req;
        if (cmd->job_type != JOB_TYPE_UNKNOWN)
            p->id = xstrdup(job_type_name(cmd->job_type));
        pager_start(n, p);
        break;
    }
    }
}

/* ================================================================ the thread */

static void take_commands(struct net *n)
{
    pthread_mutex_lock(&n->lock);
    struct net_cmd **cmds = n->cmds;
    size_t count = n->n_cmds;
    n->cmds = NULL;
    n->n_cmds = n->cap_cmds = 0;
    pthread_mutex_unlock(&n->lock);
    for (size_t i = 0; i < count; i++) {
        if (!atomic_load(&n->stop))
            handle(n, cmds[i]);
        net_cmd_free(cmds[i]);
    }
    free(cmds);
}

/* A retry that nobody needs any more: its list or batch is no longer the one watched. */
static bool xfer_stale(const struct net *n, const struct xfer *x)
{
    if (x->done == watch_get_done)
        return ((const struct watch_ctx *)x->ctx)->gen != n->watch.gen;
    if (x->done == delta_get_done)
        return ((const struct get_ctx *)x->ctx)->gen != n->list.gen;
    if (x->done == pager_page_done) {
        const struct pager *p = x->ctx;
        if (p->finish == jobs_done)
            return p->gen != n->watch.gen;
        if (p->finish == list_full_done || p->finish == delta_list_done)
            return p->gen != n->list.gen;
    }
    return false;
}

static void start_due(struct net *n, int64_t now)
{
    struct xfer **pp = &n->waiting;
    struct xfer *due = NULL;
    while (*pp != NULL) {
        struct xfer *x = *pp;
        if (x->due <= now) {
            *pp = x->next;
            x->next = due;
            due = x;
        } else {
            pp = &x->next;
        }
    }
    while (due != NULL) {
        struct xfer *x = due;
        due = x->next;
        x->requeued = false;
        if (xfer_stale(n, x))
            xfer_free(x);
        else
            xfer_send(n, x);
    }
}

static int poll_timeout(struct net *n, int64_t now)
{
    int64_t wake = now + IDLE_POLL_MS;
    for (struct xfer *x = n->waiting; x != NULL; x = x->next)
        if (x->due < wake)
            wake = x->due;
    if (schedule_wanted(n) && n->next_refresh != 0 && n->next_refresh < wake)
        wake = n->next_refresh;
    int64_t t = wake - now;
    return t < 0 ? 0 : (int)t;
}

static void *thread_main(void *arg)
{
    struct net *n = arg;
    while (!atomic_load(&n->stop)) {
        take_commands(n);
        int64_t now = clock_mono_ms();
        start_due(n, now);
        if (schedule_wanted(n) && n->next_refresh != 0 && now >= n->next_refresh) {
            n->next_refresh = now + n->refresh_ms;
            refresh_due(n);
        }
        for (int round = 0; round < 64 && !atomic_load(&n->stop); round++) {
            int running = 0, left = 0, finished = 0;
            curl_multi_perform(n->multi, &running);
            CURLMsg *cm;
            while ((cm = curl_multi_info_read(n->multi, &left)) != NULL) {
                if (cm->msg == CURLMSG_DONE) {
                    complete(n, cm->easy_handle, cm->data.result);
                    finished++;
                }
            }
            if (finished == 0)
                break; /* new requests started by completions went out with perform */
        }
        if (atomic_load(&n->stop))
            break;
        curl_multi_poll(n->multi, NULL, 0, poll_timeout(n, clock_mono_ms()), NULL);
    }
    /* Cancel everything in flight: remove -> easy cleanup; the multi goes in net_stop. */
    while (n->active != NULL) {
        struct xfer *x = n->active;
        n->active = x->next;
        curl_multi_remove_handle(n->multi, x->easy);
        curl_easy_cleanup(x->easy);
        x->easy = NULL;
        xfer_free(x);
    }
    while (n->waiting != NULL) {
        struct xfer *x = n->waiting;
        n->waiting = x->next;
        xfer_free(x);
    }
    while (n->n_spare_easy > 0)
        curl_easy_cleanup(n->spare_easy[--n->n_spare_easy]);
    return NULL;
}

/* ================================================================ public API */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Authorization, JSON and the custom header lines; NULL and *cause on a bad line. */
static struct curl_slist *build_headers(const struct net_config *cfg, char **cause)
{
    struct curl_slist *h = NULL;
    char *auth = xasprintf("Authorization: Bearer %s", cfg->api_key ? cfg->api_key : "");
    h = curl_slist_append(h, auth);
    free(auth);
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    const char *p = cfg->custom_headers;
    while (p != NULL && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = xstrndup(p, len);
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
            line[--l] = '\0';
        bool blank = l == 0;
        const char *colon = strchr(line, ':');
        bool bad = !blank && (colon == NULL || colon == line);
        for (const char *q = line; !bad && *q; q++)
            if ((unsigned char)*q < 0x20 && *q != '\t')
                bad = true;
        for (const char *q = line; !bad && colon && q < colon; q++)
            if (*q == ' ' || *q == '\t')
                bad = true;
        if (bad) {
            if (cause != NULL)
                *cause = xstrdup("LLAMA_CLOUD_CUSTOM_HEADERS: each line must be \"Name: value\"");
            free(line);
            curl_slist_free_all(h);
            return NULL;
        }
        if (!blank)
            h = curl_slist_append(h, line);
        free(line);
        p = eol ? eol + 1 : p + len;
    }
    if (h == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    return h;
}

struct net *net_start(const struct net_config *cfg, char **cause)
{
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK) {
        if (cause != NULL)
            *cause = xstrdup("libcurl could not be initialised");
        return NULL;
    }
    if (cfg == NULL || cfg->base_url == NULL || cfg->base_url[0] == '\0') {
        if (cause != NULL)
            *cause = xstrdup("no base URL");
        return NULL;
    }
    struct curl_slist *headers = build_headers(cfg, cause);
    if (headers == NULL)
        return NULL;
    struct net *n = xcalloc(1, sizeof *n);
    n->headers = headers;
    n->base_url = xstrdup(cfg->base_url);
    n->api_key = xstrdup(cfg->api_key);
    n->project_id = xstrdup(cfg->project_id);
    n->organization_id = xstrdup(cfg->organization_id);
    n->custom_headers = xstrdup(cfg->custom_headers);
    int s = cfg->refresh_s < 2 ? 2 : cfg->refresh_s;
    n->refresh_ms = cfg->refresh_ms_for_tests > 0 ? cfg->refresh_ms_for_tests : s * 1000;
    n->uctx.base_url = n->base_url;
    n->uctx.project_id = n->project_id;
    n->uctx.organization_id = n->organization_id;
    n->uctx.page_size = PAGE_SIZE;
    n->conn = NET_CONN_CONNECTING;
    n->rand_state = (unsigned)clock_mono_ms() ^ (unsigned)(uintptr_t)n;
    n->list.newest_ms = -1;
    idmap_init(&n->files_cache, files_free_ptr);
    idmap_init(&n->job_cache, job_free_ptr);
    idmap_init(&n->list.got, batch_free_ptr);
    idmap_init(&n->list.active, batch_free_ptr);
    idmap_init(&n->list.gone, NULL);
    idmap_init(&n->watch.delivered, NULL);
    pthread_mutex_init(&n->lock, NULL);
    log_set_secret(cfg->api_key);

    int fds[2];
    if (pipe(fds) != 0) {
        if (cause != NULL)
            *cause = xasprintf("pipe: %s", strerror(errno));
        goto fail;
    }
    n->pipe_rd = fds[0];
    n->pipe_wr = fds[1];
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    n->multi = curl_multi_init();
    if (n->multi == NULL) {
        if (cause != NULL)
            *cause = xstrdup("curl_multi_init failed");
        goto fail;
    }
    curl_multi_setopt(n->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);

    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&n->thread, NULL, thread_main, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        if (cause != NULL)
            *cause = xasprintf("cannot start the network thread: %s", strerror(rc));
        goto fail;
    }
    return n;
fail:
    if (n->multi != NULL)
        curl_multi_cleanup(n->multi);
    if (n->pipe_rd > 0) {
        close(n->pipe_rd);
        close(n->pipe_wr);
    }
    curl_slist_free_all(n->headers);
    free(n->base_url);
    free(n->api_key);
    free(n->project_id);
    free(n->organization_id);
    free(n->custom_headers);
    seen_free(&n->seen);
    idmap_done(&n->files_cache);
    idmap_done(&n->job_cache);
    pthread_mutex_destroy(&n->lock);
    free(n);
    return NULL;
}

uint64_t net_submit(struct net *n, struct net_cmd *cmd)
{
    if (cmd == NULL)
        return 0;
    pthread_mutex_lock(&n->lock);
    uint64_t req = ++n->next_req;
    cmd->req = req;
    if (n->n_cmds == n->cap_cmds) {
        n->cap_cmds = n->cap_cmds ? n->cap_cmds * 2 : 16;
        n->cmds = xreallocarray(n->cmds, n->cap_cmds, sizeof *n->cmds);
    }
    n->cmds[n->n_cmds++] = cmd;
    pthread_mutex_unlock(&n->lock);
    curl_multi_wakeup(n->multi);
    return req;
}

int net_fd(const struct net *n)
{
    return n->pipe_rd;
}

struct net_msg *net_take_messages(struct net *n)
{
    pthread_mutex_lock(&n->lock);
    struct net_msg *head = n->msg_head;
    n->msg_head = n->msg_tail = NULL;
    char drain[64];
    while (read(n->pipe_rd, drain, sizeof drain) > 0) {
    }
    pthread_mutex_unlock(&n->lock);
    return head;
}

void net_stop(struct net *n)
{
    if (n == NULL)
        return;
    atomic_store(&n->stop, true);
    curl_multi_wakeup(n->multi);
    pthread_join(n->thread, NULL);
    curl_multi_cleanup(n->multi);
    curl_slist_free_all(n->headers);

    for (size_t i = 0; i < n->n_cmds; i++)
        net_cmd_free(n->cmds[i]);
    free(n->cmds);
    while (n->msg_head != NULL) {
        struct net_msg *m = n->msg_head;
        n->msg_head = m->next;
        net_msg_free(m);
    }
    close(n->pipe_rd);
    close(n->pipe_wr);

    struct list_state *l = &n->list;
    idmap_done(&l->got);
    idmap_done(&l->active);
    idmap_done(&l->gone);
    net_error_done(&l->err);
    free(l->filter_dir);
    free(l->newest);
    struct watch_state *w = &n->watch;
    free(w->id);
    batch_done(&w->batch);
    idmap_done(&w->delivered);
    while (n->creates != NULL) {
        struct create_job *c = n->creates;
        n->creates = c->next;
        create_job_free(c);
    }
    for (size_t i = 0; i < n->n_finds; i++) {
        free(n->finds[i].dir);
        free(n->finds[i].cfg);
        free(n->finds[i].since);
    }
    seen_free(&n->seen);
    idmap_done(&n->files_cache);
    idmap_done(&n->job_cache);
    free(n->files_loading);
    free(n->sends);
    free(n->base_url);
    free(n->api_key);
    free(n->project_id);
    free(n->organization_id);
    free(n->custom_headers);
    pthread_mutex_destroy(&n->lock);
    free(n);
}
