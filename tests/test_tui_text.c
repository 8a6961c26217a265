/* test_tui_text.c -- the sanitizer and width-aware truncation (CJK, emoji, controls, bad UTF-8).
 */
#include "config.h"

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/text.h"

static void setup(void)
{
    ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
    text_set_utf8(true);
}

/* Backspace in the one-line inputs takes one whole character, never half of one. */
START_TEST(test_backspace_takes_whole_characters)
{
    char t[32] = "a\xc3\xa9\xe8\xab\x8b\xf0\x9f\x93\x84";
    text_backspace(t); /* the emoji (4 bytes) */
    ck_assert_str_eq(t, "a\xc3\xa9\xe8\xab\x8b");
    text_backspace(t); /* the CJK character (3) */
    ck_assert_str_eq(t, "a\xc3\xa9");
    text_backspace(t); /* e acute (2) */
    ck_assert_str_eq(t, "a");
    text_backspace(t);
    ck_assert_str_eq(t, "");
    text_backspace(t); /* nothing left: nothing happens */
    ck_assert_str_eq(t, "");
}
END_TEST

START_TEST(test_append_whole_characters_within_the_cap)
{
    char t[8] = "";
    ck_assert(text_append(t, 6, 'a'));
    ck_assert(text_append(t, 6, 0xe9));    /* e acute: 2 bytes */
    ck_assert(text_append(t, 6, 0x8acb));  /* CJK: 3 bytes, 6 in all */
    ck_assert_str_eq(t, "a\xc3\xa9\xe8\xab\x8b");
    ck_assert(!text_append(t, 6, 'b')); /* a 7th byte does not fit: unchanged */
    ck_assert_str_eq(t, "a\xc3\xa9\xe8\xab\x8b");
    text_backspace(t);
    ck_assert(!text_append(t, 6, 0x1f4c4)); /* 4 bytes after 3: does not fit */
    ck_assert(text_append(t, 7, 0x1f4c4));
    ck_assert_str_eq(t, "a\xc3\xa9\xf0\x9f\x93\x84");
    ck_assert_str_eq(text_name_problem(""), "required");
    ck_assert_str_eq(text_name_problem("a\tb"), "no control characters allowed");
    ck_assert_str_eq(text_name_problem("x\x7f"), "no control characters allowed");
    ck_assert_ptr_null(text_name_problem("scans 2026-12-04 \xc3\xa9"));
}
END_TEST

START_TEST(test_plain_ascii_unchanged)
{
    char *c = text_clean("report-2026.pdf");
    ck_assert_str_eq(c, "report-2026.pdf");
    free(c);
    ck_assert_int_eq(text_width("report-2026.pdf"), 15);
}
END_TEST

START_TEST(test_escape_sequences_become_visible)
{
    char *c = text_clean("a\x1b[31mred\x1b]0;title\x07z");
    ck_assert_ptr_null(strchr(c, 0x1b));
    ck_assert_ptr_null(strchr(c, 0x07));
    ck_assert_str_eq(c, "a\\x1b[31mred\\x1b]0;title\\x07z");
    free(c);
}
END_TEST

START_TEST(test_c1_del_and_whitespace)
{
    /* U+009B (CSI as C1) encoded in UTF-8, DEL, tab, newline. */
    char *c = text_clean("x\xc2\x9b"
                         "1m\x7fy\tz\nw");
    ck_assert_str_eq(c, "x\\x9b1m\\x7fy z w");
    free(c);
}
END_TEST

START_TEST(test_invalid_utf8_becomes_question_mark)
{
    /* lone continuation, overlong '/', surrogate, truncated sequence at the end */
    char *c = text_clean("a\x80"
                         "b\xc0\xaf"
                         "c\xed\xa0\x80"
                         "d\xe4\xb8");
    ck_assert_str_eq(c, "a?b??c???d??");
    free(c);
}
END_TEST

START_TEST(test_bidi_override_replaced)
{
    char *c = text_clean("abc\xe2\x80\xae"
                         "fdp.exe");
    ck_assert_str_eq(c, "abc?fdp.exe");
    free(c);
}
END_TEST

