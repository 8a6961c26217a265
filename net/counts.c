/* counts.c -- the list's counts for the rows in view: results and bulk job statuses, on a budget.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model/counts.h"
#include "model/xalloc.h"
#include "net/decode.h"
#include "net/internal.h"
#include "net/log.h"
#include "net/url.h"

/*
 * The budget (DESIGN.md "Refresh policy", net.h): at most COUNTS_BUDGET requests are started
 * for counts in one refresh interval, and at most COUNTS_BUSY_MAX batches are fetched at once,
 * each with one request in flight at a time (its GET ?expand=results, then its job statuses
 * JOB_CHUNK at a time) -- so counts hold at most 4 of the 8 connections to the host and the
 * list and batch refreshes never wait behind them. The budget is checked before a batch is
 * begun; a batch begun is finished (a 1,000-file batch may take 11 requests). Wanted batches
 * are begun in the UI's order (active first): one never counted as soon as the budget allows,
 * one counted already (still running, or its jobs are) again every COUNTS_AGAIN intervals, so
 * a screen of running batches costs a third of the requests an interval would (the open batch
 * stays live every interval on its own). One not reached in its interval is reached in the
 * next. A batch whose counts are final
 * is never fetched again in this session (and the UI does not ask: the snapshot keeps them).
 */
#define COUNTS_BUDGET 48 /* requests per refresh interval */
#define COUNTS_AGAIN                                                                              \
    3                     /* a batch counted already is counted again after this many intervals   \
                             (its counts are not final: it runs, or its jobs do) */
#define COUNTS_BUSY_MAX 4 /* batches fetched at once (one request in flight each) */

struct counts_entry {
    char *id;
    bool busy;
    uint64_t round;     /* the round it was last begun in; 0: never */
    struct batch batch; /* the answer being counted (with results), while busy */
    struct strmap jobs; /* job ID -> enum job_status, every status learnt so far */
    char **todo[2];     /* job IDs to ask for, parse [0] and extract [1] (borrowed from batch) */
    size_t n_todo[2], at[2];
};

static void entry_reset(struct counts_entry *e)
{
    batch_done(&e->batch);
    for (int t = 0; t < 2; t++) {
        free(e->todo[t]);
        e->todo[t] = NULL;
        e->n_todo[t] = e->at[t] = 0;
    }
}

static void entry_free(void *p)
{
    struct counts_entry *e = p;
    if (e == NULL)
        return;
    entry_reset(e);
    strmap_done(&e->jobs);
    free(e->id);
    free(e);
}

void counts_init(struct net *n)
{
    struct counts_state *c = &n->counts;
    strmap_init(&c->entries, entry_free);
    strmap_init(&c->final, NULL);
    c->round = 1;
}

void counts_free(struct net *n)
{
    struct counts_state *c = &n->counts;
    for (size_t i = 0; i < c->n_want; i++)
        free(c->want[i]);
    free(c->want);
    c->want = NULL;
    c->n_want = 0;
    strmap_done(&c->entries);
    strmap_done(&c->final);
}

bool counts_wanted(const struct net *n)
{
    return n->counts.n_want > 0;
}

static bool is_wanted(const struct counts_state *c, const char *id)
{
    for (size_t i = 0; i < c->n_want; i++)
        if (strcmp(c->want[i], id) == 0)
            return true;
    return false;
}

/* Not fetched here: final already, or the open batch (the watcher's answers are on their
 * way, and a second fetch would only spend the budget). */
static bool skipped(const struct net *n, const char *id)
{
    return strmap_has(&n->counts.final, id) ||
           (n->watch.id != NULL && strcmp(n->watch.id, id) == 0);
}

/* Entries neither wanted nor busy go: memory stays bounded by the rows on screen. */
static void prune(struct net *n)
{
    struct counts_state *c = &n->counts;
    struct strmap_entry *it = strmap_first(&c->entries), *next;
    for (; it != NULL; it = next) {
        next = strmap_next(it);
        const struct counts_entry *e = strmap_value(it);
        if (!e->busy && !is_wanted(c, e->id))
            strmap_remove(&c->entries, e->id);
    }
}

/* The status of a job as far as this batch's fetches (or the open batch's cache) know. */
static enum job_status status_of(void *ctx, const char *job_id)
{
    void **pair = ctx;
    struct net *n = pair[0];
    struct counts_entry *e = pair[1];
    size_t st;
    if (strmap_get_index(&e->jobs, job_id, &st))
        return (enum job_status)st;
    const struct cached_job *j = strmap_get(&n->job_cache, job_id);
    return j != NULL ? (enum job_status)j->status : JOB_UNKNOWN;
}

/* The fetch of e ended (counted, or failed: then the next interval tries again). */
static void entry_end(struct net *n, struct counts_entry *e)
{
    struct counts_state *c = &n->counts;
    e->busy = false;
    c->busy--;
    entry_reset(e);
    if (!is_wanted(c, e->id))
        strmap_remove(&c->entries, e->id);
    counts_pump(n);
}

static void deliver(struct net *n, struct counts_entry *e)
{
    struct counts_state *c = &n->counts;
    void *pair[2] = {n, e};
    struct net_msg *m = msg_new(NET_MSG_COUNTS, 0, e->id);
    batch_counts_compute(&e->batch, status_of, pair, &m->counts);
    if (m->counts.final) {
        strmap_put(&c->final, e->id, NULL);
        log_printf("net", "counts of %s are final: %ld/%ld, %ld failed", e->id, m->counts.done,
                   m->counts.total, m->counts.failed);
    }
    bool final = m->counts.final;
    msg_push(n, m);
    if (final) {
        struct counts_entry *keep = e;
        keep->busy = false;
        c->busy--;
        strmap_remove(&c->entries, keep->id); /* frees it */
        counts_pump(n);
        return;
    }
    entry_end(n, e);
}

