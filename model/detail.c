/* detail.c -- one batch's result rows joined with file names and job statuses, in any order. */
#include "config.h"

#include "model/detail.h"
#include "model/triage.h"

#include <stdlib.h>
#include <string.h>

#include "model/strmap.h"
#include "model/xalloc.h"

/*
 * Cost. A batch may hold far more files than the API's documented 1,000 (issue 14: 60,000 to
 * 100,000 were seen), and names and job statuses arrive in many small messages. So each merge
 * costs what the message holds, not what the batch holds: row_by_file and row_by_job lead from
 * an ID to the rows that use it (one row each, except in hostile data where an ID repeats: the
 * rows are chained through links[]), only those rows are joined again, the counters are
 * adjusted for those rows alone, and the list of shown rows is rebuilt once, when it is next
 * read, and only if some row's shown state changed. Only a new results answer (once per
 * refresh interval) or a filter change walks every row.
 */

#define NO_ROW ((size_t)-1)

/* Per-row bookkeeping the public struct detail_row does not show. */
struct row_link {
    size_t next_file; /* next row with the same file ID, or NO_ROW */
    size_t next_job;  /* next row with the same job ID, or NO_ROW */
    bool shown;       /* passes failed-only and the filter */
};

/* The latest status of one job, kept even before the results name it. */
struct job_info { /* ordered by size: 48 bytes, not 56 */
    char *status_text; /* NULL when it is job_status_name(status) */
    char *error;
    double credits;
    int64_t pages;
    size_t pages_failed;
    enum job_status status;
    bool has_credits, has_pages, pages_checked;
};

struct batch_detail {
    char *batch_id;
    bool have_batch;
    struct batch batch;              /* latest answer; results kept from an earlier answer
                                        when a later one carried none */
    struct detail_row *rows;
    size_t n_rows, cap_rows;
    struct row_link *links;          /* parallel to rows (cap_rows allocated) */
    struct strmap row_by_file;       /* file ID -> first row with it (chain: links[].next_file) */
    struct strmap row_by_job;        /* job ID -> first row with it (chain: links[].next_job) */

    struct strmap names;             /* file ID -> index in name_list and name_deleted */
    char **name_list;
    char **name_source;              /* the directory file's file_id (the underlying file) */
    bool *name_deleted;
    char *names_error;
    size_t n_names, cap_names;
    struct strmap jobs;              /* job ID -> index in job_list */
    struct job_info *job_list;
    size_t n_jobs, cap_jobs;

    bool failed_only;
    char *group;                     /* a failure group's ID (model/triage.h), NULL when none */
    char *filter;                    /* as set, "" when none */
    char *needle;                    /* lowered, without '!' */
    bool invert;
    size_t *visible;                 /* indexes of shown rows, valid unless visible_dirty */
    size_t n_visible;                /* rows whose links[].shown is set: always current */
    bool visible_dirty;              /* the shown set changed: visible[] is rebuilt on demand */

    /* What the rows add up to, kept current row by row (tally_row) so that counts, progress
     * and usage cost nothing per draw or per message. */
    struct detail_counts counts;     /* total is n_rows, filled in on the way out */
    size_t n_done;                   /* rows whose job is terminal or that have a mapping error */
    size_t n_running;                /* rows whose job is known and not terminal */
    size_t n_live;                   /* rows with a job not known or not terminal */
    struct detail_usage usage;       /* partial filled in on the way out */
    bool repeats;                    /* some file or job ID names more than one row (hostile
                                        data): new results rebuild every row (sync_rows) */
    bool credits_dirty;              /* a billed row's credits changed: usage.credits is
                                        summed again on demand (floating point does not
                                        take a number back exactly) */
    struct triage triage;            /* failed rows by group, counted like the others */

    /* Rows built a slice at a time (detail_set_incremental): rebuild_rows only starts, and
     * detail_work adds results rows from build_next on, then the "not mapped yet" rows from
     * the name build_entry on (names only ever join the end of that order). */
    bool incremental;
    bool building;                   /* rows are still being added */
    size_t build_next;               /* the next result to add a row for */
    bool build_names;                /* results done: now the directory's other files */
    struct strmap_entry *build_entry; /* the next name to look at (NULL: from the first) */
    /* The shown rows decided a slice at a time too (incremental): a filter over 100,000 rows
     * took 30-100 ms. Rows from reshow_next on still show what they did before (narrowing:
     * only shown rows are looked at again) or nothing (from scratch). */
    bool reshowing;
    bool reshow_narrow;
    size_t reshow_next;

    /* Incremental: a changed results answer of a batch whose rows are all in is built anew
     * behind the rows on screen: those are frozen here (read-only: what every reader sees)
     * until the build ends (issue 14: sync_rows took 400-1,000 ms on 100,000 rows while a
     * big batch ran). Rows, indexes and frozen sets no longer used go to the trash, freed a
     * slice at a time by detail_work. */
    struct frozen {
        bool active;
        struct detail_row *rows;
        size_t n_rows;
        size_t *visible; /* every shown row, in order */
        size_t n_visible;
        struct detail_counts counts;
        struct detail_usage usage;
        size_t n_done, n_running, n_live;
        struct triage triage;
    } frozen;
    struct trash {
        struct detail_row *rows; /* n_rows of them to row_done, then the arrays to free */
        size_t n_rows;
        struct batch_result *results; /* an earlier answer's: n_results to batch_result_done */
        size_t n_results;
        void *arrays[3];
        struct strmap maps[2];
    } *trash;
    size_t n_trash;
};

