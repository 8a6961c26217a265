/* test_cli_out.c -- the subcommands' printers: CSV quoting, TSV lines, JSON that is exact to a
 * reader and harmless to a terminal, tables fitted to the width. */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/detail.h"
#include "model/xalloc.h"
#include "net/encode.h"
#include "tui/cli_out.h"
#include "tui/cli_results.h"
#include "tui/text.h"

static void setup(void)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
    text_set_utf8(true);
    setenv("COLUMNS", "40", 1);
}

struct capture {
    char *buf;
    size_t len;
    FILE *f;
};

static void cap_open(struct capture *c)
{
    memset(c, 0, sizeof *c);
    c->f = open_memstream(&c->buf, &c->len);
    ck_assert_ptr_nonnull(c->f);
}

static void cap_close(struct capture *c)
{
    fclose(c->f);
}

static const char *const heads[] = {"NAME", "JOB_STATUS"};

/* One row printed in fmt; the caller frees the text. */
static char *print_one(enum out_format fmt, bool tty, const char *name, const char *status)
{
    struct capture c;
    cap_open(&c);
    struct out *o = out_new(c.f, fmt, tty, false, heads, 2);
    const char *cells[] = {name, status};
    struct json_object *obj = json_object_new_object();
    json_object_object_add(obj, "file_name", json_object_new_string(name));
    out_row(o, cells, obj);
    ck_assert(out_end(o));
    cap_close(&c);
    return c.buf;
}

START_TEST(test_csv_quotes_what_needs_it)
{
    char *t = print_one(OUT_CSV, false, "a,b \"c\"\nd", "COMPLETED");
    ck_assert_str_eq(t, "NAME,JOB_STATUS\r\n\"a,b \"\"c\"\"\nd\",COMPLETED\r\n");
    free(t);
    t = print_one(OUT_CSV, false, " edge", "plain");
    ck_assert_str_eq(t, "NAME,JOB_STATUS\r\n\" edge\",plain\r\n");
    free(t);
}
END_TEST

START_TEST(test_csv_exact_into_a_pipe_sanitized_on_a_terminal)
{
    char *t = print_one(OUT_CSV, false, "x\x1b[31my", "S");
    ck_assert_ptr_nonnull(strstr(t, "x\x1b[31my"));
    free(t);
    t = print_one(OUT_CSV, true, "x\x1b[31my", "S");
    ck_assert_ptr_null(strchr(t, '\x1b'));
    free(t);
}
END_TEST

START_TEST(test_tsv_keeps_one_row_per_line)
{
    char *t = print_one(OUT_TSV, false, "tab\there\nnew\rline\x1b", "RUNNING");
    ck_assert_str_eq(t, "NAME\tJOB_STATUS\ntab here new line?\tRUNNING\n");
    free(t);
    /* UTF-8 names reach a pipe as they are */
    t = print_one(OUT_TSV, false, "東京 résumé.pdf", "RUNNING");
    ck_assert_ptr_nonnull(strstr(t, "東京 résumé.pdf"));
    free(t);
}
END_TEST

/* Whatever the escaping, a JSON reader gets the exact string back. */
static void json_roundtrip(const char *name, bool tty)
{
    char *t = print_one(OUT_JSONL, tty, name, "S");
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        ck_assert_msg(*p != 0x1b && *p != 0x7f, "raw control byte in %s", t);
        ck_assert_msg(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "raw C1 in %s", t);
        ck_assert_msg(!(p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae), "raw RLO in %s", t);
    }
    struct json_object *o = json_tokener_parse(t);
    ck_assert_ptr_nonnull(o);
    struct json_object *v;
    ck_assert(json_object_object_get_ex(o, "file_name", &v));
    ck_assert_str_eq(json_object_get_string(v), name);
    json_object_put(o);
    free(t);
}

