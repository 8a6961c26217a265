/* parlist.c -- a full batch list fetched in parallel, in windows of created_at. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "net/internal.h"
#include "net/log.h"

/*
 * A cursor list is one round trip per page: 100 pages at 100 ms is ten seconds. The API has
 * no offset, but it filters on created_at (both bounds inclusive), and created_at never
 * changes, so the list can be cut into windows fetched side by side:
 *
 *   - The first request is the plain first page (its rows go on screen at once). When a page
 *     comes back sorted by created_at (either way; the order is undocumented), everything
 *     strictly newer (or older) than its last row is on it, and the rest of its window is
 *     the window cut at that row. That rest is split in two at its middle, and each half is
 *     fetched the same way, so the windows in flight double each round until the limit.
 *   - A rest that is open at one end (nothing known beyond it) gets three bounded windows of
 *     2, 4 and 8 times the span of the page just read, and one open window past them.
 *   - A page that is not sorted, or a window that cannot get smaller (a page of rows all
 *     created in the same millisecond), follows its cursor instead, like the plain pager.
 *
 * Windows overlap by a millisecond at their bounds (the server may keep finer times), so a
 * batch may come twice: the union is merged by ID, the newer updated_at winning. The limit
 * starts at PAR_MAX requests in flight, halves while requests are being retried (429, 5xx)
 * and grows back by one every PAR_GROW answers. total_size is never needed.
 *
 * A streamed listing (list_state.stream) merges nothing here: each window's rows go straight
 * to list_stream_page, which sends each batch once (by its seen record) and keeps none.
 */

#define PAR_MAX 8
#define PAR_NEAR_MS 20 /* a first page faster than this: the sequential pager, whose prefetch is
                          faster than windows when a round trip costs nothing (W1, loopback);
                          it goes on from that page's cursor */
#define PAR_GROW 10
#define PAR_MAX_WINDOWS (MAX_PAGES * 2) /* a server that makes us split forever is refused */
#define UI_EVERY_MS 250
#define PAGE_FULL 20 /* a page this long says something about the density of its window */

struct window {
    int64_t lo, hi; /* created_at bounds in ms, inclusive; -1: open */
    char *token;    /* follow this cursor (same bounds) instead of a first page */
};

struct parlist {
    uint64_t gen, req;
    struct strmap got; /* ID -> index in items */
    struct strmap tokens; /* cursors followed: one seen again is a list that cycles */
    struct batch *items;
    size_t n, cap;
    struct window *queue;
    size_t nq, capq;
    int in_flight, limit, streak;
    size_t windows; /* started so far */
    long total;     /* total_size of the first answer, -1 */
    bool failed;
    bool fatal;    /* not worth resuming (a list that never ends) */
    bool fallback; /* the server ignores the created_at filters: list sequentially */
    bool near;     /* the server is so close that the sequential pager is faster: this time */
    char *near_token; /* near: the first page's cursor, where the sequential pager goes on */
    struct net_error err;
    size_t ui_sent; /* items[0..ui_sent) went to the UI */
    int64_t ui_ms;
};

static void queue_push(struct parlist *pl, int64_t lo, int64_t hi, char *token)
{
    if (pl->nq == pl->capq) {
        pl->capq = pl->capq ? pl->capq * 2 : 16;
        pl->queue = xreallocarray(pl->queue, pl->capq, sizeof *pl->queue);
    }
    pl->queue[pl->nq++] = (struct window){lo, hi, token};
}

static void parlist_free(struct parlist *pl)
{
    if (pl == NULL)
        return;
    strmap_done(&pl->got);
    strmap_done(&pl->tokens);
    for (size_t i = 0; i < pl->n; i++)
        batch_done(&pl->items[i]);
    free(pl->items);
    for (size_t i = 0; i < pl->nq; i++)
        free(pl->queue[i].token);
    free(pl->queue);
    free(pl->near_token);
    net_error_done(&pl->err);
    free(pl);
}