/* Put rows, arrays and maps in the trash (taken). */
static void trash_add(struct batch_detail *d, struct detail_row *rows, size_t n_rows, void *a0,
                      void *a1, const struct strmap *m0, const struct strmap *m1)
{
    d->trash = xreallocarray(d->trash, d->n_trash + 1, sizeof *d->trash);
    struct trash *t = &d->trash[d->n_trash++];
    memset(t, 0, sizeof *t);
    t->rows = rows;
    t->n_rows = n_rows;
    t->arrays[0] = rows;
    t->arrays[1] = a0;
    t->arrays[2] = a1;
    if (m0 != NULL)
        t->maps[0] = *m0;
    if (m1 != NULL)
        t->maps[1] = *m1;
}

static void row_done(struct detail_row *r);
static void free_rows(struct batch_detail *d);
static void retire_rows(struct batch_detail *d);

/* Free up to `steps` things of the trash; true while some is left. */
static bool trash_some(struct batch_detail *d, size_t steps)
{
    while (d->n_trash > 0 && steps > 0) {
        struct trash *t = &d->trash[d->n_trash - 1];
        for (; steps > 0 && t->n_rows > 0; steps--)
            row_done(&t->rows[--t->n_rows]);
        for (; steps > 0 && t->n_results > 0; steps--)
            batch_result_done(&t->results[--t->n_results]);
        if (t->n_rows > 0 || t->n_results > 0 || !strmap_done_some(&t->maps[0], &steps) ||
            !strmap_done_some(&t->maps[1], &steps))
            return true;
        for (int i = 0; i < 3; i++)
            free(t->arrays[i]);
        free(t->results);
        d->n_trash--;
    }
    if (d->n_trash == 0) {
        free(d->trash);
        d->trash = NULL;
    }
    return d->n_trash > 0;
}

/* The frozen rows are not shown any more: to the trash. */
static void unfreeze(struct batch_detail *d)
{
    if (!d->frozen.active)
        return;
    trash_add(d, d->frozen.rows, d->frozen.n_rows, d->frozen.visible, NULL, NULL, NULL);
    triage_done(&d->frozen.triage);
    memset(&d->frozen, 0, sizeof d->frozen);
}

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
    strmap_init(&d->row_by_file, NULL);
    strmap_init(&d->row_by_job, NULL);
    triage_init(&d->triage);
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

/* Drop every row, its indexes and its counters. */
static void free_rows(struct batch_detail *d)
{
    for (size_t i = 0; i < d->n_rows; i++)
        row_done(&d->rows[i]);
    free(d->rows);
    free(d->links);
    d->rows = NULL;
    d->links = NULL;
    d->n_rows = d->cap_rows = 0;
    strmap_clear(&d->row_by_file);
    strmap_clear(&d->row_by_job);
    memset(&d->counts, 0, sizeof d->counts);
    memset(&d->usage, 0, sizeof d->usage);
    d->n_done = d->n_running = d->n_live = 0;
    d->credits_dirty = false;
    d->repeats = false;
    d->n_visible = 0;
    d->visible_dirty = false; /* no rows, none shown: visible[] holds nothing to rebuild */
    d->reshowing = false;     /* each row added is decided as it comes */
    triage_clear(&d->triage);
}

void detail_free(struct batch_detail *d)
{
    if (d == NULL)
        return;
    free(d->batch_id);
    batch_done(&d->batch);
    unfreeze(d);
    trash_some(d, (size_t)-1);
    free_rows(d);
    strmap_done(&d->row_by_file);
    strmap_done(&d->row_by_job);
    strmap_done(&d->names);
    for (size_t i = 0; i < d->n_names; i++) {
        free(d->name_list[i]);
        free(d->name_source[i]);
    }
    free(d->name_list);
    free(d->name_source);
    free(d->name_deleted);
    free(d->names_error);
    strmap_done(&d->jobs);
    for (size_t i = 0; i < d->n_jobs; i++) {
        free(d->job_list[i].status_text);
        free(d->job_list[i].error);
    }
    free(d->job_list);
    free(d->filter);
    free(d->group);
    triage_done(&d->triage);
    free(d->needle);
    free(d->visible);
    free(d);
}

