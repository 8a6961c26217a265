/* apply.c -- turn each net message into model updates (store, view, detail, header state). */
#include "config.h"

#include "tui/apply.h"
#include "tui/cache.h"
#include "tui/screens.h"

#include <stdlib.h>

#include "model/clock.h"
#include "model/xalloc.h"

void apply_load_names(struct app *a)
{
    /* once per session (and per profile): the list's DIRECTORY and CONFIG names; the pickers
     * reuse the answers */
    app_submit(a, net_cmd_new(NET_CMD_LIST_DIRECTORIES));
    for (int t = 0; t < JOB_TYPE_COUNT; t++) {
        if (t == JOB_TYPE_UNKNOWN || a->configs_req[t] != 0)
            continue;
        struct net_cmd *c = net_cmd_new(NET_CMD_LIST_CONFIGS);
        c->job_type = (enum job_type)t;
        a->configs_req[t] = app_submit(a, c);
    }
}

void apply_directory_names(struct app *a)
{
    for (size_t i = 0; i < a->n_directories; i++)
        if (a->directories[i].id && a->directories[i].name)
            store_set_directory_name(a->store, a->directories[i].id, a->directories[i].name);
}

/* The open batch's progress becomes the list's FILES/PROGRESS annotation. */
/* A start from the cache: until the operator moves the cursor it stays on the top row, so the
 * batches the refresh brings (newer than the snapshot) are where a fresh start would be. */
static void keep_top(struct app *a)
{
    if (a->cached_ms > 0 && !a->list_cursor_moved && list_view_count(a->view) > 0)
        list_view_select_index(a->view, 0);
}

static void annotate_progress(struct app *a)
{
    size_t done, total;
    if (a->detail && detail_progress(a->detail, &done, &total))
        store_set_progress(a->store, detail_batch_id(a->detail), (long)done, (long)total);
    if (a->detail) {
        store_set_jobs_running(a->store, detail_batch_id(a->detail),
                               (long)detail_jobs_running(a->detail));
        struct detail_usage u;
        detail_usage(a->detail, &u);
        if (u.billed > 0)
            store_set_credits(a->store, detail_batch_id(a->detail), u.credits, u.partial);
    }
}

/* A resubmit ended: the new batch joins the list, linked both ways (the API keeps no link, so
 * the snapshot does), and the outcome is said whether or not the dialog is still open. */
static void apply_resubmitted(struct app *a, const struct net_msg *m)
{
    const char *orig = m->id ? m->id : "the batch";
    if (!m->ok) {
        app_error(a, "resubmit of %s failed: %s", orig,
                  m->error.message ? m->error.message : "unknown error");
        return;
    }
    if (m->n_batches == 0 || m->batches[0].id == NULL) {
        app_flash(a, "resubmit of %s done", orig);
        return;
    }
    const char *id = m->batches[0].id;
    store_upsert(a->store, &m->batches[0]);
    if (m->id)
        store_link_resubmit(a->store, m->id, id);
    if (!batch_status_is_terminal(m->batches[0].status))
        app_notify_watch(a, id, true); /* its end will be announced, as a create's */
    if (m->n_directories > 0 && m->directories[0].id && m->directories[0].name)
        store_set_directory_name(a->store, m->directories[0].id, m->directories[0].name);
    a->view_dirty = true;
    if (m->already_finished)
        app_flash(a, "%s was already resubmitted as %s: nothing new created", orig, id);
    else
        app_flash(a, "resubmitted %s as %s", orig, id);
    cache_save(a, true); /* the link exists nowhere else */
}

static void apply_uploaded(struct app *a, const struct net_msg *m)
{
    const struct net_upload_progress *p = &m->upload;
    if (!m->ok) {
        app_error(a, "upload stopped while %s: %s (%zu of %zu files in the directory; a second "
                  "run uploads only what is missing)",
                  net_resubmit_phase_name(m->resubmit_phase),
                  m->error.message ? m->error.message : "unknown error",
                  p->files_present + p->files_sent, p->files_total);
        return;
    }
    if (m->n_directories > 0 && m->directories[0].id && m->directories[0].name)
        store_set_directory_name(a->store, m->directories[0].id, m->directories[0].name);
    if (m->n_batches == 0 || m->batches[0].id == NULL) {
        app_flash(a, "uploaded %zu files", p->files_sent);
        return;
    }
    const char *id = m->batches[0].id;
    store_upsert(a->store, &m->batches[0]);
    if (!batch_status_is_terminal(m->batches[0].status))
        app_notify_watch(a, id, true); /* its end will be announced, as a create's */
    a->view_dirty = true;
    app_log(a, false, "upload: %zu files sent, %zu already there, %zu failed; batch %s",
            p->files_sent, p->files_present, p->files_failed, id);
    if (m->already_finished)
        app_flash(a, "%s already runs over that directory: nothing new created", id);
    else if (p->files_failed)
        app_flash(a, "created batch %s; %zu file%s failed to upload (see Messages)", id,
                  p->files_failed, p->files_failed == 1 ? "" : "s");
    else
        app_flash(a, "created batch %s (%zu files uploaded, %zu already there)", id,
                  p->files_sent, p->files_present);
}

