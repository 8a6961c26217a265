/* bench_view.c -- W3's model share: list_view_rebuild and the detail filter, timed in process. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/detail.h"
#include "model/store.h"
#include "model/view.h"
#include "model/xalloc.h"

/*
 * bench-view [--batches N] [--files N] [--reps N]
 * Builds a store of N batches (default 10,000; IDs, times and statuses shaped like the
 * simulator's) and a batch_detail of --files rows (default 1,000), then times what a filter
 * keystroke costs the model: list_view_set_filter + list_view_rebuild for each prefix of a few
 * filter words, a sort change, and detail_set_filter + visible count. Prints one line
 * "result name=ms …" with the median per operation, in milliseconds. No terminal, no network:
 * the rest of a keystroke's cost (drawing, the terminal) is what bench-draw adds on top.
 */

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A deterministic pseudo-random UUID-shaped ID with the given prefix. */
static char *fake_id(const char *prefix, unsigned *seed)
{
    unsigned a = (unsigned)rand_r(seed), b = (unsigned)rand_r(seed), c = (unsigned)rand_r(seed);
    return xasprintf("%s-%08x-%04x-4%03x-8%03x-%04x%08x", prefix, a, b & 0xffff, c & 0xfff,
                     (a >> 8) & 0xfff, (b >> 16) & 0xffff, c ^ a);
}

