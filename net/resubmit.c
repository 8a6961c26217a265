/* resubmit.c -- files of a batch run again: a directory by name, the files it lacks, a batch. */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/strmap.h"
#include "model/xalloc.h"
#include "net/decode.h"
#include "net/errbody.h"
#include "net/internal.h"
#include "net/log.h"
#include "net/retry.h"
#include "net/url.h"

/*
 * NET_CMD_RESUBMIT (net/msg.h), step by step, each safe to repeat after an interruption:
 *
 *   FIND_DIR      every page of GET /api/v1/beta/directories?name=NAME, exact match. None:
 *   CREATE_DIR    POST it (type user). A write is never resent blindly: an unknown outcome
 *                 (5xx, reset, timeout, a garbled 2xx) or a 409 goes back to FIND_DIR, which
 *                 finds it or says it is safe to send again.
 *   (a batch)     GET /api/v2/batches?source_directory_id=DIR: one there means this resubmit
 *                 was done already; it ends with that batch (already_finished).
 *   LIST_FILES    every page of the directory's files; live entries count as present by
 *                 file_id. Entries of files not asked for: refused (the batch would run them).
 *   ADD_FILES     POST each missing file, RS_CONCURRENCY at a time. An add whose outcome is
 *                 unknown (or a 409) is not sent again until the directory is listed again,
 *                 once every add in flight has ended.
 *   CREATE_BATCH  the reconciled create of create.c (strict: the window's batches first).
 *
 * Never two directories, never an entry twice, never two batches -- as far as the API lets a
 * client know. A resubmit is found by its seq from every callback, so answers that arrive after
 * net_stop freed it are dropped.
 */

#define RS_CONCURRENCY 4       /* adds in flight at once */
#define RS_PROGRESS_MS 100     /* at most ~10 progress messages a second */
#define RS_MAX_BATCH_CREATES 3 /* reconciled creates after "not created" answers */

/* What an add or a directory create request carries: the resubmit's seq, not a pointer. */
struct rs_ctx {
    uint64_t seq;
    size_t file;
};

static void rs_free(struct resubmit *rs)
{
    if (rs == NULL)
        return;
    free(rs->orig);
    free(rs->name);
    free(rs->cfg);
    for (size_t i = 0; i < rs->n_files; i++) {
        free(rs->files[i].file_id);
        free(rs->files[i].display_name);
        free(rs->files[i].path);
        free(rs->files[i].stale);
    }
    upload_free(rs->up);
    free(rs->files);
    directory_done(&rs->dir);
    net_error_done(&rs->err);
    free(rs);
}

struct resubmit *resubmit_find(struct net *n, uint64_t seq)
{
    for (struct resubmit *rs = n->resubmits; rs != NULL; rs = rs->next)
        if (rs->seq == seq)
            return rs;
    return NULL;
}

static void rs_unlink(struct net *n, struct resubmit *rs)
{
    for (struct resubmit **pp = &n->resubmits; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == rs) {
            *pp = rs->next;
            return;
        }
    }
}

static size_t rs_present(const struct resubmit *rs)
{
    size_t k = 0;
    for (size_t i = 0; i < rs->n_files; i++)
        k += rs->files[i].present;
    return k;
}

/* A message of type (RESUBMIT_PROGRESS or RESUBMITTED: an upload's are UPLOAD_PROGRESS and
 * UPLOADED, with its figures). */
static struct net_msg *rs_msg(struct net *n, const struct resubmit *rs, enum net_msg_type type)
{
    if (rs->kind == RS_UPLOAD)
        type = type == NET_MSG_RESUBMITTED ? NET_MSG_UPLOADED : NET_MSG_UPLOAD_PROGRESS;
    struct net_msg *m = msg_new(type, rs->req, rs->orig);
    m->ok = true;
    m->resubmit_phase = rs->phase;
    if (rs->kind == RS_UPLOAD)
        upload_figures(n, rs, &m->upload);
    if (rs->have_dir) {
        m->directories = xcalloc(1, sizeof *m->directories);
        directory_copy(&m->directories[0], &rs->dir);
        m->n_directories = 1;
    }
    return m;
}