/* R on the list opened the batch: the dialog comes once its rows can be chosen from. */
static void resubmit_when_loaded(struct app *a, const struct net_msg *m)
{
    if (a->resubmit_after_load == NULL || a->detail == NULL ||
        !xstreq(detail_batch_id(a->detail), a->resubmit_after_load))
        return;
    if (m->type == NET_MSG_WATCH_ROUND && !m->ok && detail_batch(a->detail) == NULL) {
        app_error(a, "%s could not be loaded: nothing to resubmit", a->resubmit_after_load);
        xstrset(&a->resubmit_after_load, NULL);
        return;
    }
    struct detail_counts dc;
    detail_counts(a->detail, &dc);
    if (detail_batch(a->detail) == NULL || detail_loading(a->detail) ||
        !detail_names_known(a->detail) || dc.unknown > 0)
        return;
    char *id = a->resubmit_after_load;
    a->resubmit_after_load = NULL;
    resubmit_open(a, id);
    free(id);
}

void apply_rows_built(struct app *a)
{
    if (a->detail == NULL)
        return;
    annotate_progress(a);
    a->view_dirty = true;
    struct net_msg none = {.type = NET_MSG_STATE, .ok = true};
    resubmit_when_loaded(a, &none);
}

static void take_connection(struct app *a, const struct net_msg *m)
{
    a->conn = m->conn;
    a->retry_at_mono = m->conn == NET_CONN_RETRYING ? clock_mono_ms() + m->retry_in_ms : 0;
    a->requests_per_min = m->requests_per_min;
    a->stalled_ms = m->stalled_ms;
    if (m->updated_ms > 0)
        a->updated_ms = m->updated_ms;
}

