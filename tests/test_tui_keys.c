/* test_tui_keys.c -- the action table: every action bound, no key means two things in a scope. */
#include "config.h"

#include <check.h>
#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "tui/keys.h"
#include "tui/term.h"

static const unsigned scopes[] = {SCOPE_LIST, SCOPE_BATCH, SCOPE_FILE};

START_TEST(test_every_action_has_name_help_and_a_key)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        const struct action_info *info = keys_action((enum action)a);
        ck_assert_ptr_nonnull(info);
        ck_assert_int_eq(info->id, a);
        ck_assert_uint_gt(strlen(info->name), 0);
        ck_assert_uint_gt(strlen(info->help), 0);
        ck_assert_int_ne(info->keys[0], -1);
        ck_assert_uint_ne(info->scopes, 0);
    }
    ck_assert_ptr_null(keys_action(ACT_NONE));
    ck_assert_ptr_null(keys_action(ACT_COUNT));
}
END_TEST

START_TEST(test_names_are_unique)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
        for (int b = a + 1; b < ACT_COUNT; b++)
            ck_assert_str_ne(keys_action((enum action)a)->name, keys_action((enum action)b)->name);
}
END_TEST

START_TEST(test_no_key_bound_twice_in_a_scope)
{
    for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++) {
        unsigned scope = scopes[s] | SCOPE_GLOBAL;
        for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
            const struct action_info *ia = keys_action((enum action)a);
            if (!(ia->scopes & scope))
                continue;
            for (int b = a + 1; b < ACT_COUNT; b++) {
                const struct action_info *ib = keys_action((enum action)b);
                if (!(ib->scopes & scope))
                    continue;
                /* a scope-specific binding may shadow a global one on purpose; two actions
                 * of the same level must never share a key */
                if ((ia->scopes & SCOPE_GLOBAL) != (ib->scopes & SCOPE_GLOBAL))
                    continue;
                for (const int *ka = ia->keys; *ka != -1; ka++)
                    for (const int *kb = ib->keys; *kb != -1; kb++)
                        ck_assert_msg(*ka != *kb, "key %d bound to %s and %s", *ka, ia->name,
                                      ib->name);
            }
        }
    }
}
END_TEST

START_TEST(test_design_keys)
{
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'q'), ACT_QUIT);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, KEY_ESCAPE), ACT_BACK);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '?'), ACT_HELP);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'r'), ACT_REFRESH);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'p'), ACT_PAUSE);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'm'), ACT_MESSAGES);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '/'), ACT_FILTER);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'j'), ACT_DOWN);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, KEY_DOWN), ACT_DOWN);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'k'), ACT_UP);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, KEY_NPAGE), ACT_PAGE_DOWN);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, KEY_PPAGE), ACT_PAGE_UP);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'g'), ACT_HOME);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, KEY_END), ACT_END);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'G'), ACT_END);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '\n'), ACT_OPEN);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'y'), ACT_COPY);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'n'), ACT_NEW);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'c'), ACT_CANCEL);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '0'), ACT_SHOW_ALL);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '3'), ACT_SHOW_RUNNING);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '6'), ACT_SHOW_CANCELLED);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'a'), ACT_SHOW_ACTIVE);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '<'), ACT_SORT_PREV);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, '>'), ACT_SORT_NEXT);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'I'), ACT_SORT_INVERT);
    ck_assert_int_eq(keys_lookup(SCOPE_BATCH, 'c'), ACT_CANCEL);
    ck_assert_int_eq(keys_lookup(SCOPE_BATCH, 'f'), ACT_FAILED_ONLY);
    ck_assert_int_eq(keys_lookup(SCOPE_FILE, 't'), ACT_TOGGLE_TEXT);
    ck_assert_int_eq(keys_lookup(SCOPE_FILE, 'w'), ACT_WRITE);
    ck_assert_int_eq(keys_lookup(SCOPE_FILE, 'n'), ACT_SEARCH_NEXT);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, KEY_CTRL('c')), ACT_QUIT_NOW);
    /* scope keys do not leak into other screens */
    ck_assert_int_eq(keys_lookup(SCOPE_FILE, 'c'), ACT_NONE);
    ck_assert_int_eq(keys_lookup(SCOPE_BATCH, 'n'), ACT_NONE);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'f'), ACT_NONE);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'Z'), ACT_NONE);
}
END_TEST

START_TEST(test_key_names)
{
    char buf[64];
    keys_name('\n', buf, sizeof buf);
    ck_assert_str_eq(buf, "Enter");
    keys_name(KEY_F(2), buf, sizeof buf);
    ck_assert_str_eq(buf, "F2");
    keys_name(KEY_CTRL('c'), buf, sizeof buf);
    ck_assert_str_eq(buf, "Ctrl-C");
    keys_name('q', buf, sizeof buf);
    ck_assert_str_eq(buf, "q");
    keys_describe(ACT_DOWN, buf, sizeof buf);
    ck_assert_str_eq(buf, "Down, j");
    keys_describe(ACT_NONE, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
}
END_TEST

/* An allocation failure in batchtop: terminal restored (die's path), the message on stderr
 * where it is seen, exit status 1. Run in a child whose stderr is a pipe. */
START_TEST(test_out_of_memory_is_reported_after_restore)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        term_alloc_failure_install();
        void *p = xreallocarray(NULL, SIZE_MAX / 2 + 1, 2);
        free(p);
        _exit(99); /* not reached */
    }
    close(fds[1]);
    char buf[256];
    size_t used = 0;
    ssize_t n;
    while (used + 1 < sizeof buf && (n = read(fds[0], buf + used, sizeof buf - 1 - used)) > 0)
        used += (size_t)n;
    buf[used] = '\0';
    close(fds[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status), "status %#x (%s)", status, buf);
    ck_assert_int_eq(WEXITSTATUS(status), 1);
    ck_assert_str_eq(buf, "batchtop: out of memory (allocation too large)\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tui_keys");
    TCase *tc = tcase_create("keys");
    tcase_add_test(tc, test_every_action_has_name_help_and_a_key);
    tcase_add_test(tc, test_names_are_unique);
    tcase_add_test(tc, test_no_key_bound_twice_in_a_scope);
    tcase_add_test(tc, test_design_keys);
    tcase_add_test(tc, test_key_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("fatal");
    tcase_add_test(tc, test_out_of_memory_is_reported_after_restore);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