START_TEST(test_invisible_and_reordering_replaced)
{
    static const char *const hidden[] = {
        "\xe2\x80\x8b",     /* U+200B zero width space */
        "\xe2\x80\x8c",     /* U+200C zero width non-joiner */
        "\xe2\x80\x8d",     /* U+200D zero width joiner */
        "\xef\xbb\xbf",     /* U+FEFF zero width no-break space (BOM) */
        "\xc2\xad",         /* U+00AD soft hyphen */
        "\xe2\x80\x8e",     /* U+200E left-to-right mark */
        "\xe2\x80\x8f",     /* U+200F right-to-left mark */
        "\xe2\x80\xaa",     /* U+202A LRE */
        "\xe2\x80\xab",     /* U+202B RLE */
        "\xe2\x80\xac",     /* U+202C PDF */
        "\xe2\x80\xad",     /* U+202D LRO */
        "\xe2\x80\xae",     /* U+202E RLO */
        "\xe2\x81\xa6",     /* U+2066 LRI */
        "\xe2\x81\xa7",     /* U+2067 RLI */
        "\xe2\x81\xa8",     /* U+2068 FSI */
        "\xe2\x81\xa9",     /* U+2069 PDI */
        "\xe2\x81\xa0",     /* U+2060 word joiner */
        "\xe2\x80\xa8",     /* U+2028 line separator */
        "\xf3\xa0\x80\x80", /* U+E0000 */
        "\xf3\xa0\x81\x81", /* U+E0041 tag latin capital a */
        "\xf3\xa0\x81\xbf", /* U+E007F cancel tag */
    };
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
        char in[32];
        snprintf(in, sizeof in, "pay%spal", hidden[i]);
        char *c = text_clean(in);
        ck_assert_msg(strcmp(c, "pay?pal") == 0, "case %zu: got '%s'", i, c);
        free(c);
        /* what is measured is what is drawn: one visible column */
        ck_assert_int_eq(text_width(in), 7);
        char out[64];
        ck_assert_int_eq(text_fit(in, 7, false, out, sizeof out), 7);
        ck_assert_str_eq(out, "pay?pal");
    }
    /* A name that looks like "invoice.pdf" but is not: every hidden part shows. */
    char *c = text_clean("invoice\xe2\x80\x8b.\xf3\xa0\x81\xa5pdf\xe2\x80\xae");
    ck_assert_str_eq(c, "invoice?.?pdf?");
    free(c);
    /* Ordinary combining marks and emoji stay. */
    c = text_clean("e\xcc\x81\xf0\x9f\x93\x84");
    ck_assert_str_eq(c, "e\xcc\x81\xf0\x9f\x93\x84");
    free(c);
}
END_TEST