START_TEST(test_json_is_exact_and_harmless)
{
    json_roundtrip("a\x1b[2Jb", false);
    json_roundtrip("del\x7f c1\xc2\x9b[31m rlo\xe2\x80\xae zw\xe2\x80\x8b bom\xef\xbb\xbf", true);
    json_roundtrip("emoji \xf0\x9f\x98\x80 tag \xf3\xa0\x80\x81", false);
    json_roundtrip("quote \" backslash \\ slash /", true);
}
END_TEST

/* rows of batches printed both ways, in fmt: through json-c (encode_batch) and directly */
static void batch_rows_both_ways(enum out_format fmt, bool tty, const struct batch *b, size_t n,
                                 char **via_jsonc, char **direct)
{
    struct capture c;
    const char *cells[] = {"n", "s"};
    cap_open(&c);
    struct out *o = out_new(c.f, fmt, tty, false, heads, 2);
    for (size_t i = 0; i < n; i++)
        out_row(o, cells, encode_batch(&b[i], false));
    ck_assert(out_end(o));
    cap_close(&c);
    *via_jsonc = c.buf;
    cap_open(&c);
    o = out_new(c.f, fmt, tty, false, heads, 2);
    struct out_text t = {0};
    for (size_t i = 0; i < n; i++) {
        t.len = 0;
        out_text_batch(&t, &b[i], tty);
        out_row_text(o, cells, &t);
    }
    out_text_done(&t);
    ck_assert(out_end(o));
    cap_close(&c);
    *direct = c.buf;
}

/* The batch list's JSON written straight from the batch is byte for byte what json-c and
 * out_json make of it: for every control, DEL, C1, bidi, invisible and astral character,
 * invalid UTF-8 (raw into a pipe, U+FFFD on a terminal), quotes, backslashes, slashes, nulls,
 * an unknown job type and a missing ID. */
START_TEST(test_batch_json_direct_is_json_c)
{
    static char all_c0[32 * 2 + 1];
    for (int i = 1; i < 32; i++) {
        all_c0[2 * (i - 1)] = (char)i;
        all_c0[2 * (i - 1) + 1] = 'x';
    }
    const char *hostile[] = {
        "bat-1",
        all_c0,
        "a\x1b[2Jb\x7f del",
        "c1\xc2\x80\xc2\x9b[31m nbsp\xc2\xa0 shy\xc2\xad alm\xd8\x9c",
        "rlo\xe2\x80\xae zw\xe2\x80\x8b ls\xe2\x80\xa8 wj\xe2\x81\xa0 bom\xef\xbb\xbf "
        "ifa\xef\xbf\xb9",
        "emoji \xf0\x9f\x98\x80 tag \xf3\xa0\x80\x81 e\xcc\x81 \xe4\xb8\xad",
        "bad \xff \xc3 \xe2\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf end\xc3",
        "quote \" backslash \\ slash / both \\\"",
        "",
    };
    size_t nh = sizeof hostile / sizeof hostile[0];
    struct batch b[16];
    size_t n = 0;
    for (size_t i = 0; i < nh; i++) {
        const char *h = hostile[i], *g = hostile[(i + 3) % nh];
        b[n++] = (struct batch){
            .id = (char *)h, .project_id = (char *)g, .source_directory_id = (char *)h,
            .job_type = JOB_TYPE_PARSE, .job_type_text = i % 2 ? (char *)g : NULL,
            .configuration_id = (char *)h, .status = BATCH_RUNNING,
            .status_text = i % 3 ? (char *)h : NULL, .created_at = (char *)g,
            .updated_at = i % 4 ? (char *)h : NULL};
    }
    b[n++] = (struct batch){.job_type = JOB_TYPE_UNKNOWN, .status = BATCH_FAILED}; /* nulls */
    static char id2[] = "bat-2", at2[] = "2026-01-01T00:00:00Z";
    b[n++] = (struct batch){.id = id2, .job_type = JOB_TYPE_EXTRACT, .status = BATCH_COMPLETED,
                            .created_at = at2};
    enum out_format fmts[] = {OUT_JSONL, OUT_JSON, OUT_TSV, OUT_CSV};
    for (size_t f = 0; f < 4; f++) {
        for (int tty = 0; tty < 2; tty++) {
            char *a, *d;
            batch_rows_both_ways(fmts[f], tty, b, n, &a, &d);
            ck_assert_msg(strcmp(a, d) == 0, "format %zu tty %d:\njson-c: %s\ndirect: %s", f, tty,
                          a, d);
            free(a);
            free(d);
        }
    }
}
END_TEST

