/* watch.c -- the open batch watcher: the batch with results, its file names, bulk job statuses. */
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

void files_free_ptr(void *p)
{
    struct files_entry *e = p;
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n; i++)
        dir_file_done(&e->files[i]);
    free(e->files);
    net_error_done(&e->gone);
    free(e);
}


#define USAGE_PER_ROUND 32 /* usage requests started per round (each is one job) */
#define USAGE_MAX_ASKS 30  /* asks per job while billing has not recorded it */

/* Whether a finished job's credits are still worth asking for: the lists carry no usage, so a
 * terminal job gets one GET ?expand=usage, again each round while its credits are null (not
 * billed yet), never when the server sends no usage at all. */
static bool usage_wanted(const struct net *n, const char *job_id)
{
    const struct watch_state *w = &n->watch;
    const struct cached_job *j = strmap_get(&n->job_cache, job_id);
    size_t asks = 0;
    if (j == NULL || j->has_credits || w->usage_absent || n->no_usage)
        return false;
    strmap_get_index(&w->usage_asks, job_id, &asks);
    return asks < USAGE_MAX_ASKS;
}

static void watch_round_end(struct net *n)
{
    struct watch_state *w = &n->watch;
    w->busy = false;
    bool live = !w->have_batch || !batch_status_is_terminal(w->batch.status) ||
                !w->batch.has_results || w->failed;
    for (size_t i = 0; !live && i < w->batch.n_results; i++) {
        const struct batch_result *r = &w->batch.results[i];
        if (r->job_id != NULL &&
            (!strmap_has(&n->job_cache, r->job_id) || usage_wanted(n, r->job_id)))
            live = true;
    }
    w->live = live;
    if (w->id != NULL) {
        struct net_msg *m = msg_new(NET_MSG_WATCH_ROUND, w->req, w->id);
        m->ok = !w->failed;
        msg_push(n, m);
    }
    w->failed = false;
}

static void watch_step_done(struct net *n)
{
    if (--n->watch.pending == 0)
        watch_round_end(n);
}

/* Keep of each file only what the UI and a resubmit read (ID, name, underlying file, deleted):
 * 100,000 files' directory IDs, unique IDs and times were ~20 MB more in the message. Done
 * page by page as they come: 400,000 small frees at once at the end left glibc 60-85 ms of
 * fastbins to consolidate at the next big allocation, on either thread (one arena). */
static void files_slim(struct dir_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct dir_file *f = &files[i];
        free(f->directory_id);
        free(f->unique_id);
        free(f->created_at);
        free(f->updated_at);
        f->directory_id = f->unique_id = f->created_at = f->updated_at = NULL;
    }
}

static void files_page(struct net *n, struct pager *p, void *items, size_t count)
{
    (void)n;
    (void)p;
    files_slim(items, count);
}

/* Deliver the directory's file names once per watch: from the cache, or fetch every page. */
static void files_done(struct net *n, struct pager *p, bool ok, const struct net_error *err);

static void watch_files(struct net *n)
{
    struct watch_state *w = &n->watch;
    const char *dir = w->batch.source_directory_id;
    if (w->files_sent || dir == NULL)
        return;
    struct files_entry *e = strmap_get(&n->files_cache, dir);
    if (e != NULL && e->gone.http_status != 0) {
        struct net_msg *m = msg_new(NET_MSG_DIR_FILES, w->req, dir);
        msg_fail(m, &e->gone);
        msg_push(n, m);
        w->files_sent = true;
        return;
    }
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
    p->on_page = files_page;
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
        strmap_put(&n->files_cache, p->id, e);
    } else if (err != NULL && err->http_status == 404) {
        /* The directory expired or was deleted: the batch is still worth showing, so say it
         * once and do not ask again on every interval. */
        struct files_entry *e = xcalloc(1, sizeof *e);
        e->gone.http_status = 404;
        e->gone.message = xstrdup(err->message);
        strmap_put(&n->files_cache, p->id, e);
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

size_t jobs_keep_asked(const struct pager *p, struct job *jobs, size_t count)
{
    /* only the jobs asked for: a server may answer a job_ids list with others, and neither the
     * cache nor the UI keeps what nobody asked for */
    struct strmap asked;
    strmap_init(&asked, NULL);
    for (size_t i = 0; i < p->n_ids; i++)
        strmap_put(&asked, p->ids[i], NULL);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (jobs[i].id == NULL || !strmap_has(&asked, jobs[i].id)) {
            job_done(&jobs[i]);
            continue;
        }
        strmap_remove(&asked, jobs[i].id); /* twice in one answer: the first counts */
        if (kept != i)
            jobs[kept] = jobs[i];
        if (kept != i)
            memset(&jobs[i], 0, sizeof jobs[i]);
        kept++;
    }
    strmap_done(&asked);
    if (kept < count)
        log_printf("net", "jobs: %zu item(s) not asked for were dropped", count - kept);
    return kept;
}