bool detail_free_some(struct batch_detail *d, size_t steps)
{
    if (d == NULL)
        return true;
    d->building = false;
    d->reshowing = false;
    unfreeze(d);
    if (trash_some(d, steps))
        return false;
    for (; steps > 0 && d->n_rows > 0; steps--)
        row_done(&d->rows[--d->n_rows]);
    for (; steps > 0 && d->n_names > 0; steps--) {
        d->n_names--;
        free(d->name_list[d->n_names]);
        free(d->name_source[d->n_names]);
    }
    for (; steps > 0 && d->n_jobs > 0; steps--) {
        d->n_jobs--;
        free(d->job_list[d->n_jobs].status_text);
        free(d->job_list[d->n_jobs].error);
    }
    for (; steps > 0 && d->batch.n_results > 0; steps--)
        batch_result_done(&d->batch.results[--d->batch.n_results]);
    if (steps == 0 || !strmap_done_some(&d->row_by_file, &steps) ||
        !strmap_done_some(&d->row_by_job, &steps) || !strmap_done_some(&d->names, &steps) ||
        !strmap_done_some(&d->jobs, &steps) || steps == 0)
        return false;
    detail_free(d); /* what is left: arrays and the batch's own fields */
    return true;
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

static bool row_done_p(const struct detail_row *r)
{
    return r->mapping_error != NULL || (r->job_known && job_status_is_terminal(r->job_status));
}

static bool row_shown(const struct batch_detail *d, const struct detail_row *r)
{
    if ((d->failed_only || d->group != NULL) && !row_failed(r))
        return false;
    if (d->group != NULL) {
        char id[TRIAGE_ID_SIZE];
        if (!triage_row_group(r, id, sizeof id) || strcmp(id, d->group) != 0)
            return false;
    }
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

/* Room for `want` rows; visible[] always has room for as many rows as are allocated. */
static void rows_reserve(struct batch_detail *d, size_t want)
{
    if (want <= d->cap_rows)
        return;
    d->rows = xreallocarray(d->rows, want, sizeof *d->rows);
    d->links = xreallocarray(d->links, want, sizeof *d->links);
    d->visible = xreallocarray(d->visible, want, sizeof *d->visible);
    d->cap_rows = want;
}

/* A zeroed row at the end; the caller fills it in and calls row_added. */
static struct detail_row *row_new(struct batch_detail *d)
{
    if (d->n_rows == d->cap_rows)
        rows_reserve(d, d->cap_rows ? d->cap_rows * 2 : 16);
    struct detail_row *r = &d->rows[d->n_rows++];
    memset(r, 0, sizeof *r);
    r->job_status = JOB_UNKNOWN;
    return r;
}

static void bump(size_t *v, int sign)
{
    if (sign > 0)
        (*v)++;
    else
        (*v)--;
}

/* Add what row r counts for to the counters (sign +1), or take it back (sign -1). Credits
 * are kept apart (row_added, row_update): a double cannot be taken back exactly. */
static void tally_row(struct batch_detail *d, const struct detail_row *r, int sign)
{
    struct detail_counts *c = &d->counts;
    struct detail_usage *u = &d->usage;
    if (row_failed(r))
        triage_count(&d->triage, r, sign);
    if (r->deleted)
        bump(&c->deleted, sign);
    if (r->not_mapped)
        bump(&c->not_mapped, sign);
    else if (r->mapping_error != NULL)
        bump(&c->mapping_errors, sign);
    else if (r->job_id == NULL)
        bump(&c->no_job, sign);
    else if (!r->job_known)
        bump(&c->unknown, sign);
    else
        bump(&c->by_status[(unsigned)r->job_status < JOB_STATUS_COUNT ? r->job_status
                                                                      : JOB_UNKNOWN],
             sign);
    if (row_done_p(r))
        bump(&d->n_done, sign);
    if (r->job_id == NULL)
        return;
    bool terminal = r->job_known && job_status_is_terminal(r->job_status);
    if (r->job_known && !terminal)
        bump(&d->n_running, sign);
    if (!terminal)
        bump(&d->n_live, sign);
    bump(&u->jobs, sign);
    if (r->has_credits)
        bump(&u->billed, sign);
    if (r->has_pages) {
        bump(&u->with_pages, sign);
        u->pages += sign > 0 ? r->pages : -r->pages;
    }
    if (r->pages_checked) {
        bump(&u->pages_checked, sign);
        if (sign > 0)
            u->pages_failed += r->pages_failed;
        else
            u->pages_failed -= r->pages_failed;
        if (r->pages_failed > 0)
            bump(&u->files_with_failed_pages, sign);
    }
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

/* The last row was just filled in: index it by file and job ID, join, count and show it. */
static void row_added(struct batch_detail *d)
{
    size_t i = d->n_rows - 1, head;
    struct detail_row *r = &d->rows[i];
    struct row_link *l = &d->links[i];
    l->next_file = strmap_get_index(&d->row_by_file, r->file_id, &head) ? head : NO_ROW;
    strmap_put_index(&d->row_by_file, r->file_id, i);
    l->next_job = NO_ROW;
    if (r->job_id != NULL) {
        l->next_job = strmap_get_index(&d->row_by_job, r->job_id, &head) ? head : NO_ROW;
        strmap_put_index(&d->row_by_job, r->job_id, i);
    }
    if (l->next_file != NO_ROW || l->next_job != NO_ROW)
        d->repeats = true;
    join_row(d, r);
    tally_row(d, r, +1);
    if (r->has_credits)
        d->usage.credits += r->credits;
    l->shown = row_shown(d, r);
    if (l->shown) {
        /* the highest index so far: visible[] stays in order without a rebuild */
        if (!d->visible_dirty)
            d->visible[d->n_visible] = i;
        d->n_visible++;
    }
}

/* Row i after the maps changed: joined again, its counts and shown state adjusted. */
static void row_update(struct batch_detail *d, size_t i)
{
    struct detail_row *r = &d->rows[i];
    bool had_credits = r->has_credits;
    double credits = r->credits;
    tally_row(d, r, -1);
    join_row(d, r);
    tally_row(d, r, +1);
    if (r->has_credits && !had_credits)
        d->usage.credits += r->credits;
    else if (had_credits && (!r->has_credits || r->credits != credits))
        d->credits_dirty = true;
    bool shown = row_shown(d, r);
    if (shown != d->links[i].shown) {
        d->links[i].shown = shown;
        if (shown)
            d->n_visible++;
        else
            d->n_visible--;
        d->visible_dirty = true;
    }
}

/* Rows from reshow_next on decided again, up to `steps` of them; false once all are. */
static bool reshow_some(struct batch_detail *d, size_t steps)
{
    for (; steps > 0 && d->reshow_next < d->n_rows; steps--) {
        size_t i = d->reshow_next++;
        if (d->reshow_narrow && !d->links[i].shown)
            continue; /* narrower: a row not shown stays hidden */
        bool shown = row_shown(d, &d->rows[i]);
        if (shown != d->links[i].shown) {
            d->links[i].shown = shown;
            if (shown)
                d->n_visible++;
            else
                d->n_visible--;
        }
    }
    d->visible_dirty = true;
    d->reshowing = d->reshow_next < d->n_rows;
    return d->reshowing;
}

/* Incremental: the rows go out of the way of a new build without a pass over them. Complete
 * rows (no build under way) are frozen and shown until the build ends, unless some are
 * already (an answer during a build: the frozen ones stay, the partial ones go). */
static void retire_rows(struct batch_detail *d)
{
    if (!d->frozen.active && !d->building && !d->reshowing) {
        struct detail_usage u;
        detail_usage(d, &u); /* credits summed again if they have to be */
        if (d->n_visible > 0)
            detail_visible_row(d, 0); /* visible[] up to date */
        struct frozen *f = &d->frozen;
        f->active = true;
        f->rows = d->rows;
        f->n_rows = d->n_rows;
        f->visible = d->visible;
        f->n_visible = d->n_visible;
        f->counts = d->counts;
        f->usage = d->usage;
        f->n_done = d->n_done;
        f->n_running = d->n_running;
        f->n_live = d->n_live;
        f->triage = d->triage;
        triage_init(&d->triage);
        trash_add(d, NULL, 0, d->links, NULL, &d->row_by_file, &d->row_by_job);
    } else {
        trash_add(d, d->rows, d->n_rows, d->links, d->visible, &d->row_by_file, &d->row_by_job);
    }
    strmap_init(&d->row_by_file, NULL);
    strmap_init(&d->row_by_job, NULL);
    d->rows = NULL;
    d->links = NULL;
    d->visible = NULL;
    d->n_rows = d->cap_rows = 0;
    free_rows(d); /* nothing left to free: the counters and the triage start again */
}

/* Every row's shown state again (the filter or failed-only changed): at once, or a slice at a
 * time (incremental; detail_work) from no row shown. */
static void reshow_all(struct batch_detail *d)
{
    unfreeze(d); /* the rows being built show the new choice as they come */
    d->n_visible = 0;
    for (size_t i = 0; i < d->n_rows; i++)
        d->links[i].shown = false;
    d->reshow_next = 0;
    d->reshow_narrow = false;
    d->visible_dirty = true;
    d->reshowing = true;
    reshow_some(d, d->incremental ? 0 : (size_t)-1);
}

/*
 * Rows: one per result, in the results' order; then, while the batch is active, one per file
 * of its directory that has no result yet. The API may keep results null for a whole run
 * ("null ... while the batch is still running"), so the directory's files are what the
 * operator can see, and its file count is the denominator, never the number mapped so far.
 */
static void rebuild_rows(struct batch_detail *d)
{
    if (d->incremental && d->n_rows > 0)
        retire_rows(d);
    else
        free_rows(d);
    d->building = false;
    if (!d->have_batch)
        return;
    /* room for every row at once: growing 100,000 rows half way copies them (40 ms) */
    bool active = !batch_status_is_terminal(d->batch.status);
    rows_reserve(d, d->batch.n_results + (active ? strmap_count(&d->names) : 0));
    d->building = true;
    d->build_next = 0;
    d->build_names = false;
    d->build_entry = NULL;
    if (!d->incremental)
        detail_work(d, (size_t)-1);
}

static bool build_some(struct batch_detail *d, size_t steps);

bool detail_work(struct batch_detail *d, size_t steps)
{
    if (!d->building && !d->reshowing)
        return trash_some(d, steps);
    if (d->reshowing && !d->building) /* rows first: a build decides each row it adds */
        return reshow_some(d, steps) || d->n_trash > 0;
    if (build_some(d, steps))
        return true;
    unfreeze(d); /* built: the new rows are the ones shown */
    return d->reshowing || d->n_trash > 0;
}

/* Add up to `steps` rows of a build under way; true while more is left. */
static bool build_some(struct batch_detail *d, size_t steps)
{
    if (!d->building)
        return false;
    for (; steps > 0 && d->build_next < d->batch.n_results; steps--) {
        const struct batch_result *res = &d->batch.results[d->build_next++];
        struct detail_row *r = row_new(d);
        r->file_id = xstrdup(res->file_id ? res->file_id : "");
        r->job_id = xstrdup(res->job_id);
        r->job_type = res->job_id ? res->job_type : JOB_TYPE_UNKNOWN;
        r->mapping_error = xstrdup(res->error_message);
        row_added(d);
    }
    if (d->build_next < d->batch.n_results)
        return true;
    if (!d->build_names) {
        if (batch_status_is_terminal(d->batch.status)) {
            d->building = false;
            return false;
        }
        d->build_names = true;
        d->build_entry = strmap_first(&d->names);
    }
    /* then one row per file of the directory without a result (names are unique, so a file
     * with a row here has a result); a file deleted from the directory will not be mapped:
     * no "not mapped yet" row for it */
    for (; steps > 0 && d->build_entry != NULL; steps--) {
        struct strmap_entry *e = d->build_entry;
        d->build_entry = strmap_next(e);
        if (strmap_has(&d->row_by_file, strmap_key(e)) || d->name_deleted[strmap_index(e)])
            continue;
        struct detail_row *r = row_new(d);
        r->file_id = xstrdup(strmap_key(e));
        r->job_type = JOB_TYPE_UNKNOWN;
        r->not_mapped = true;
        row_added(d);
    }
    if (d->build_entry != NULL)
        return true;
    d->building = false;
    return false;
}

void detail_set_incremental(struct batch_detail *d, bool on)
{
    d->incremental = on;
    if (!on)
        while (detail_work(d, (size_t)-1))
            ;
}

bool detail_busy(const struct batch_detail *d)
{
    return d->building || d->reshowing || d->n_trash > 0;
}

bool detail_loading(const struct batch_detail *d)
{
    return d->building;
}

/* What a row of the new layout is made from: a result, or (res NULL) a "not mapped yet" file. */
struct row_plan {
    const struct batch_result *res;
    const char *file_id; /* not mapped: the directory file's ID */
    size_t from;         /* the old row it reuses, or NO_ROW for a new one */
};

/* Give a reused row (now at index j, before at o) the plan's fields. True when they changed:
 * it has been taken out of the counters and its job ID out of row_by_job. */
static bool row_refit(struct batch_detail *d, struct detail_row *r, size_t o,
                      const struct row_plan *p)
{
    const char *job = p->res ? p->res->job_id : NULL;
    const char *err = p->res ? p->res->error_message : NULL;
    enum job_type type = job ? p->res->job_type : JOB_TYPE_UNKNOWN;
    if (xstreq(r->job_id, job) && xstreq(r->mapping_error, err) && r->job_type == type &&
        r->not_mapped == (p->res == NULL))
        return false;
    tally_row(d, r, -1);
    if (r->has_credits)
        d->credits_dirty = true;
    size_t k;
    if (r->job_id != NULL && strmap_get_index(&d->row_by_job, r->job_id, &k) && k == o)
        strmap_remove(&d->row_by_job, r->job_id);
    xstrset(&r->job_id, job);
    xstrset(&r->mapping_error, err);
    r->job_type = type;
    r->not_mapped = p->res == NULL;
    return true;
}

/*
 * The rows of a new results answer, reusing the rows there are: a running batch of 100,000
 * files is answered every refresh interval, mostly the same rows (some newly mapped), and
 * rebuild_rows would allocate, index and join every one of them again. Here a row that stays
 * costs a look-up and a comparison; one that moves, an index update; only new, changed and
 * dropped rows cost more. Hostile data (an ID on more than one row) takes rebuild_rows, which
 * chains the repeats; so does any disagreement found at the end (a safety net, not a path).
 */
static void sync_rows(struct batch_detail *d)
{
    if (!d->have_batch || d->repeats || d->n_rows == 0 || d->building || d->incremental) {
        rebuild_rows(d);
        return;
    }
    size_t n_old = d->n_rows, n_res = d->batch.n_results, np = 0, k;
    bool active = !batch_status_is_terminal(d->batch.status);
    struct row_plan *plan =
        xcalloc(n_res + (active ? strmap_count(&d->names) : 0) + 1, sizeof *plan);
    bool *claimed = xcalloc(n_old, sizeof *claimed);
    struct strmap fresh; /* files of results with no old row */
    strmap_init(&fresh, NULL);
    bool hostile = false;
    for (size_t i = 0; i < n_res && !hostile; i++) {
        const struct batch_result *res = &d->batch.results[i];
        struct row_plan *p = &plan[np++];
        p->res = res;
        p->file_id = res->file_id ? res->file_id : "";
        p->from = NO_ROW;
        if (strmap_get_index(&d->row_by_file, p->file_id, &k)) {
            hostile = claimed[k];
            claimed[k] = true;
            p->from = k;
        } else {
            hostile = strmap_has(&fresh, p->file_id);
            strmap_put_index(&fresh, p->file_id, i);
        }
    }
    if (hostile) {
        free(plan);
        free(claimed);
        strmap_done(&fresh);
        rebuild_rows(d);
        return;
    }
    /* a file deleted from the directory will not be mapped: no "not mapped yet" row for it */
    for (struct strmap_entry *e = active ? strmap_first(&d->names) : NULL; e != NULL;
         e = strmap_next(e)) {
        const char *f = strmap_key(e);
        if (d->name_deleted[strmap_index(e)])
            continue;
        bool old = strmap_get_index(&d->row_by_file, f, &k);
        if ((old && claimed[k]) || (!old && strmap_has(&fresh, f)))
            continue; /* in the results */
        struct row_plan *p = &plan[np++];
        p->file_id = f;
        p->from = old ? k : NO_ROW;
        if (old)
            claimed[k] = true;
    }
    strmap_done(&fresh);

    /* Rows that go: out of the counters and the indexes (before any new index is written). */
    for (size_t o = 0; o < n_old; o++) {
        if (claimed[o])
            continue;
        struct detail_row *r = &d->rows[o];
        tally_row(d, r, -1);
        if (r->has_credits)
            d->credits_dirty = true;
        strmap_remove(&d->row_by_file, r->file_id);
        if (r->job_id != NULL && strmap_get_index(&d->row_by_job, r->job_id, &k) && k == o)
            strmap_remove(&d->row_by_job, r->job_id);
        row_done(r);
    }
    struct detail_row *rows = xcalloc(np ? np : 1, sizeof *rows);
    struct row_link *links = xcalloc(np ? np : 1, sizeof *links);
    bool *refit = xcalloc(np ? np : 1, sizeof *refit);
    for (size_t j = 0; j < np; j++) {
        const struct row_plan *p = &plan[j];
        links[j].next_file = links[j].next_job = NO_ROW;
        if (p->from == NO_ROW)
            continue;
        rows[j] = d->rows[p->from];
        links[j].shown = d->links[p->from].shown;
        refit[j] = row_refit(d, &rows[j], p->from, p);
    }
    for (size_t j = 0; j < np; j++) {
        const struct row_plan *p = &plan[j];
        struct detail_row *r = &rows[j];
        if (p->from == NO_ROW) {
            r->file_id = xstrdup(p->file_id);
            r->job_id = xstrdup(p->res ? p->res->job_id : NULL);
            r->job_type = r->job_id ? p->res->job_type : JOB_TYPE_UNKNOWN;
            r->mapping_error = xstrdup(p->res ? p->res->error_message : NULL);
            r->not_mapped = p->res == NULL;
            r->job_status = JOB_UNKNOWN;
            refit[j] = true;
        }
        if (p->from != j)
            strmap_put_index(&d->row_by_file, r->file_id, j);
        if (r->job_id != NULL && (p->from != j || refit[j]))
            strmap_put_index(&d->row_by_job, r->job_id, j);
        if (refit[j]) {
            join_row(d, r);
            tally_row(d, r, +1);
            if (r->has_credits)
                d->usage.credits += r->credits;
        }
    }
    free(d->rows);
    free(d->links);
    d->rows = rows;
    d->links = links;
    d->n_rows = d->cap_rows = np;
    d->visible = xreallocarray(d->visible, np ? np : 1, sizeof *d->visible);
    d->n_visible = 0;
    for (size_t j = 0; j < np; j++) {
        if (refit[j])
            d->links[j].shown = row_shown(d, &d->rows[j]);
        d->n_visible += d->links[j].shown;
    }
    d->visible_dirty = true;
    free(refit);
    free(claimed);
    free(plan);
    /* every row one file and at most one job: the indexes hold exactly that many keys */
    if (strmap_count(&d->row_by_file) != d->n_rows ||
        strmap_count(&d->row_by_job) != d->usage.jobs)
        rebuild_rows(d);
    else if (d->reshowing) /* the rows moved under a sweep that was under way: again */
        reshow_all(d);
}

/* Whether b would give the rows there are now: the same results, field for field, and the
 * batch still active or still terminal (which decides the "not mapped yet" rows). The usual
 * refresh of a big batch changes nothing, and then rows, indexes and counters all stay. */
static bool same_rows(const struct batch_detail *d, const struct batch *b)
{
    if (!d->have_batch ||
        batch_status_is_terminal(d->batch.status) != batch_status_is_terminal(b->status))
        return false;
    if (!b->has_results && d->batch.has_results)
        return true; /* the known results are kept */
    if (b->has_results != d->batch.has_results || b->n_results != d->batch.n_results)
        return false;
    for (size_t i = 0; i < b->n_results; i++) {
        const struct batch_result *x = &b->results[i], *y = &d->batch.results[i];
        if (!xstreq(x->file_id, y->file_id) || !xstreq(x->job_id, y->job_id) ||
            !xstreq(x->error_message, y->error_message) ||
            (x->job_id != NULL && x->job_type != y->job_type))
            return false;
    }
    return true;
}

/* detail_set_batch and detail_set_batch_take: take is NULL, or b itself (moved from). */
static void set_batch(struct batch_detail *d, const struct batch *b, struct batch *take)
{
    if (b == NULL || !xstreq(b->id, d->batch_id)) {
        if (take != NULL)
            batch_done(take);
        return;
    }
    /* incremental (the Batch screen): the net thread sends results only when they changed
     * (msg.h), so comparing 100,000 of them again here would be time lost */
    bool same = d->incremental && b->has_results ? false : same_rows(d, b);
    bool keep_results = !b->has_results && d->have_batch && d->batch.has_results;
    struct batch next;
    if (keep_results) {
        /* This answer carries no results (e.g. a plain get): keep the ones we know. */
        batch_copy_without_results(&next, b);
        next.has_results = true;
        next.results = d->batch.results;
        next.n_results = d->batch.n_results;
        d->batch.results = NULL;
        d->batch.n_results = 0;
        if (take != NULL)
            batch_done(take);
    } else if (take != NULL) {
        next = *take;
        memset(take, 0, sizeof *take);
    } else {
        batch_copy(&next, b);
    }
    if (d->incremental && d->batch.n_results > 0) { /* 100,000 of them: freed between keys */
        trash_add(d, NULL, 0, NULL, NULL, NULL, NULL);
        d->trash[d->n_trash - 1].results = d->batch.results;
        d->trash[d->n_trash - 1].n_results = d->batch.n_results;
        d->batch.results = NULL;
        d->batch.n_results = 0;
    }
    batch_done(&d->batch);
    d->batch = next;
    d->have_batch = true;
    if (!same)
        sync_rows(d);
}

void detail_set_batch(struct batch_detail *d, const struct batch *b)
{
    set_batch(d, b, NULL);
}

void detail_set_batch_take(struct batch_detail *d, struct batch *b)
{
    if (b != NULL)
        set_batch(d, b, b);
}

/* Room for one more name (the arrays grow by doubling: a directory may hold 100,000 files). */
static size_t name_slot(struct batch_detail *d)
{
    if (d->n_names == d->cap_names) {
        d->cap_names = d->cap_names ? d->cap_names * 2 : 64;
        d->name_list = xreallocarray(d->name_list, d->cap_names, sizeof *d->name_list);
        d->name_source = xreallocarray(d->name_source, d->cap_names, sizeof *d->name_source);
        d->name_deleted = xreallocarray(d->name_deleted, d->cap_names, sizeof *d->name_deleted);
    }
    return d->n_names++;
}

void detail_set_names(struct batch_detail *d, const struct dir_file *files, size_t n)
{
    bool active = d->have_batch && !batch_status_is_terminal(d->batch.status);
    bool rebuild = false;
    for (size_t i = 0; i < n; i++) {
        if (files[i].id == NULL)
            continue;
        size_t k, row;
        bool known = strmap_get_index(&d->names, files[i].id, &k);
        if (known) {
            xstrset(&d->name_list[k], files[i].display_name);
            xstrset(&d->name_source[k], files[i].file_id);
        } else {
            k = name_slot(d);
            d->name_list[k] = xstrdup(files[i].display_name);
            d->name_source[k] = xstrdup(files[i].file_id);
            strmap_put_index(&d->names, files[i].id, k);
        }
        bool deleted = files[i].deleted_at != NULL;
        bool was_deleted = known && d->name_deleted[k];
        d->name_deleted[k] = deleted;
        if (rebuild)
            continue;
        if (strmap_get_index(&d->row_by_file, files[i].id, &row)) {
            /* a "not mapped yet" row whose file was deleted goes: the rows move */
            if (deleted && d->rows[row].not_mapped)
                rebuild = true;
            for (; !rebuild && row != NO_ROW; row = d->links[row].next_file)
                row_update(d, row);
        } else if (active && !deleted && (was_deleted || !d->building)) {
            /* A new file of the directory: its "not mapped yet" row goes last, where
             * rebuild_rows would put it (names iterate in insertion order). A known one that
             * is no longer deleted takes its old place: rebuilt. While rows are being built
             * the build adds the others (a new name joins the end of the order it follows;
             * a known one not deleted before has not been passed yet). */
            if (known) {
                rebuild = true;
                continue;
            }
            struct detail_row *r = row_new(d);
            r->file_id = xstrdup(files[i].id);
            r->job_type = JOB_TYPE_UNKNOWN;
            r->not_mapped = true;
            row_added(d);
        }
    }
    xstrset(&d->names_error, NULL);
    if (rebuild)
        rebuild_rows(d);
}

bool detail_names_known(const struct batch_detail *d)
{
    return d->n_names > 0 || d->names_error != NULL;
}

const char *detail_source_file_id(const struct batch_detail *d, const char *file_id)
{
    size_t k;
    if (file_id == NULL || !strmap_get_index(&d->names, file_id, &k))
        return NULL;
    return d->name_source[k];
}

/* The rows that use job_id, joined again. */
static void job_rows_update(struct batch_detail *d, const char *job_id)
{
    size_t row;
    if (!strmap_get_index(&d->row_by_job, job_id, &row))
        return;
    for (; row != NO_ROW; row = d->links[row].next_job)
        row_update(d, row);
}

void detail_set_jobs(struct batch_detail *d, const struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].id == NULL)
            continue;
        size_t k;
        if (!strmap_get_index(&d->jobs, jobs[i].id, &k)) {
            if (d->n_jobs == d->cap_jobs) {
                d->cap_jobs = d->cap_jobs ? d->cap_jobs * 2 : 64;
                d->job_list = xreallocarray(d->job_list, d->cap_jobs, sizeof *d->job_list);
            }
            memset(&d->job_list[d->n_jobs], 0, sizeof *d->job_list);
            k = d->n_jobs++;
            strmap_put_index(&d->jobs, jobs[i].id, k);
        }
        struct job_info *j = &d->job_list[k];
        j->status = jobs[i].status;
        /* the usual word is not copied: readers fall back on job_status_name */
        xstrset(&j->status_text, xstreq(jobs[i].status_text, job_status_name(jobs[i].status))
                                     ? NULL
                                     : jobs[i].status_text);
        xstrset(&j->error, jobs[i].error_message);
        if (jobs[i].has_credits) { /* a later answer without usage does not unbill a job */
            j->has_credits = true;
            j->credits = jobs[i].credits;
        }
        if (jobs[i].has_pages) {
            j->has_pages = true;
            j->pages = jobs[i].pages_billed;
        }
        job_rows_update(d, jobs[i].id);
    }
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
    job_rows_update(d, job_id);
}