/* Tell the UI where the resubmit is: always on a phase change (force), else at most every
 * RS_PROGRESS_MS, so a thousand adds are a few dozen messages. */
void resubmit_progress(struct net *n, struct resubmit *rs, bool force)
{
    int64_t now = clock_mono_ms();
    if (!force && now - rs->progress_mono < RS_PROGRESS_MS)
        return;
    rs->progress_mono = now;
    struct net_msg *m = rs_msg(n, rs, NET_MSG_RESUBMIT_PROGRESS);
    m->progress_done = rs_present(rs);
    m->progress_total = rs->n_files;
    msg_push(n, m);
}

static void rs_phase(struct net *n, struct resubmit *rs, enum net_resubmit_phase phase)
{
    rs->phase = phase;
    resubmit_progress(n, rs, true);
}

/* e (empty) = "resubmit: STEP: [STATUS ]MESSAGE" from err (borrowed, may be NULL). */
static void rs_error(struct net_error *e, const struct resubmit *rs, enum net_resubmit_phase phase,
                     const struct net_error *err)
{
    const char *what = rs->kind == RS_UPLOAD ? "upload" : "resubmit";
    const char *msg = err != NULL && err->message != NULL ? err->message : "failed";
    int status = err != NULL ? err->http_status : 0;
    e->http_status = status;
    e->field = err != NULL && err->field != NULL ? xstrdup(err->field) : NULL;
    /* the status too, unless the line says it already ("HTTP 500: ...") */
    if (status > 0 && strstr(msg, "HTTP ") == NULL)
        e->message = xasprintf("%s: %s: %d %s", what, net_resubmit_phase_name(phase), status, msg);
    else
        e->message = xasprintf("%s: %s: %s", what, net_resubmit_phase_name(phase), msg);
    log_printf("net", "%s", e->message);
}

/* The end: a RESUBMITTED and the resubmit freed. b (contents taken when given) is the batch;
 * err (borrowed) when !ok, prefixed with the step. */
void resubmit_end(struct net *n, struct resubmit *rs, bool ok, struct batch *b,
                  const struct net_error *err)
{
    struct net_msg *m = rs_msg(n, rs, NET_MSG_RESUBMITTED);
    m->ok = ok;
    if (b != NULL) {
        m->batches = xcalloc(1, sizeof *m->batches);
        m->batches[0] = *b;
        memset(b, 0, sizeof *b);
        m->n_batches = 1;
    }
    if (!ok)
        rs_error(&m->error, rs, rs->phase, err);
    m->resubmit_phase = ok ? NET_RESUBMIT_DONE : rs->phase;
    msg_push(n, m);
    rs_unlink(n, rs);
    rs_free(rs);
}

/* rs_end with a message of ours. */
void resubmit_fail(struct net *n, struct resubmit *rs, const char *message)
{
    struct net_error e = {0};
    e.message = (char *)message;
    resubmit_end(n, rs, false, NULL, &e);
}

static void rs_add_more(struct net *n, struct resubmit *rs);

/* Did the server say no for good to a write (a 4xx but 408, 409 and 429)? It changed nothing
 * and would say the same again. 409 is "it exists": looked up, never taken for a refusal. */
bool resubmit_refused(const struct xfer *x)
{
    return x->code == CURLE_OK && x->status >= 400 && x->status < 500 && x->status != 408 &&
           x->status != 409 && x->status != 429;
}

/* ---- the batch ---- */

