/* create.c -- create, never resent blindly: send, look up an unknown outcome, send once more. */
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

static void create_next(struct net *n);
static void create_send(struct net *n, struct create_job *c);
static void create_bound(struct net *n, struct create_job *c);

void create_job_free(struct create_job *c)
{
    free(c->dir);
    free(c->cfg);
    free(c->since);
    net_error_done(&c->last_err);
    free(c);
}

/* The NET_MSG_CREATED of the head create. b (taken) is the batch when OK. */
static void create_message(struct net *n, const struct create_job *c,
                           enum net_create_outcome outcome, struct batch *b,
                           const struct net_error *err)
{
    struct net_msg *m = msg_new(NET_MSG_CREATED, c->req, b != NULL ? b->id : NULL);
    m->create_outcome = outcome;
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
    msg_push(n, m);
}

/* Report the head create's outcome (a message, or its owner's on_done) and start the next
 * one. b (taken) is the batch when OK. */
static void create_finish(struct net *n, enum net_create_outcome outcome, struct batch *b,
                          const struct net_error *err)
{
    struct create_job *c = n->creates;
    if (b != NULL) {
        seen_note(n, b);
        active_note(n, b);
        struct seen *s = seen_find(n, b->id);
        if (s != NULL)
            s->ours = true;
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
    if (c->on_done != NULL) {
        struct batch none = {0};
        c->on_done(n, c->owner, outcome, b != NULL ? b : &none, b != NULL, err, c->since);
        if (b != NULL)
            batch_done(b);
    } else {
        create_message(n, c, outcome, b, err);
    }
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
    const struct seen *s = seen_find(n, b->id);
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
    if (xfer_unsent(x)) {
        /* Provably not created: wait as the policy says, then send again. */
        if (xfer_requeue_unsent(n, x, &c->attempts, MAX_CREATE_RETRIES)) {
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

static void create_post(struct net *n, struct create_job *c)
{
    c->sends++;
    c->seq_before = n->seen_seq;
    create_bound(n, c);
    struct xfer *x = xfer_new(url_batch_create(&n->uctx), create_post_done, c, NULL);
    x->post = decode_create_body(c->dir, c->type, c->cfg);
    x->manual = true;
    xfer_send(n, x);
}

/* The look-up bound: the server's time now (from its last Date header) minus a margin. */
static void create_bound(struct net *n, struct create_job *c)
{
    int64_t server_now = n->server_ms + (clock_mono_ms() - n->server_mono);
    char since[40];
    clock_format_iso8601(server_now - CREATE_MARGIN_MS, since, sizeof since);
    xstrset(&c->since, since);
}

static void create_scanned(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct create_job *c = n->creates;
    if (c == NULL || p->owner != c)
        return;
    if (!ok && !c->strict) {
        /* the batches seen so far (the TUI's list) have to do */
        log_printf("net", "create: the window's batches could not be listed; sending anyway");
        c->scanned = true;
        create_post(n, c);
        return;
    }
    if (!ok) {
        /* without them a look-up could take another client's batch for ours: not sent */
        struct net_error e = {0};
        e.http_status = err ? err->http_status : 0;
        e.message = xasprintf("not sent: the directory's recent batches could not be listed "
                              "first (%s)",
                              err && err->message ? err->message : "no answer");
        create_finish(n, NET_CREATE_REFUSED, NULL, &e);
        net_error_done(&e);
        return;
    }
    c->scanned = true;
    create_post(n, c);
}

/*
 * Send the create. The first time, the directory's batches of the look-up window are listed
 * first (the pager notes each one as seen), so that if the answer is lost, a look-up never
 * takes a batch that existed before the send -- one made a moment earlier by another client,
 * or by an earlier `batchtop create` (a fresh process has seen nothing) -- for this one.
 * When that list cannot be had, a strict create (the CLI's) is refused unsent; the TUI's goes
 * on with the batches its list has shown.
 */
static void create_send(struct net *n, struct create_job *c)
{
    if (c->scanned) {
        create_post(n, c);
        return;
    }
    create_bound(n, c);
    struct pager *p = pager_new(PK_BATCHES, create_scanned, 0);
    p->owner = c;
    p->f_dir = xstrdup(c->dir);
    p->f_after = xstrdup(c->since);
    pager_start(n, p);
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

/* A create job for the queue (not queued yet). */
static struct create_job *create_job_new(uint64_t req, const char *dir, enum job_type type,
                                         const char *cfg, bool strict, bool find_only)
{
    struct create_job *c = xcalloc(1, sizeof *c);
    c->req = req;
    c->find_only = find_only;
    c->dir = xstrdup(dir);
    c->cfg = xstrdup(cfg);
    c->type = type;
    c->strict = strict;
    return c;
}

static void create_queue(struct net *n, struct create_job *c)
{
    struct create_job **pp = &n->creates;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = c;
    create_next(n);
}

void create_enqueue_for(struct net *n, uint64_t req, const char *dir, enum job_type type,
                        const char *cfg, create_done_fn *on_done, uint64_t owner)
{
    struct create_job *c = create_job_new(req, dir, type, cfg, true, false);
    c->on_done = on_done;
    c->owner = owner;
    create_queue(n, c);
}

void create_enqueue(struct net *n, const struct net_cmd *cmd, bool find_only)
{
    struct create_job *c = create_job_new(cmd->req, cmd->source_directory_id, cmd->job_type,
                                          cmd->configuration_id, cmd->create_strict, find_only);
    if (find_only) {
        c->since = xstrdup(cmd->since);
        for (size_t i = 0; i < n->n_finds; i++) {
            struct find_record *r = &n->finds[i];
            if (xstreq(r->dir, c->dir) && xstreq(r->cfg, c->cfg) && r->type == c->type &&
                xstreq(r->since, c->since))
                c->seq_before = r->seq_before;
        }
    }
    create_queue(n, c);
}
