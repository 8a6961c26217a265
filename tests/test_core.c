/* test_core.c -- the network core without curses: list, open a batch, stop, against a live sim. */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/localsrc.h"
#include "model/strmap.h"
#include "model/xalloc.h"
#include "net/msg.h"
#include "net/net.h"
#include "tests/simproc.h"

/*
 * This program links libnet and libmodel only, no tui/ code: it is the proof that a program
 * without a terminal (the coming command-line mode) can drive the very same network thread.
 * Commands go in with net_submit, messages come out through net_fd/net_take_messages.
 */

static struct simproc sim;

static void stop_sim(void)
{
    simproc_stop(&sim);
}

/* The network thread on the simulator, every refresh_s seconds. */
static struct net *start_net(int refresh_s)
{
    struct net_config cfg = {0};
    cfg.base_url = sim.url;
    cfg.api_key = "llx-sim";
    cfg.refresh_s = refresh_s;
    char *cause = NULL;
    struct net *net = net_start(&cfg, &cause);
    ck_assert_msg(net != NULL, "net_start: %s", cause ? cause : "?");
    return net;
}

/* Messages received and not matched yet, oldest first. */
static struct net_msg *pending;

/* The first message of type (and id, when not NULL), received before or within timeout_ms;
 * NULL on timeout. The caller frees it; other messages wait in `pending` for a later call. */
static struct net_msg *wait_for(struct net *net, enum net_msg_type type, const char *id,
                                int timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;
    for (;;) {
        for (struct net_msg **pp = &pending; *pp != NULL; pp = &(*pp)->next) {
            struct net_msg *m = *pp;
            if (m->type == type && (id == NULL || xstreq(m->id, id))) {
                *pp = m->next;
                m->next = NULL;
                return m;
            }
        }
        int64_t left = deadline - clock_mono_ms();
        if (left <= 0)
            return NULL;
        struct pollfd pfd = {net_fd(net), POLLIN, 0};
        if (poll(&pfd, 1, (int)left) <= 0)
            continue;
        struct net_msg **tail = &pending;
        while (*tail != NULL)
            tail = &(*tail)->next;
        *tail = net_take_messages(net);
    }
}

static void drop_pending(void)
{
    while (pending != NULL) {
        struct net_msg *m = pending;
        pending = m->next;
        net_msg_free(m);
    }
}

/* The simulator's own set of batch IDs (GET /_sim/state). */
static void sim_ids(struct strmap *out)
{
    strmap_init(out, NULL);
    long status = 0;
    char *body = NULL;
    ck_assert_int_eq(simproc_http(&sim, "GET", "/_sim/state", NULL, &status, &body), 0);
    ck_assert_int_eq(status, 200);
    struct json_object *root = json_tokener_parse(body), *arr = NULL;
    ck_assert(root != NULL && json_object_object_get_ex(root, "batches", &arr));
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *id = NULL;
        ck_assert(json_object_object_get_ex(json_object_array_get_idx(arr, i), "id", &id));
        strmap_put(out, json_object_get_string(id), NULL);
    }
    json_object_put(root);
    free(body);
}

START_TEST(core_lists_opens_and_stops_without_curses)
{
    static const char *const args[] = {"--batches", "250", "--seed", "11", NULL};
    ck_assert_msg(simproc_start(&sim, args) == 0, "batchtop-sim did not start");
    atexit(stop_sim);
    struct net *net = start_net(5);

    /* The whole list, as one generation, equal to the simulator's set. */
    net_submit(net, net_cmd_new(NET_CMD_WATCH_LIST));
    struct net_msg *list = wait_for(net, NET_MSG_LIST_FULL, NULL, 20000);
    ck_assert_msg(list != NULL, "no full list within 20 s");
    ck_assert(list->ok);
    struct strmap ids;
    sim_ids(&ids);
    ck_assert_uint_eq(list->n_batches, strmap_count(&ids));
    ck_assert_uint_eq(list->n_batches, 250);
    for (size_t i = 0; i < list->n_batches; i++)
        ck_assert_msg(strmap_has(&ids, list->batches[i].id), "%s not in the sim",
                      list->batches[i].id);
    strmap_done(&ids);

    /* Open one batch: the batch with its results, then its directory's file names. */
    char *id = xstrdup(list->batches[0].id);
    net_msg_free(list);
    struct net_cmd *watch = net_cmd_new(NET_CMD_WATCH_BATCH);
    watch->id = xstrdup(id);
    net_submit(net, watch);
    struct net_msg *batch = wait_for(net, NET_MSG_BATCH, id, 20000);
    ck_assert_msg(batch != NULL, "no batch %s within 20 s", id);
    ck_assert(batch->ok && batch->n_batches == 1);
    ck_assert_str_eq(batch->batches[0].id, id);
    const char *dir = batch->batches[0].source_directory_id;
    ck_assert_ptr_nonnull(dir);
    struct net_msg *files = wait_for(net, NET_MSG_DIR_FILES, dir, 20000);
    ck_assert_msg(files != NULL, "no file names for %s within 20 s", dir);
    ck_assert_uint_gt(files->n_files, 0);
    net_msg_free(files);
    net_msg_free(batch);
    free(id);

    /* Stop: the thread ends and every request in flight is cancelled. */
    net_stop(net);
    drop_pending();
    ck_assert_int_eq(simproc_finish(&sim), 0);
}
END_TEST

