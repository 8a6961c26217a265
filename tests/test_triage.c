/* test_triage.c -- Check unit tests for model/triage: error normalising and failure groups. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/detail.h"
#include "model/objects.h"
#include "model/status.h"
#include "model/triage.h"
#include "model/xalloc.h"

/* The key of msg, in a static buffer. */
static const char *norm(const char *msg)
{
    static char buf[TRIAGE_KEY_MAX];
    triage_normalize(msg, buf, sizeof buf);
    return buf;
}

#define SAME_KEY(a, b)                                                                            \
    do {                                                                                          \
        char ka_[TRIAGE_KEY_MAX];                                                                 \
        triage_normalize((a), ka_, sizeof ka_);                                                   \
        ck_assert_str_eq(ka_, norm(b));                                                           \
    } while (0)

START_TEST(normalize_numbers)
{
    ck_assert_str_eq(norm("page 12 timed out after 30 s"), "page N timed out after N s");
    SAME_KEY("page 12 timed out after 30 s", "page 40 timed out after 30 s");
    SAME_KEY("page 12 timed out after 30 s", "page 7 timed out after 120 s");
    ck_assert_str_eq(norm("timeout while parsing page 3"), "timeout while parsing page N");
    ck_assert_str_eq(norm("page 12: unsupported image encoding"),
                     "page N: unsupported image encoding");
    ck_assert_str_eq(norm("file exceeds the 300 MB size limit"),
                     "file exceeds the N MB size limit");
    ck_assert_str_eq(norm("size 1,048,576 bytes (1.5 MiB)"), "size N bytes (N MiB)");
    ck_assert_str_eq(norm("the 500-page limit"), "the N-page limit");
    ck_assert_str_eq(norm("below 72dpi"), "below Ndpi");
    ck_assert_str_eq(norm("exit code 0x1F"), "exit code N");
    ck_assert_str_eq(norm("offset 12288."), "offset N.");
    ck_assert_str_eq(norm("retry 3/10"), "retry N/N");
}
END_TEST

START_TEST(normalize_ids)
{
    ck_assert_str_eq(norm("job pjb-9f1c2d3e-0a1b-4c5d-8e9f-0123456789ab failed"),
                     "job <id> failed");
    SAME_KEY("job pjb-9f1c2d3e-0a1b-4c5d-8e9f-0123456789ab failed",
             "job pjb-00000000-1111-4222-8333-444444444444 failed");
    ck_assert_str_eq(norm("file dfl-abc123def not found"), "file <id> not found");
    ck_assert_str_eq(norm("request 9f1c2d3e-0a1b-4c5d-8e9f-0123456789ab"), "request <id>");
    ck_assert_str_eq(norm("sha deadbeef01 mismatch"), "sha <id> mismatch");
    ck_assert_str_eq(norm("token aB3dE5gH7jK9mN1pQ rejected"), "token <id> rejected");
    ck_assert_str_eq(norm("request req_7f3k2m9x"), "request <id>");
    /* words that only look a little like IDs stay words */
    ck_assert_str_eq(norm("PDF is encrypted"), "PDF is encrypted");
    ck_assert_str_eq(norm("non-text content"), "non-text content");
    ck_assert_str_eq(norm("facade deadbeef"), "facade deadbeef");
}
END_TEST

START_TEST(normalize_quotes_and_paths)
{
    ck_assert_str_eq(norm("unknown field 'foo_bar' in config"), "unknown field <str> in config");
    SAME_KEY("unknown field 'foo_bar' in config", "unknown field \"x y z\" in config");
    ck_assert_str_eq(norm("font `Arial 12` missing"), "font <str> missing");
    ck_assert_str_eq(norm("name \xe2\x80\x9cq1 report\xe2\x80\x9d is taken"),
                     "name <str> is taken");
    ck_assert_str_eq(norm("can't open it"), "can't open it");
    ck_assert_str_eq(norm("cannot read /data/in/a.pdf: denied"), "cannot read <path>: denied");
    SAME_KEY("cannot read /data/in/a.pdf: denied", "cannot read ./b/c.pdf: denied");
    ck_assert_str_eq(norm("wrote ~/out/x.md"), "wrote <path>");
    ck_assert_str_eq(norm("see C:\\tmp\\x.pdf"), "see <path>");
    ck_assert_str_eq(norm("in reports/q1.pdf"), "in <path>");
    ck_assert_str_eq(norm("and/or"), "and/or");
    ck_assert_str_eq(norm("unterminated 'quote"), "unterminated 'quote");
}
END_TEST