/* Merge b (taken): a batch seen twice keeps its most recently updated copy. */
static void merge(struct parlist *pl, struct batch *b)
{
    size_t k;
    if (b->id == NULL) {
        batch_done(b);
        return;
    }
    if (strmap_get_index(&pl->got, b->id, &k)) {
        if (pl->items[k].updated_ms > b->updated_ms) {
            batch_done(b);
            return;
        }
        batch_done(&pl->items[k]);
        pl->items[k] = *b;
        if (k < pl->ui_sent) /* the UI has the old copy: send it again */
            pl->ui_sent = k;
    } else {
        if (pl->n == pl->cap) {
            pl->cap = pl->cap ? pl->cap * 2 : 256;
            pl->items = xreallocarray(pl->items, pl->cap, sizeof *pl->items);
        }
        pl->items[pl->n] = *b;
        strmap_put_index(&pl->got, b->id, pl->n++);
    }
    memset(b, 0, sizeof *b);
}

/* The rows not yet on screen, at most every UI_EVERY_MS (the first at once). */
static void ui_flush(struct net *n, struct parlist *pl)
{
    int64_t now = clock_mono_ms();
    if (pl->ui_sent >= pl->n || (pl->ui_sent > 0 && now - pl->ui_ms < UI_EVERY_MS))
        return;
    struct net_msg *m = msg_new(NET_MSG_LIST_PAGE, pl->req, NULL);
    size_t count = pl->n - pl->ui_sent;
    m->batches = xcalloc(count, sizeof *m->batches);
    for (size_t i = 0; i < count; i++)
        batch_copy_without_results(&m->batches[i], &pl->items[pl->ui_sent + i]);
    m->n_batches = count;
    m->list_loaded = pl->n;
    m->list_total = pl->total;
    m->list_pages = (int)pl->windows;
    msg_push(n, m);
    pl->ui_sent = pl->n;
    pl->ui_ms = now;
}

static void window_done(struct net *n, struct pager *p, bool ok, const struct net_error *err);

static char *iso(int64_t ms)
{
    char buf[64];
    clock_format_iso8601(ms, buf, sizeof buf);
    return xstrdup(buf);
}

/* Start queued windows up to the limit. */
static void pump(struct net *n, struct parlist *pl)
{
    while (!pl->failed && !pl->fallback && pl->nq > 0 && pl->in_flight < pl->limit) {
        struct window w = pl->queue[--pl->nq];
        if (++pl->windows > PAR_MAX_WINDOWS) {
            free(w.token);
            pl->failed = pl->fatal = true;
            net_error_done(&pl->err);
            pl->err.message = xstrdup("the list never ends (too many windows)");
            break;
        }
        struct pager *p = pager_new(PK_BATCHES, window_done, pl->gen);
        p->req = pl->req;
        p->one_page = true;
        p->f_dir = xstrdup(n->list.filter_dir);
        if (w.lo >= 0)
            p->f_after = iso(w.lo);
        if (w.hi >= 0)
            p->f_before = iso(w.hi);
        p->token = w.token;
        pl->in_flight++;
        pager_start(n, p);
    }
}

/* The window a pager fetched, from its filters. */
static void pager_window(const struct pager *p, int64_t *lo, int64_t *hi)
{
    *lo = *hi = -1;
    if (p->f_after != NULL && !clock_parse_iso8601(p->f_after, lo))
        *lo = -1;
    if (p->f_before != NULL && !clock_parse_iso8601(p->f_before, hi))
        *hi = -1;
}

/* Split [lo, hi] (both bounded) into pieces of about one page each, as the page just read
 * suggests (a full page spanned `span` ms): 2 to PAR_MAX pieces, or the whole when tiny. */
static void push_bounded(struct parlist *pl, int64_t lo, int64_t hi, int64_t span, bool full)
{
    int64_t pieces = full ? (hi - lo) / (span > 0 ? span : 1) + 1 : 2;
    if (pieces < 2)
        pieces = 2;
    if (pieces > PAR_MAX)
        pieces = PAR_MAX;
    if (hi - lo < pieces * 2) {
        queue_push(pl, lo, hi, NULL);
        return;
    }
    int64_t step = (hi - lo) / pieces;
    for (int64_t k = 0; k < pieces; k++) {
        int64_t a = lo + k * step, b = k + 1 == pieces ? hi : lo + (k + 1) * step + 1;
        queue_push(pl, a, b, NULL);
    }
}