START_TEST(test_json_document_is_one_array)
{
    struct capture c;
    cap_open(&c);
    struct out *o = out_new(c.f, OUT_JSON, false, false, heads, 2);
    for (int i = 0; i < 3; i++) {
        const char *cells[] = {"n", "s"};
        struct json_object *obj = json_object_new_object();
        json_object_object_add(obj, "i", json_object_new_int(i));
        out_row(o, cells, obj);
    }
    ck_assert(out_end(o));
    cap_close(&c);
    struct json_object *a = json_tokener_parse(c.buf);
    ck_assert_ptr_nonnull(a);
    ck_assert(json_object_is_type(a, json_type_array));
    ck_assert_int_eq((int)json_object_array_length(a), 3);
    json_object_put(a);
    free(c.buf);
    /* no rows: still a document */
    cap_open(&c);
    ck_assert(out_end(out_new(c.f, OUT_JSON, false, false, heads, 2)));
    cap_close(&c);
    a = json_tokener_parse(c.buf);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq((int)json_object_array_length(a), 0);
    json_object_put(a);
    free(c.buf);
}
END_TEST

START_TEST(test_table_fits_the_width_and_hides_escapes)
{
    char *t = print_one(OUT_TABLE, true,
                        "a very long file name that would never fit in forty columns.pdf\x1b[2J",
                        "COMPLETED");
    ck_assert_ptr_null(strchr(t, '\x1b'));
    char *line = strtok(t, "\n");
    while (line != NULL) {
        ck_assert_msg(text_width(line) <= 40, "line wider than 40: '%s'", line);
        line = strtok(NULL, "\n");
    }
    free(t);
}
END_TEST

/* A batch of three files: a completed job, a mapping error, a failed job; names with a comma
 * and an escape byte (exact in a file). */
static struct batch_detail *results_detail(void)
{
    struct batch b;
    memset(&b, 0, sizeof b);
    b.id = xstrdup("bat-1");
    b.status = BATCH_COMPLETED;
    b.status_text = xstrdup("COMPLETED");
    b.has_results = true;
    b.n_results = 3;
    b.results = xcalloc(3, sizeof *b.results);
    for (size_t i = 0; i < 3; i++)
        b.results[i].file_id = xasprintf("dfl-%zu", i);
    b.results[0].job_id = xstrdup("pjb-0");
    b.results[0].job_type = JOB_TYPE_PARSE;
    b.results[0].job_type_text = xstrdup("parse_v2");
    b.results[1].error_message = xstrdup("file is empty (0 bytes)");
    b.results[2].job_id = xstrdup("pjb-2");
    b.results[2].job_type = JOB_TYPE_PARSE;
    b.results[2].job_type_text = xstrdup("parse_v2");
    struct batch_detail *d = detail_new("bat-1");
    detail_set_batch(d, &b);
    batch_done(&b);
    struct dir_file f[3];
    memset(f, 0, sizeof f);
    f[0].id = (char *)"dfl-0";
    f[0].display_name = (char *)"a, b.pdf";
    f[1].id = (char *)"dfl-1";
    f[1].display_name = (char *)"esc\033[2J.pdf";
    f[2].id = (char *)"dfl-2";
    f[2].display_name = (char *)"c.pdf";
    detail_set_names(d, f, 3);
    struct job j[2];
    memset(j, 0, sizeof j);
    j[0].id = (char *)"pjb-0";
    j[0].status = JOB_COMPLETED;
    j[0].status_text = (char *)"COMPLETED";
    j[1].id = (char *)"pjb-2";
    j[1].status = JOB_FAILED;
    j[1].status_text = (char *)"FAILED";
    j[1].error_message = (char *)"page 3 \"timed\" out";
    detail_set_jobs(d, j, 2);
    return d;
}