size_t detail_row_count(const struct batch_detail *d)
{
    return d->frozen.active ? d->frozen.n_rows : d->n_rows;
}

const struct detail_row *detail_row_at(const struct batch_detail *d, size_t i)
{
    if (d->frozen.active)
        return i < d->frozen.n_rows ? &d->frozen.rows[i] : NULL;
    return i < d->n_rows ? &d->rows[i] : NULL;
}

/* ---- counts and progress: kept by tally_row, read here ---- */

/* The detail as a cache may be updated through a const pointer: every batch_detail comes from
 * detail_new (never a const object) and belongs to the UI thread alone. */
static struct batch_detail *cache_of(const struct batch_detail *d)
{
    return (struct batch_detail *)d;
}

void detail_counts(const struct batch_detail *d, struct detail_counts *out)
{
    if (d->frozen.active) {
        *out = d->frozen.counts;
        out->total = d->frozen.n_rows;
        return;
    }
    *out = d->counts;
    out->total = d->n_rows;
}

void detail_usage(const struct batch_detail *d, struct detail_usage *out)
{
    if (d->frozen.active) {
        *out = d->frozen.usage;
        out->partial = out->billed < out->jobs;
        return;
    }
    if (d->credits_dirty) { /* rare: a billed job's credits changed; sum them again */
        struct batch_detail *c = cache_of(d);
        c->usage.credits = 0;
        for (size_t i = 0; i < d->n_rows; i++)
            if (d->rows[i].job_id != NULL && d->rows[i].has_credits)
                c->usage.credits += d->rows[i].credits;
        c->credits_dirty = false;
    }
    *out = d->usage;
    out->partial = out->billed < out->jobs;
}