START_TEST(normalize_space_and_edges)
{
    ck_assert_str_eq(norm("  two   spaces\tand\na newline  "), "two spaces and a newline");
    ck_assert_str_eq(norm("esc \x1b[31mred\x1b[0m"), "esc [Nmred [Nm");
    ck_assert_str_eq(norm(NULL), "(no message)");
    ck_assert_str_eq(norm(""), "(no message)");
    ck_assert_str_eq(norm(" \t "), "(no message)");
    ck_assert_str_eq(norm("\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8 3 \xe9\xa0\x81"),
                     "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8 N \xe9\xa0\x81");
    ck_assert_str_eq(norm("a=1, b=2; (c) [d] {e} <f>"), "a=N, b=N; (c) [d] {e} <f>");
    /* long messages are cut, never in the middle of a UTF-8 character */
    char big[2000], out[16];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\0';
    size_t n = triage_normalize(big, out, sizeof out);
    ck_assert_uint_eq(n, 15);
    ck_assert_uint_eq(strlen(out), 15);
    const char *cjk = "\xe8\xab\x8b\xe8\xab\x8b\xe8\xab\x8b\xe8\xab\x8b\xe8\xab\x8b\xe8\xab\x8b";
    n = triage_normalize(cjk, out, 8);
    ck_assert_uint_eq(n, 6);
    /* len 0 writes nothing; len 1 the empty string */
    ck_assert_uint_eq(triage_normalize("x", out, 0), 0);
    triage_normalize("x", out, 1);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(normalize_is_idempotent)
{
    static const char *const msgs[] = {
        "page 12 timed out after 30 s",
        "job pjb-9f1c2d3e-0a1b-4c5d-8e9f-0123456789ab failed",
        "cannot read /data/in/a.pdf: denied",
        "unknown field 'foo_bar' in config",
        "a=1, b=2; (c)",
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        char once[TRIAGE_KEY_MAX];
        triage_normalize(msgs[i], once, sizeof once);
        ck_assert_str_eq(norm(once), once);
    }
}
END_TEST

/* ---- groups over a batch detail ---- */

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A COMPLETED batch of n files: file i is dfl-i with job pjb-i, except those whose map_errors
 * entry is not NULL (no job, that mapping error). */
static struct batch_detail *mk_detail(size_t n, const char *const *map_errors)
{
    struct batch b;
    memset(&b, 0, sizeof b);
    b.id = xstrdup("bat-1");
    b.status = BATCH_COMPLETED;
    b.status_text = xstrdup("COMPLETED");
    b.job_type = JOB_TYPE_PARSE;
    b.has_results = true;
    b.results = xcalloc(n, sizeof *b.results);
    b.n_results = n;
    for (size_t i = 0; i < n; i++) {
        b.results[i].file_id = xasprintf("dfl-%zu", i);
        if (map_errors && map_errors[i]) {
            b.results[i].error_message = xstrdup(map_errors[i]);
        } else {
            b.results[i].job_id = xasprintf("pjb-%zu", i);
            b.results[i].job_type = JOB_TYPE_PARSE;
        }
    }
    struct batch_detail *d = detail_new("bat-1");
    detail_set_batch(d, &b);
    batch_done(&b);
    return d;
}

/* Job pjb-i ends with status (and error, for FAILED). */
static void set_job(struct batch_detail *d, size_t i, const char *status, const char *error)
{
    struct job j;
    memset(&j, 0, sizeof j);
    j.id = xasprintf("pjb-%zu", i);
    j.type = JOB_TYPE_PARSE;
    j.status = job_status_parse(status);
    j.status_text = (char *)status;
    j.error_message = (char *)error;
    detail_set_jobs(d, &j, 1);
    free(j.id);
}

START_TEST(groups_by_kind_and_key)
{
    const char *map[10] = {NULL};
    map[1] = "unsupported file type";
    map[7] = "unsupported file type";
    struct batch_detail *d = mk_detail(10, map);
    set_job(d, 0, "COMPLETED", NULL);
    set_job(d, 2, "FAILED", "page 12 timed out after 30 s");
    set_job(d, 3, "FAILED", "page 40 timed out after 30 s");
    set_job(d, 4, "FAILED", "page 3 timed out after 60 s");
    set_job(d, 5, "FAILED", "PDF is encrypted");
    set_job(d, 6, "CANCELLED", NULL);
    set_job(d, 8, "FAILED", NULL);
    /* a job error worded like the mapping error is still a job failure */
    set_job(d, 9, "FAILED", "unsupported file type");

    struct triage t;
    triage_init(&t);
    triage_build(&t, d);
    ck_assert_uint_eq(t.failed, 8);
    ck_assert_uint_eq(t.map_failed, 2);
    ck_assert_uint_eq(t.job_failed, 6);
    ck_assert_uint_eq(t.n_groups, 5);
    /* largest first; a tie puts mapping errors first, then the group seen first */
    ck_assert_str_eq(t.groups[0].id, "job:page N timed out after N s");
    ck_assert_uint_eq(t.groups[0].count, 3);
    ck_assert_str_eq(t.groups[0].example, "page 12 timed out after 30 s");
    ck_assert_str_eq(t.groups[1].id, "map:unsupported file type");
    ck_assert_int_eq(t.groups[1].kind, TRIAGE_MAP);
    ck_assert_uint_eq(t.groups[1].count, 2);
    ck_assert_str_eq(t.groups[2].id, "job:PDF is encrypted");
    ck_assert_str_eq(t.groups[3].id, "job:(no message)");
    ck_assert_ptr_null(t.groups[3].example);
    ck_assert_str_eq(t.groups[4].id, "job:unsupported file type");
    ck_assert_int_eq(t.groups[4].kind, TRIAGE_JOB);
    ck_assert_str_eq(t.groups[4].key, "unsupported file type");
    ck_assert_ptr_eq(triage_find(&t, "map:unsupported file type"), &t.groups[1]);
    ck_assert_ptr_null(triage_find(&t, "map:nothing"));
    ck_assert_ptr_null(triage_find(&t, NULL));

    /* the counts add up to the detail's own */
    struct detail_counts c;
    detail_counts(d, &c);
    ck_assert_uint_eq(t.failed, c.mapping_errors + c.by_status[JOB_FAILED]);

    /* the detail's own groups, counted as the rows came, agree */
    struct triage *live = detail_triage(d);
    ck_assert_uint_eq(live->n_groups, 5);
    ck_assert_uint_eq(live->failed, 8);
    for (size_t g = 0; g < 5; g++) {
        ck_assert_str_eq(live->groups[g].id, t.groups[g].id);
        ck_assert_uint_eq(live->groups[g].count, t.groups[g].count);
    }

    /* a job failing later joins its group; building again starts afresh */
    set_job(d, 0, "FAILED", "page 99 timed out after 30 s");
    triage_build(&t, d);
    ck_assert_uint_eq(t.n_groups, 5);
    ck_assert_uint_eq(t.groups[0].count, 4);
    ck_assert_str_eq(t.groups[0].example, "page 99 timed out after 30 s");
    ck_assert_uint_eq(t.failed, 9);
    live = detail_triage(d);
    ck_assert_uint_eq(live->groups[0].count, 4);
    ck_assert_str_eq(live->groups[0].example, "page 12 timed out after 30 s"); /* first seen */
    ck_assert_uint_eq(live->failed, 9);

    triage_done(&t);
    detail_free(d);
}
END_TEST

/* "id count;" of every group with files, sorted by ID: what two triages must agree on. */
static void group_set(struct triage *t, char *buf, size_t len)
{
    triage_sort(t);
    char **lines = xcalloc(t->n_groups + 1, sizeof *lines);
    for (size_t g = 0; g < t->n_groups; g++)
        lines[g] = xasprintf("%s %zu;", t->groups[g].id, t->groups[g].count);
    qsort(lines, t->n_groups, sizeof *lines, strcmp_ptr);
    size_t at = 0;
    buf[0] = '\0';
    for (size_t g = 0; g < t->n_groups; g++) {
        at += (size_t)snprintf(buf + at, len - at, "%s", lines[g]);
        free(lines[g]);
    }
    free(lines);
}

START_TEST(counted_as_rows_change)
{
    /* results first, jobs in pieces and out of order, statuses that change, then a new
     * results answer that drops a file and changes a mapping error: the detail's groups,
     * counted row by row, equal a count from scratch at every step */
    const char *map[12] = {NULL};
    map[3] = "file is empty (0 bytes)";
    map[8] = "file is empty (12 bytes)";
    map[10] = "unsupported file type";
    struct batch_detail *d = mk_detail(12, map);
    struct triage full;
    triage_init(&full);
    char live_set[2048], full_set[2048];
#define AGREE()                                                                                   \
    do {                                                                                          \
        group_set(detail_triage(d), live_set, sizeof live_set);                                   \
        triage_build(&full, d);                                                                   \
        group_set(&full, full_set, sizeof full_set);                                              \
        ck_assert_str_eq(live_set, full_set);                                                     \
        ck_assert_uint_eq(detail_triage(d)->failed, full.failed);                                 \
        ck_assert_uint_eq(detail_triage(d)->map_failed, full.map_failed);                         \
    } while (0)
    AGREE();
    ck_assert_uint_eq(full.n_groups, 2);
    set_job(d, 7, "FAILED", "page 7 timed out");
    set_job(d, 1, "RUNNING", NULL);
    AGREE();
    set_job(d, 1, "FAILED", "page 1 timed out");
    set_job(d, 2, "FAILED", "PDF is encrypted");
    set_job(d, 0, "COMPLETED", NULL);
    AGREE();
    ck_assert_uint_eq(full.failed, 6);
    /* a status that moves out of FAILED (the model allows it) counts out */
    set_job(d, 2, "COMPLETED", NULL);
    AGREE();
    ck_assert_uint_eq(full.failed, 5);
    ck_assert_ptr_null(triage_find(detail_triage(d), "job:PDF is encrypted"));

    /* a new answer: file 11 gone, file 10's mapping error now another one */
    struct batch b;
    memset(&b, 0, sizeof b);
    b.id = xstrdup("bat-1");
    b.status = BATCH_COMPLETED;
    b.status_text = xstrdup("COMPLETED");
    b.has_results = true;
    b.n_results = 11;
    b.results = xcalloc(11, sizeof *b.results);
    for (size_t i = 0; i < 11; i++) {
        b.results[i].file_id = xasprintf("dfl-%zu", i);
        if (i == 10) {
            b.results[i].error_message = xstrdup("file exceeds the 300 MB size limit");
        } else if (map[i]) {
            b.results[i].error_message = xstrdup(map[i]);
        } else {
            b.results[i].job_id = xasprintf("pjb-%zu", i);
            b.results[i].job_type = JOB_TYPE_PARSE;
        }
    }
    detail_set_batch(d, &b);
    batch_done(&b);
    AGREE();
    ck_assert_ptr_nonnull(triage_find(detail_triage(d), "map:file exceeds the N MB size limit"));
    ck_assert_ptr_null(triage_find(detail_triage(d), "map:unsupported file type"));
#undef AGREE
    triage_done(&full);
    detail_free(d);
}
END_TEST

START_TEST(group_filter_combines)
{
    const char *map[6] = {NULL};
    map[5] = "file is empty (0 bytes)";
    struct batch_detail *d = mk_detail(6, map);
    set_job(d, 0, "FAILED", "page 1 timed out");
    set_job(d, 1, "COMPLETED", NULL);
    set_job(d, 2, "FAILED", "page 2 timed out");
    set_job(d, 3, "FAILED", "encrypted");
    set_job(d, 4, "FAILED", "page 3 timed out");
    ck_assert_uint_eq(detail_visible_count(d), 6);

    detail_set_group(d, "job:page N timed out");
    ck_assert_str_eq(detail_group(d), "job:page N timed out");
    ck_assert_uint_eq(detail_visible_count(d), 3);
    ck_assert_str_eq(detail_visible_row(d, 0)->file_id, "dfl-0");
    ck_assert_str_eq(detail_visible_row(d, 1)->file_id, "dfl-2");
    ck_assert_str_eq(detail_visible_row(d, 2)->file_id, "dfl-4");
    /* with the text filter and failed-only */
    detail_set_filter(d, "pjb-4");
    ck_assert_uint_eq(detail_visible_count(d), 1);
    detail_set_failed_only(d, true);
    ck_assert_uint_eq(detail_visible_count(d), 1);
    detail_set_filter(d, NULL);
    ck_assert_uint_eq(detail_visible_count(d), 3);
    /* another group, then a mapping error group */
    detail_set_group(d, "job:encrypted");
    ck_assert_uint_eq(detail_visible_count(d), 1);
    detail_set_group(d, "map:file is empty (N bytes)");
    ck_assert_uint_eq(detail_visible_count(d), 1);
    ck_assert_str_eq(detail_visible_row(d, 0)->file_id, "dfl-5");
    /* a row that fails later into the chosen group shows up */
    detail_set_group(d, "job:page N timed out");
    set_job(d, 1, "FAILED", "page 9 timed out");
    ck_assert_uint_eq(detail_visible_count(d), 4);
    /* cleared: failed-only still on */
    detail_set_group(d, "");
    ck_assert_ptr_null(detail_group(d));
    ck_assert_uint_eq(detail_visible_count(d), 6);
    detail_set_failed_only(d, false);
    ck_assert_uint_eq(detail_visible_count(d), 6);
    detail_set_group(d, "job:no such group");
    ck_assert_uint_eq(detail_visible_count(d), 0);
    detail_free(d);
}
END_TEST

START_TEST(groups_many_rows_one_pass)
{
    /* 100,000 rows, 30,000 failed over 3 causes: built in one pass, counts exact */
    const size_t n = 100000;
    struct batch_detail *d = mk_detail(n, NULL);
    struct job *jobs = xcalloc(n, sizeof *jobs);
    for (size_t i = 0; i < n; i++) {
        jobs[i].id = xasprintf("pjb-%zu", i);
        jobs[i].type = JOB_TYPE_PARSE;
        bool failed = i % 10 < 3;
        jobs[i].status = failed ? JOB_FAILED : JOB_COMPLETED;
        jobs[i].status_text = xstrdup(failed ? "FAILED" : "COMPLETED");
        if (failed)
            jobs[i].error_message = i % 10 == 0   ? xasprintf("page %zu timed out after 30 s", i)
                                    : i % 10 == 1 ? xasprintf("PDF %zu is encrypted", i)
                                                  : xasprintf("bad font 'F%zu'", i);
    }
    detail_set_jobs(d, jobs, n);
    for (size_t i = 0; i < n; i++) {
        free(jobs[i].id);
        free(jobs[i].status_text);
        free(jobs[i].error_message);
    }
    free(jobs);
    struct triage t;
    triage_init(&t);
    triage_build(&t, d);
    ck_assert_uint_eq(t.failed, 30000);
    ck_assert_uint_eq(t.n_groups, 3);
    for (size_t g = 0; g < 3; g++)
        ck_assert_uint_eq(t.groups[g].count, 10000);
    ck_assert_str_eq(t.groups[0].id, "job:page N timed out after N s");
    ck_assert_str_eq(t.groups[2].id, "job:bad font <str>");
    triage_done(&t);
    detail_free(d);
}
END_TEST

START_TEST(empty_and_no_failures)
{
    struct triage t;
    triage_init(&t);
    triage_build(&t, NULL);
    ck_assert_uint_eq(t.n_groups, 0);
    struct batch_detail *d = detail_new("bat-1");
    triage_build(&t, d);
    ck_assert_uint_eq(t.n_groups, 0);
    detail_free(d);
    d = mk_detail(3, NULL);
    set_job(d, 0, "COMPLETED", NULL);
    triage_build(&t, d);
    ck_assert_uint_eq(t.n_groups, 0);
    ck_assert_uint_eq(t.failed, 0);
    ck_assert_str_eq(triage_kind_name(TRIAGE_MAP), "map");
    ck_assert_str_eq(triage_kind_name(TRIAGE_JOB), "job");
    char id[TRIAGE_ID_SIZE];
    ck_assert(!triage_row_group(detail_row_at(d, 0), id, sizeof id));
    ck_assert_str_eq(id, "");
    triage_done(&t);
    triage_done(&t); /* done twice is harmless */
    detail_free(d);
}
END_TEST

static Suite *triage_suite(void)
{
    Suite *s = suite_create("triage");
    TCase *tc = tcase_create("normalize");
    tcase_add_test(tc, normalize_numbers);
    tcase_add_test(tc, normalize_ids);
    tcase_add_test(tc, normalize_quotes_and_paths);
    tcase_add_test(tc, normalize_space_and_edges);
    tcase_add_test(tc, normalize_is_idempotent);
    suite_add_tcase(s, tc);
    tc = tcase_create("groups");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, groups_by_kind_and_key);
    tcase_add_test(tc, counted_as_rows_change);
    tcase_add_test(tc, group_filter_combines);
    tcase_add_test(tc, groups_many_rows_one_pass);
    tcase_add_test(tc, empty_and_no_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(triage_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
