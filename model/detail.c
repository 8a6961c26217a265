/* detail.c -- one batch's result rows joined with file names and job statuses, in any order. */
#include "config.h"

#include "model/detail.h"

#include <stdlib.h>
#include <string.h>

#include "model/strmap.h"
#include "model/xalloc.h"

/* The latest status of one job, kept even before the results name it. */
struct job_info {
    enum job_status status;
    char *status_text;
    char *error;
    bool has_credits, has_pages, pages_checked;
    double credits;
    int64_t pages;
    size_t pages_failed;
};

struct batch_detail {
    char *batch_id;
    bool have_batch;
    struct batch batch;              /* latest answer; results kept from an earlier answer
                                        when a later one carried none */
    struct detail_row *rows;
    size_t n_rows;

    struct strmap names;             /* file ID -> index in name_list and name_deleted */
    char **name_list;
    bool *name_deleted;
    char *names_error;
    size_t n_names;
    struct strmap jobs;              /* job ID -> index in job_list */
    struct job_info *job_list;
    size_t n_jobs;

    bool failed_only;
    char *filter;                    /* as set, "" when none */
    char *needle;                    /* lowered, without '!' */
    bool invert;
    size_t *visible;                 /* indexes of shown rows */
    size_t n_visible;
};

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive (ASCII) substring test; needle is already lowered and not empty. */
static bool contains(const char *hay, const char *needle)
{
    if (hay == NULL)
        return false;
    size_t nl = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nl && hay[i] && ascii_lower(hay[i]) == needle[i])
            i++;
        if (i == nl)
            return true;
    }
    return false;
}

struct batch_detail *detail_new(const char *batch_id)
{
    struct batch_detail *d = xcalloc(1, sizeof *d);
    d->batch_id = xstrdup(batch_id ? batch_id : "");
    strmap_init(&d->names, NULL);
    strmap_init(&d->jobs, NULL);
    d->filter = xstrdup("");
    d->needle = xstrdup("");
    return d;
}

static void row_done(struct detail_row *r)
{
    free(r->file_id);
    free(r->display_name);
    free(r->job_id);
    free(r->job_status_text);
    free(r->mapping_error);
    free(r->job_error);
    memset(r, 0, sizeof *r);
}

static void free_rows(struct batch_detail *d)
{
    for (size_t i = 0; i < d->n_rows; i++)
        row_done(&d->rows[i]);
    free(d->rows);
    d->rows = NULL;
    d->n_rows = 0;
}

void detail_free(struct batch_detail *d)
{
    if (d == NULL)
        return;
    free(d->batch_id);
    batch_done(&d->batch);
    free_rows(d);
    strmap_done(&d->names);
    for (size_t i = 0; i < d->n_names; i++)
        free(d->name_list[i]);
    free(d->name_list);
    free(d->name_deleted);
    free(d->names_error);
    strmap_done(&d->jobs);
    for (size_t i = 0; i < d->n_jobs; i++) {
        free(d->job_list[i].status_text);
        free(d->job_list[i].error);
    }
    free(d->job_list);
    free(d->filter);
    free(d->needle);
    free(d->visible);
    free(d);
}

const char *detail_batch_id(const struct batch_detail *d)
{
    return d->batch_id;
}

const struct batch *detail_batch(const struct batch_detail *d)
{
    return d->have_batch ? &d->batch : NULL;
}

/* ---- rows ---- */

static bool row_failed(const struct detail_row *r)
{
    return r->mapping_error != NULL || (r->job_known && r->job_status == JOB_FAILED);
}

static bool row_shown(const struct batch_detail *d, const struct detail_row *r)
{
    if (d->failed_only && !row_failed(r))
        return false;
    if (d->needle[0] == '\0')
        return true;
    const char *status = r->job_known ? (r->job_status_text ? r->job_status_text
                                                            : job_status_name(r->job_status))
                                      : NULL;
    bool hit = contains(r->display_name, d->needle) || contains(r->file_id, d->needle)
               || contains(r->job_id, d->needle) || contains(status, d->needle)
               || contains(r->mapping_error, d->needle) || contains(r->job_error, d->needle);
    return hit != d->invert;
}

static void update_visible(struct batch_detail *d)
{
    d->visible = xreallocarray(d->visible, d->n_rows ? d->n_rows : 1, sizeof *d->visible);
    d->n_visible = 0;
    for (size_t i = 0; i < d->n_rows; i++)
        if (row_shown(d, &d->rows[i]))
            d->visible[d->n_visible++] = i;
}