static void rs_created(struct net *n, uint64_t owner, enum net_create_outcome outcome,
                       struct batch *b, bool have_batch, const struct net_error *err,
                       const char *since)
{
    struct resubmit *rs = resubmit_find(n, owner);
    if (rs == NULL)
        return;
    if (outcome == NET_CREATE_OK && have_batch) {
        resubmit_end(n, rs, true, b, NULL);
        return;
    }
    /* provably not created (the look-up found nothing, or it was never sent): again */
    bool again = outcome == NET_CREATE_NOT_CREATED ||
                 (outcome == NET_CREATE_REFUSED && err != NULL &&
                  (err->http_status == 0 || err->http_status == 429 || err->http_status >= 500));
    if (again && rs->batch_creates < RS_MAX_BATCH_CREATES) {
        log_printf("net", "resubmit: the batch was not created; creating it again");
        resubmit_create_batch(n, rs);
        return;
    }
    struct net_msg *m = rs_msg(n, rs, NET_MSG_RESUBMITTED);
    m->ok = false;
    m->create_outcome = outcome;
    m->since = xstrdup(since);
    struct net_error none = {0};
    none.message = (char *)"the batch was not created";
    rs_error(&m->error, rs, NET_RESUBMIT_CREATE_BATCH, err != NULL ? err : &none);
    msg_push(n, m);
    rs_unlink(n, rs);
    rs_free(rs);
}

void resubmit_create_batch(struct net *n, struct resubmit *rs)
{
    rs->batch_creates++;
    rs_phase(n, rs, NET_RESUBMIT_CREATE_BATCH);
    create_enqueue_for(n, rs->req, rs->dir.id, rs->type, rs->cfg, rs_created, rs->seq);
}

/* ---- the files ---- */

static void rs_add_done(struct net *n, struct xfer *x)
{
    struct rs_ctx *ctx = x->ctx;
    struct resubmit *rs = resubmit_find(n, ctx->seq);
    if (rs == NULL || ctx->file >= rs->n_files)
        return;
    struct rs_file *f = &rs->files[ctx->file];
    f->in_flight = false;
    rs->in_flight--;
    struct net_error err = {0};
    if (xfer_ok(x)) {
        struct dir_file got;
        char *cause = NULL;
        if (decode_dir_file(x->buf, x->len, &got, &cause) && xstreq(got.file_id, f->file_id)) {
            f->present = true;
        } else {
            f->unknown = true; /* it answered 2xx, but with what? look */
            rs->relist = true;
        }
        dir_file_done(&got);
        free(cause);
    } else if (xfer_requeue_unsent(n, x, &f->sends, RS_MAX_SENDS)) {
        /* provably not added: it goes again after the policy's wait */
        f->in_flight = true;
        rs->in_flight++;
        return;
    }
    if (!xfer_ok(x)) {
        xfer_error(n, x, &err);
        bool refused = resubmit_refused(x);
        if (refused && !rs->stopping) {
            /* the server said no (an unknown file, a bad body): it will say so again */
            char *name =
                errbody_sanitize(f->display_name ? f->display_name : f->file_id,
                                 strlen(f->display_name ? f->display_name : f->file_id), 80);
            rs->stopping = true;
            net_error_done(&rs->err); /* an earlier unknown add's error, if any */
            rs->err.http_status = err.http_status;
            rs->err.message = xasprintf("%s (%s)", err.message ? err.message : "refused", name);
            free(name);
        } else if (!refused) {
            /* 5xx, 409, a reset or a timeout after the body went out: it may be there now */
            f->unknown = true;
            rs->relist = true;
            if (rs->err.message == NULL && !rs->stopping)
                error_copy(&rs->err, &err);
        }
        net_error_done(&err);
    }
    resubmit_progress(n, rs, false);
    rs_add_more(n, rs);
}

/* Send adds up to RS_CONCURRENCY; when none is left in flight, go on: re-list, fail, or the
 * batch. */
