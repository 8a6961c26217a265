/* pager.c -- cursor pagination: follows next_page_token from page to page into one list. */
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
    free(p->next_token);
    strmap_done(&p->tokens);
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

struct pager *pager_new(enum page_kind kind, pager_fn *finish, uint64_t gen)
{
    struct pager *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    p->finish = finish;
    p->gen = gen;
    p->keep_items = true;
    p->total = -1;
    strmap_init(&p->tokens, NULL);
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
        return url_directory_list(&n->uctx, p->id, p->token);
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


void pager_start(struct net *n, struct pager *p)
{
    if (p->token != NULL)
        strmap_put(&p->tokens, p->token, NULL);
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

/* Send the request for the page after p's current one, with token (taken) as the cursor;
 * x, the answered request, gives the pager to it. Returns the new request. *prev_token gets
 * the cursor that was replaced, to put back if the request is taken back (pager_unsend). */
static struct xfer *pager_send_next(struct net *n, struct pager *p, struct xfer *x, char *token,
                                    char **prev_token)
{
    *prev_token = p->token;
    p->token = token;
    strmap_put(&p->tokens, token, NULL);
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
    /* not followed after all: the same token coming again is no repeat */
    strmap_remove(&p->tokens, p->token);
    free(p->token);
    p->token = prev_token;
}

/* Whether token is one more page to fetch (not the last page, not the same cursor again,
 * not past MAX_PAGES). */
static bool pager_more(const struct pager *p, const char *token)
{
    return token != NULL && !p->one_page && p->pages + 1 < MAX_PAGES &&
           !strmap_has(&p->tokens, token) &&
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
/*
 * The maximum page size is undocumented: a server that refuses ours with a 422 naming
 * page_size gets the same page asked again with a smaller one (100, then 50, then none at
 * all: the server's default), and the smaller size is kept for the rest of the session.
 * True when the page was sent again (x gave its pager to the new request).
 */
static bool pager_page_size_refused(struct net *n, struct pager *p, struct xfer *x)
{
    if (x->code != CURLE_OK || x->status != 422 || n->uctx.page_size <= 0)
        return false;
    struct net_error e = {0};
    errbody_format(x->status, x->buf, x->len, &e);
    bool about_size = e.field != NULL && strstr(e.field, "page_size") != NULL;
    net_error_done(&e);
    if (!about_size)
        return false;
    int before = n->uctx.page_size;
    n->uctx.page_size = before > 50 ? 50 : 0;
    log_printf("net", "page_size=%d refused (422): asking with %s from now on", before,
               n->uctx.page_size > 0 ? "page_size=50" : "no page_size");
    x->ctx = NULL; /* the pager moves to the new request */
    xfer_send(n, xfer_new(pager_url(n, p), pager_page_done, p, pager_free));
    return true;
}

/* The path of a URL, without scheme, host or query ("/api/v2/batches"), for messages. */
static void url_path_of(const char *url, char *buf, size_t len)
{
    const char *p = strstr(url, "://");
    p = p != NULL ? strchr(p + 3, '/') : NULL;
    size_t n = p != NULL ? strcspn(p, "?#") : 0;
    snprintf(buf, len, "%.*s", (int)n, p != NULL ? p : "");
}

void pager_page_done(struct net *n, struct xfer *x)
{
    struct pager *p = x->ctx;
    struct net_error err = {0};
    if (!xfer_ok(x) && pager_page_size_refused(n, p, x))
        return;
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
    if (pg != NULL)
        p->total = decode_page_total(pg);
    size_t asked = n->uctx.page_size > 0 ? (size_t)n->uctx.page_size : 1000;
    if (pg != NULL && decode_page_count(pg) > asked) {
        /* more than was asked for: a server that does not honour page_size (or a hostile
         * one) is refused before its items are converted */
        char path[128];
        url_path_of(x->url, path, sizeof path);
        cause = xasprintf("%s: a page of %zu items when at most %zu were asked for", path,
                          decode_page_count(pg), asked);
        decode_page_free(pg);
        pg = NULL;
        free(token);
        token = NULL;
    }
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
    if (cause != NULL) { /* items skipped: the rest of the page stands, and the UI says so */
        char path[128];
        url_path_of(x->url, path, sizeof path);
        struct net_msg *m = msg_new(NET_MSG_NOTICE, p->req, NULL);
        m->error.message = xasprintf("%s: %s", path, cause);
        log_printf("net", "%s", m->error.message);
        msg_push(n, m);
        free(cause);
        cause = NULL;
    }
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
    if (token != NULL && (strmap_has(&p->tokens, token) ||
                          (p->token != NULL && strcmp(p->token, token) == 0))) {
        /* A -> B -> A: following it would never end; the last complete list stays shown */
        char *why = xasprintf("the list repeats itself: page token \"%.40s\" came back after "
                              "%d pages",
                              token, p->pages + 1);
        free(token);
        garbled_error(n, &err, why);
        free(why);
        p->finish(n, p, false, &err);
        net_error_done(&err);
        return;
    }
    if (token != NULL && ++p->pages >= MAX_PAGES) {
        free(token);
        garbled_error(n, &err, "the list never ends (too many pages)");
        p->finish(n, p, false, &err);
        net_error_done(&err);
        return;
    }
    if (p->one_page && token != NULL && !(p->token != NULL && strcmp(p->token, token) == 0))
        p->next_token = token; /* the caller decides how the rest is fetched */
    else
        free(token); /* NULL, or the token of the page just fetched: the list is over */
    p->finish(n, p, true, NULL);
}