/* Bring a row's name and job fields up to date with what the maps know. */
static void join_row(struct batch_detail *d, struct detail_row *r)
{
    size_t k;
    bool named = strmap_get_index(&d->names, r->file_id, &k);
    const char *name = named ? d->name_list[k] : NULL;
    if (!xstreq(r->display_name, name))
        xstrset(&r->display_name, name);
    r->deleted = named && d->name_deleted[k];
    const struct job_info *j = strmap_get_index(&d->jobs, r->job_id, &k) ? &d->job_list[k] : NULL;
    r->has_credits = j != NULL && j->has_credits;
    r->credits = r->has_credits ? j->credits : 0;
    r->has_pages = j != NULL && j->has_pages;
    r->pages = r->has_pages ? j->pages : 0;
    r->pages_checked = j != NULL && j->pages_checked;
    r->pages_failed = r->pages_checked ? j->pages_failed : 0;
    r->job_known = j != NULL;
    r->job_status = j ? j->status : JOB_UNKNOWN;
    if (!xstreq(r->job_status_text, j ? j->status_text : NULL))
        xstrset(&r->job_status_text, j ? j->status_text : NULL);
    if (!xstreq(r->job_error, j ? j->error : NULL))
        xstrset(&r->job_error, j ? j->error : NULL);
}

static void join_all(struct batch_detail *d)
{
    for (size_t i = 0; i < d->n_rows; i++)
        join_row(d, &d->rows[i]);
    update_visible(d);
}

/*
 * Rows: one per result, in the results' order; then, while the batch is active, one per file
 * of its directory that has no result yet. The API may keep results null for a whole run
 * ("null ... while the batch is still running"), so the directory's files are what the
 * operator can see, and its file count is the denominator, never the number mapped so far.
 */
static void rebuild_rows(struct batch_detail *d)
{
    free_rows(d);
    if (!d->have_batch)
        return;
    bool active = !batch_status_is_terminal(d->batch.status);
    struct strmap in_results;
    strmap_init(&in_results, NULL);
    for (size_t i = 0; i < d->batch.n_results; i++)
        strmap_put_index(&in_results, d->batch.results[i].file_id, i);
    size_t extra = 0;
    /* a file deleted from the directory will not be mapped: no "not mapped yet" row for it */
    if (active)
        for (struct strmap_entry *e = strmap_first(&d->names); e != NULL; e = strmap_next(e))
            if (!strmap_has(&in_results, strmap_key(e)) && !d->name_deleted[strmap_index(e)])
                extra++;
    if (d->batch.n_results + extra > 0)
        d->rows = xcalloc(d->batch.n_results + extra, sizeof *d->rows);
    for (size_t i = 0; i < d->batch.n_results; i++) {
        const struct batch_result *res = &d->batch.results[i];
        struct detail_row *r = &d->rows[d->n_rows++];
        r->file_id = xstrdup(res->file_id ? res->file_id : "");
        r->job_id = xstrdup(res->job_id);
        r->job_type = res->job_id ? res->job_type : JOB_TYPE_UNKNOWN;
        r->mapping_error = xstrdup(res->error_message);
        r->job_status = JOB_UNKNOWN;
    }
    if (active) {
        for (struct strmap_entry *e = strmap_first(&d->names); e != NULL; e = strmap_next(e)) {
            if (strmap_has(&in_results, strmap_key(e)) || d->name_deleted[strmap_index(e)])
                continue;
            struct detail_row *r = &d->rows[d->n_rows++];
            r->file_id = xstrdup(strmap_key(e));
            r->job_type = JOB_TYPE_UNKNOWN;
            r->job_status = JOB_UNKNOWN;
            r->not_mapped = true;
        }
    }
    strmap_done(&in_results);
    join_all(d);
}

void detail_set_batch(struct batch_detail *d, const struct batch *b)
{
    if (b == NULL || !xstreq(b->id, d->batch_id))
        return;
    struct batch next;
    if (b->has_results || !d->have_batch || !d->batch.has_results) {
        batch_copy(&next, b);
    } else {
        /* This answer carries no results (e.g. a plain get): keep the ones we know. */
        batch_copy_without_results(&next, b);
        next.has_results = true;
        next.results = d->batch.results;
        next.n_results = d->batch.n_results;
        d->batch.results = NULL;
        d->batch.n_results = 0;
    }
    batch_done(&d->batch);
    d->batch = next;
    d->have_batch = true;

    rebuild_rows(d);
}

void detail_set_names(struct batch_detail *d, const struct dir_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (files[i].id == NULL)
            continue;
        size_t k;
        if (strmap_get_index(&d->names, files[i].id, &k)) {
            xstrset(&d->name_list[k], files[i].display_name);
        } else {
            d->name_list = xreallocarray(d->name_list, d->n_names + 1, sizeof *d->name_list);
            d->name_deleted =
                xreallocarray(d->name_deleted, d->n_names + 1, sizeof *d->name_deleted);
            d->name_list[d->n_names] = xstrdup(files[i].display_name);
            k = d->n_names++;
            strmap_put_index(&d->names, files[i].id, k);
        }
        d->name_deleted[k] = files[i].deleted_at != NULL;
    }
    xstrset(&d->names_error, NULL);
    rebuild_rows(d);
}