static void jobs_page(struct net *n, struct pager *p, void *items, size_t count)
{
    struct counts_entry *e = p->owner;
    struct job *jobs = items;
    count = jobs_keep_asked(p, jobs, count);
    for (size_t i = 0; i < count; i++)
        if (jobs[i].id != NULL)
            strmap_put_index(&e->jobs, jobs[i].id, (size_t)jobs[i].status);
    if (p->pages > 1)
        n->counts.used++; /* a page after the first is one more request */
}

static void next_chunk(struct net *n, struct counts_entry *e);

static void jobs_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct counts_entry *e = p->owner;
    if (!ok) {
        log_printf("net", "counts of %s: job statuses failed: %s", e->id,
                   err && err->message ? err->message : "?");
        entry_end(n, e);
        return;
    }
    next_chunk(n, e);
}

/* Job statuses still wanted, one request at a time; then the counts. */
static void next_chunk(struct net *n, struct counts_entry *e)
{
    for (int t = 0; t < 2; t++) {
        if (e->at[t] >= e->n_todo[t])
            continue;
        size_t k = e->n_todo[t] - e->at[t];
        if (k > JOB_CHUNK)
            k = JOB_CHUNK;
        struct pager *p = jobs_pager_new(t == 1 ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE,
                                         e->todo[t] + e->at[t], k, jobs_page, jobs_done, 0, 0);
        p->owner = e;
        e->at[t] += k;
        n->counts.used++;
        pager_start(n, p);
        return;
    }
    deliver(n, e);
}

static void get_done(struct net *n, struct xfer *x)
{
    struct counts_entry *e = x->ctx;
    if (!xfer_ok(x)) {
        if (x->status == 404) {
            strmap_put(&n->counts.final, e->id, NULL); /* gone: nothing to count, ever */
        } else {
            conn_after_failure(n, x);
        }
        entry_end(n, e);
        return;
    }
    struct batch b;
    char *cause = NULL;
    if (!xfer_decode_batch(x, &b, &cause)) {
        bool again = xfer_retry_garbled(n, x);
        free(cause);
        if (!again)
            entry_end(n, e);
        return;
    }
    seen_note(n, &b);
    active_note(n, &b);
    batch_done(&e->batch);
    e->batch = b;
    /* every job whose terminal status is not known yet, by type */
    for (size_t i = 0; i < b.n_results; i++) {
        const struct batch_result *r = &e->batch.results[i];
        if (r->job_id == NULL || r->error_message != NULL)
            continue;
        size_t st;
        if (strmap_get_index(&e->jobs, r->job_id, &st) &&
            job_status_is_terminal((enum job_status)st))
            continue;
        const struct cached_job *j = strmap_get(&n->job_cache, r->job_id);
        if (j != NULL && job_status_is_terminal((enum job_status)j->status))
            continue;
        int t = r->job_type == JOB_TYPE_EXTRACT ? 1 : 0;
        if (e->n_todo[t] % 64 == 0)
            e->todo[t] = xreallocarray(e->todo[t], e->n_todo[t] + 64, sizeof *e->todo[t]);
        e->todo[t][e->n_todo[t]++] = r->job_id;
    }
    next_chunk(n, e);
}

static void begin(struct net *n, struct counts_entry *e)
{
    struct counts_state *c = &n->counts;
    e->busy = true;
    e->round = c->round;
    c->busy++;
    c->used++;
    struct xfer *x = xfer_new(url_batch_get(&n->uctx, e->id, true), get_done, e, NULL);
    x->stream_batch = true; /* up to 100,000 results: never one tree (decode.h) */
    xfer_send(n, x);
}

/* Never counted, or counted COUNTS_AGAIN intervals ago or more. */
static bool due(const struct counts_state *c, const struct counts_entry *e)
{
    return e->round == 0 || c->round - e->round >= COUNTS_AGAIN;
}

void counts_pump(struct net *n)
{
    struct counts_state *c = &n->counts;
    if (n->paused)
        return;
    for (size_t i = 0; i < c->n_want; i++) {
        if (c->busy >= COUNTS_BUSY_MAX || c->used >= COUNTS_BUDGET)
            return;
        const char *id = c->want[i];
        if (skipped(n, id))
            continue;
        struct counts_entry *e = strmap_get(&c->entries, id);
        if (e == NULL) {
            e = xcalloc(1, sizeof *e);
            e->id = xstrdup(id);
            strmap_init(&e->jobs, NULL);
            strmap_put(&c->entries, id, e);
        }
        if (e->busy || !due(c, e))
            continue;
        begin(n, e);
    }
}

void counts_want(struct net *n, char *const *ids, size_t count)
{
    struct counts_state *c = &n->counts;
    for (size_t i = 0; i < c->n_want; i++)
        free(c->want[i]);
    free(c->want);
    c->want = xcalloc(count ? count : 1, sizeof *c->want);
    c->n_want = 0;
    for (size_t i = 0; i < count; i++)
        if (ids[i] != NULL && !is_wanted(c, ids[i]))
            c->want[c->n_want++] = xstrdup(ids[i]);
    prune(n);
    counts_pump(n);
}

void counts_tick(struct net *n)
{
    struct counts_state *c = &n->counts;
    c->used = 0;
    c->round++; /* an interval: what was not reached in the last is due still, and first */
    counts_pump(n);
}
