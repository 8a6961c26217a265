/* detail.h -- one open batch: its result rows joined with file names and job statuses. */
#ifndef MODEL_DETAIL_H
#define MODEL_DETAIL_H

/*
 * The Batch screen's model, owned by the UI thread. Names and job statuses are merged by ID in
 * any order; each merge costs what it brings (the rows an ID leads to), never a walk over every
 * row, so a batch of 100,000 files fed in thousands of messages stays cheap (issue 14). Counts,
 * progress, usage and liveness are kept as rows change and read in constant time; the shown
 * rows are rebuilt at most once per read after changes. A new results answer that changes the
 * rows rebuilds them (once per refresh); one that changes nothing costs a comparison.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/objects.h"

/* One file of the batch, as the Batch screen shows it. All strings owned by the detail. Fields
 * are ordered by size (pointers, numbers, enums, flags): 100,000 rows, twice while a changed
 * answer is built behind the rows shown, cost 88 bytes a row instead of 112 (issue 14). */
struct detail_row {
    char *file_id;              /* source_directory_file_id */
    char *display_name;         /* from the directory file list; NULL until known */
    char *job_id;               /* NULL while the file has no job */
    char *job_status_text;      /* wire text of the status, NULL until known and when it is
                                   job_status_name(job_status): one copy of "COMPLETED" a
                                   row was 3 MB over 100,000 rows (issue 14) */
    char *mapping_error;        /* results[].error_message */
    char *job_error;            /* the job's error_message */
    double credits;
    int64_t pages;
    size_t pages_failed;        /* pages_checked: this many of the job's output pages failed */
    enum job_type job_type;
    enum job_status job_status; /* JOB_UNKNOWN until job_known */
    bool job_known;             /* a job status has arrived for job_id */
    bool not_mapped;            /* a file of the directory with no result yet (batch active) */
    bool deleted;               /* the directory file was deleted (deleted_at set) */
    bool has_credits;           /* the job's usage.credits has been billed */
    bool has_pages;             /* pages billed are known (extract: metadata.usage) */
    bool pages_checked;         /* the job's output pages were read (File screen) */
};

struct batch_detail;
struct triage;

/* A detail for batch_id, with no data yet. */
struct batch_detail *detail_new(const char *batch_id);
void detail_free(struct batch_detail *d);
/* detail_free a part at a time (a detail of 100,000 rows takes 40-300 ms to free at once):
 * up to `steps` rows, names, jobs or index entries go per call; true once d is freed. d is
 * not used otherwise once this has been called. */
bool detail_free_some(struct batch_detail *d, size_t steps);

const char *detail_batch_id(const struct batch_detail *d);
/* The latest batch object (with its results), NULL before the first answer. */
const struct batch *detail_batch(const struct batch_detail *d);

/* Apply a get ?expand=results answer (copied). Rows follow the results order; names and job
 * statuses already known for a file or job are kept. Answers for another batch ID are ignored. */
void detail_set_batch(struct batch_detail *d, const struct batch *b);
/* The same, taking b's contents (b is left zeroed, to be freed or reused): a big batch's
 * results are moved instead of copied once more. */
void detail_set_batch_take(struct batch_detail *d, struct batch *b);
/* Merge directory file names, in any order, before or after the results arrive. */
void detail_set_names(struct batch_detail *d, const struct dir_file *files, size_t n);
/* The underlying file (the directory file's `file_id`) of a directory file ID from the names
 * merged so far; NULL when unknown. A resubmit adds these to a new directory. */
const char *detail_source_file_id(const struct batch_detail *d, const char *file_id);
/* Why the directory's file names cannot be had (a 404: the directory expired or was
 * deleted); NULL clears it. Rows keep their file IDs. */
void detail_set_names_error(struct batch_detail *d, const char *why);
const char *detail_names_error(const struct batch_detail *d);
/* True once some directory file names were merged, or their absence was explained. */
bool detail_names_known(const struct batch_detail *d);
/* Merge job statuses (matched by job ID), in any order, before or after the results. Usage
 * already known for a job is kept when a later answer carries none. */
void detail_set_jobs(struct batch_detail *d, const struct job *jobs, size_t n);
/* What a job's output said of its pages: `failed` of them failed (a COMPLETED parse job may
 * still have failed pages, up to the configuration's allowed ratio). */