/* What is left of window [lo, hi] after a page whose rows ran from first to last (ms, in the
 * page's order). Returns false when the page says nothing usable (then follow its cursor). */
static bool plan_rest(struct parlist *pl, int64_t lo, int64_t hi, const struct batch *b,
                      size_t count)
{
    if (count == 0)
        return false;
    bool down = true, up = true;
    int64_t min = b[0].created_ms, max = b[0].created_ms;
    for (size_t i = 0; i < count; i++) {
        int64_t t = b[i].created_ms;
        if (t < 0)
            return false;
        if (i > 0) {
            down = down && t <= b[i - 1].created_ms;
            up = up && t >= b[i - 1].created_ms;
        }
        min = t < min ? t : min;
        max = t > max ? t : max;
    }
    if (down == up) /* unsorted, or every row in the same millisecond */
        return false;
    /* a row outside the window: the server ignores the filters, so windows cannot work */
    if ((lo >= 0 && min < lo - 1) || (hi >= 0 && max > hi + 1)) {
        pl->fallback = true;
        return false;
    }
    int64_t span = max - min > 0 ? max - min : 1;
    if (down) {
        /* newest first: the rest is [lo, min] */
        int64_t x = min + 1;
        if (hi >= 0 && x >= hi) /* no smaller than the window: follow the cursor */
            return false;
        if (lo >= 0) {
            push_bounded(pl, lo, x, span, count >= PAGE_FULL);
            return true;
        }
        int64_t a = x - 2 * span, c = x - 6 * span, d = x - 14 * span;
        queue_push(pl, -1, d + 1, NULL);
        queue_push(pl, d, c + 1, NULL);
        queue_push(pl, c, a + 1, NULL);
        queue_push(pl, a, x, NULL);
        return true;
    }
    /* oldest first: the rest is [max, hi] */
    int64_t x = max;
    if (lo >= 0 && x <= lo)
        return false;
    if (hi >= 0) {
        push_bounded(pl, x, hi, span, count >= PAGE_FULL);
        return true;
    }
    int64_t a = x + 2 * span, c = x + 6 * span, d = x + 14 * span;
    queue_push(pl, d, -1, NULL);
    queue_push(pl, c, d + 1, NULL);
    queue_push(pl, a, c + 1, NULL);
    queue_push(pl, x, a + 1, NULL);
    return true;
}

static void parlist_finish(struct net *n, struct parlist *pl)
{
    if (pl->failed && !pl->fatal) {
        /* Say so, keep what came (the UI has it), and keep the windows still to fetch: the
         * next refresh resumes here instead of starting over. */
        struct net_error err = pl->err;
        memset(&pl->err, 0, sizeof pl->err);
        list_full_deliver(n, pl->req, NULL, 0, false, &err);
        net_error_done(&err);
        return;
    }
    n->list.par = NULL;
    if (pl->fallback && pl->near) {
        /* the first page is in (and on screen): the cursor goes on from its token, so the
         * first page is not asked twice */
        uint64_t req = pl->req;
        char *token = pl->near_token;
        struct batch *items = pl->items;
        size_t count = pl->n;
        pl->near_token = NULL;
        pl->items = NULL;
        pl->n = pl->cap = 0;
        parlist_free(pl);
        list_follow_cursor(n, req, token, items, count, 1);
        return;
    }
    if (pl->fallback) {
        uint64_t req = pl->req;
        parlist_free(pl);
        log_printf("net", "the server ignores created_at filters: lists follow one cursor");
        n->list.sequential = true;
        n->list.busy = false;
        n->list.full_running = false;
        list_refresh_full(n, req);
        return;
    }
    if (pl->failed) {
        list_full_deliver(n, pl->req, NULL, 0, false, &pl->err);
    } else {
        struct batch *items = pl->items;
        size_t count = pl->n;
        pl->items = NULL;
        pl->n = pl->cap = 0;
        list_full_deliver(n, pl->req, items, count, true, NULL);
    }
    parlist_free(pl);
}