/* Every NET_MSG_COUNTS until none has come for quiet_ms (at most timeout_ms in all); each is
 * recorded in got (batch ID -> times answered) and checked. Returns how many came. */
static size_t collect_counts(struct net *net, struct strmap *got, int quiet_ms, int timeout_ms)
{
    size_t n = 0;
    int64_t end = clock_mono_ms() + timeout_ms;
    struct net_msg *m;
    while (clock_mono_ms() < end && (m = wait_for(net, NET_MSG_COUNTS, NULL, quiet_ms)) != NULL) {
        ck_assert_ptr_nonnull(m->id);
        /* finished batches of the simulator: final, every count known and consistent */
        ck_assert_msg(m->counts.final, "%s: counts not final", m->id);
        ck_assert_int_ge(m->counts.total, 0);
        ck_assert(m->counts.done >= 0 && m->counts.done <= m->counts.total);
        ck_assert(m->counts.failed >= 0 && m->counts.failed <= m->counts.done);
        size_t times = 0;
        strmap_get_index(got, m->id, &times);
        strmap_put_index(got, m->id, times + 1);
        net_msg_free(m);
        n++;
    }
    return n;
}

static struct net_cmd *want(char **ids, size_t n)
{
    struct net_cmd *c = net_cmd_new(NET_CMD_WANT_COUNTS);
    c->ids = xcalloc(n ? n : 1, sizeof *c->ids);
    for (size_t i = 0; i < n; i++)
        c->ids[i] = xstrdup(ids[i]);
    c->n_ids = n;
    return c;
}

/* The list's counts (issue 16): one interval's budget holds, final counts come once and are
 * never fetched again, the rest come in the next interval. */
START_TEST(core_counts_budget_and_final)
{
    static const char *const args[] = {"--batches", "200", "--seed", "11", NULL};
    ck_assert_msg(simproc_start(&sim, args) == 0, "batchtop-sim did not start");
    atexit(stop_sim);
    struct net *net = start_net(60); /* no new interval (budget) until the test asks for one */
    ck_assert_ptr_nonnull(net);
    net_submit(net, net_cmd_new(NET_CMD_WATCH_LIST));
    struct net_msg *list = wait_for(net, NET_MSG_LIST_FULL, NULL, 20000);
    ck_assert_msg(list != NULL && list->ok, "no full list within 20 s");
    /* 60 finished batches: about two requests each, more than one interval's budget */
    char *ids[60];
    size_t n = 0;
    for (size_t i = 0; i < list->n_batches && n < 60; i++)
        if (batch_status_is_terminal(list->batches[i].status))
            ids[n++] = xstrdup(list->batches[i].id);
    net_msg_free(list);
    ck_assert_uint_eq(n, 60);
    long before = simproc_count(&sim, "?expand=results") + simproc_count(&sim, "job_ids=");

    net_submit(net, want(ids, n));
    struct strmap got;
    strmap_init(&got, NULL);
    size_t first = collect_counts(net, &got, 1500, 20000);
    long used = simproc_count(&sim, "?expand=results") + simproc_count(&sim, "job_ids=") - before;
    /* 48 an interval; a batch begun is finished (4 at once, one job page each here) */
    ck_assert_msg(used <= 48 + 4, "%ld requests in one interval", used);
    ck_assert_uint_ge(first, 20);
    ck_assert_uint_lt(first, n);

    /* a new interval: the rest, and none of the final ones again */
    struct net_cmd *iv = net_cmd_new(NET_CMD_SET_INTERVAL);
    iv->interval_s = 2;
    net_submit(net, iv);
    collect_counts(net, &got, 3000, 30000);
    ck_assert_uint_eq(strmap_count(&got), n);
    for (size_t i = 0; i < n; i++) {
        size_t times = 0;
        ck_assert(strmap_get_index(&got, ids[i], &times));
        ck_assert_msg(times == 1, "%s answered %zu times", ids[i], times);
        char needle[128];
        snprintf(needle, sizeof needle, "%s?expand=results", ids[i]);
        ck_assert_msg(simproc_count(&sim, needle) == 1, "%s fetched %ld times", ids[i],
                      simproc_count(&sim, needle));
        free(ids[i]);
    }
    strmap_done(&got);
    net_stop(net);
    drop_pending();
    ck_assert_int_eq(simproc_finish(&sim), 0);
}
END_TEST

/* Write len bytes of 'c' to dir/name. */
static void put_file(const char *dir, const char *name, size_t len, int c)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", p);
    for (size_t i = 0; i < len; i++)
        fputc(c, f);
    fclose(f);
    free(p);
}

/* NET_CMD_UPLOAD against a simulator that takes 5 uploads per 5 s and 1 MiB a file: the 429s
 * are waited out as Retry-After says (every upload held, so a handful of 429s in all, not one
 * per backoff step), a file over the cap (413) and one gone since the scan fail alone, each
 * named in its NET_MSG_UPLOAD_FILE, and the batch is made over the 10 that went. */
