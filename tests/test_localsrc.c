/* test_localsrc.c -- a local folder, file or glob listed as what a batch would upload. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/localsrc.h"
#include "model/xalloc.h"

static char tmp[64];

static void mk(const char *rel, const char *text)
{
    char *p = xasprintf("%s/%s", tmp, rel);
    FILE *f = fopen(p, "w");
    ck_assert_msg(f != NULL, "cannot create %s", p);
    fputs(text, f);
    fclose(f);
    free(p);
}

static void mkd(const char *rel)
{
    char *p = xasprintf("%s/%s", tmp, rel);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    free(p);
}

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/bt-localsrc-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
    char *cmd = xasprintf("chmod -R u+rwx '%s' && rm -rf '%s'", tmp, tmp);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}

static const struct local_file *find(const struct local_scan *s, const char *display)
{
    for (size_t i = 0; i < s->n_files; i++)
        if (strcmp(s->files[i].display_name, display) == 0)
            return &s->files[i];
    return NULL;
}

static const char *problem_of(const struct local_scan *s, const char *suffix)
{
    size_t n = strlen(suffix);
    for (size_t i = 0; i < s->n_problems; i++) {
        size_t m = strlen(s->problems[i].path);
        if (m >= n && strcmp(s->problems[i].path + m - n, suffix) == 0)
            return s->problems[i].reason;
    }
    return NULL;
}

START_TEST(folder_walked_sorted_relative)
{
    mkd("scans");
    mkd("scans/2024 Q1");
    mk("scans/b.pdf", "bb");
    mk("scans/a report.pdf", "a");
    mk("scans/2024 Q1/naïve résumé.pdf", "ccc");
    mk("scans/.hidden.pdf", "h");
    mkd("scans/.git");
    mk("scans/.git/config", "x");
    char *spec = xasprintf("%s/scans/", tmp);
    struct local_scan s;
    char *err = NULL;
    ck_assert_int_eq(localsrc_scan(spec, false, &s, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_uint_eq(s.n_files, 3);
    ck_assert_str_eq(s.files[0].display_name, "2024 Q1/naïve résumé.pdf");
    ck_assert_str_eq(s.files[1].display_name, "a report.pdf");
    ck_assert_str_eq(s.files[2].display_name, "b.pdf");
    ck_assert_int_eq(s.files[2].size, 2);
    ck_assert_int_eq(s.bytes_total, 6);
    ck_assert_uint_eq(s.hidden_skipped, 2);
    ck_assert_uint_eq(s.n_problems, 0);
    ck_assert_str_eq(s.root_name, "scans");
    char *want = xasprintf("%s/scans/b.pdf", tmp);
    ck_assert_str_eq(s.files[2].path, want);
    free(want);
    char *name = localsrc_default_name(&s, 86400 * 365);
    ck_assert_int_eq(strncmp(name, "scans 1971-01-0", 15), 0);
    free(name);
    local_scan_done(&s);

    ck_assert_int_eq(localsrc_scan(spec, true, &s, &err), 0);
    ck_assert_uint_eq(s.n_files, 5);
    ck_assert_ptr_nonnull(find(&s, ".git/config"));
    ck_assert_uint_eq(s.hidden_skipped, 0);
    local_scan_done(&s);
    free(spec);
}
END_TEST

START_TEST(problems_named_rest_kept)
{
    mkd("d");
    mk("d/ok.pdf", "ok");
    mk("d/locked.pdf", "secret");
    char *p = xasprintf("%s/d/locked.pdf", tmp);
    ck_assert_int_eq(chmod(p, 0), 0);
    free(p);
    /* a file over the limit, sparse: no 100 MiB written */
    p = xasprintf("%s/d/huge.pdf", tmp);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, LOCALSRC_MAX_FILE_BYTES + 1), 0);
    close(fd);
    free(p);
    /* a loop: d/sub/back -> d; a broken link; a fifo */
    mkd("d/sub");
    p = xasprintf("%s/d", tmp);
    char *l = xasprintf("%s/d/sub/back", tmp);
    ck_assert_int_eq(symlink(p, l), 0);
    free(l);
    l = xasprintf("%s/d/gone.pdf", tmp);
    ck_assert_int_eq(symlink("/nonexistent/batchtop/x.pdf", l), 0);
    free(l);
    l = xasprintf("%s/d/pipe", tmp);
    ck_assert_int_eq(mkfifo(l, 0644), 0);
    free(l);
    /* a link to a file is followed */
    l = xasprintf("%s/d/sub/link.pdf", tmp);
    char *t = xasprintf("%s/d/ok.pdf", tmp);
    ck_assert_int_eq(symlink(t, l), 0);
    free(l);
    free(t);

    struct local_scan s;
    char *err = NULL;
    ck_assert_int_eq(localsrc_scan(p, false, &s, &err), 0);
    ck_assert_ptr_nonnull(find(&s, "ok.pdf"));
    ck_assert_ptr_nonnull(find(&s, "sub/link.pdf"));
    ck_assert_ptr_null(find(&s, "huge.pdf"));
    ck_assert_ptr_null(find(&s, "gone.pdf"));
    ck_assert_ptr_null(find(&s, "pipe"));
    const char *why = problem_of(&s, "/huge.pdf");
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "larger than 100 MiB"));
    ck_assert_str_eq(problem_of(&s, "/gone.pdf"), "broken symbolic link");
    ck_assert_str_eq(problem_of(&s, "/pipe"), "not a regular file");
    ck_assert_ptr_nonnull(strstr(problem_of(&s, "/sub/back"), "loop"));
    if (geteuid() == 0) { /* root reads any file: it is listed */
        ck_assert_ptr_nonnull(find(&s, "locked.pdf"));
        ck_assert_uint_eq(s.n_files, 3);
    } else {
        ck_assert_ptr_null(find(&s, "locked.pdf"));
        ck_assert_str_eq(problem_of(&s, "/locked.pdf"), "permission denied");
        ck_assert_uint_eq(s.n_files, 2);
    }
    local_scan_done(&s);
    free(p);
}
END_TEST