START_TEST(test_results_rows_csv_exact)
{
    struct batch_detail *d = results_detail();
    struct capture c;
    cap_open(&c);
    struct results_out *w = results_out_new(c.f, OUT_CSV, false, false, detail_batch(d));
    for (size_t i = 0; i < detail_row_count(d); i++)
        results_out_row(w, detail_row_at(d, i));
    ck_assert_uint_eq(results_out_rows(w), 3);
    ck_assert(results_out_end(w));
    cap_close(&c);
    ck_assert_str_eq(c.buf, "FILE,FILE_ID,JOB_ID,JOB_STATUS,ERROR\r\n"
                            "\"a, b.pdf\",dfl-0,pjb-0,COMPLETED,\r\n"
                            "esc\033[2J.pdf,dfl-1,,NONE,file is empty (0 bytes)\r\n"
                            "c.pdf,dfl-2,pjb-2,FAILED,\"page 3 \"\"timed\"\" out\"\r\n");
    free(c.buf);
    detail_free(d);
}
END_TEST

START_TEST(test_results_rows_json_are_result_entries)
{
    struct batch_detail *d = results_detail();
    struct capture c;
    cap_open(&c);
    struct results_out *w = results_out_new(c.f, OUT_JSON, false, false, detail_batch(d));
    /* any subset, in any order (the Batch screen's rows as filtered) */
    results_out_row(w, detail_row_at(d, 2));
    results_out_row(w, detail_row_at(d, 1));
    ck_assert(results_out_end(w));
    cap_close(&c);
    struct json_object *doc = json_tokener_parse(c.buf);
    ck_assert_ptr_nonnull(doc);
    ck_assert_uint_eq(json_object_array_length(doc), 2);
    struct json_object *r = json_object_array_get_idx(doc, 0), *v;
    ck_assert(json_object_object_get_ex(r, "source_directory_file_id", &v));
    ck_assert_str_eq(json_object_get_string(v), "dfl-2");
    ck_assert(json_object_object_get_ex(r, "job_reference", &v));
    ck_assert(json_object_object_get_ex(v, "id", &v));
    ck_assert_str_eq(json_object_get_string(v), "pjb-2");
    ck_assert(json_object_object_get_ex(r, "job_status", &v));
    ck_assert_str_eq(json_object_get_string(v), "FAILED");
    ck_assert(json_object_object_get_ex(r, "job_error_message", &v));
    ck_assert_str_eq(json_object_get_string(v), "page 3 \"timed\" out");
    r = json_object_array_get_idx(doc, 1);
    ck_assert(json_object_object_get_ex(r, "file_name", &v));
    ck_assert_str_eq(json_object_get_string(v), "esc\033[2J.pdf");
    ck_assert(json_object_object_get_ex(r, "error_message", &v));
    ck_assert_str_eq(json_object_get_string(v), "file is empty (0 bytes)");
    ck_assert(json_object_object_get_ex(r, "job_reference", &v));
    ck_assert_ptr_null(v);
    ck_assert(json_object_object_get_ex(r, "job_status", &v));
    ck_assert_ptr_null(v);
    json_object_put(doc);
    free(c.buf);
    detail_free(d);
}
END_TEST

static Suite *cli_out_suite(void)
{
    Suite *s = suite_create("cli_out");
    TCase *tc = tcase_create("formats");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_csv_quotes_what_needs_it);
    tcase_add_test(tc, test_csv_exact_into_a_pipe_sanitized_on_a_terminal);
    tcase_add_test(tc, test_tsv_keeps_one_row_per_line);
    tcase_add_test(tc, test_json_is_exact_and_harmless);
    tcase_add_test(tc, test_json_document_is_one_array);
    tcase_add_test(tc, test_batch_json_direct_is_json_c);
    tcase_add_test(tc, test_table_fits_the_width_and_hides_escapes);
    tcase_add_test(tc, test_results_rows_csv_exact);
    tcase_add_test(tc, test_results_rows_json_are_result_entries);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_out_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
