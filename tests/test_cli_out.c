/* test_cli_out.c -- the subcommands' printers: CSV quoting, TSV lines, JSON that is exact to a
 * reader and harmless to a terminal, tables fitted to the width. */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli_out.h"
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
    tcase_add_test(tc, test_table_fits_the_width_and_hides_escapes);
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