static void rs_add_more(struct net *n, struct resubmit *rs)
{
    while (!rs->stopping && rs->in_flight < RS_CONCURRENCY && rs->cursor < rs->n_files) {
        struct rs_file *f = &rs->files[rs->cursor++];
        if (f->present || f->in_flight || f->unknown)
            continue;
        if (f->sends >= RS_MAX_SENDS) {
            rs->stopping = true;
            net_error_done(&rs->err);
            rs->err.message = xasprintf("a file could not be added after %d tries", RS_MAX_SENDS);
            break;
        }
        f->sends++;
        f->in_flight = true;
        rs->in_flight++;
        struct rs_ctx *ctx = xcalloc(1, sizeof *ctx);
        ctx->seq = rs->seq;
        ctx->file = (size_t)(f - rs->files);
        struct xfer *x =
            xfer_new(url_directory_file_add(&n->uctx, rs->dir.id), rs_add_done, ctx, free);
        x->post = decode_file_add_body(f->file_id, f->display_name);
        x->manual = true; /* a write: done() sees every outcome */
        xfer_send(n, x);
    }
    if (rs->in_flight > 0)
        return;
    if (rs->stopping) {
        resubmit_end(n, rs, false, NULL, &rs->err);
        return;
    }
    if (resubmit_relist(n, rs))
        return;
    if (rs_present(rs) == rs->n_files) {
        resubmit_progress(n, rs, true);
        resubmit_create_batch(n, rs);
        return;
    }
    rs->relist = true; /* not reached: every file is present, unknown or refused by now */
    resubmit_list_files(n, rs);
}

static void rs_files_listed(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct resubmit *rs = resubmit_find(n, p->gen);
    if (rs == NULL)
        return;
    if (!ok) {
        resubmit_end(n, rs, false, NULL, err);
        return;
    }
    if (rs->kind == RS_UPLOAD) {
        upload_files_listed(n, rs, p->items, p->n);
        return;
    }
    struct strmap want; /* file_id -> index + 1 */
    strmap_init(&want, NULL);
    for (size_t i = 0; i < rs->n_files; i++)
        strmap_put(&want, rs->files[i].file_id, (void *)(uintptr_t)(i + 1));
    for (size_t i = 0; i < rs->n_files; i++)
        rs->files[i].present = false;
    size_t others = 0;
    const struct dir_file *items = p->items;
    for (size_t i = 0; i < p->n; i++) {
        if (items[i].deleted_at != NULL || items[i].file_id == NULL)
            continue; /* a deleted entry is not in a batch, and the file may be added again */
        void *v = strmap_get(&want, items[i].file_id);
        if (v != NULL)
            rs->files[(uintptr_t)v - 1].present = true;
        else
            others++;
    }
    strmap_done(&want);
    if (others > 0) {
        /* a batch over it would run files nobody asked for */
        char *msg = xasprintf("the directory already holds %zu other file%s; choose another name",
                              others, others == 1 ? "" : "s");
        resubmit_fail(n, rs, msg);
        free(msg);
        return;
    }
    for (size_t i = 0; i < rs->n_files; i++)
        rs->files[i].unknown = false; /* the list says what each one is now */
    rs->relist = false;
    rs->cursor = 0;
    rs_phase(n, rs, NET_RESUBMIT_ADD_FILES);
    rs_add_more(n, rs);
}

bool resubmit_relist(struct net *n, struct resubmit *rs)
{
    if (!rs->relist)
        return false;
    if (++rs->relists > RS_MAX_RELISTS) {
        resubmit_end(n, rs, false, NULL, &rs->err);
        return true;
    }
    log_printf("net", "%s: a file's outcome is unknown; listing the directory again",
               rs->kind == RS_UPLOAD ? "upload" : "resubmit");
    resubmit_list_files(n, rs);
    return true;
}

void resubmit_list_files(struct net *n, struct resubmit *rs)
{
    rs_phase(n, rs, NET_RESUBMIT_LIST_FILES);
    struct pager *p = pager_new(PK_FILES, rs_files_listed, rs->seq);
    p->req = rs->req;
    p->id = xstrdup(rs->dir.id);
    pager_start(n, p);
}