START_TEST(glob_and_single_file)
{
    mkd("g");
    mk("g/a.pdf", "a");
    mk("g/b.txt", "b");
    mkd("g/c.pdf"); /* a folder the glob matches is not walked */
    mk("g/c.pdf/inner.pdf", "i");
    char *spec = xasprintf("%s/g/*.pdf", tmp);
    struct local_scan s;
    char *err = NULL;
    ck_assert_int_eq(localsrc_scan(spec, false, &s, &err), 0);
    ck_assert_uint_eq(s.n_files, 1);
    ck_assert_str_eq(s.files[0].display_name, "a.pdf");
    ck_assert_str_eq(s.root_name, "g");
    local_scan_done(&s);
    free(spec);

    spec = xasprintf("%s/g/*.docx", tmp);
    ck_assert_int_eq(localsrc_scan(spec, false, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "nothing matches"));
    free(err);
    free(spec);

    spec = xasprintf("%s/g/b.txt", tmp);
    ck_assert_int_eq(localsrc_scan(spec, false, &s, &err), 0);
    ck_assert_uint_eq(s.n_files, 1);
    ck_assert_str_eq(s.files[0].display_name, "b.txt");
    ck_assert_str_eq(s.root_name, "g");
    local_scan_done(&s);
    free(spec);
}
END_TEST

START_TEST(empty_missing_and_ids)
{
    mkd("empty");
    char *spec = xasprintf("%s/empty", tmp);
    struct local_scan s;
    char *err = NULL;
    ck_assert_int_eq(localsrc_scan(spec, false, &s, &err), 0);
    ck_assert_uint_eq(s.n_files, 0);
    local_scan_done(&s);
    free(spec);
    spec = xasprintf("%s/absent", tmp);
    ck_assert_int_eq(localsrc_scan(spec, false, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no such file or folder"));
    free(err);
    free(spec);

    ck_assert(!localsrc_is_local("dir-abc123"));
    ck_assert(!localsrc_is_local(""));
    ck_assert(localsrc_is_local("./dir-abc123"));
    ck_assert(localsrc_is_local("scans"));
    ck_assert(localsrc_is_local("scans/*.pdf"));
    ck_assert(localsrc_is_local("~/docs"));
    /* "dir-" text is an ID unless it is there on disk: a hostile ID stays an ID */
    ck_assert(!localsrc_is_local("dir-../../_sim/state?x=1#frag"));
    char *old = getcwd(NULL, 0);
    ck_assert_int_eq(chdir(tmp), 0);
    mkd("dir-exports");
    ck_assert(localsrc_is_local("dir-exports"));
    ck_assert(localsrc_is_local("dir-exp*"));
    ck_assert(!localsrc_is_local("dir-nothing*"));
    ck_assert_int_eq(chdir(old), 0);
    free(old);
}
END_TEST

START_TEST(path_completion)
{
    mkd("c");
    mkd("c/scans");
    mkd("c/scans 2024");
    mk("c/score.txt", "s");
    mk("c/.secret", "x");
    char *text = xasprintf("%s/c/sc", tmp);
    char **m;
    size_t n;
    char *out = localsrc_complete(text, &m, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(m[0], "scans 2024/");
    ck_assert_str_eq(m[1], "scans/");
    ck_assert_str_eq(m[2], "score.txt");
    char *want = xasprintf("%s/c/sc", tmp); /* "sca" and "sco": nothing in common past "sc" */
    ck_assert_str_eq(out, want);
    free(want);
    free(out);
    localsrc_matches_free(m, n);
    free(text);

    text = xasprintf("%s/c/scans ", tmp);
    out = localsrc_complete(text, &m, &n);
    ck_assert_uint_eq(n, 1);
    want = xasprintf("%s/c/scans 2024/", tmp);
    ck_assert_str_eq(out, want);
    free(want);
    free(out);
    localsrc_matches_free(m, n);
    free(text);

    text = xasprintf("%s/c/", tmp); /* hidden entries only when asked for with '.' */
    out = localsrc_complete(text, &m, &n);
    ck_assert_uint_eq(n, 3);
    free(out);
    localsrc_matches_free(m, n);
    free(text);
    text = xasprintf("%s/c/.s", tmp);
    out = localsrc_complete(text, &m, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(m[0], ".secret");
    free(out);
    localsrc_matches_free(m, n);
    free(text);

    text = xasprintf("%s/c/zzz", tmp);
    out = localsrc_complete(text, &m, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(out, text);
    free(out);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("localsrc");
    TCase *tc = tcase_create("scan");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, folder_walked_sorted_relative);
    tcase_add_test(tc, problems_named_rest_kept);
    tcase_add_test(tc, glob_and_single_file);
    tcase_add_test(tc, empty_missing_and_ids);
    tcase_add_test(tc, path_completion);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