unsigned apply_message(struct app *a, const struct net_msg *m)
{
    take_connection(a, m);
    switch (m->type) {
    case NET_MSG_STATE:
        break;
    case NET_MSG_NOTICE:
        /* the same notice every interval is said once */
        if (m->error.message != NULL && !xstreq(m->error.message, a->last_notice)) {
            xstrset(&a->last_notice, m->error.message);
            app_log(a, true, "%s", m->error.message);
        }
        break;
    case NET_MSG_LIST_PAGE:
        /* A page of a listing under way: on screen now, in sort order; the selection stays
         * on its batch (the view keeps it by ID). */
        for (size_t i = 0; i < m->n_batches; i++)
            store_upsert(a->store, &m->batches[i]);
        a->list_partial = true;
        a->list_partial_loaded = m->list_loaded;
        a->list_partial_total = m->list_total;
        a->list_partial_pages = m->list_pages;
        apply_directory_names(a);
        list_view_rebuild(a->view, a->store);
        keep_top(a);
        break;
    case NET_MSG_LIST_FULL:
        /* The batches move into the store (read_messages frees m right after): one copy of
         * a 10,000-batch list at a time instead of two. */
        store_apply_generation_take(a->store, m->batches, m->n_batches);
        a->list_loaded = true;
        a->list_partial = false;
        cache_save(a, false);
        a->list_stale = false;
        apply_directory_names(a);
        annotate_progress(a);
        list_view_rebuild(a->view, a->store);
        keep_top(a);
        break;
    case NET_MSG_LIST_DELTA:
        for (size_t i = 0; i < m->n_batches; i++)
            store_upsert(a->store, &m->batches[i]);
        cache_save(a, false);
        a->list_stale = false;
        apply_directory_names(a);
        annotate_progress(a);
        list_view_rebuild(a->view, a->store);
        keep_top(a);
        break;
    case NET_MSG_LIST_FAILED:
        if (!a->list_stale)
            app_log(a, true, "list refresh failed: %s",
                    m->error.message ? m->error.message : "unknown error");
        a->list_stale = true;
        break;
    case NET_MSG_BATCH:
        if (m->n_batches > 0) {
            store_upsert(a->store, &m->batches[0]);
            /* The results (up to 100,000 of them) move into the detail; no screen reads a
             * NET_MSG_BATCH after this and read_messages frees m right after. */
            if (a->detail)
                detail_set_batch_take(a->detail, &m->batches[0]);
            apply_directory_names(a);
            annotate_progress(a);
            a->view_dirty = true;
        }
        break;
    case NET_MSG_BATCH_FAILED:
        app_log(a, true, "batch %s: %s", m->id ? m->id : "?",
                m->error.message ? m->error.message : "unknown error");
        break;
    case NET_MSG_DIR_FILES:
        if (a->detail && !m->ok) {
            char *why = xasprintf("file names unavailable: %s",
                                  m->error.message ? m->error.message : "unknown error");
            detail_set_names_error(a->detail, why);
            free(why);
        } else if (a->detail) {
            detail_set_names(a->detail, m->files, m->n_files);
            annotate_progress(a);
        }
        resubmit_when_loaded(a, m);
        break;
    case NET_MSG_JOBS:
        /* statuses of the batch watched when they were sent: not of one opened since */
        if (a->detail && xstreq(m->id, detail_batch_id(a->detail))) {
            detail_set_jobs(a->detail, m->jobs, m->n_jobs);
            annotate_progress(a);
            a->view_dirty = true; /* rebuilt once per slice of messages (read_messages) */
        }
        break;
    case NET_MSG_OUTPUT:
        /* the output's job carries its usage, and its pages say which of them failed */
        if (a->detail && m->n_jobs > 0) {
            detail_set_jobs(a->detail, m->jobs, m->n_jobs);
            if (m->output.type == JOB_TYPE_PARSE && m->output.pages > 0)
                detail_set_output_pages(a->detail, m->output.job_id, m->output.pages_failed);
            annotate_progress(a);
            a->view_dirty = true;
        }
        break;
    case NET_MSG_OUTPUT_FAILED:
    case NET_MSG_CREATED:
        break;
    case NET_MSG_CANCELLED:
        if (m->ok && m->n_batches > 0) {
            store_upsert(a->store, &m->batches[0]);
            list_view_rebuild(a->view, a->store);
            app_flash(a, "cancel requested for %s (now %s)", m->id ? m->id : m->batches[0].id,
                      batch_status_text(&m->batches[0]));
        } else if (m->ok) {
            app_flash(a, "cancel requested for %s", m->id ? m->id : "the batch");
        } else if (m->already_finished) {
            app_error(a, "%s had already finished: nothing to cancel",
                      m->id ? m->id : "the batch");
        } else {
            app_error(a, "cancel of %s failed: %s", m->id ? m->id : "the batch",
                      m->error.message ? m->error.message : "unknown error");
        }
        break;
    case NET_MSG_COUNTS:
        /* a row's counts, fetched because it was in view (list.c asks) */
        store_set_counts(a->store, m->id, &m->counts);
        a->view_dirty = true;
        break;
    case NET_MSG_RESUBMIT_PROGRESS:
        break; /* the Resubmit dialog shows it */
    case NET_MSG_UPLOAD_PROGRESS:
        break; /* the Upload screen shows it */
    case NET_MSG_UPLOAD_FILE:
        if (m->upload_state == NET_UPLOAD_FAILED)
            app_log(a, true, "upload of %s failed: %s", m->id ? m->id : "a file",
                    m->error.message ? m->error.message : "unknown error");
        if (m->stale_entry)
            app_log(a, false, "%s changed since an earlier upload: uploaded again; the old entry "
                    "%s stays in the directory", m->id ? m->id : "a file", m->stale_entry);
        break;
    case NET_MSG_UPLOADED:
        apply_uploaded(a, m);
        break;
    case NET_MSG_RESUBMITTED:
        apply_resubmitted(a, m);
        break;
    case NET_MSG_WATCH_ROUND:
        resubmit_when_loaded(a, m);
        return a->resubmit_after_load ? REACT_NONE : REACT_REDRAW; /* for scripts (batchtop wait); the screens follow the batch and jobs */
    case NET_MSG_DIRECTORIES:
        if (m->ok) {
            for (size_t i = 0; i < a->n_directories; i++)
                directory_done(&a->directories[i]);
            free(a->directories);
            a->directories =
                xcalloc(m->n_directories ? m->n_directories : 1, sizeof *a->directories);
            for (size_t i = 0; i < m->n_directories; i++)
                directory_copy(&a->directories[i], &m->directories[i]);
            a->n_directories = m->n_directories;
            a->directories_loaded = true;
            xstrset(&a->directories_error, NULL);
            apply_directory_names(a);
            list_view_rebuild(a->view, a->store);
        } else {
            xstrset(&a->directories_error, m->error.message ? m->error.message : "failed");
            app_log(a, true, "directories: %s", a->directories_error);
        }
        break;
    case NET_MSG_CONFIGS:
        for (int t = 0; t < JOB_TYPE_COUNT; t++) {
            if (a->configs_req[t] == 0 || a->configs_req[t] != m->req)
                continue;
            a->configs_req[t] = 0;
            if (!m->ok) {
                xstrset(&a->configs_error, m->error.message ? m->error.message : "failed");
                app_log(a, true, "configurations: %s", a->configs_error);
                break;
            }
            for (size_t i = 0; i < a->n_configs[t]; i++)
                config_done(&a->configs[t][i]);
            free(a->configs[t]);
            a->configs[t] = xcalloc(m->n_configs ? m->n_configs : 1, sizeof *a->configs[t]);
            for (size_t i = 0; i < m->n_configs; i++) {
                config_copy(&a->configs[t][i], &m->configs[i]);
                /* the list's CONFIG column shows names (sanitized when drawn, as every cell) */
                if (m->configs[i].id && m->configs[i].name)
                    store_set_config_name(a->store, m->configs[i].id, m->configs[i].name);
            }
            a->view_dirty = true;
            a->n_configs[t] = m->n_configs;
            a->configs_loaded[t] = true;
            xstrset(&a->configs_error, NULL);
        }
        break;
    }
    return REACT_REDRAW;
}