bool detail_progress(const struct batch_detail *d, size_t *done, size_t *total)
{
    if (d->frozen.active) { /* the rows shown while new ones are built */
        *done = d->frozen.n_done;
        *total = d->frozen.n_rows;
        return true;
    }
    if (!d->have_batch || d->building)
        return false;
    /* Without results, the directory's files give the denominator while the batch is active. */
    if (!d->batch.has_results &&
        (batch_status_is_terminal(d->batch.status) || strmap_count(&d->names) == 0))
        return false;
    *done = d->n_done;
    *total = d->n_rows;
    return true;
}

size_t detail_jobs_running(const struct batch_detail *d)
{
    return d->frozen.active ? d->frozen.n_running : d->n_running;
}

bool detail_is_live(const struct batch_detail *d)
{
    if (!d->have_batch || d->building || !batch_status_is_terminal(d->batch.status))
        return true;
    if (d->batch.status == BATCH_COMPLETED && !d->batch.has_results)
        return true;
    return d->n_live > 0;
}

/* ---- shown rows ---- */

void detail_set_failed_only(struct batch_detail *d, bool on)
{
    d->failed_only = on;
    reshow_all(d);
}

bool detail_failed_only(const struct batch_detail *d)
{
    return d->failed_only;
}

/* The filter only narrowed: rows not shown stay hidden, so only the shown ones are tested
 * again (typing a filter over 100,000 rows, one key at a time). */
