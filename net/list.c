/* list.c -- the batch list watcher: full generations, delta refreshes, the active set. */
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
void active_note(struct net *n, const struct batch *b)
{
    struct list_state *l = &n->list;
    if (!l->have_full || b->id == NULL || batch_status_is_terminal(b->status) ||
        strmap_has(&l->active, b->id))
        return;
    if (l->filter_dir != NULL && !xstreq(l->filter_dir, b->source_directory_id))
        return;
    struct batch *c = xmalloc(sizeof *c);
    batch_copy_without_results(c, b);
    strmap_put(&l->active, c->id, c);
}



/* Merge b (taken) into the delta answers: the most recently updated copy wins. */
static void got_merge(struct net *n, struct batch *b)
{
    struct batch *old = strmap_get(&n->list.got, b->id);
    if (old != NULL && old->updated_ms > b->updated_ms) {
        batch_done(b);
        return;
    }
    struct batch *copy = xmalloc(sizeof *copy);
    *copy = *b;
    memset(b, 0, sizeof *b);
    strmap_put(&n->list.got, copy->id, copy);
}

static void list_end(struct net *n)
{
    struct list_state *l = &n->list;
    l->busy = false;
    l->full_running = false;
    l->failed = false;
    net_error_done(&l->err);
    strmap_done(&l->got);
    if (l->full_wanted && l->watching) {
        l->full_wanted = false;
        list_refresh_full(n, l->req);
    }
}

void list_full_deliver(struct net *n, uint64_t req, struct batch *items, size_t count, bool ok,
                       const struct net_error *err)
{
    struct list_state *l = &n->list;
    struct net_msg *m = msg_new(ok ? NET_MSG_LIST_FULL : NET_MSG_LIST_FAILED, req, NULL);
    if (ok && l->stream) {
        /* every batch went out with its page, the active set and newest with it */
        m->streamed = true;
        l->listing++;
        l->streamed = 0;
        l->have_full = true;
        n->updated_ms = clock_now_ms();
        n->conn = NET_CONN_ONLINE;
    } else if (ok) {
        strmap_done(&l->active);
        for (size_t i = 0; i < count; i++) {
            note_newest(n, &items[i]);
            if (!batch_status_is_terminal(items[i].status)) {
                struct batch *c = xmalloc(sizeof *c);
                batch_copy_without_results(c, &items[i]);
                strmap_put(&l->active, c->id, c);
            }
        }
        m->batches = items;
        m->n_batches = count;
        l->have_full = true;
        n->updated_ms = clock_now_ms();
        n->conn = NET_CONN_ONLINE;
    } else {
        msg_fail(m, err);
    }
    msg_push(n, m);
    list_end(n);
}

static void list_full_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    if (p->gen != n->list.gen)
        return;
    if (!ok) {
        list_full_deliver(n, p->req, NULL, 0, false, err); /* pager_free frees what came */
        return;
    }
    struct batch *items = p->items;
    size_t count = p->n;
    p->items = NULL;
    p->n = p->cap = 0;
    list_full_deliver(n, p->req, items, count, true, NULL);
}

#define LIST_PAGE_EVERY_MS 250 /* pages arriving faster are sent to the UI together */

/* The pages of a full listing go to the UI as they are decoded: the first at once, so rows
 * are on screen after one round trip; later ones together at most every 250 ms (on a fast
 * server the whole list is there before a second message would help). */
static void list_full_page(struct net *n, struct pager *p, void *items, size_t count)
{
    struct list_state *l = &n->list;
    if (p->gen != l->gen || count == 0)
        return;
    int64_t now = clock_mono_ms();
    if (l->page_sent > 0 && now - l->page_sent_ms < LIST_PAGE_EVERY_MS)
        return; /* sent with a later page, or in the complete list */
    const struct batch *kept = p->items, *b = items;
    size_t from = l->page_sent, total = p->n - from + count, k = 0;
    struct net_msg *m = msg_new(NET_MSG_LIST_PAGE, p->req, NULL);
    m->batches = xcalloc(total, sizeof *m->batches);
    for (size_t i = from; i < p->n; i++)
        batch_copy_without_results(&m->batches[k++], &kept[i]);
    for (size_t i = 0; i < count; i++)
        batch_copy_without_results(&m->batches[k++], &b[i]);
    l->page_sent = p->n + count;
    l->page_sent_ms = now;
    m->n_batches = total;
    m->list_loaded = p->n + count;
    m->list_total = p->total;
    m->list_pages = p->pages + 1;
    m->ok = true;
    msg_push(n, m);
}