START_TEST(core_upload_rate_and_refusals)
{
    static const char *const args[] = {"--batches",       "0", "--seed", "3", "--upload-rate", "5",
                                       "--max-upload-mb", "1", NULL};
    ck_assert_msg(simproc_start(&sim, args) == 0, "batchtop-sim did not start");
    atexit(stop_sim);
    char dir[] = "/tmp/bt-core-upload.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (int i = 0; i < 10; i++) {
        char name[32];
        snprintf(name, sizeof name, "doc %02d.txt", i);
        put_file(dir, name, 1000 + (size_t)i, 'a' + i);
    }
    put_file(dir, "big.pdf", 2u << 20, 'b');
    put_file(dir, "gone.txt", 10, 'g');
    struct local_scan scan;
    char *err = NULL;
    ck_assert_int_eq(localsrc_scan(dir, false, &scan, &err), 0);
    ck_assert_uint_eq(scan.n_files, 12);
    char *gone = xasprintf("%s/gone.txt", dir);
    unlink(gone); /* unreadable at upload time */
    free(gone);

    struct net *net = start_net(5);
    struct net_cmd *cmd = net_cmd_new(NET_CMD_UPLOAD);
    cmd->name = xstrdup("core upload");
    cmd->job_type = JOB_TYPE_PARSE;
    cmd->configuration_id = xstrdup("cfg-PARSE_AGENTIC");
    cmd->locals = xcalloc(scan.n_files, sizeof *cmd->locals);
    for (size_t i = 0; i < scan.n_files; i++)
        local_file_copy(&cmd->locals[i], &scan.files[i]);
    cmd->n_locals = scan.n_files;
    int64_t t0 = clock_mono_ms();
    net_submit(net, cmd);
    struct net_msg *end = wait_for(net, NET_MSG_UPLOADED, NULL, 60000);
    ck_assert_msg(end != NULL, "no NET_MSG_UPLOADED within 60 s");
    int64_t took = clock_mono_ms() - t0;
    ck_assert_msg(end->ok, "upload failed: %s", end->error.message ? end->error.message : "?");
    ck_assert_uint_eq(end->n_batches, 1);
    ck_assert_uint_eq(end->n_directories, 1);
    ck_assert_uint_eq(end->upload.files_total, 12);
    ck_assert_uint_eq(end->upload.files_sent, 10);
    ck_assert_uint_eq(end->upload.files_present, 0);
    ck_assert_uint_eq(end->upload.files_failed, 2);
    ck_assert_uint_eq(end->upload.files_hashed, 11);
    net_msg_free(end);
    size_t sent = 0, failed = 0;
    struct net_msg *m;
    while ((m = wait_for(net, NET_MSG_UPLOAD_FILE, NULL, 0)) != NULL) {
        if (m->upload_state == NET_UPLOAD_SENT) {
            sent++;
            ck_assert_uint_eq(m->n_files, 1);
            ck_assert_str_eq(m->files[0].display_name, m->id);
            ck_assert_uint_eq(strlen(m->files[0].unique_id), 64);
        } else {
            ck_assert_int_eq(m->upload_state, NET_UPLOAD_FAILED);
            failed++;
            ck_assert_ptr_nonnull(m->error.message);
            if (strcmp(m->id, "big.pdf") == 0)
                ck_assert_msg(strstr(m->error.message, "big.pdf: ") == m->error.message &&
                                  strstr(m->error.message, "413") != NULL,
                              "big.pdf: %s", m->error.message);
            else
                ck_assert_msg(strcmp(m->id, "gone.txt") == 0 &&
                                  strstr(m->error.message, "gone.txt: cannot be read") != NULL,
                              "%s: %s", m->id, m->error.message);
        }
        net_msg_free(m);
    }
    ck_assert_uint_eq(sent, 10);
    ck_assert_uint_eq(failed, 2);
    /* 11 uploads reached the server at 5 per 5 s: at least two waits; each 429 held every
     * upload until Retry-After, so at most the 4 in flight were refused per window */
    long refused = simproc_count(&sim, "/files/upload 429");
    ck_assert_msg(took >= 9000, "11 uploads at 5 per 5 s took %lld ms", (long long)took);
    ck_assert_msg(refused >= 1 && refused <= 8, "%ld uploads answered 429", refused);
    net_stop(net);
    drop_pending();
    local_scan_done(&scan);
    for (int i = 0; i < 10; i++) {
        char *p = xasprintf("%s/doc %02d.txt", dir, i);
        unlink(p);
        free(p);
    }
    char *p = xasprintf("%s/big.pdf", dir);
    unlink(p);
    free(p);
    rmdir(dir);
    ck_assert_int_eq(simproc_finish(&sim), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 90);
    tcase_add_test(t, core_lists_opens_and_stops_without_curses);
    tcase_add_test(t, core_counts_budget_and_final);
    tcase_add_test(t, core_upload_rate_and_refusals);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