static void reshow_shown(struct batch_detail *d)
{
    unfreeze(d);
    if (d->incremental || d->reshowing) { /* from the first row, a slice at a time */
        d->reshow_next = 0;
        d->reshow_narrow = !d->reshowing || d->reshow_narrow;
        d->reshowing = true;
        if (!d->incremental)
            reshow_some(d, (size_t)-1);
        return;
    }
    if (d->n_visible > 0)
        detail_visible_row(d, 0); /* visible[] up to date */
    size_t k = 0;
    for (size_t i = 0; i < d->n_visible; i++) {
        size_t r = d->visible[i];
        d->links[r].shown = row_shown(d, &d->rows[r]);
        if (d->links[r].shown)
            d->visible[k++] = r;
    }
    d->n_visible = k;
    d->visible_dirty = false;
}

void detail_set_filter(struct batch_detail *d, const char *text)
{
    if (text == NULL)
        text = "";
    bool was_inverted = d->invert;
    char *was = d->needle;
    d->needle = NULL;
    xstrset(&d->filter, text);
    d->invert = text[0] == '!';
    d->needle = xstrdup(d->invert ? text + 1 : text);
    for (char *p = d->needle; *p; p++)
        *p = ascii_lower(*p);
    /* a row that contains the new needle contains the old one too */
    if (!was_inverted && !d->invert && strstr(d->needle, was) != NULL)
        reshow_shown(d);
    else
        reshow_all(d);
    free(was);
}