START_TEST(test_safe_id)
{
    ck_assert(text_is_safe_id("dir-0123abcd"));
    ck_assert(text_is_safe_id("cfg-PARSE_AGENTIC"));
    ck_assert(text_is_safe_id("a.b:c/d~e"));
    ck_assert(!text_is_safe_id(NULL));
    ck_assert(!text_is_safe_id(""));
    ck_assert(!text_is_safe_id("dir 1"));
    ck_assert(!text_is_safe_id("dir-1\x1b[2J"));
    ck_assert(!text_is_safe_id("dir-\xe2\x80\x8b"
                               "1"));
    ck_assert(!text_is_safe_id("dir-\xe2\x80\xae"
                               "1"));
    ck_assert(!text_is_safe_id("dir-\xc2\x9b"
                               "1"));
    ck_assert(!text_is_safe_id("dir\x7f"));
    char long_id[TEXT_ID_MAX + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    ck_assert(!text_is_safe_id(long_id));
    long_id[TEXT_ID_MAX] = '\0';
    ck_assert(text_is_safe_id(long_id));
}
END_TEST

START_TEST(test_cjk_and_emoji_widths)
{
    ck_assert_int_eq(text_width("\xe6\x8a\xa5\xe5\x91\x8a"), 4); /* 报告 */
    ck_assert_int_eq(text_width("\xf0\x9f\x93\x84"
                                "a"),
                     3); /* 📄a */
    ck_assert_int_eq(text_width("e\xcc\x81"
                                "cole"),
                     5); /* école, combining */
}
END_TEST

START_TEST(test_fit_pads_to_exact_width)
{
    char out[128];
    ck_assert_int_eq(text_fit("\xe6\x8a\xa5\xe5\x91\x8a.pdf", 12, true, out, sizeof out), 12);
    ck_assert_str_eq(out, "\xe6\x8a\xa5\xe5\x91\x8a.pdf    ");
    ck_assert_int_eq(text_width(out), 12);
}
END_TEST

START_TEST(test_fit_cuts_with_ellipsis)
{
    char out[128];
    ck_assert_int_eq(text_fit("abcdefghij", 6, false, out, sizeof out), 6);
    ck_assert_str_eq(out, "abcde\xe2\x80\xa6");
}
END_TEST

START_TEST(test_fit_wide_char_at_the_edge)
{
    char out[128];
    /* 报告书 is 6 columns; in 4 there is room for 报 (2) + 1 space + … */
    ck_assert_int_eq(text_fit("\xe6\x8a\xa5\xe5\x91\x8a\xe4\xb9\xa6", 4, true, out, sizeof out),
                     4);
    ck_assert_str_eq(out, "\xe6\x8a\xa5 \xe2\x80\xa6");
    ck_assert_int_eq(text_width(out), 4);
}
END_TEST

START_TEST(test_fit_keeps_combining_marks_with_their_base)
{
    char out[128];
    ck_assert_int_eq(text_fit("e\xcc\x81"
                              "e\xcc\x81"
                              "e\xcc\x81",
                              3, true, out, sizeof out),
                     3);
    ck_assert_str_eq(out, "e\xcc\x81"
                          "e\xcc\x81"
                          "e\xcc\x81");
    ck_assert_int_eq(text_fit("e\xcc\x81"
                              "e\xcc\x81"
                              "e\xcc\x81"
                              "x",
                              3, true, out, sizeof out),
                     3);
    ck_assert_str_eq(out, "e\xcc\x81"
                          "e\xcc\x81\xe2\x80\xa6");
}
END_TEST

START_TEST(test_fit_leading_combining_dropped)
{
    char out[64];
    text_fit("\xcc\x81"
             "ab",
             5, false, out, sizeof out);
    ck_assert_str_eq(out, "ab");
}
END_TEST

START_TEST(test_fit_controls_are_measured_after_escaping)
{
    char out[128];
    ck_assert_int_eq(text_fit("\x1b[2J", 20, false, out, sizeof out), 7);
    ck_assert_str_eq(out, "\\x1b[2J");
    ck_assert_int_eq(text_fit("\x1b[2J", 3, false, out, sizeof out), 3);
    ck_assert_ptr_null(strchr(out, 0x1b));
}
END_TEST

START_TEST(test_fit_tiny_widths)
{
    char out[16];
    ck_assert_int_eq(text_fit("hello", 0, true, out, sizeof out), 0);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(text_fit("hello", 1, true, out, sizeof out), 1);
    ck_assert_int_eq(text_width(out), 1);
    ck_assert_int_eq(text_fit(NULL, 3, true, out, sizeof out), 3);
    ck_assert_str_eq(out, "   ");
    /* a small buffer is never overrun */
    char tiny[4];
    text_fit("abcdefgh", 8, true, tiny, sizeof tiny);
    ck_assert_uint_lt(strlen(tiny), sizeof tiny);
}
END_TEST

START_TEST(test_fit_left_keeps_the_end)
{
    char out[128];
    ck_assert_int_eq(text_fit_left("bat-0123456789", 6, false, out, sizeof out), 6);
    ck_assert_str_eq(out, "\xe2\x80\xa6"
                          "56789");
}
END_TEST

START_TEST(test_ascii_mode)
{
    char out[128];
    text_set_utf8(false);
    char *c = text_clean("\xe6\x8a\xa5.pdf");
    ck_assert_str_eq(c, "?.pdf");
    free(c);
    ck_assert_int_eq(text_fit("abcdefghij", 6, false, out, sizeof out), 6);
    ck_assert_str_eq(out, "abc...");
    text_bar(1, 2, 4, out, sizeof out);
    ck_assert_str_eq(out, "##..");
    text_set_utf8(true);
}
END_TEST

START_TEST(test_bar)
{
    char out[128];
    text_bar(1, 4, 8, out, sizeof out);
    ck_assert_int_eq(text_width(out), 8);
    ck_assert_str_eq(out,
                     "\xe2\x96\x88\xe2\x96\x88\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7\xc2\xb7");
    text_bar(0, 0, 2, out, sizeof out);
    ck_assert_str_eq(out, "\xc2\xb7\xc2\xb7");
}
END_TEST

START_TEST(test_thousands)
{
    char out[32];
    static const struct {
        long v;
        const char *want;
    } cases[] = {{0, "0"},           {999, "999"},         {1000, "1,000"},
                 {10000, "10,000"},  {123456, "123,456"},  {1234567, "1,234,567"},
                 {-4500, "-4,500"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        text_thousands(cases[i].v, out, sizeof out);
        ck_assert_str_eq(out, cases[i].want);
    }
    text_thousands(1234567, out, 4); /* cut, never past the buffer */
    ck_assert_str_eq(out, "1,2");
}
END_TEST

START_TEST(test_cut_for_wrapping)
{
    ck_assert_uint_eq(text_cut("abcdef", 4), 4);
    ck_assert_uint_eq(text_cut("ab", 4), 2);
    /* 报告 (3 bytes each, 2 columns each): 3 columns hold one */
    ck_assert_uint_eq(text_cut("\xe6\x8a\xa5\xe5\x91\x8a", 3), 3);
    /* a wide char wider than the width still makes progress */
    ck_assert_uint_eq(text_cut("\xe6\x8a\xa5", 1), 3);
    /* combining marks stay with their base */
    ck_assert_uint_eq(text_cut("ae\xcc\x81x", 2), 4);
    ck_assert_uint_eq(text_cut("", 5), 0);
}
END_TEST

START_TEST(test_combining_marks_are_bounded)
{
    /* "Zalgo": 50 combining acute accents on one letter keep one (4 bytes per column) */
    char in[256] = "e", out[16];
    for (int i = 0; i < 50; i++)
        strcat(in, "\xcc\x81");
    char *c = text_clean(in);
    ck_assert_str_eq(c, "e\xcc\x81");
    free(c);
    ck_assert_int_eq(text_width(in), 1);
    /* the promised buffer (4 * width + 4) is always enough, and the width is exact */
    ck_assert_int_eq(text_fit(in, 2, true, out, 4 * 2 + 4), 2);
    ck_assert_int_eq(text_width(out), 2);
    ck_assert_str_eq(out, "e\xcc\x81 ");
}
END_TEST

START_TEST(test_clean_is_a_fixed_point)
{
    /* marks after an escape marker: cleaning the result again changes nothing */
    const char *inputs[] = {
        "a\x1b\xcc\x81\xcc\x81\xcc\x81\xcc\x81z",
        "\x80\xcc\x81\xcc\x81",
        "\xe6\x8a\xa5\xcc\x81\xcc\x81\xcc\x81\xcc\x81",
        "\xf0\x9f\x93\x84\xcc\x81",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *once = text_clean(inputs[i]), *twice = text_clean(once);
        ck_assert_str_eq(once, twice);
        ck_assert_int_eq(text_width(once), text_width(inputs[i]));
        free(once);
        free(twice);
    }
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("tui_text");
    TCase *tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_plain_ascii_unchanged);
    tcase_add_test(tc, test_backspace_takes_whole_characters);
    tcase_add_test(tc, test_append_whole_characters_within_the_cap);
    tcase_add_test(tc, test_escape_sequences_become_visible);
    tcase_add_test(tc, test_c1_del_and_whitespace);
    tcase_add_test(tc, test_invalid_utf8_becomes_question_mark);
    tcase_add_test(tc, test_bidi_override_replaced);
    tcase_add_test(tc, test_invisible_and_reordering_replaced);
    tcase_add_test(tc, test_safe_id);
    tcase_add_test(tc, test_cjk_and_emoji_widths);
    tcase_add_test(tc, test_fit_pads_to_exact_width);
    tcase_add_test(tc, test_fit_cuts_with_ellipsis);
    tcase_add_test(tc, test_fit_wide_char_at_the_edge);
    tcase_add_test(tc, test_fit_keeps_combining_marks_with_their_base);
    tcase_add_test(tc, test_fit_leading_combining_dropped);
    tcase_add_test(tc, test_fit_controls_are_measured_after_escaping);
    tcase_add_test(tc, test_fit_tiny_widths);
    tcase_add_test(tc, test_fit_left_keeps_the_end);
    tcase_add_test(tc, test_ascii_mode);
    tcase_add_test(tc, test_bar);
    tcase_add_test(tc, test_thousands);
    tcase_add_test(tc, test_cut_for_wrapping);
    tcase_add_test(tc, test_combining_marks_are_bounded);
    tcase_add_test(tc, test_clean_is_a_fixed_point);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(text_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