static char *fake_time(int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static void make_store(struct batch_store *s, size_t n, unsigned *seed)
{
    struct batch *b = xcalloc(n, sizeof *b);
    int64_t t0 = 1793577600000;   /* 2026-11-01 */
    for (size_t i = 0; i < n; i++) {
        enum batch_status st = i < 50 ? BATCH_RUNNING
                               : (i % 17 == 0) ? BATCH_FAILED
                               : (i % 23 == 0) ? BATCH_CANCELLED : BATCH_COMPLETED;
        b[i].id = fake_id("bat", seed);
        b[i].project_id = xstrdup("6f1d2a3b-0000-4000-8000-000000000001");
        b[i].source_directory_id = fake_id("dir", seed);
        b[i].job_type = i % 5 ? JOB_TYPE_PARSE : JOB_TYPE_EXTRACT;
        b[i].job_type_text = xstrdup(job_type_name(b[i].job_type));
        b[i].configuration_id = xstrdup(i % 5 ? "cfg-PARSE_AGENTIC" : "cfg-extract-invoices");
        b[i].status = st;
        b[i].status_text = xstrdup(batch_status_name(st));
        b[i].created_ms = t0 + (int64_t)(n - i) * 60000;
        b[i].created_at = fake_time(b[i].created_ms);
        b[i].updated_ms = b[i].created_ms + 45000;
        b[i].updated_at = fake_time(b[i].updated_ms);
    }
    store_apply_generation(s, b, n);
    for (size_t i = 0; i < n; i++) {
        if (i % 3 == 0)
            store_set_directory_name(s, b[i].source_directory_id,
                                     i % 2 ? "invoices-2026" : "thousand");
        store_set_progress(s, b[i].id, 20, 20);
        batch_done(&b[i]);
    }
    free(b);
}

static struct batch_detail *make_detail(size_t n, unsigned *seed)
{
    struct batch b = {0};
    b.id = xstrdup("bat-00000000-0000-4000-8000-000000000000");
    b.source_directory_id = xstrdup("dir-00000000-0000-4000-8000-000000000000");
    b.status = BATCH_COMPLETED;
    b.status_text = xstrdup("COMPLETED");
    b.has_results = true;
    b.n_results = n;
    b.results = xcalloc(n, sizeof *b.results);
    struct dir_file *files = xcalloc(n, sizeof *files);
    struct job *jobs = xcalloc(n, sizeof *jobs);
    for (size_t i = 0; i < n; i++) {
        b.results[i].file_id = fake_id("dfl", seed);
        b.results[i].job_id = fake_id("pjb", seed);
        b.results[i].job_type = JOB_TYPE_PARSE;
        b.results[i].job_type_text = xstrdup("parse_v2");
        files[i].id = xstrdup(b.results[i].file_id);
        files[i].display_name = xasprintf("report-%04zu-quarterly-summary.pdf", i);
        jobs[i].id = xstrdup(b.results[i].job_id);
        jobs[i].type = JOB_TYPE_PARSE;
        jobs[i].status = i % 29 == 0 ? JOB_FAILED : JOB_COMPLETED;
        jobs[i].status_text = xstrdup(job_status_name(jobs[i].status));
        if (jobs[i].status == JOB_FAILED)
            jobs[i].error_message = xstrdup("document is password protected");
    }
    struct batch_detail *d = detail_new(b.id);
    detail_set_batch(d, &b);
    detail_set_names(d, files, n);
    detail_set_jobs(d, jobs, n);
    for (size_t i = 0; i < n; i++) {
        dir_file_done(&files[i]);
        job_done(&jobs[i]);
    }
    free(files);
    free(jobs);
    batch_done(&b);
    return d;
}

static const char *const words[] = {"complet", "thousand", "bat-1", "!running", NULL};

int main(int argc, char **argv)
{
    size_t n_batches = 10000, n_files = 1000;
    int reps = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--batches") == 0)
            n_batches = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--files") == 0)
            n_files = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[i + 1]);
    }
    if (reps < 1)
        reps = 1;
    unsigned seed = 7;
    struct batch_store *s = store_new();
    make_store(s, n_batches, &seed);
    struct list_view *v = list_view_new();
    list_view_rebuild(v, s);

    size_t cap = (size_t)reps * 64, n = 0;
    double *t = xcalloc(cap, sizeof *t);
    char prefix[64];
    for (int r = 0; r < reps; r++) {
        for (size_t w = 0; words[w]; w++) {
            size_t len = strlen(words[w]);
            for (size_t k = 1; k <= len && k < sizeof prefix && n < cap; k++) {
                memcpy(prefix, words[w], k);
                prefix[k] = '\0';
                double t0 = mono_ms();
                list_view_set_filter(v, prefix);
                list_view_rebuild(v, s);
                t[n++] = mono_ms() - t0;
            }
            list_view_set_filter(v, NULL);
            list_view_rebuild(v, s);
        }
    }
    double rebuild_filter = median(t, n);

    n = 0;
    for (int r = 0; r < reps * 4; r++) {
        double t0 = mono_ms();
        list_view_set_sort(v, (enum list_column)(r % COL_COUNT), r % 2);
        list_view_rebuild(v, s);
        t[n++] = mono_ms() - t0;
    }
    double rebuild_sort = median(t, n);

    n = 0;
    for (int r = 0; r < reps * 4; r++) {
        double t0 = mono_ms();
        list_view_rebuild(v, s);
        t[n++] = mono_ms() - t0;
    }
    double rebuild_plain = median(t, n);

    struct batch_detail *d = make_detail(n_files, &seed);
    n = 0;
    for (int r = 0; r < reps; r++) {
        for (size_t w = 0; words[w]; w++) {
            size_t len = strlen(words[w]);
            for (size_t k = 1; k <= len && k < sizeof prefix && n < cap; k++) {
                memcpy(prefix, words[w], k);
                prefix[k] = '\0';
                double t0 = mono_ms();
                detail_set_filter(d, prefix);
                (void)detail_visible_count(d);
                t[n++] = mono_ms() - t0;
            }
            detail_set_filter(d, NULL);
        }
    }
    double detail_filter = median(t, n);

    printf("result list_rebuild_filter_ms=%.3f list_rebuild_sort_ms=%.3f"
           " list_rebuild_unchanged_ms=%.3f detail_filter_ms=%.3f rows=%zu files=%zu\n",
           rebuild_filter, rebuild_sort, rebuild_plain, detail_filter, list_view_total(v),
           detail_row_count(d));
    free(t);
    detail_free(d);
    list_view_free(v);
    store_free(s);
    return 0;
}