struct pager *jobs_pager_new(enum job_type type, char *const *ids, size_t k, page_fn *on_page,
                             pager_fn *finish, uint64_t gen, uint64_t req)
{
    struct pager *p = pager_new(PK_JOBS, finish, gen);
    p->job_type = type;
    p->ids = xcalloc(k ? k : 1, sizeof *p->ids);
    for (size_t i = 0; i < k; i++)
        p->ids[i] = xstrdup(ids[i]);
    p->n_ids = k;
    p->on_page = on_page;
    p->keep_items = false;
    p->req = req;
    return p;
}

/* One page of job statuses: deliver, and remember the terminal ones. */
static void jobs_page(struct net *n, struct pager *p, void *items, size_t count)
{
    struct watch_state *w = &n->watch;
    struct job *jobs = items;
    count = jobs_keep_asked(p, jobs, count);
    for (size_t i = 0; i < count; i++) {
        /* final once terminal and billed (or sent without usage): an unbilled one is asked
         * again, so its credits show when billing records them */
        if (job_status_is_terminal(jobs[i].status) && jobs[i].id != NULL && !jobs[i].unbilled) {
            struct cached_job *c = cached_job_new(&jobs[i]);
            if (p->gen == w->gen && w->id != NULL)
                c->delivered_gen = w->gen; /* sent just below */
            strmap_put(&n->job_cache, jobs[i].id, c);
        }
    }
    if (p->gen != w->gen || w->id == NULL || count == 0)
        return;
    /* the page's jobs themselves go to the UI (the pager frees only the array), without what
     * the Batch screen does not show of them: a queue of 100,000 statuses waiting for a busy
     * UI held ~16 MB of names, tiers and times (issue 14) */
    struct net_msg *m = msg_new(NET_MSG_JOBS, p->req, w->id);
    m->jobs = xcalloc(count, sizeof *m->jobs);
    memcpy(m->jobs, jobs, count * sizeof *jobs);
    memset(jobs, 0, count * sizeof *jobs);
    for (size_t i = 0; i < count; i++) {
        struct job *j = &m->jobs[i];
        free(j->name);
        free(j->tier);
        free(j->created_at);
        free(j->updated_at);
        j->name = j->tier = j->created_at = j->updated_at = NULL;
        j->created_ms = j->updated_ms = -1;
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

struct usage_ctx {
    uint64_t gen;
    char *id;
    enum job_type type;
};

static void usage_ctx_free(void *p)
{
    struct usage_ctx *c = p;
    free(c->id);
    free(c);
}

static void usage_done(struct net *n, struct xfer *x)
{
    struct watch_state *w = &n->watch;
    struct usage_ctx *c = x->ctx;
    if (c->gen != w->gen || w->id == NULL)
        return;
    struct job j;
    struct job_output out;
    char *cause = NULL;
    bool ok = xfer_ok(x) &&
              (c->type == JOB_TYPE_EXTRACT ? decode_extract_job(x->buf, x->len, &j, &out, &cause)
                                           : decode_parse_job(x->buf, x->len, &j, &out, &cause));
    free(cause);
    if (ok) {
        job_output_done(&out);
        if (!j.has_credits && !j.unbilled)
            w->usage_absent = true; /* this server does not report usage */
        struct cached_job *cached = strmap_get(&n->job_cache, c->id);
        if (j.has_credits && cached != NULL) {
            cached->has_credits = true;
            cached->credits = j.credits;
            cached->has_pages = j.has_pages;
            cached->pages_billed = j.pages_billed;
            struct net_msg *m = msg_new(NET_MSG_JOBS, w->req, w->id);
            m->jobs = xcalloc(1, sizeof *m->jobs);
            cached_job_to_job(&m->jobs[0], c->id, cached);
            m->n_jobs = 1;
            msg_push(n, m);
        }
        job_done(&j);
    } else if (!xfer_ok(x)) {
        conn_after_failure(n, x);
    }
    /* a failed ask counts as an ask: the next round tries again, up to the limit */
    watch_step_done(n);
}

/* Usage of the watched batch's finished jobs that are not billed yet, a few per round. */
static void watch_usage(struct net *n)
{
    struct watch_state *w = &n->watch;
    size_t started = 0;
    for (size_t i = 0; i < w->batch.n_results && started < USAGE_PER_ROUND; i++) {
        const struct batch_result *r = &w->batch.results[i];
        if (r->job_id == NULL || !usage_wanted(n, r->job_id))
            continue;
        size_t asks = 0;
        strmap_get_index(&w->usage_asks, r->job_id, &asks);
        strmap_put_index(&w->usage_asks, r->job_id, asks + 1);
        struct usage_ctx *c = xcalloc(1, sizeof *c);
        c->gen = w->gen;
        c->id = xstrdup(r->job_id);
        c->type = r->job_type == JOB_TYPE_EXTRACT ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE;
        w->pending++;
        started++;
        xfer_send(n, xfer_new(url_job_usage(&n->uctx, c->type, c->id), usage_done, c,
                              usage_ctx_free));
    }
}

/* Jobs of the watched batch: cached terminal ones delivered once, the rest fetched in bulk. */
static void watch_jobs(struct net *n)
{
    struct watch_state *w = &n->watch;
    struct net_msg *cached = NULL;
    char **want[2] = {NULL, NULL};
    size_t n_want[2] = {0, 0};
    struct strmap asked;
    strmap_init(&asked, NULL);
    for (size_t i = 0; i < w->batch.n_results; i++) {
        const struct batch_result *r = &w->batch.results[i];
        if (r->job_id == NULL || strmap_has(&asked, r->job_id))
            continue;
        strmap_put(&asked, r->job_id, NULL);
        struct cached_job *j = strmap_get(&n->job_cache, r->job_id);
        if (j != NULL) {
            if (j->delivered_gen == w->gen)
                continue;
            if (cached == NULL) {
                cached = msg_new(NET_MSG_JOBS, w->req, w->id);
                cached->jobs = xcalloc(w->batch.n_results, sizeof *cached->jobs);
            }
            cached_job_to_job(&cached->jobs[cached->n_jobs++], r->job_id, j);
            j->delivered_gen = w->gen;
            continue;
        }
        int t = r->job_type == JOB_TYPE_EXTRACT ? 1 : 0;
        if (n_want[t] % 64 == 0)
            want[t] = xreallocarray(want[t], n_want[t] + 64, sizeof *want[t]);
        want[t][n_want[t]++] = r->job_id;
    }
    strmap_done(&asked);
    if (cached != NULL)
        msg_push(n, cached);
    for (int t = 0; t < 2; t++) {
        for (size_t at = 0; at < n_want[t]; at += JOB_CHUNK) {
            size_t k = n_want[t] - at < JOB_CHUNK ? n_want[t] - at : JOB_CHUNK;
            struct pager *p =
                jobs_pager_new(t == 1 ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE, want[t] + at, k,
                               jobs_page, jobs_done, w->gen, w->req);
            w->pending++;
            pager_start(n, p);
        }
        free(want[t]);
    }
    watch_usage(n);
}

struct watch_ctx {
    uint64_t gen;
};

/* Whether b's results are those of a, the answer before it (what the UI's detail compares
 * too): then they need not cross to the UI again. A batch of 100,000 files is answered every
 * interval, and comparing there would cost the UI thread tens of milliseconds (issue 14). */
static bool same_results(const struct batch *a, const struct batch *b)
{
    if (!a->has_results || !b->has_results || a->n_results != b->n_results)
        return false;
    for (size_t i = 0; i < b->n_results; i++) {
        const struct batch_result *x = &a->results[i], *y = &b->results[i];
        if (!xstreq(x->file_id, y->file_id) || !xstreq(x->job_id, y->job_id) ||
            !xstreq(x->error_message, y->error_message) || x->job_type != y->job_type ||
            !xstreq(x->job_type_text, y->job_type_text))
            return false;
    }
    return true;
}

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
        if (xfer_decode_batch(x, &b, &cause)) {
            seen_note(n, &b);
            active_note(n, &b);
            if (w->have_batch && !batch_status_is_terminal(w->batch.status) &&
                batch_status_is_terminal(b.status) && b.source_directory_id != NULL) {
                /* The batch ended: its files' names once more, since some may have been
                 * deleted from the directory during the run. */
                strmap_remove(&n->files_cache, b.source_directory_id);
                w->files_sent = false;
            }
            bool same = w->have_batch && same_results(&w->batch, &b);
            batch_done(&w->batch);
            w->batch = b;
            w->have_batch = true;
            struct net_msg *m = msg_new(NET_MSG_BATCH, w->req, w->id);
            m->batches = xcalloc(1, sizeof *m->batches);
            if (same)
                batch_copy_without_results(&m->batches[0], &b);
            else
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

void watch_round(struct net *n, uint64_t req, bool force_get)
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
        struct xfer *x = xfer_new(url_batch_get(&n->uctx, w->id, true), watch_get_done, c, free);
        x->stream_batch = true; /* up to 100,000 results: never one tree (decode.h) */
        xfer_send(n, x);
    } else {
        watch_files(n);
        watch_jobs(n);
    }
    watch_step_done(n);
}

void watch_set(struct net *n, const char *id, uint64_t req)
{
    struct watch_state *w = &n->watch;
    w->gen++;
    free(w->id);
    w->id = NULL;
    batch_done(&w->batch);
    w->have_batch = w->busy = w->failed = w->files_sent = false;
    w->pending = 0;
    w->live = false;
    strmap_done(&w->usage_asks);
    w->usage_absent = false;
    w->req = req;
    if (id == NULL)
        return;
    w->id = xstrdup(id);
    w->live = true;
    watch_round(n, req, true);
}

/* Whether x is a request for a batch no longer watched (its retry is not needed any more). */
bool watch_xfer_stale(const struct net *n, const struct xfer *x)
{
    if (x->done == watch_get_done)
        return ((const struct watch_ctx *)x->ctx)->gen != n->watch.gen;
    if (x->done == usage_done)
        return ((const struct usage_ctx *)x->ctx)->gen != n->watch.gen;
    if (x->done == pager_page_done) {
        const struct pager *p = x->ctx;
        if (p->finish == jobs_done)
            return p->gen != n->watch.gen;
    }
    return false;
}