static void window_done(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct parlist *pl = n->list.par;
    if (pl == NULL || p->gen != pl->gen)
        return;
    pl->in_flight--;
    if (!ok) {
        /* this window again on resume (its bounds, and the cursor it was asked with) */
        int64_t lo, hi;
        pager_window(p, &lo, &hi);
        queue_push(pl, lo, hi, p->token != NULL ? xstrdup(p->token) : NULL);
        if (!pl->failed) {
            pl->failed = true;
            pl->err.http_status = err ? err->http_status : 0;
            pl->err.message = xstrdup(err && err->message ? err->message : "failed");
            pl->err.field = xstrdup(err ? err->field : NULL);
        }
    } else {
        if (pl->total < 0)
            pl->total = p->total;
        int64_t lo, hi;
        pager_window(p, &lo, &hi);
        struct batch *b = p->items;
        if (pl->windows == 1 && p->next_token != NULL && n->latency_ms >= 0 &&
            n->latency_ms < PAR_NEAR_MS) {
            pl->fallback = pl->near = true; /* its rows are on screen; the pager goes on */
            pl->near_token = p->next_token;
            p->next_token = NULL;
        }
        bool planned = pl->fallback || p->next_token == NULL || plan_rest(pl, lo, hi, b, p->n);
        if (pl->fallback) {
            planned = true; /* nothing more is started; the sequential list follows */
        } else if (!planned && strmap_has(&pl->tokens, p->next_token)) {
            pl->failed = pl->fatal = true;
            net_error_done(&pl->err);
            pl->err.message = xasprintf("malformed answer: the list repeats itself: page token "
                                        "\"%.40s\" came back",
                                        p->next_token);
        } else if (!planned) { /* follow the cursor, bounds unchanged */
            strmap_put(&pl->tokens, p->next_token, NULL);
            queue_push(pl, lo, hi, p->next_token);
            p->next_token = NULL;
        }
        if (n->list.stream) {
            list_stream_page(n, pl->req, b, p->n, pl->total, (int)pl->windows);
        } else {
            for (size_t i = 0; i < p->n; i++)
                merge(pl, &b[i]);
        }
        /* slower while the server pushes back (requests retried after 429 or 5xx) */
        if (n->conn == NET_CONN_RETRYING) {
            pl->limit = pl->limit > 1 ? pl->limit / 2 : 1;
            pl->streak = 0;
        } else if (++pl->streak >= PAR_GROW && pl->limit < PAR_MAX) {
            pl->limit++;
            pl->streak = 0;
        }
        ui_flush(n, pl);
    }
    pump(n, pl);
    if (pl->in_flight == 0 && (pl->nq == 0 || pl->failed || pl->fallback))
        parlist_finish(n, pl);
}

/* A request of a parallel listing no longer wanted (a new WATCH_LIST). */
bool parlist_xfer_stale(const struct net *n, const struct xfer *x)
{
    if (x->done != pager_page_done)
        return false;
    const struct pager *p = x->ctx;
    return p != NULL && p->finish == window_done &&
           (n->list.par == NULL || p->gen != n->list.par->gen);
}

void parlist_start(struct net *n, uint64_t req)
{
    struct parlist *pl = n->list.par;
    if (pl != NULL && pl->gen == n->list.gen && pl->failed && !pl->fatal) {
        log_printf("net", "list: resuming after a failure (%zu batches, %zu windows left)", pl->n,
                   pl->nq);
        pl->failed = false;
        pl->req = req;
        pump(n, pl);
        if (pl->in_flight == 0)
            parlist_finish(n, pl);
        return;
    }
    parlist_cancel(n);
    pl = xcalloc(1, sizeof *pl);
    pl->gen = n->list.gen;
    pl->req = req;
    pl->limit = PAR_MAX;
    pl->total = -1;
    strmap_init(&pl->got, NULL);
    strmap_init(&pl->tokens, NULL);
    n->list.par = pl;
    queue_push(pl, -1, -1, NULL);
    pump(n, pl);
}

void parlist_cancel(struct net *n)
{
    parlist_free(n->list.par);
    n->list.par = NULL;
}