void detail_set_jobs(struct batch_detail *d, const struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].id == NULL)
            continue;
        size_t k;
        if (!strmap_get_index(&d->jobs, jobs[i].id, &k)) {
            d->job_list = xreallocarray(d->job_list, d->n_jobs + 1, sizeof *d->job_list);
            memset(&d->job_list[d->n_jobs], 0, sizeof *d->job_list);
            k = d->n_jobs++;
            strmap_put_index(&d->jobs, jobs[i].id, k);
        }
        struct job_info *j = &d->job_list[k];
        j->status = jobs[i].status;
        xstrset(&j->status_text, jobs[i].status_text);
        xstrset(&j->error, jobs[i].error_message);
        if (jobs[i].has_credits) { /* a later answer without usage does not unbill a job */
            j->has_credits = true;
            j->credits = jobs[i].credits;
        }
        if (jobs[i].has_pages) {
            j->has_pages = true;
            j->pages = jobs[i].pages_billed;
        }
    }
    join_all(d);
}

void detail_set_names_error(struct batch_detail *d, const char *why)
{
    xstrset(&d->names_error, why);
}

const char *detail_names_error(const struct batch_detail *d)
{
    return d != NULL ? d->names_error : NULL;
}

void detail_set_output_pages(struct batch_detail *d, const char *job_id, size_t failed)
{
    size_t k;
    if (job_id == NULL || !strmap_get_index(&d->jobs, job_id, &k))
        return;
    d->job_list[k].pages_checked = true;
    d->job_list[k].pages_failed = failed;
    join_all(d);
}

size_t detail_row_count(const struct batch_detail *d)
{
    return d->n_rows;
}

const struct detail_row *detail_row_at(const struct batch_detail *d, size_t i)
{
    return i < d->n_rows ? &d->rows[i] : NULL;
}

/* ---- counts and progress ---- */

void detail_counts(const struct batch_detail *d, struct detail_counts *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < d->n_rows; i++) {
        const struct detail_row *r = &d->rows[i];
        if (r->deleted)
            out->deleted++;
        if (r->not_mapped)
            out->not_mapped++;
        else if (r->mapping_error != NULL)
            out->mapping_errors++;
        else if (r->job_id == NULL)
            out->no_job++;
        else if (!r->job_known)
            out->unknown++;
        else if ((unsigned)r->job_status < JOB_STATUS_COUNT)
            out->by_status[r->job_status]++;
        else
            out->by_status[JOB_UNKNOWN]++;
    }
    out->total = d->n_rows;
}

void detail_usage(const struct batch_detail *d, struct detail_usage *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < d->n_rows; i++) {
        const struct detail_row *r = &d->rows[i];
        if (r->job_id == NULL)
            continue;
        out->jobs++;
        if (r->has_credits) {
            out->billed++;
            out->credits += r->credits;
        }
        if (r->has_pages) {
            out->with_pages++;
            out->pages += r->pages;
        }
        if (r->pages_checked) {
            out->pages_checked++;
            out->pages_failed += r->pages_failed;
            out->files_with_failed_pages += r->pages_failed > 0;
        }
    }
    out->partial = out->billed < out->jobs;
}

static bool row_done_p(const struct detail_row *r)
{
    return r->mapping_error != NULL || (r->job_known && job_status_is_terminal(r->job_status));
}

bool detail_progress(const struct batch_detail *d, size_t *done, size_t *total)
{
    if (!d->have_batch)
        return false;
    /* Without results, the directory's files give the denominator while the batch is active. */
    if (!d->batch.has_results &&
        (batch_status_is_terminal(d->batch.status) || strmap_count(&d->names) == 0))
        return false;
    size_t n = 0;
    for (size_t i = 0; i < d->n_rows; i++)
        if (row_done_p(&d->rows[i]))
            n++;
    *done = n;
    *total = d->n_rows;
    return true;
}

size_t detail_jobs_running(const struct batch_detail *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_rows; i++) {
        const struct detail_row *r = &d->rows[i];
        if (r->job_id != NULL && r->job_known && !job_status_is_terminal(r->job_status))
            n++;
    }
    return n;
}

bool detail_is_live(const struct batch_detail *d)
{
    if (!d->have_batch || !batch_status_is_terminal(d->batch.status))
        return true;
    if (d->batch.status == BATCH_COMPLETED && !d->batch.has_results)
        return true;
    for (size_t i = 0; i < d->n_rows; i++) {
        const struct detail_row *r = &d->rows[i];
        if (r->job_id != NULL && (!r->job_known || !job_status_is_terminal(r->job_status)))
            return true;
    }
    return false;
}

/* ---- shown rows ---- */

void detail_set_failed_only(struct batch_detail *d, bool on)
{
    d->failed_only = on;
    update_visible(d);
}

bool detail_failed_only(const struct batch_detail *d)
{
    return d->failed_only;
}

void detail_set_filter(struct batch_detail *d, const char *text)
{
    if (text == NULL)
        text = "";
    xstrset(&d->filter, text);
    d->invert = text[0] == '!';
    xstrset(&d->needle, d->invert ? text + 1 : text);
    for (char *p = d->needle; *p; p++)
        *p = ascii_lower(*p);
    update_visible(d);
}

const char *detail_filter(const struct batch_detail *d)
{
    return d->filter;
}

size_t detail_visible_count(const struct batch_detail *d)
{
    return d->n_visible;
}

const struct detail_row *detail_visible_row(const struct batch_detail *d, size_t i)
{
    return i < d->n_visible ? &d->rows[d->visible[i]] : NULL;
}