void detail_set_output_pages(struct batch_detail *d, const char *job_id, size_t failed);

/* Rows built a slice at a time (the Batch screen; off by default, and for scripts): a new
 * results answer that changes the rows only starts a build, and detail_work adds them, so a
 * batch of 100,000 files does not stop the UI for the whole build (issue 14). The first time,
 * the rows built so far are shown (detail_progress unknown); later, the complete rows from
 * before are shown, unchanged, until the new ones are all built (every reader sees them;
 * names and statuses merge into the new ones meanwhile), unless a filter changes, which
 * shows the new ones as they come. Turning it off finishes the work at once. */
void detail_set_incremental(struct batch_detail *d, bool on);
/* Add up to `steps` rows (or look at that many names) of a build under way, else decide up to
 * `steps` rows' shown state; true while more is left. */
bool detail_work(struct batch_detail *d, size_t steps);
/* True while rows are still being built. */
bool detail_loading(const struct batch_detail *d);
/* True while detail_work has more to do: rows to build, or (incremental) the shown rows of a
 * new filter, failed-only or group to decide, or rows no longer used to free; meanwhile the
 * rows decided so far are shown. */
bool detail_busy(const struct batch_detail *d);

size_t detail_row_count(const struct batch_detail *d);
const struct detail_row *detail_row_at(const struct batch_detail *d, size_t i);

/* Counts of rows by job status; `mapping_errors` rows have a mapping error, `no_job` rows have
 * neither a job nor an error yet, `unknown` rows have a job whose status is not known yet. */
struct detail_counts {
    size_t by_status[JOB_STATUS_COUNT];
    size_t mapping_errors;
    size_t no_job;
    size_t unknown;
    size_t not_mapped; /* directory files without a result while the batch is active */
    size_t deleted;    /* rows whose directory file was deleted */
    size_t total;
};
void detail_counts(const struct batch_detail *d, struct detail_counts *out);
/* Cost: credits and pages summed over the rows' jobs. `partial` while some job with an ID
 * has not been billed yet (credits null or not yet seen). */
struct detail_usage {
    double credits;
    size_t billed;            /* jobs whose credits are known */
    size_t jobs;              /* rows with a job */
    int64_t pages;
    size_t with_pages;        /* jobs whose pages billed are known */
    size_t pages_checked;     /* jobs whose output pages were read */
    size_t files_with_failed_pages;
    size_t pages_failed;
    bool partial;
};
void detail_usage(const struct batch_detail *d, struct detail_usage *out);
/* Progress: done = rows whose job is terminal or that have a mapping error; total = rows.
 * Returns false (unknown, not 0/0) while the batch's results are not known. */
bool detail_progress(const struct batch_detail *d, size_t *done, size_t *total);
/* Rows whose job is known to be pending or running (a status arrived and is not terminal). */
size_t detail_jobs_running(const struct batch_detail *d);
/* True while the batch or any of its jobs may still change (the net keeps polling). */
bool detail_is_live(const struct batch_detail *d);

/* The rows shown: failed-only (job FAILED or a mapping error), one failure group, and a
 * case-insensitive substring filter over name, file ID, job ID, status and error ('!' prefix
 * inverts). */
void detail_set_failed_only(struct batch_detail *d, bool on);
bool detail_failed_only(const struct batch_detail *d);
void detail_set_filter(struct batch_detail *d, const char *text);
const char *detail_filter(const struct batch_detail *d);
/* Only the failed rows of one failure group: its ID as model/triage.h's triage_row_group
 * gives it ("job:page N timed out"); NULL or "" shows every group again. Combines with
 * failed-only and the filter. */
void detail_set_group(struct batch_detail *d, const char *group_id);
const char *detail_group(const struct batch_detail *d);
/* The failed rows by group (model/triage.h), kept as rows change: an update costs what it
 * changes, never a pass over every row. Sorted on the way out; owned by d, valid until d
 * changes. */
struct triage *detail_triage(const struct batch_detail *d);
size_t detail_visible_count(const struct batch_detail *d);
const struct detail_row *detail_visible_row(const struct batch_detail *d, size_t i);

#endif
