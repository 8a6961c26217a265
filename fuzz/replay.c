/* replay.c -- `make check` side of fuzzing: replay every saved input through one fuzz target. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

/*
 * Linked with one fuzz/fuzz_*.c file (FUZZ_TARGET names it, e.g. "decode"; every target
 * defines LLVMFuzzerInitialize, even as a no-op) and built by any compiler, without libFuzzer.
 * Replays $TOP_SRCDIR/fuzz/regress/TARGET/ (reproducers of
 * bugs found, each a regression test) and $TOP_SRCDIR/fuzz/corpus/TARGET/ (the seed corpus):
 * every file must pass the target's contract checks without a crash or sanitizer report.
 */

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the fuzz target"
#endif

/* Replay every regular file of dir; returns how many; ck_abort if dir is needed but absent. */
static size_t replay_dir(const char *dir, int required)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (required)
            ck_abort_msg("cannot open %s", dir);
        return 0;
    }
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        FILE *f = fopen(path, "rb");
        ck_assert_msg(f != NULL, "cannot read %s", path);
        unsigned char *buf = malloc((size_t)st.st_size + 1);
        ck_assert_ptr_nonnull(buf);
        size_t len = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        printf("replay %s (%zu bytes)\n", path, len);
        fflush(stdout);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

/* Run the target's setup once per process (Check may fork a process per test). */
static void init_once(void)
{
    static int done;
    if (done++ == 0) {
        int argc = 1;
        char *args[] = {(char *)"replay", NULL}, **argv = args;
        LLVMFuzzerInitialize(&argc, &argv);
    }
}

static const char *srcdir(void)
{
    const char *s = getenv("TOP_SRCDIR");
    return s != NULL && s[0] != '\0' ? s : ".";
}

START_TEST(test_replay_regressions)
{
    char dir[2048];
    init_once();
    snprintf(dir, sizeof dir, "%s/fuzz/regress/" FUZZ_TARGET, srcdir());
    size_t n = replay_dir(dir, 0);
    printf("%zu regression inputs replayed for %s\n", n, FUZZ_TARGET);
}
END_TEST

START_TEST(test_replay_seed_corpus)
{
    char dir[2048];
    init_once();
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/" FUZZ_TARGET, srcdir());
    size_t n = replay_dir(dir, 1);
    ck_assert_msg(n > 0, "the seed corpus %s is empty", dir);
    printf("%zu seed inputs replayed for %s\n", n, FUZZ_TARGET);
}
END_TEST

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    Suite *s = suite_create("fuzz replay " FUZZ_TARGET);
    TCase *tc = tcase_create("replay");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_replay_regressions);
    tcase_add_test(tc, test_replay_seed_corpus);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