const char *detail_filter(const struct batch_detail *d)
{
    return d->filter;
}

void detail_set_group(struct batch_detail *d, const char *group_id)
{
    if (group_id != NULL && group_id[0] == '\0')
        group_id = NULL;
    if (xstreq(d->group, group_id))
        return;
    bool narrower = d->group == NULL; /* from none to one: only shown rows can stay shown */
    xstrset(&d->group, group_id);
    if (narrower)
        reshow_shown(d);
    else
        reshow_all(d);
}

const char *detail_group(const struct batch_detail *d)
{
    return d->group;
}

struct triage *detail_triage(const struct batch_detail *d)
{
    struct triage *t = d->frozen.active ? &cache_of(d)->frozen.triage : &cache_of(d)->triage;
    triage_sort(t);
    return t;
}

size_t detail_visible_count(const struct batch_detail *d)
{
    return d->frozen.active ? d->frozen.n_visible : d->n_visible;
}

const struct detail_row *detail_visible_row(const struct batch_detail *d, size_t i)
{
    if (d->frozen.active)
        return i < d->frozen.n_visible ? &d->frozen.rows[d->frozen.visible[i]] : NULL;
    if (i >= d->n_visible)
        return NULL;
    if (d->visible_dirty) { /* once after any number of merges, when the rows are read */
        struct batch_detail *c = cache_of(d);
        size_t k = 0;
        for (size_t r = 0; r < d->n_rows; r++)
            if (d->links[r].shown)
                c->visible[k++] = r;
        c->visible_dirty = false;
    }
    return &d->rows[d->visible[i]];
}
