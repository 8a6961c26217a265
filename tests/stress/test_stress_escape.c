/* test_stress_escape.c -- hostile IDs through batchtop's URL builder reach a live sim escaped. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/url.h"
#include "tests/simproc.h"

/*
 * Every path batchtop builds from an ID (batch get and cancel, directory files, parse and
 * extract job) is built by net/url.c and sent to a real batchtop-sim. IDs full of '/', '?',
 * '#', '%' and ".." must arrive as one escaped path segment: the simulator answers 404 and
 * never another resource (no list, no state, no cancel of a real batch), and its request log
 * shows the escaped form. The real batch used as bait must still be un-cancelled afterwards.
 */

static struct simproc sp;
static char real_batch[128];
static char real_dir[128];

/* First "id" value in a JSON body (enough for the simulator's compact answers). */
static void first_id(const char *body, const char *prefix, char *out, size_t size)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\"id\":\"%s", prefix);
    const char *p = strstr(body, needle);
    ck_assert_msg(p != NULL, "no %s id in %s", prefix, body);
    p += 6;
    size_t n = strcspn(p, "\"");
    ck_assert_uint_lt(n, size);
    memcpy(out, p, n);
    out[n] = '\0';
}

static void setup(void)
{
    const char *args[] = {"--seed", "9", "--speed", "0.01", NULL};
    ck_assert_int_eq(simproc_start(&sp, args), 0);
    long status;
    char *body = NULL;
    ck_assert_int_eq(simproc_http(&sp, "GET", "/api/v2/batches?status=RUNNING", NULL, &status,
                                  &body), 0);
    ck_assert_int_eq(status, 200);
    if (strstr(body, "\"id\":\"bat-") == NULL) { /* no running batch: take any */
        free(body);
        body = NULL;
        ck_assert_int_eq(simproc_http(&sp, "GET", "/api/v2/batches", NULL, &status, &body), 0);
    }
    first_id(body, "bat-", real_batch, sizeof real_batch);
    free(body);
    body = NULL;
    ck_assert_int_eq(simproc_http(&sp, "GET", "/api/v1/beta/directories", NULL, &status, &body),
                     0);
    first_id(body, "dir-", real_dir, sizeof real_dir);
    free(body);
}

static void teardown(void)
{
    ck_assert_int_eq(simproc_finish(&sp), 0);
}

/* The state of the bait batch according to /_sim/state. */
static char *bait_state(void)
{
    long status;
    char *body = NULL;
    ck_assert_int_eq(simproc_http(&sp, "GET", "/_sim/state", NULL, &status, &body), 0);
    ck_assert_int_eq(status, 200);
    const char *p = strstr(body, real_batch);
    ck_assert_ptr_nonnull(p);
    p = strstr(p, "\"status\":\"");
    ck_assert_ptr_nonnull(p);
    p += 10;
    char *s = strndup(p, strcspn(p, "\""));
    free(body);
    return s;
}

/* Every request that was not answered 404, one line each, reported at the end of a test. */
static char wrong[8192];
static size_t n_wrong;

/* Send url (from the builder); anything but a 404 from the simulator is recorded. */
static void expect_404(const char *method, char *url, const char *id)
{
    size_t base = strlen(sp.url);
    ck_assert_msg(strncmp(url, sp.url, base) == 0, "%s does not start with %s", url, sp.url);
    const char *path = url + base;
    ck_assert_msg(strchr(path, '#') == NULL, "a raw '#' in %s", path);
    struct simproc_reply r;
    ck_assert_int_eq(simproc_request(&sp, method, path, "llx-sim", NULL, 0, &r), 0);
    if (r.status != 404) {
        size_t used = strlen(wrong);
        snprintf(wrong + used, sizeof wrong - used, "  %s %s (id \"%s\"): %ld %.60s\n", method,
                 path, id, r.status, r.body);
        n_wrong++;
    }
    simproc_reply_done(&r);
    /* The request log holds the path exactly as sent: escaped, one segment. */
    char *q = strchr(path, '?');
    char *logged = strndup(path, q ? (size_t)(q - path) : strlen(path));
    ck_assert_msg(simproc_count(&sp, logged) >= 1, "the sim did not log %s", logged);
    free(logged);
    free(url);
}

static void check_no_wrong(void)
{
    if (n_wrong > 0)
        fprintf(stderr, "%zu requests reached another resource:\n%s", n_wrong, wrong);
    ck_assert_msg(n_wrong == 0, "%zu requests built from hostile IDs were not answered 404 "
                  "(listed on stderr)", n_wrong);
}

static const char *const hostile_ids[] = {
    "../batches", "..", "%2e%2e", "a/b", "x?expand=results", "#frag", "100%", "%",
    "../../_sim/state", "..%2F..%2F_sim%2Fstate", "?", "/", "//", "a b", "\xe2\x80\xae",
};

START_TEST(test_hostile_ids_stay_one_segment)
{
    struct url_ctx c = {.base_url = sp.url, .page_size = 10};
    size_t n = sizeof hostile_ids / sizeof hostile_ids[0];
    for (size_t i = 0; i < n; i++) {
        const char *id = hostile_ids[i];
        expect_404("GET", url_batch_get(&c, id, true), id);
        expect_404("POST", url_batch_cancel(&c, id), id);
        expect_404("GET", url_directory_files(&c, id, NULL), id);
        expect_404("GET", url_job_get(&c, JOB_TYPE_PARSE, id), id);
        expect_404("GET", url_job_get(&c, JOB_TYPE_EXTRACT, id), id);
    }
    check_no_wrong();
}
END_TEST

START_TEST(test_real_ids_with_suffixes_do_not_reach_them)
{
    struct url_ctx c = {.base_url = sp.url};
    char *before = bait_state();
    const char *suffixes[] = {"/cancel", "/../", "?expand=results", "#", "/..", "%2Fcancel"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char id[256];
        snprintf(id, sizeof id, "%s%s", real_batch, suffixes[i]);
        expect_404("GET", url_batch_get(&c, id, false), id);
        expect_404("POST", url_batch_cancel(&c, id), id);
        snprintf(id, sizeof id, "%s%s", real_dir, suffixes[i]);
        expect_404("GET", url_directory_files(&c, id, NULL), id);
    }
    char *after = bait_state();
    ck_assert_str_eq(after, before); /* nothing cancelled the real batch */
    check_no_wrong();
    free(before);
    free(after);
    /* and the builder still reaches the real resources with their real IDs */
    char *u = url_batch_get(&c, real_batch, false);
    struct simproc_reply r;
    ck_assert_int_eq(simproc_request(&sp, "GET", u + strlen(sp.url), "llx-sim", NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    simproc_reply_done(&r);
    free(u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stress: escaped IDs against a live simulator");
    TCase *tc = tcase_create("escape");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hostile_ids_stay_one_segment);
    tcase_add_test(tc, test_real_ids_with_suffixes_do_not_reach_them);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