static void list_stream_on_page(struct net *n, struct pager *p, void *items, size_t count)
{
    if (p->gen == n->list.gen)
        list_stream_page(n, p->req, items, count, p->total, p->pages + 1);
}

static size_t pool_size(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

/* Copy s to *at (advanced past it); NULL stays NULL. */
static char *pool_put(char **at, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t len = strlen(s) + 1;
    char *r = memcpy(*at, s, len);
    *at += len;
    return r;
}

/* The strings of b, one after another. */
static size_t batch_pool_size(const struct batch *b)
{
    return pool_size(b->id) + pool_size(b->project_id) + pool_size(b->source_directory_id) +
           pool_size(b->job_type_text) + pool_size(b->configuration_id) +
           pool_size(b->status_text) + pool_size(b->created_at) + pool_size(b->updated_at);
}

/* dst: src's fields, its strings copied to *at (dst owns nothing; no results). */
static void batch_pool_copy(struct batch *dst, const struct batch *src, char **at)
{
    *dst = (struct batch){
        .id = pool_put(at, src->id),
        .project_id = pool_put(at, src->project_id),
        .source_directory_id = pool_put(at, src->source_directory_id),
        .job_type = src->job_type,
        .job_type_text = pool_put(at, src->job_type_text),
        .configuration_id = pool_put(at, src->configuration_id),
        .status = src->status,
        .status_text = pool_put(at, src->status_text),
        .created_at = pool_put(at, src->created_at),
        .created_ms = src->created_ms,
        .updated_at = pool_put(at, src->updated_at),
        .updated_ms = src->updated_ms,
    };
}

void list_stream_page(struct net *n, uint64_t req, struct batch *items, size_t count, long total,
                      int pages)
{
    struct list_state *l = &n->list;
    size_t k = 0, bytes = 0;
    /* Which rows go out: the pager noted every ID (seen_note) before this, so one lookup says
     * whether this listing sent it already (windows overlap at their bounds; a cursor list
     * may shift). The rows that stay are compacted to the front. */
    for (size_t i = 0; i < count; i++) {
        struct batch *b = &items[i];
        struct seen *s = b->id != NULL ? seen_find(n, b->id) : NULL;
        if (s == NULL || s->listing == l->listing) {
            batch_done(b);
            continue;
        }
        s->listing = l->listing;
        note_newest(n, b);
        if (!batch_status_is_terminal(b->status)) {
            struct batch *c = xmalloc(sizeof *c);
            batch_copy_without_results(c, b);
            strmap_put(&l->active, c->id, c);
        } else if (strmap_count(&l->active) > 0) {
            strmap_remove(&l->active, b->id); /* ended since an earlier listing */
        }
        bytes += batch_pool_size(b);
        if (k != i) {
            items[k] = *b;
            memset(b, 0, sizeof *b);
        }
        k++;
    }
    if (k == 0)
        return;
    /* The page goes out as one array and one block of strings: the consumer (another
     * thread) frees two blocks instead of eight per batch from this thread's heap, and the
     * decoded rows are freed here, where they were made. */
    struct net_msg *m = msg_new(NET_MSG_LIST_PAGE, req, NULL);
    m->batches = xcalloc(k, sizeof *m->batches);
    m->strings = xmalloc(bytes ? bytes : 1);
    char *at = m->strings;
    for (size_t i = 0; i < k; i++) {
        batch_pool_copy(&m->batches[i], &items[i], &at);
        batch_done(&items[i]);
    }
    l->streamed += k;
    m->n_batches = k;
    m->list_loaded = l->streamed;
    m->list_total = total;
    m->list_pages = pages;
    m->ok = true;
    msg_push(n, m);
}

void list_follow_cursor(struct net *n, uint64_t req, char *token, struct batch *items,
                        size_t count, int pages)
{
    struct list_state *l = &n->list;
    struct pager *p = pager_new(PK_BATCHES, list_full_done, l->gen);
    p->req = req;
    p->f_dir = xstrdup(l->filter_dir);
    p->token = token;
    p->pages = pages;
    if (l->stream) {
        p->on_page = list_stream_on_page;
        p->keep_items = false;
        for (size_t i = 0; i < count; i++) /* streamed: nothing is kept (they went out) */
            batch_done(&items[i]);
        free(items);
        items = NULL;
        count = 0;
    } else {
        p->on_page = list_full_page;
    }
    p->items = items;
    p->n = p->cap = count;
    l->page_sent = count;
    l->page_sent_ms = clock_mono_ms();
    pager_start(n, p);
}

void list_refresh_full(struct net *n, uint64_t req)
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
    if (!l->sequential) {
        parlist_start(n, req);
        return;
    }
    list_follow_cursor(n, req, NULL, NULL, 0, 0);
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
    size_t count = strmap_count(&l->got), k = 0;
    struct net_msg *m = msg_new(NET_MSG_LIST_DELTA, 0, NULL);
    m->batches = xcalloc(count ? count : 1, sizeof *m->batches);
    for (struct strmap_entry *e = strmap_first(&l->got); e != NULL; e = strmap_next(e)) {
        struct batch *b = strmap_value(e);
        note_newest(n, b);
        batch_copy_without_results(&m->batches[k++], b);
    }
    m->n_batches = k;
    /* The new active set: what was active and is still unresolved, plus every non-terminal
     * answer, minus terminal answers and batches that are gone. */
    struct strmap next;
    strmap_init(&next, batch_free_ptr);
    for (struct strmap_entry *e = strmap_first(&l->active); e != NULL; e = strmap_next(e)) {
        const char *key = strmap_key(e);
        if (!strmap_has(&l->got, key) && !strmap_has(&l->gone, key)) {
            struct batch *c = xmalloc(sizeof *c);
            batch_copy_without_results(c, strmap_value(e));
            strmap_put(&next, key, c);
        }
    }
    for (struct strmap_entry *e = strmap_first(&l->got); e != NULL; e = strmap_next(e)) {
        struct batch *b = strmap_value(e);
        if (!batch_status_is_terminal(b->status)) {
            struct batch *c = xmalloc(sizeof *c);
            batch_copy_without_results(c, b);
            strmap_put(&next, strmap_key(e), c);
        }
    }
    strmap_done(&l->active);
    l->active = next;
    strmap_done(&l->gone);
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
        strmap_put(&l->gone, g->id, NULL);
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
    size_t n_dep = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    const char *lo_text = NULL, *hi_text = NULL;
    for (struct strmap_entry *e = strmap_first(&l->active); e != NULL; e = strmap_next(e)) {
        const char *key = strmap_key(e);
        struct batch *b = strmap_value(e);
        if (strmap_has(&l->got, key) || strmap_has(&l->gone, key))
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
        for (size_t i = 0; i < n->n_seen; i++) {
            const struct seen *s = &n->seen_items[i];
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
    for (struct strmap_entry *e = strmap_first(&l->active); e != NULL; e = strmap_next(e)) {
        const char *key = strmap_key(e);
        if (!strmap_has(&l->got, key) && !strmap_has(&l->gone, key))
            delta_get_one(n, key);
    }
}

void list_seed(struct net *n, const struct batch *b, size_t count)
{
    struct list_state *l = &n->list;
    strmap_done(&l->active);
    for (size_t i = 0; i < count; i++) {
        if (b[i].id == NULL)
            continue;
        note_newest(n, &b[i]);
        if (!batch_status_is_terminal(b[i].status)) {
            struct batch *c = xmalloc(sizeof *c);
            batch_copy_without_results(c, &b[i]);
            strmap_put(&l->active, c->id, c);
        }
    }
    l->have_full = true;
}

void list_refresh_delta(struct net *n)
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
    /* empty them, not re-init: a failed delta may have left entries (a leak otherwise) */
    strmap_clear(&l->got);
    strmap_clear(&l->gone);
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

/* Whether x is a request of an earlier list generation (its retry is not needed any more). */
bool list_xfer_stale(const struct net *n, const struct xfer *x)
{
    if (x->done == delta_get_done)
        return ((const struct get_ctx *)x->ctx)->gen != n->list.gen;
    if (x->done == pager_page_done) {
        const struct pager *p = x->ctx;
        if (p->finish == list_full_done || p->finish == delta_list_done)
            return p->gen != n->list.gen;
    }
    return parlist_xfer_stale(n, x);
}