/* ---- the directory ---- */

/* The directory's batches: one there means this resubmit was done already. */
static void rs_batches_listed(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct resubmit *rs = resubmit_find(n, p->gen);
    if (rs == NULL)
        return;
    if (!ok) {
        struct net_error e = {0};
        e.http_status = err != NULL ? err->http_status : 0;
        e.message = xasprintf("looking for a batch over it: %s",
                              err != NULL && err->message != NULL ? err->message : "failed");
        resubmit_end(n, rs, false, NULL, &e);
        net_error_done(&e);
        return;
    }
    struct batch *items = p->items, *first = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (xstreq(items[i].source_directory_id, rs->dir.id) &&
            (first == NULL || items[i].created_ms < first->created_ms))
            first = &items[i];
    if (first == NULL) {
        resubmit_list_files(n, rs);
        return;
    }
    log_printf("net", "resubmit: %s already runs over the directory", first->id);
    struct batch b = *first;
    memset(first, 0, sizeof *first);
    struct net_msg *m = rs_msg(n, rs, NET_MSG_RESUBMITTED);
    m->resubmit_phase = NET_RESUBMIT_DONE;
    m->already_finished = true;
    m->batches = xcalloc(1, sizeof *m->batches);
    m->batches[0] = b;
    m->n_batches = 1;
    msg_push(n, m);
    rs_unlink(n, rs);
    rs_free(rs);
}

/* The directory is known (found or made): look for its batch, then its files. */
static void rs_have_dir(struct net *n, struct resubmit *rs, struct directory *d)
{
    directory_done(&rs->dir);
    rs->dir = *d;
    memset(d, 0, sizeof *d);
    rs->have_dir = true;
    resubmit_progress(n, rs, true);
    struct pager *p = pager_new(PK_BATCHES, rs_batches_listed, rs->seq);
    p->req = rs->req;
    p->f_dir = xstrdup(rs->dir.id);
    pager_start(n, p);
}

static void rs_dir_created(struct net *n, struct xfer *x)
{
    struct rs_ctx *ctx = x->ctx;
    struct resubmit *rs = resubmit_find(n, ctx->seq);
    if (rs == NULL)
        return;
    struct net_error err = {0};
    if (xfer_ok(x)) {
        struct directory d;
        char *cause = NULL;
        bool decoded = decode_directory(x->buf, x->len, &d, &cause);
        free(cause);
        if (decoded && d.id != NULL && d.id[0] != '\0' && xstreq(d.name, rs->name)) {
            rs_have_dir(n, rs, &d);
            return;
        }
        directory_done(&d);
        resubmit_find_dir(n, rs); /* made, surely, but answered with what? look it up */
        return;
    }
    if (xfer_requeue_unsent(n, x, &rs->dir_sends, RS_MAX_SENDS))
        return;
    xfer_error(n, x, &err);
    bool refused = resubmit_refused(x);
    if (refused) {
        resubmit_end(n, rs, false, NULL, &err);
    } else {
        /* 409 (it exists), 5xx, a reset, a timeout: made or not, the list will say */
        net_error_done(&rs->err);
        error_move(&rs->err, &err);
        resubmit_find_dir(n, rs);
    }
    net_error_done(&err);
}

static void rs_create_dir(struct net *n, struct resubmit *rs)
{
    if (rs->dir_sends >= RS_MAX_SENDS) {
        resubmit_end(n, rs, false, NULL, &rs->err);
        return;
    }
    rs_phase(n, rs, NET_RESUBMIT_CREATE_DIR);
    rs->dir_sends++;
    struct rs_ctx *ctx = xcalloc(1, sizeof *ctx);
    ctx->seq = rs->seq;
    struct xfer *x = xfer_new(url_directory_create(&n->uctx), rs_dir_created, ctx, free);
    x->post = decode_directory_create_body(rs->name, rs->ephemeral);
    x->manual = true;
    xfer_send(n, x);
}

