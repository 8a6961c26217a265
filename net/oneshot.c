/* oneshot.c -- one-shot commands: job output, cancel, the directory and configuration pickers. */
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

void oneshot_output(struct net *n, const struct net_cmd *cmd)
{
    if (bad_id(n, cmd, NET_MSG_OUTPUT_FAILED))
        return;
    xfer_send(n, xfer_new(url_job_get(&n->uctx, cmd->job_type, cmd->id), output_done,
                          req_ctx_new(cmd->req, cmd->id, cmd->job_type), req_ctx_free));
}

void oneshot_cancel(struct net *n, const struct net_cmd *cmd)
{
    if (bad_id(n, cmd, NET_MSG_CANCELLED))
        return;
    struct xfer *x = xfer_new(url_batch_cancel(&n->uctx, cmd->id), cancel_done,
                              req_ctx_new(cmd->req, cmd->id, JOB_TYPE_UNKNOWN), req_ctx_free);
    x->post = xstrdup("");
    x->no_retry_409 = true;
    xfer_send(n, x);
}

void oneshot_directories(struct net *n, const struct net_cmd *cmd)
{
    struct pager *p = pager_new(PK_DIRS, dirs_done, 0);
    p->req = cmd->req;
    pager_start(n, p);
}

void oneshot_configs(struct net *n, const struct net_cmd *cmd)
{
    struct pager *p = pager_new(PK_CONFIGS, configs_done, 0);
    p->req = cmd->req;
    if (cmd->job_type != JOB_TYPE_UNKNOWN)
        p->id = xstrdup(job_type_name(cmd->job_type));
    pager_start(n, p);
}