static void rs_dirs_listed(struct net *n, struct pager *p, bool ok, const struct net_error *err)
{
    struct resubmit *rs = resubmit_find(n, p->gen);
    if (rs == NULL)
        return;
    if (!ok) {
        rs->phase = NET_RESUBMIT_FIND_DIR;
        resubmit_end(n, rs, false, NULL, err);
        return;
    }
    /* exact name (the filter may be looser); the oldest if another client made two */
    struct directory *items = p->items, *best = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (xstreq(items[i].name, rs->name) && items[i].id != NULL && items[i].id[0] != '\0' &&
            (best == NULL || strcmp(items[i].created_at ? items[i].created_at : "",
                                    best->created_at ? best->created_at : "") < 0))
            best = &items[i];
    if (best != NULL) {
        rs_have_dir(n, rs, best);
        return;
    }
    rs_create_dir(n, rs);
}

void resubmit_find_dir(struct net *n, struct resubmit *rs)
{
    rs_phase(n, rs, NET_RESUBMIT_FIND_DIR);
    struct pager *p = pager_new(PK_DIRS, rs_dirs_listed, rs->seq);
    p->req = rs->req;
    p->id = xstrdup(rs->name);
    pager_start(n, p);
}

/* ---- the command ---- */

struct resubmit *resubmit_new(struct net *n, const struct net_cmd *cmd, enum rs_kind kind)
{
    struct resubmit *rs = xcalloc(1, sizeof *rs);
    rs->seq = ++n->resubmit_seq;
    rs->req = cmd->req;
    rs->kind = kind;
    rs->orig = xstrdup(cmd->id);
    rs->name = xstrdup(cmd->name);
    rs->cfg = xstrdup(cmd->configuration_id);
    rs->type = cmd->job_type;
    rs->phase = NET_RESUBMIT_FIND_DIR;
    rs->next = n->resubmits;
    n->resubmits = rs;
    return rs;
}

void resubmit_start(struct net *n, const struct net_cmd *cmd)
{
    struct resubmit *rs = resubmit_new(n, cmd, RS_RESUBMIT);
    /* one entry per distinct file_id, in the order given */
    rs->files = xcalloc(cmd->n_files ? cmd->n_files : 1, sizeof *rs->files);
    struct strmap seen;
    strmap_init(&seen, NULL);
    bool no_id = false;
    for (size_t i = 0; i < cmd->n_files; i++) {
        const struct dir_file *f = &cmd->files[i];
        if (f->file_id == NULL || f->file_id[0] == '\0') {
            no_id = true;
            continue;
        }
        if (strmap_has(&seen, f->file_id))
            continue;
        strmap_put(&seen, f->file_id, NULL);
        struct rs_file *r = &rs->files[rs->n_files++];
        r->file_id = xstrdup(f->file_id);
        r->display_name = f->display_name != NULL ? xstrdup(f->display_name) : NULL;
    }
    strmap_done(&seen);
    if (rs->name == NULL || rs->name[0] == '\0')
        resubmit_fail(n, rs, "no directory name given");
    else if (no_id)
        resubmit_fail(n, rs, "a file has no file_id, so it cannot be added to another directory");
    else if (rs->n_files == 0)
        resubmit_fail(n, rs, "no files to run again");
    else if (rs->cfg == NULL || rs->cfg[0] == '\0')
        resubmit_fail(n, rs, "no configuration given");
    else if (rs->type != JOB_TYPE_PARSE && rs->type != JOB_TYPE_EXTRACT)
        resubmit_fail(n, rs, "the job type must be parse_v2 or extract_v2");
    else
        resubmit_find_dir(n, rs);
}

void resubmit_free_all(struct net *n)
{
    while (n->resubmits != NULL) {
        struct resubmit *rs = n->resubmits;
        n->resubmits = rs->next;
        rs_free(rs);
    }
}
