/* test_net_live.c -- net/ through its public API against a live batchtop-sim (no mocks). */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "model/strmap.h"
#include "net/log.h"
#include "net/net.h"
#include "net/retry.h"
#include "net/url.h"
#include "tests/simproc.h"

/* ================================================================ harness */

struct h {
    struct simproc sp;
    struct net *net;
    struct net_msg *head; /* received and not consumed yet, oldest first */
    int n_retrying;       /* RETRYING states seen */
    int64_t max_retry_in;
    bool saw_offline;
    enum net_conn last_conn;
    char *key_seen_in; /* non-NULL when the API key appeared in a message */
    const char *key;
    bool sequential; /* full lists follow one cursor (no parallel windows) */
};

/* The simulator of the running test, stopped at exit if an assertion ends the test early. */
static struct simproc *live_sim;

static void stop_live_sim(void)
{
    if (live_sim != NULL)
        simproc_stop(live_sim);
    live_sim = NULL;
}

static void h_sim(struct h *h, const char *const *args)
{
    memset(h, 0, sizeof *h);
    ck_assert_msg(simproc_start(&h->sp, args) == 0, "batchtop-sim did not start");
    live_sim = &h->sp;
}

static void h_net_cfg(struct h *h, const char *key, int refresh_ms, const char *project)
{
    struct net_config cfg = {0};
    cfg.base_url = h->sp.url;
    cfg.api_key = key;
    cfg.project_id = project;
    cfg.custom_headers = "X-Batchtop-Test: yes\n\nX-Other: 1";
    cfg.refresh_s = 2;
    cfg.refresh_ms_for_tests = refresh_ms;
    cfg.sequential_list = h->sequential;
    char *cause = NULL;
    h->key = key;
    h->net = net_start(&cfg, &cause);
    ck_assert_msg(h->net != NULL, "net_start: %s", cause ? cause : "?");
}

static void h_net(struct h *h, int refresh_ms)
{
    h_net_cfg(h, "llx-sim", refresh_ms, NULL);
}

static void check_key(struct h *h, const struct net_msg *m)
{
    const char *texts[] = {m->error.message, m->error.field, m->id, m->since};
    for (size_t i = 0; i < 4; i++)
        if (texts[i] != NULL && strstr(texts[i], h->key) != NULL && h->key_seen_in == NULL)
            h->key_seen_in = xstrdup(texts[i]);
}

/* Wait up to timeout_ms for messages and append them to h->head. */
static void h_pump(struct h *h, int timeout_ms)
{
    struct pollfd pfd = {net_fd(h->net), POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms < 0 ? 0 : timeout_ms) <= 0)
        return;
    struct net_msg *got = net_take_messages(h->net);
    struct net_msg **tail = &h->head;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = got;
    for (struct net_msg *m = got; m != NULL; m = m->next) {
        check_key(h, m);
        h->last_conn = m->conn;
        if (m->conn == NET_CONN_RETRYING) {
            h->n_retrying++;
            if (m->retry_in_ms > h->max_retry_in)
                h->max_retry_in = m->retry_in_ms;
        }
        if (m->conn == NET_CONN_OFFLINE)
            h->saw_offline = true;
    }
}

typedef bool match_fn(const struct net_msg *m, const void *arg);

/* The first message (received or arriving within timeout_ms) that matches; NULL on timeout.
 * The caller frees it. */
static struct net_msg *h_wait(struct h *h, match_fn *match, const void *arg, int timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;
    for (;;) {
        for (struct net_msg **pp = &h->head; *pp != NULL; pp = &(*pp)->next) {
            if (match(*pp, arg)) {
                struct net_msg *m = *pp;
                *pp = m->next;
                m->next = NULL;
                return m;
            }
        }
        int64_t left = deadline - clock_mono_ms();
        if (left <= 0)
            return NULL;
        h_pump(h, (int)left);
    }
}

struct want {
    enum net_msg_type type;
    uint64_t req;   /* 0: any */
    const char *id; /* NULL: any */
};

static bool match_want(const struct net_msg *m, const void *arg)
{
    const struct want *w = arg;
    return m->type == w->type && (w->req == 0 || m->req == w->req) &&
           (w->id == NULL || (m->id != NULL && strcmp(m->id, w->id) == 0));
}

static struct net_msg *h_wait_type(struct h *h, enum net_msg_type type, uint64_t req,
                                   int timeout_ms)
{
    struct want w = {type, req, NULL};
    struct net_msg *m = h_wait(h, match_want, &w, timeout_ms);
    ck_assert_msg(m != NULL, "no message of type %d (req %llu) within %d ms", (int)type,
                  (unsigned long long)req, timeout_ms);
    return m;
}

static void h_drop(struct h *h)
{
    while (h->head != NULL) {
        struct net_msg *m = h->head;
        h->head = m->next;
        net_msg_free(m);
    }
}

static void h_done(struct h *h)
{
    if (h->net != NULL)
        net_stop(h->net);
    h->net = NULL;
    h_drop(h);
    ck_assert_msg(h->key_seen_in == NULL, "the key appeared in a message: %s", h->key_seen_in);
    free(h->key_seen_in);
    live_sim = NULL;
    ck_assert_int_eq(simproc_finish(&h->sp), 0);
}

static uint64_t h_submit(struct h *h, struct net_cmd *c)
{
    return net_submit(h->net, c);
}

static uint64_t h_simple(struct h *h, enum net_cmd_type type)
{
    return h_submit(h, net_cmd_new(type));
}

static uint64_t h_create(struct h *h, const char *dir, enum job_type type, const char *cfg)
{
    struct net_cmd *c = net_cmd_new(NET_CMD_CREATE);
    c->source_directory_id = xstrdup(dir);
    c->job_type = type;
    c->configuration_id = xstrdup(cfg);
    return h_submit(h, c);
}

static uint64_t h_with_id(struct h *h, enum net_cmd_type type, const char *id)
{
    struct net_cmd *c = net_cmd_new(type);
    c->id = xstrdup(id);
    return h_submit(h, c);
}

/* ---- the simulator's truth: GET /_sim/state -> id -> status (xstrdup'd values) ---- */

static void sim_state(struct h *h, struct strmap *out)
{
    strmap_init(out, free);
    long status = 0;
    char *body = NULL;
    ck_assert_int_eq(simproc_http(&h->sp, "GET", "/_sim/state", NULL, &status, &body), 0);
    ck_assert_int_eq(status, 200);
    struct json_object *root = json_tokener_parse(body), *arr = NULL;
    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_object_get_ex(root, "batches", &arr));
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *b = json_object_array_get_idx(arr, i), *id, *st;
        ck_assert(json_object_object_get_ex(b, "id", &id));
        ck_assert(json_object_object_get_ex(b, "status", &st));
        strmap_put(out, json_object_get_string(id), xstrdup(json_object_get_string(st)));
    }
    json_object_put(root);
    free(body);
}

/* The directories (retrying the command under faults until a deadline). */
static struct net_msg *h_directories(struct h *h)
{
    int64_t deadline = clock_mono_ms() + 20000;
    for (;;) {
        uint64_t req = h_simple(h, NET_CMD_LIST_DIRECTORIES);
        struct net_msg *m = h_wait_type(h, NET_MSG_DIRECTORIES, req, 20000);
        if (m->ok || clock_mono_ms() > deadline)
            return m;
        net_msg_free(m);
    }
}

static const char *dir_named(const struct net_msg *m, const char *name)
{
    for (size_t i = 0; i < m->n_directories; i++)
        if (m->directories[i].name != NULL && strcmp(m->directories[i].name, name) == 0)
            return m->directories[i].id;
    return NULL;
}

/* A small regular directory (neither "thousand" nor "big-1001"). */
static const char *small_dir(const struct net_msg *m)
{
    for (size_t i = 0; i < m->n_directories; i++) {
        const char *name = m->directories[i].name;
        if (name != NULL && strcmp(name, "thousand") != 0 && strcmp(name, "big-1001") != 0)
            return m->directories[i].id;
    }
    return NULL;
}

static const struct batch *find_batch(const struct net_msg *m, const char *id)
{
    for (size_t i = 0; i < m->n_batches; i++)
        if (strcmp(m->batches[i].id, id) == 0)
            return &m->batches[i];
    return NULL;
}

/* ================================================================ tests */

/* Every page of a many-page list, directories, configurations; scope parameters sent. */
START_TEST(list_pagination)
{
    struct h h;
    const char *args[] = {"--seed", "11", "--batches", "60", "--page-size-max", "7", NULL};
    h_sim(&h, args);
    h.sequential = true; /* the cursor pager, page by page (parallel-list covers the windows) */
    h_net_cfg(&h, "llx-sim", 60000, h.sp.project_id);
    uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
    struct net_msg *m = h_wait_type(&h, NET_MSG_LIST_FULL, req, 20000);
    ck_assert(m->ok);
    struct strmap state;
    sim_state(&h, &state);
    ck_assert_uint_eq(m->n_batches, strmap_count(&state));
    ck_assert_uint_ge(m->n_batches, 60);
    struct strmap ids;
    strmap_init(&ids, NULL);
    for (size_t i = 0; i < m->n_batches; i++) {
        ck_assert_msg(!strmap_has(&ids, m->batches[i].id), "duplicate %s", m->batches[i].id);
        strmap_put(&ids, m->batches[i].id, NULL);
        ck_assert(strmap_has(&state, m->batches[i].id));
    }
    strmap_done(&ids);
    strmap_done(&state);
    ck_assert_int_eq(m->conn, NET_CONN_ONLINE);
    ck_assert_int_gt(m->updated_ms, 0);
    ck_assert_uint_ge(m->requests_per_min, (60 + 6) / 7);
    net_msg_free(m);
    /* ceil(60 / 7) pages at least, each with the project scope. */
    ck_assert_int_ge(simproc_count(&h.sp, "GET /api/v2/batches?page_size=100"), 9);
    ck_assert_int_ge(simproc_count(&h.sp, "page_token="), 8);
    ck_assert_int_ge(simproc_count(&h.sp, h.sp.project_id), 9);

    /* Three "refresh now" at once: one more complete generation, the rest coalesced. */
    long pages = simproc_count(&h.sp, "GET /api/v2/batches?page_size=100");
    req = h_simple(&h, NET_CMD_REFRESH);
    h_simple(&h, NET_CMD_REFRESH);
    h_simple(&h, NET_CMD_REFRESH);
    m = h_wait_type(&h, NET_MSG_LIST_FULL, 0, 20000);
    ck_assert(m->ok);
    ck_assert_uint_ge(m->n_batches, 60);
    ck_assert_uint_ge(m->req, req);
    net_msg_free(m);
    struct want again = {NET_MSG_LIST_FULL, 0, NULL};
    m = h_wait(&h, match_want, &again, 1000);
    long one_more = simproc_count(&h.sp, "GET /api/v2/batches?page_size=100") - pages;
    ck_assert_msg(m == NULL || one_more == 2 * ((60 + 6) / 7), "%ld page requests for %s",
                  one_more, m ? "two generations" : "one");
    if (m == NULL)
        ck_assert_int_eq(one_more, (60 + 6) / 7);
    net_msg_free(m);

    m = h_directories(&h);
    ck_assert(m->ok);
    ck_assert_ptr_nonnull(dir_named(m, "thousand"));
    ck_assert_uint_ge(m->n_directories, 8);
    net_msg_free(m);

    struct net_cmd *c = net_cmd_new(NET_CMD_LIST_CONFIGS);
    c->job_type = JOB_TYPE_EXTRACT;
    req = h_submit(&h, c);
    m = h_wait_type(&h, NET_MSG_CONFIGS, req, 10000);
    ck_assert(m->ok);
    ck_assert_uint_ge(m->n_configs, 1);
    for (size_t i = 0; i < m->n_configs; i++)
        ck_assert_str_eq(m->configs[i].product_type, "extract_v2");
    net_msg_free(m);
    h_done(&h);
}
END_TEST

/* Create, watch to COMPLETED through deltas, cancel (running and finished), 422, output. */
START_TEST(create_watch_cancel_output)
{
    struct h h;
    const char *args[] = {"--seed", "12", "--speed", "20", NULL};
    h_sim(&h, args);
    h_net(&h, 300);
    uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
    struct net_msg *m = h_wait_type(&h, NET_MSG_LIST_FULL, req, 10000);
    ck_assert(m->ok);
    net_msg_free(m);
    struct net_msg *dirs = h_directories(&h);
    const char *dir = small_dir(dirs);
    ck_assert_ptr_nonnull(dir);

    req = h_create(&h, dir, JOB_TYPE_PARSE, "cfg-PARSE_AGENTIC");
    m = h_wait_type(&h, NET_MSG_CREATED, req, 10000);
    ck_assert_msg(m->ok, "create: %s", m->error.message);
    ck_assert_int_eq(m->create_outcome, NET_CREATE_OK);
    char *id = xstrdup(m->batches[0].id);
    ck_assert_str_eq(m->id, id);
    net_msg_free(m);

    /* The list's deltas show the new batch and then its end. */
    bool seen_new = false, seen_done = false;
    int64_t deadline = clock_mono_ms() + 20000;
    while (!seen_done && clock_mono_ms() < deadline) {
        m = h_wait_type(&h, NET_MSG_LIST_DELTA, 0, 5000);
        const struct batch *b = find_batch(m, id);
        if (b != NULL) {
            seen_new = true;
            seen_done = b->status == BATCH_COMPLETED;
        }
        net_msg_free(m);
    }
    ck_assert(seen_new);
    ck_assert_msg(seen_done, "the new batch never reached COMPLETED in a delta");

    /* Watch it: batch with results, file names, job statuses; output of one job. */
    req = h_with_id(&h, NET_CMD_WATCH_BATCH, id);
    m = h_wait_type(&h, NET_MSG_BATCH, req, 10000);
    ck_assert(m->batches[0].has_results);
    ck_assert_uint_ge(m->batches[0].n_results, 1);
    size_t rows = m->batches[0].n_results;
    net_msg_free(m);
    m = h_wait_type(&h, NET_MSG_DIR_FILES, 0, 10000);
    ck_assert_str_eq(m->id, dir);
    ck_assert_uint_ge(m->n_files, rows);
    net_msg_free(m);
    char *job = NULL;
    while (job == NULL) {
        m = h_wait_type(&h, NET_MSG_JOBS, 0, 10000);
        ck_assert_str_eq(m->id, id);
        ck_assert_uint_ge(m->n_jobs, 1);
        for (size_t i = 0; i < m->n_jobs && job == NULL; i++)
            if (m->jobs[i].status == JOB_COMPLETED)
                job = xstrdup(m->jobs[i].id);
        net_msg_free(m);
    }

    struct net_cmd *c = net_cmd_new(NET_CMD_FETCH_OUTPUT);
    c->id = xstrdup(job);
    c->job_type = JOB_TYPE_PARSE;
    req = h_submit(&h, c);
    struct want w = {NET_MSG_OUTPUT, req, NULL};
    m = h_wait(&h, match_want, &w, 10000);
    if (m == NULL) {
        w.type = NET_MSG_OUTPUT_FAILED;
        m = h_wait(&h, match_want, &w, 1000);
    }
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->type, NET_MSG_OUTPUT);
    ck_assert_str_eq(m->id, job);
    ck_assert_ptr_nonnull(m->output.markdown);
    ck_assert_uint_gt(strlen(m->output.markdown), 10);
    net_msg_free(m);

    req = h_create(&h, dir, JOB_TYPE_PARSE, "cfg-PARSE_AGENTIC");
    m = h_wait_type(&h, NET_MSG_CREATED, req, 10000);
    ck_assert(m->ok);
    char *id2 = xstrdup(m->batches[0].id);
    net_msg_free(m);

    /* Late answers for a batch no longer watched are dropped: watch id, then at once id2;
     * once the thread has switched to id2 (its first answer), nothing about id follows. */
    h_drop(&h);
    h_with_id(&h, NET_CMD_WATCH_BATCH, id);
    req = h_with_id(&h, NET_CMD_WATCH_BATCH, id2);
    for (int i = 0; i < 2; i++) { /* two list refreshes later, id's answer came and went */
        m = h_wait_type(&h, NET_MSG_LIST_DELTA, 0, 10000);
        net_msg_free(m);
    }
    bool switched = false, saw_id2 = false;
    for (struct net_msg *o = h.head; o != NULL; o = o->next) {
        if (o->req == req)
            switched = true;
        if (o->type == NET_MSG_BATCH && strcmp(o->batches[0].id, id2) == 0)
            saw_id2 = true;
        if (!switched)
            continue;
        ck_assert_msg(o->id == NULL || strcmp(o->id, id) != 0, "late answer (type %d) for %s",
                      (int)o->type, id);
        if (o->type == NET_MSG_BATCH)
            ck_assert_msg(strcmp(o->batches[0].id, id) != 0, "late batch %s", id);
    }
    ck_assert(saw_id2);
    h_drop(&h);

    /* Cancel of a finished batch: "already finished". */
    req = h_with_id(&h, NET_CMD_CANCEL, id);
    m = h_wait_type(&h, NET_MSG_CANCELLED, req, 10000);
    ck_assert(!m->ok);
    ck_assert(m->already_finished);
    ck_assert_str_eq(m->error.message, "already finished");
    net_msg_free(m);

    /* Cancel of a running one. */
    req = h_with_id(&h, NET_CMD_CANCEL, id2);
    m = h_wait_type(&h, NET_MSG_CANCELLED, req, 10000);
    ck_assert_msg(m->ok, "cancel: %s", m->error.message);
    ck_assert_str_eq(m->batches[0].id, id2);
    net_msg_free(m);

    /* A refused create names its field; an unknown batch is an error, not a crash. */
    req = h_create(&h, dir, JOB_TYPE_EXTRACT, "cfg-PARSE_AGENTIC");
    m = h_wait_type(&h, NET_MSG_CREATED, req, 10000);
    ck_assert(!m->ok);
    ck_assert_int_eq(m->create_outcome, NET_CREATE_REFUSED);
    ck_assert_int_eq(m->error.http_status, 422);
    ck_assert_ptr_nonnull(m->error.field);
    ck_assert_msg(strncmp(m->error.field, "config.job", 10) == 0, "field %s", m->error.field);
    net_msg_free(m);
    /* Unescaped, "../batches" would reach the list route and fail to decode. */
    req = h_with_id(&h, NET_CMD_WATCH_BATCH, "../batches");
    m = h_wait_type(&h, NET_MSG_BATCH_FAILED, req, 10000);
    ck_assert_int_eq(m->error.http_status, 404);
    net_msg_free(m);

    /* An extract batch: its job's output is the extract result as indented JSON. */
    c = net_cmd_new(NET_CMD_LIST_CONFIGS);
    c->job_type = JOB_TYPE_EXTRACT;
    req = h_submit(&h, c);
    m = h_wait_type(&h, NET_MSG_CONFIGS, req, 10000);
    ck_assert(m->ok && m->n_configs > 0);
    char *cfg = xstrdup(m->configs[0].id);
    net_msg_free(m);
    req = h_create(&h, dir, JOB_TYPE_EXTRACT, cfg);
    m = h_wait_type(&h, NET_MSG_CREATED, req, 10000);
    ck_assert_msg(m->ok, "extract create: %s", m->error.message);
    char *id3 = xstrdup(m->batches[0].id);
    net_msg_free(m);
    req = h_with_id(&h, NET_CMD_WATCH_BATCH, id3);
    char *ejob = NULL;
    deadline = clock_mono_ms() + 20000;
    while (ejob == NULL && clock_mono_ms() < deadline) {
        struct want wj = {NET_MSG_JOBS, 0, id3};
        m = h_wait(&h, match_want, &wj, 1000);
        for (size_t i = 0; m != NULL && i < m->n_jobs && ejob == NULL; i++) {
            ck_assert_int_eq(m->jobs[i].type, JOB_TYPE_EXTRACT);
            if (m->jobs[i].status == JOB_COMPLETED)
                ejob = xstrdup(m->jobs[i].id);
        }
        net_msg_free(m);
    }
    ck_assert_msg(ejob != NULL, "no completed extract job");
    c = net_cmd_new(NET_CMD_FETCH_OUTPUT);
    c->id = xstrdup(ejob);
    c->job_type = JOB_TYPE_EXTRACT;
    req = h_submit(&h, c);
    m = h_wait_type(&h, NET_MSG_OUTPUT, req, 10000);
    ck_assert_ptr_nonnull(m->output.json);
    ck_assert_msg(m->output.json[0] == '{' || m->output.json[0] == '[', "%s", m->output.json);
    ck_assert_ptr_nonnull(strstr(m->output.json, "\n  \""));
    net_msg_free(m);
    free(ejob);
    free(id3);
    free(cfg);

    free(job);
    free(id);
    free(id2);
    net_msg_free(dirs);
    h_done(&h);
}
END_TEST

/* List the batches of directory dir (WATCH_LIST with its filter, which every answer must
 * respect) and return the ID of a COMPLETED one (fresh string; the test fails without one). */
static char *completed_batch_of(struct h *h, const char *dir)
{
    struct net_cmd *c = net_cmd_new(NET_CMD_WATCH_LIST);
    c->source_directory_id = xstrdup(dir);
    uint64_t req = h_submit(h, c);
    struct net_msg *m = h_wait_type(h, NET_MSG_LIST_FULL, req, 10000);
    char *id = NULL;
    for (size_t i = 0; i < m->n_batches && id == NULL; i++) {
        ck_assert_str_eq(m->batches[i].source_directory_id, dir);
        if (m->batches[i].status == BATCH_COMPLETED)
            id = xstrdup(m->batches[i].id);
    }
    net_msg_free(m);
    ck_assert_msg(id != NULL, "no COMPLETED batch over %s", dir);
    return id;
}

/* A simulator (seed 13) and a net (UI takes every 250 ms), and the ID of a COMPLETED batch over
 * the 1,000-file directory "thousand" (its ID in *dir_out when not NULL). Caller frees both. */
static char *thousand_batch(struct h *h, char **dir_out)
{
    const char *args[] = {"--seed", "13", NULL};
    h_sim(h, args);
    h_net(h, 250);
    struct net_msg *dirs = h_directories(h);
    const char *dir = dir_named(dirs, "thousand");
    ck_assert_ptr_nonnull(dir);
    char *id = completed_batch_of(h, dir);
    if (dir_out != NULL)
        *dir_out = xstrdup(dir);
    net_msg_free(dirs);
    return id;
}

/* Opening the 1,000-file batch: everything in at most 25 requests, then no more polling. */
START_TEST(open_thousand)
{
    struct h h;
    char *dir = NULL, *id = thousand_batch(&h, &dir);
    uint64_t req;
    struct net_msg *m;
    /* Stop the list so only the batch's requests are counted. */
    struct net_cmd *c = net_cmd_new(NET_CMD_PAUSE);
    h_submit(&h, c);
    char needle[128];
    snprintf(needle, sizeof needle, "GET /api/v2/batches/%s", id);
    long before = simproc_count(&h.sp, "GET /api/");

    req = h_with_id(&h, NET_CMD_WATCH_BATCH, id);
    m = h_wait_type(&h, NET_MSG_BATCH, req, 10000);
    ck_assert_uint_eq(m->batches[0].n_results, 1000);
    struct strmap jobs, files;
    strmap_init(&jobs, NULL);
    strmap_init(&files, NULL);
    for (size_t i = 0; i < 1000; i++)
        if (m->batches[0].results[i].job_id != NULL)
            strmap_put(&jobs, m->batches[0].results[i].job_id, NULL);
    size_t want_jobs = strmap_count(&jobs);
    ck_assert_uint_gt(want_jobs, 900);
    net_msg_free(m);
    size_t got_jobs = 0;
    int64_t deadline = clock_mono_ms() + 20000;
    while ((got_jobs < want_jobs || strmap_count(&files) < 1000) && clock_mono_ms() < deadline) {
        struct want w = {NET_MSG_JOBS, 0, NULL};
        m = h_wait(&h, match_want, &w, 200);
        if (m != NULL) {
            for (size_t i = 0; i < m->n_jobs; i++) {
                ck_assert(job_status_is_terminal(m->jobs[i].status));
                if (strmap_has(&jobs, m->jobs[i].id)) {
                    got_jobs++;
                    strmap_put(&jobs, m->jobs[i].id, (void *)1);
                }
            }
            net_msg_free(m);
        }
        w.type = NET_MSG_DIR_FILES;
        m = h_wait(&h, match_want, &w, 0);
        if (m != NULL) {
            ck_assert_str_eq(m->id, dir);
            for (size_t i = 0; i < m->n_files; i++) {
                ck_assert_ptr_nonnull(m->files[i].display_name);
                strmap_put(&files, m->files[i].id, NULL);
            }
            net_msg_free(m);
        }
    }
    ck_assert_uint_eq(got_jobs, want_jobs);
    ck_assert_uint_eq(strmap_count(&files), 1000);
    strmap_done(&jobs);
    strmap_done(&files);
    /* Everything is terminal: a refresh interval later nothing more is asked (resume the
     * schedule and let two list refreshes pass). */
    c = net_cmd_new(NET_CMD_RESUME);
    h_submit(&h, c);
    for (int i = 0; i < 2; i++) {
        m = h_wait_type(&h, NET_MSG_LIST_DELTA, 0, 10000);
        net_msg_free(m);
    }
    long batch_gets = simproc_count(&h.sp, needle);
    long total =
        simproc_count(&h.sp, "GET /api/v2/parse?") + simproc_count(&h.sp, "/files?") + batch_gets;
    fprintf(stderr, "open_thousand: %ld requests (%ld batch gets), %ld GETs in all since\n", total,
            batch_gets, simproc_count(&h.sp, "GET /api/") - before);
    ck_assert_int_eq(batch_gets, 1);
    ck_assert_int_le(total, 25);
    free(id);
    free(dir);
    h_done(&h);
}
END_TEST

/* A UI busy elsewhere (issue 14): it takes the queue only every 250 ms. Job statuses of the
 * watched batch queued meanwhile are merged into one message per take, and none is lost. */
START_TEST(busy_ui_jobs_merged)
{
    struct h h;
    char *id = thousand_batch(&h, NULL);
    uint64_t req;
    struct net_msg *m;
    h_simple(&h, NET_CMD_PAUSE);
    h_drop(&h);

    req = h_with_id(&h, NET_CMD_WATCH_BATCH, id);
    m = h_wait_type(&h, NET_MSG_BATCH, req, 10000);
    struct strmap jobs;
    strmap_init(&jobs, NULL);
    for (size_t i = 0; i < m->batches[0].n_results; i++)
        if (m->batches[0].results[i].job_id != NULL)
            strmap_put_index(&jobs, m->batches[0].results[i].job_id, 0);
    size_t want = strmap_count(&jobs), got = 0, most = 0;
    net_msg_free(m);
    h_drop(&h);
    int64_t deadline = clock_mono_ms() + 20000;
    while (got < want && clock_mono_ms() < deadline) {
        struct timespec busy = {0, 250 * 1000000L};
        nanosleep(&busy, NULL);
        size_t jobs_msgs = 0;
        for (m = net_take_messages(h.net); m != NULL;) {
            struct net_msg *next = m->next;
            check_key(&h, m);
            if (m->type == NET_MSG_JOBS) {
                ck_assert_str_eq(m->id, id);
                jobs_msgs++;
                most = m->n_jobs > most ? m->n_jobs : most;
                for (size_t i = 0; i < m->n_jobs; i++) {
                    size_t seen;
                    ck_assert(job_status_is_terminal(m->jobs[i].status));
                    if (strmap_get_index(&jobs, m->jobs[i].id, &seen) && seen == 0) {
                        strmap_put_index(&jobs, m->jobs[i].id, 1);
                        got++;
                    }
                }
            }
            net_msg_free(m);
            m = next;
        }
        ck_assert_uint_le(jobs_msgs, 1); /* one per batch per take, whatever the pages */
    }
    fprintf(stderr, "busy_ui_jobs_merged: %zu jobs, at most %zu in one message\n", got, most);
    ck_assert_uint_eq(got, want);
    strmap_done(&jobs);
    free(id);
    h_done(&h);
}
END_TEST

/* 5xx: retried (RETRYING shown), then an error and OFFLINE, then recovery. */
START_TEST(fault_5xx)
{
    struct h h;
    const char *args[] = {"--seed", "14", "--fail-rate", "1", NULL};
    h_sim(&h, args);
    h_net(&h, 400);
    uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
    struct net_msg *m = h_wait_type(&h, NET_MSG_LIST_FAILED, req, 15000);
    ck_assert(!m->ok);
    ck_assert_int_ge(m->error.http_status, 500);
    ck_assert_ptr_nonnull(m->error.message);
    ck_assert_int_eq(m->conn, NET_CONN_OFFLINE);
    net_msg_free(m);
    ck_assert_int_ge(h.n_retrying, 3);
    ck_assert_int_ge(simproc_count(&h.sp, "GET /api/v2/batches?page_size=100 50"), 4);
    simproc_signal(&h.sp, SIGUSR1);
    m = h_wait_type(&h, NET_MSG_LIST_FULL, 0, 15000);
    ck_assert(m->ok);
    ck_assert_uint_ge(m->n_batches, 12);
    ck_assert_int_eq(m->conn, NET_CONN_ONLINE);
    net_msg_free(m);
    /* A new interval (floor 2 s) keeps the deltas coming. */
    struct net_cmd *c = net_cmd_new(NET_CMD_SET_INTERVAL);
    c->interval_s = 1;
    h_submit(&h, c);
    h_drop(&h);
    int64_t t0 = clock_mono_ms();
    m = h_wait_type(&h, NET_MSG_LIST_DELTA, 0, 10000);
    ck_assert(m->ok);
    ck_assert_int_ge(clock_mono_ms() - t0, 1500); /* not the 400 ms test interval any more */
    net_msg_free(m);
    h_done(&h);
}
END_TEST

/* 429 + Retry-After: 1: the retry waits at least that long. */
START_TEST(fault_429)
{
    struct h h;
    const char *args[] = {"--seed", "15", "--rate-limit", "1", NULL};
    h_sim(&h, args);
    h_net(&h, 60000);
    int64_t t0 = clock_mono_ms();
    uint64_t r1 = h_simple(&h, NET_CMD_LIST_DIRECTORIES);
    uint64_t r2 = h_simple(&h, NET_CMD_LIST_DIRECTORIES);
    uint64_t r3 = h_simple(&h, NET_CMD_LIST_DIRECTORIES);
    int64_t done_at[3];
    uint64_t reqs[3] = {r1, r2, r3};
    for (int i = 0; i < 3; i++) {
        struct net_msg *m = h_wait_type(&h, NET_MSG_DIRECTORIES, reqs[i], 15000);
        ck_assert_msg(m->ok, "directories: %s", m->error.message);
        done_at[i] = clock_mono_ms() - t0;
        net_msg_free(m);
    }
    long limited = simproc_count(&h.sp, " 429 ");
    ck_assert_int_ge(limited, 1);
    ck_assert_int_ge(h.n_retrying, 1);
    ck_assert_int_ge(h.max_retry_in, 1000);
    /* At least two of the three waited out a Retry-After of one second. */
    int waited = 0;
    for (int i = 0; i < 3; i++)
        if (done_at[i] >= 1000)
            waited++;
    ck_assert_int_ge(waited, 2);
    h_done(&h);
}
END_TEST

/* Dropped connections and garbled bodies: errors, then recovery once faults stop. */
START_TEST(fault_reset_and_garbled)
{
    const char *flags[] = {"--reset-rate", "--malformed-rate"};
    for (int k = 0; k < 2; k++) {
        struct h h;
        const char *args[] = {"--seed", "16", flags[k], "1", NULL};
        h_sim(&h, args);
        h_net(&h, 400);
        uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
        struct net_msg *m = h_wait_type(&h, NET_MSG_LIST_FAILED, req, 15000);
        ck_assert_int_eq(m->error.http_status, 0);
        ck_assert_ptr_nonnull(m->error.message);
        ck_assert_msg(strstr(m->error.message, k == 0 ? "network error" : "malformed answer"),
                      "%s", m->error.message);
        ck_assert_int_eq(m->conn, NET_CONN_OFFLINE);
        net_msg_free(m);
        ck_assert_int_ge(h.n_retrying, 3);
        simproc_signal(&h.sp, SIGUSR1);
        m = h_wait_type(&h, NET_MSG_LIST_FULL, 0, 15000);
        ck_assert(m->ok);
        ck_assert_int_eq(m->conn, NET_CONN_ONLINE);
        net_msg_free(m);
        h_done(&h);
    }
}
END_TEST

/* Garbled pages in the middle of a paginated list: the next page's request goes out before a
 * page is parsed, and is taken back when the page turns out garbled, so the list that finally
 * arrives is still every batch exactly once. */
static bool match_any_list(const struct net_msg *m, const void *arg)
{
    (void)arg;
    return m->type == NET_MSG_LIST_FULL || m->type == NET_MSG_LIST_FAILED;
}

START_TEST(list_pages_garbled)
{
    struct h h;
    const char *args[] = {"--seed",           "21",  "--batches", "120", "--page-size-max", "7",
                          "--malformed-rate", "0.3", NULL};
    h_sim(&h, args);
    h_net_cfg(&h, "llx-sim", 60000, h.sp.project_id);
    h_simple(&h, NET_CMD_WATCH_LIST);
    int64_t deadline = clock_mono_ms() + 40000;
    struct net_msg *m = NULL;
    for (;;) {
        m = h_wait(&h, match_any_list, NULL, 20000);
        ck_assert_msg(m != NULL, "no list answer");
        if (m->ok)
            break;
        /* Four garbled answers to one page in a row: the list failed; ask again. */
        net_msg_free(m);
        ck_assert_msg(clock_mono_ms() < deadline, "no complete list in 40 s");
        h_simple(&h, NET_CMD_REFRESH);
    }
    ck_assert_int_ge(h.n_retrying, 1); /* garbled pages really came */
    simproc_signal(&h.sp, SIGUSR1);    /* faults off for the state read */
    struct strmap state;
    sim_state(&h, &state);
    ck_assert_uint_eq(m->n_batches, strmap_count(&state));
    struct strmap ids;
    strmap_init(&ids, NULL);
    for (size_t i = 0; i < m->n_batches; i++) {
        ck_assert_msg(!strmap_has(&ids, m->batches[i].id), "duplicate %s", m->batches[i].id);
        strmap_put(&ids, m->batches[i].id, NULL);
        ck_assert(strmap_has(&state, m->batches[i].id));
    }
    strmap_done(&ids);
    strmap_done(&state);
    net_msg_free(m);
    h_done(&h);
}
END_TEST

/* 20 creates under 5xx and ambiguous creates leave exactly 20 new batches. */
START_TEST(creates_never_duplicated)
{
    struct h h;
    const char *args[] = {"--seed", "17", "--fail-rate", "0.3", "--ambiguous-create-rate",
                          "0.3",    NULL};
    h_sim(&h, args);
    h_net(&h, 60000);
    struct net_msg *dirs = h_directories(&h);
    ck_assert_msg(dirs->ok, "%s", dirs->error.message);
    const char *dir = small_dir(dirs);
    struct strmap before, after, made;
    sim_state(&h, &before);
    strmap_init(&made, NULL);
    int unknown = 0, not_created = 0;
    for (int i = 0; i < 20; i++) {
        uint64_t req = h_create(&h, dir, JOB_TYPE_PARSE, "cfg-PARSE_AGENTIC");
        for (int tries = 0; tries < 20; tries++) {
            struct net_msg *m = h_wait_type(&h, NET_MSG_CREATED, req, 30000);
            if (m->create_outcome == NET_CREATE_OK) {
                ck_assert(!strmap_has(&made, m->batches[0].id));
                strmap_put(&made, m->batches[0].id, NULL);
                net_msg_free(m);
                break;
            }
            if (m->create_outcome == NET_CREATE_UNKNOWN) {
                unknown++;
                ck_assert_ptr_nonnull(m->since);
                struct net_cmd *c = net_cmd_new(NET_CMD_FIND_CREATED);
                c->source_directory_id = xstrdup(dir);
                c->job_type = JOB_TYPE_PARSE;
                c->configuration_id = xstrdup("cfg-PARSE_AGENTIC");
                c->since = xstrdup(m->since);
                req = h_submit(&h, c);
            } else {
                ck_assert_msg(m->create_outcome != NET_CREATE_REFUSED ||
                                  m->error.http_status == 429 || m->error.http_status == 0,
                              "refused: %s", m->error.message);
                not_created++;
                req = h_create(&h, dir, JOB_TYPE_PARSE, "cfg-PARSE_AGENTIC");
            }
            net_msg_free(m);
        }
    }
    ck_assert_uint_eq(strmap_count(&made), 20);
    sim_state(&h, &after);
    ck_assert_uint_eq(strmap_count(&after), strmap_count(&before) + 20);
    for (struct strmap_entry *e = strmap_first(&made); e != NULL; e = strmap_next(e))
        ck_assert(strmap_has(&after, strmap_key(e)) && !strmap_has(&before, strmap_key(e)));
    long posts = simproc_count(&h.sp, "POST /api/v2/batches");
    long ambiguous = simproc_count(&h.sp, "POST /api/v2/batches 50");
    fprintf(stderr, "creates: %ld POSTs (%ld answered 5xx), %d unknown, %d not created\n", posts,
            ambiguous, unknown, not_created);
    ck_assert_int_gt(ambiguous, 0); /* the faults really happened */
    strmap_done(&before);
    strmap_done(&after);
    strmap_done(&made);
    net_msg_free(dirs);
    h_done(&h);
}
END_TEST

/* --batches 10000: one delta interval costs at most 10 requests yet misses nothing. */
START_TEST(delta_ten_thousand)
{
    struct h h;
    const char *args[] = {"--seed", "18", "--batches", "10000", "--speed", "20", NULL};
    h_sim(&h, args);
    h_net(&h, 600000);
    uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
    struct net_msg *full = h_wait_type(&h, NET_MSG_LIST_FULL, req, 30000);
    ck_assert(full->ok);
    ck_assert_uint_ge(full->n_batches, 10000);
    size_t active = 0;
    for (size_t i = 0; i < full->n_batches; i++)
        if (!batch_status_is_terminal(full->batches[i].status))
            active++;
    ck_assert_uint_ge(active, 10);

    /* New batches made meanwhile, by someone else. */
    struct net_msg *dirs = h_directories(&h);
    const char *dir = small_dir(dirs);
    char *made[3];
    for (int i = 0; i < 3; i++) {
        char *body = xasprintf("{\"source_directory_id\":\"%s\",\"config\":{\"job\":{\"type\":"
                               "\"parse_v2\",\"configuration_id\":\"cfg-PARSE_AGENTIC\"}}}",
                               dir);
        long status = 0;
        char *answer = NULL;
        ck_assert_int_eq(simproc_http(&h.sp, "POST", "/api/v2/batches", body, &status, &answer),
                         0);
        ck_assert_int_eq(status, 201);
        struct json_object *o = json_tokener_parse(answer), *id;
        ck_assert(json_object_object_get_ex(o, "id", &id));
        made[i] = xstrdup(json_object_get_string(id));
        json_object_put(o);
        free(answer);
        free(body);
    }
    /* Wait until some of the batches active at the full load have changed status. */
    struct strmap full_status, s1, s2;
    strmap_init(&full_status, NULL);
    for (size_t i = 0; i < full->n_batches; i++)
        strmap_put(&full_status, full->batches[i].id, (void *)full->batches[i].status_text);
    size_t changed = 0;
    int64_t deadline = clock_mono_ms() + 15000;
    for (;;) {
        sim_state(&h, &s1);
        changed = 0;
        for (struct strmap_entry *e = strmap_first(&s1); e != NULL; e = strmap_next(e)) {
            const char *key = strmap_key(e), *value = strmap_value(e);
            const char *old = strmap_get(&full_status, key);
            if (old != NULL && strcmp(old, value) != 0)
                changed++;
        }
        if (changed >= 5 || clock_mono_ms() > deadline)
            break;
        strmap_done(&s1);
        struct pollfd none;
        poll(&none, 0, 200);
    }
    ck_assert_uint_ge(changed, 1);

    long c0 = simproc_count(&h.sp, "GET /api/v2/batches");
    h_simple(&h, NET_CMD_PAUSE);
    h_simple(&h, NET_CMD_RESUME); /* the catch-up refresh is the delta under test */
    struct net_msg *delta = h_wait_type(&h, NET_MSG_LIST_DELTA, 0, 15000);
    h_simple(&h, NET_CMD_PAUSE);
    sim_state(&h, &s2);
    long c1 = simproc_count(&h.sp, "GET /api/v2/batches");
    fprintf(stderr, "delta: %ld requests, %zu batches changed, %zu in the delta, %zu active\n",
            c1 - c0, changed, delta->n_batches, active);
    ck_assert_int_le(c1 - c0, 10);
    ck_assert_int_ge(c1 - c0, 1);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(find_batch(delta, made[i]) != NULL, "new batch %s missing", made[i]);
    for (struct strmap_entry *e = strmap_first(&s1); e != NULL; e = strmap_next(e)) {
        const char *key = strmap_key(e), *value = strmap_value(e);
        const char *old = strmap_get(&full_status, key);
        if (old == NULL || strcmp(old, value) == 0)
            continue;
        const struct batch *b = find_batch(delta, key);
        ck_assert_msg(b != NULL, "changed batch %s (%s -> %s) missing", key, old,
                      (const char *)value);
        const char *now = strmap_get(&s2, key);
        if (strcmp(now, value) == 0)
            ck_assert_str_eq(b->status_text, now);
    }
    for (int i = 0; i < 3; i++)
        free(made[i]);
    strmap_done(&full_status);
    strmap_done(&s1);
    strmap_done(&s2);
    net_msg_free(delta);
    net_msg_free(full);
    net_msg_free(dirs);
    h_done(&h);
}
END_TEST

/* Quitting with requests stuck in a 5 s latency takes under 100 ms. */
START_TEST(quit_under_latency)
{
    struct h h;
    const char *args[] = {"--seed", "19", "--latency", "5000", NULL};
    h_sim(&h, args);
    h_net(&h, 60000);
    h_simple(&h, NET_CMD_WATCH_LIST);
    for (int i = 0; i < 6; i++)
        h_simple(&h, NET_CMD_LIST_DIRECTORIES);
    h_with_id(&h, NET_CMD_WATCH_BATCH, "bat-whatever");
    h_pump(&h, 300); /* let the requests reach the simulator and wait there */
    size_t answered = 0;
    for (struct net_msg *m = h.head; m != NULL; m = m->next)
        if (m->type == NET_MSG_DIRECTORIES)
            answered++;
    ck_assert_uint_lt(answered, 6); /* some requests really are in flight */
    int64_t t0 = clock_mono_ms();
    net_stop(h.net);
    int64_t took = clock_mono_ms() - t0;
    h.net = NULL;
    fprintf(stderr, "net_stop took %lld ms\n", (long long)took);
    ck_assert_int_lt(took, 100);
    h_done(&h);
}
END_TEST

/* A refused key: UNAUTHORIZED, a clear message, and the key nowhere (messages, log). */
START_TEST(unauthorized_and_no_key_leak)
{
    struct h h;
    const char *args[] = {"--seed", "20", NULL};
    h_sim(&h, args);
    char dir[] = "/tmp/test_net_live.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *log = xasprintf("%s/net.log", dir);
    char *cause = NULL;
    ck_assert(log_open(log, &cause));
    const char *secret = "llx-wrong-Secret-0123456789";
    /* A malformed LLAMA_CLOUD_CUSTOM_HEADERS line is refused up front. */
    struct net_config bad = {.base_url = h.sp.url,
                             .api_key = secret,
                             .refresh_s = 5,
                             .custom_headers = "X-Fine: 1\nnot a header"};
    ck_assert_ptr_null(net_start(&bad, &cause));
    ck_assert_ptr_nonnull(cause);
    ck_assert_ptr_null(strstr(cause, secret));
    free(cause);
    cause = NULL;
    h_net_cfg(&h, secret, 60000, NULL);
    uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
    struct net_msg *m = h_wait_type(&h, NET_MSG_LIST_FAILED, req, 10000);
    ck_assert_int_eq(m->error.http_status, 401);
    ck_assert_str_eq(m->error.message, "unauthorized \xe2\x80\x94 check LLAMA_CLOUD_API_KEY");
    ck_assert_int_eq(m->conn, NET_CONN_UNAUTHORIZED);
    net_msg_free(m);
    ck_assert_int_eq(simproc_count(&h.sp, " 401 "), 1); /* never retried */
    log_printf("test", "a line that mentions %s", secret);
    net_stop(h.net);
    h.net = NULL;
    log_close();
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    int lines = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lines++;
        ck_assert_msg(strstr(line, secret) == NULL, "key in log: %s", line);
    }
    fclose(f);
    ck_assert_int_ge(lines, 2);
    unlink(log);
    rmdir(dir);
    free(log);
    h_done(&h);
}
END_TEST

/* Hostile server text decodes as-is (the UI sanitizes it before drawing); nothing breaks. */
START_TEST(hostile_strings)
{
    struct h h;
    const char *args[] = {"--seed", "21", "--hostile-strings", NULL};
    h_sim(&h, args);
    h_net(&h, 60000);
    uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
    struct net_msg *list = h_wait_type(&h, NET_MSG_LIST_FULL, req, 10000);
    ck_assert(list->ok);
    struct net_msg *dirs = h_directories(&h);
    ck_assert(dirs->ok);
    const struct batch *b = NULL;
    for (size_t i = 0; i < list->n_batches && b == NULL; i++)
        if (list->batches[i].status == BATCH_COMPLETED)
            b = &list->batches[i];
    ck_assert_ptr_nonnull(b);
    req = h_with_id(&h, NET_CMD_WATCH_BATCH, b->id);
    struct net_msg *m = h_wait_type(&h, NET_MSG_BATCH, req, 10000);
    net_msg_free(m);
    m = h_wait_type(&h, NET_MSG_DIR_FILES, 0, 10000);
    bool escape = false;
    for (size_t i = 0; i < m->n_files; i++)
        if (m->files[i].display_name != NULL && strchr(m->files[i].display_name, 0x1b))
            escape = true;
    ck_assert_msg(escape, "no escape sequence in %zu file names", m->n_files);
    net_msg_free(m);
    net_msg_free(dirs);
    net_msg_free(list);
    h_done(&h);
}
END_TEST

/* A server that refuses our page size with 422 (the maximum is undocumented): every list
 * still loads complete, first at page_size=50, then with none at all; the size is kept. */
START_TEST(page_size_refused)
{
    static const char *const limits[] = {"50", "20"};
    for (size_t k = 0; k < 2; k++) {
        struct h h;
        const char *args[] = {"--seed", "11", "--batches", "120", "--page-size-refuse",
                              limits[k], NULL};
        h_sim(&h, args);
        h_net(&h, 60000);
        uint64_t req = h_simple(&h, NET_CMD_WATCH_LIST);
        struct net_msg *m = h_wait_type(&h, NET_MSG_LIST_FULL, req, 20000);
        ck_assert_msg(m->ok, "list failed: %s", m->error.message ? m->error.message : "?");
        struct strmap state;
        sim_state(&h, &state);
        ck_assert_uint_eq(m->n_batches, strmap_count(&state));
        ck_assert_uint_eq(m->n_batches, 120);
        net_msg_free(m);
        strmap_done(&state);
        /* The pickers' lists load too, and a second full list asks no oversized page again. */
        req = h_simple(&h, NET_CMD_LIST_DIRECTORIES);
        m = h_wait_type(&h, NET_MSG_DIRECTORIES, req, 20000);
        ck_assert(m->ok && m->n_directories > 0);
        net_msg_free(m);
        long refused = simproc_count(&h.sp, " 422 ");
        req = h_simple(&h, NET_CMD_REFRESH);
        m = h_wait_type(&h, NET_MSG_LIST_FULL, req, 20000);
        ck_assert(m->ok && m->n_batches == 120);
        net_msg_free(m);
        ck_assert_int_eq(simproc_count(&h.sp, " 422 "), refused); /* remembered */
        if (k == 0) {
            ck_assert_int_eq(refused, 1);
            ck_assert_int_ge(simproc_count(&h.sp, "page_size=50"), 3);
        } else {
            ck_assert_int_eq(refused, 2);
            /* the pages after the first go without page_size (one cursor, or windows) */
            ck_assert_int_ge(simproc_count(&h.sp, "GET /api/v2/batches?page_token=") +
                                 simproc_count(&h.sp, "GET /api/v2/batches?created_at_on_or_"),
                             2);
        }
        h_done(&h);
    }
}
END_TEST

/* One complete list (parallel or sequential, as h->sequential says) as a set of IDs; a batch
 * twice fails the test. */
static void list_once(struct h *h, bool sequential, const char *create_in, struct strmap *ids)
{
    h->sequential = sequential;
    h_net_cfg(h, "llx-sim", 60000, NULL);
    uint64_t req = h_simple(h, NET_CMD_WATCH_LIST);
    if (create_in != NULL) { /* a batch created while the listing runs */
        char *create = xasprintf("{\"source_directory_id\":\"%s\",\"config\":{\"job\":"
                                 "{\"type\":\"parse_v2\",\"configuration_id\":"
                                 "\"cfg-PARSE_AGENTIC\"}}}",
                                 create_in);
        long st = 0;
        char *body = NULL;
        ck_assert_int_eq(simproc_http(&h->sp, "POST", "/api/v2/batches", create, &st, &body), 0);
        ck_assert_msg(st == 200 || st == 201, "create answered %ld", st);
        free(body);
        free(create);
    }
    struct net_msg *m = h_wait_type(h, NET_MSG_LIST_FULL, req, 30000);
    ck_assert_msg(m->ok, "list failed: %s", m->error.message ? m->error.message : "?");
    strmap_init(ids, NULL);
    for (size_t i = 0; i < m->n_batches; i++) {
        ck_assert_msg(!strmap_has(ids, m->batches[i].id), "%s twice", m->batches[i].id);
        strmap_put(ids, m->batches[i].id, NULL);
    }
    net_msg_free(m);
    net_stop(h->net);
    h->net = NULL;
    h_drop(h);
}

/* The property of issue 13: a list fetched in parallel windows is exactly the sequential one,
 * over many worlds and the server's liberties (order, total_size, a smaller page size), while
 * batches change status (speed 20) and one is created during the listing. */
START_TEST(parallel_list_is_the_sequential_list)
{
    static const char *const flags[][5] = {
        {NULL},
        {"--sort", "oldest", NULL},
        {"--total-size", NULL},
        {"--page-size-max", "37", NULL},
        {"--sort", "oldest", "--page-size-max", "13", NULL},
    };
    static const char *const sizes[] = {"1", "250", "1400"};
    int worlds = 0;
    for (int seed = 1; seed <= 4; seed++) {
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            char seed_s[16];
            snprintf(seed_s, sizeof seed_s, "%d", seed);
            /* 25 ms away: nearer, batchtop lists with one cursor (faster on loopback) */
            const char *args[18] = {"--seed",    seed_s, "--speed", "20", "--batches",
                                    sizes[(size_t)seed % 3], "--rtt", "25"};
            size_t k = 8;
            for (size_t i = 0; flags[f][i] != NULL; i++)
                args[k++] = flags[f][i];
            args[k] = NULL;
            struct h h;
            h_sim(&h, args);
            struct strmap before, par, seq, after;
            sim_state(&h, &before);
            /* a batch created while the parallel listing runs: it may be in it or not */
            long st = 0;
            char *body = NULL;
            ck_assert_int_eq(simproc_http(&h.sp, "GET", "/api/v1/beta/directories?page_size=1",
                                          NULL, &st, &body), 0);
            struct json_object *dirs = json_tokener_parse(body), *items, *id;
            free(body);
            ck_assert(json_object_object_get_ex(dirs, "items", &items));
            ck_assert(json_object_object_get_ex(json_object_array_get_idx(items, 0), "id", &id));
            char *dir = xstrdup(json_object_get_string(id));
            json_object_put(dirs);
            list_once(&h, false, dir, &par);
            free(dir);
            list_once(&h, true, NULL, &seq);
            sim_state(&h, &after);
            if (strcmp(sizes[(size_t)seed % 3], "1400") == 0)
                ck_assert_int_gt(simproc_count(&h.sp, "created_at_on_or_"), 4);
            /* every batch that existed before is in both; nothing else but later creations */
            for (struct strmap_entry *e = strmap_first(&before); e; e = strmap_next(e)) {
                ck_assert_msg(strmap_has(&par, strmap_key(e)), "seed %d flags %zu: %s missing "
                              "from the parallel list", seed, f, strmap_key(e));
                ck_assert_msg(strmap_has(&seq, strmap_key(e)), "%s missing (sequential)",
                              strmap_key(e));
            }
            for (struct strmap_entry *e = strmap_first(&par); e; e = strmap_next(e))
                ck_assert_msg(strmap_has(&after, strmap_key(e)), "%s is no batch",
                              strmap_key(e));
            for (struct strmap_entry *e = strmap_first(&par); e; e = strmap_next(e))
                ck_assert_msg(strmap_has(&seq, strmap_key(e)), "%s only in the parallel list",
                              strmap_key(e));
            /* the sequential list (afterwards) has the new batch; the parallel one may */
            ck_assert_uint_le(strmap_count(&par), strmap_count(&seq));
            ck_assert_uint_le(strmap_count(&seq), strmap_count(&par) + 1);
            ck_assert_uint_eq(strmap_count(&seq), strmap_count(&before) + 1);
            strmap_done(&before);
            strmap_done(&par);
            strmap_done(&seq);
            strmap_done(&after);
            h_done(&h);
            worlds++;
        }
    }
    ck_assert_int_eq(worlds, 20);
}
END_TEST

static bool match_list(const struct net_msg *m, const void *arg)
{
    (void)arg;
    return m->type == NET_MSG_LIST_PAGE || m->type == NET_MSG_LIST_FAILED ||
           m->type == NET_MSG_LIST_FULL;
}

/* A parallel listing that fails part-way keeps what it has and resumes with the windows left
 * (the count of batches listed goes on from where it was), until the list is complete. */
START_TEST(parallel_list_resumes)
{
    struct h h;
    const char *args[] = {"--seed", "3", "--batches", "3000", "--fail-rate", "0.7", "--rtt", "25",
                          NULL};
    h_sim(&h, args);
    h_net(&h, 300);
    h_simple(&h, NET_CMD_WATCH_LIST);
    int64_t deadline = clock_mono_ms() + 100000;
    size_t loaded = 0, at_failure = 0;
    int failures = 0;
    struct net_msg *m;
    for (;;) {
        int64_t left = deadline - clock_mono_ms();
        ck_assert_msg(left > 0, "no complete list within 100 s (%d failures)", failures);
        m = h_wait(&h, match_list, NULL, (int)left);
        ck_assert_ptr_nonnull(m);
        if (m->type == NET_MSG_LIST_FULL)
            break;
        if (m->type == NET_MSG_LIST_FAILED) {
            failures++;
            at_failure = loaded;
        } else {
            ck_assert_msg(m->list_loaded >= at_failure,
                          "the listing started over: %zu listed, %zu before the failure",
                          m->list_loaded, at_failure);
            loaded = m->list_loaded;
        }
        net_msg_free(m);
    }
    ck_assert_msg(failures > 0, "no failure at --fail-rate 0.7: the test proves nothing");
    ck_assert_msg(at_failure > 0, "no batch had come before the first failure");
    struct strmap state;
    sim_state(&h, &state);
    ck_assert_uint_eq(m->n_batches, strmap_count(&state));
    for (size_t i = 0; i < m->n_batches; i++)
        ck_assert(strmap_has(&state, m->batches[i].id));
    strmap_done(&state);
    net_msg_free(m);
    h_done(&h);
}
END_TEST

/* One streamed listing (stream_only) after submitting it as req: the IDs of its LIST_PAGEs
 * into ids (a batch twice fails the test), its LIST_FULL empty and marked streamed. */
static void stream_once(struct h *h, uint64_t req, struct strmap *ids)
{
    strmap_init(ids, NULL);
    for (;;) {
        struct net_msg *m = h_wait(h, match_list, NULL, 30000);
        ck_assert_msg(m != NULL, "no end of the streamed list");
        ck_assert_msg(m->type != NET_MSG_LIST_FAILED, "list failed: %s",
                      m->error.message ? m->error.message : "?");
        if (m->type == NET_MSG_LIST_FULL) {
            ck_assert(m->ok && m->streamed);
            ck_assert_uint_eq(m->n_batches, 0);
            ck_assert_uint_ge(m->req, req);
            net_msg_free(m);
            return;
        }
        ck_assert_ptr_nonnull(m->strings);
        for (size_t i = 0; i < m->n_batches; i++) {
            ck_assert_msg(!strmap_has(ids, m->batches[i].id), "%s twice", m->batches[i].id);
            strmap_put(ids, m->batches[i].id, NULL);
            ck_assert_ptr_nonnull(m->batches[i].created_at);
        }
        ck_assert_uint_eq(m->list_loaded, strmap_count(ids));
        net_msg_free(m);
    }
}

static void same_ids(const struct strmap *a, const struct strmap *b, const char *what)
{
    ck_assert_msg(strmap_count(a) == strmap_count(b), "%s: %zu batches, the simulator %zu", what,
                  strmap_count(a), strmap_count(b));
    for (struct strmap_entry *e = strmap_first(a); e; e = strmap_next(e))
        ck_assert_msg(strmap_has(b, strmap_key(e)), "%s: %s is no batch", what, strmap_key(e));
}

/* A streamed listing (what `batchtop list --jsonl` asks) sends every batch exactly once, page by
 * page, and keeps nothing: on loopback (the near switch: one cursor, the first page not asked
 * twice), 25 ms away (parallel windows that overlap at their bounds), and again on refresh.
 * The plain listing of a near server also asks each page once. */
START_TEST(streamed_list_once_each)
{
    static const char *const rtts[] = {NULL, "25"};
    for (size_t r = 0; r < 2; r++) {
        const char *args[] = {"--seed", "5", "--batches", "1400", "--speed", "20",
                              rtts[r] ? "--rtt" : NULL, rtts[r], NULL};
        struct h h;
        h_sim(&h, args);
        struct strmap state, ids;
        sim_state(&h, &state);
        h_net(&h, 60000);
        struct net_cmd *c = net_cmd_new(NET_CMD_WATCH_LIST);
        c->stream_only = true;
        uint64_t req = h_submit(&h, c);
        stream_once(&h, req, &ids);
        same_ids(&ids, &state, rtts[r] ? "streamed, 25 ms" : "streamed, loopback");
        strmap_done(&ids);
        /* near (loopback, unless the machine is so busy a page takes 20 ms): one cursor */
        long pages = simproc_count(&h.sp, "GET /api/v2/batches?");
        if (simproc_count(&h.sp, "created_at_on_or_") == 0)
            ck_assert_msg(pages == 14, "%ld page requests for 14 pages", pages);
        /* the next full listing sends every batch again, once */
        req = h_simple(&h, NET_CMD_REFRESH);
        stream_once(&h, req, &ids);
        same_ids(&ids, &state, "streamed again");
        strmap_done(&ids);
        net_stop(h.net);
        h.net = NULL;
        h_drop(&h);
        if (rtts[r] == NULL) { /* the whole generation, near: each page asked once too */
            h_net(&h, 60000);
            long before = simproc_count(&h.sp, "GET /api/v2/batches?");
            req = h_simple(&h, NET_CMD_WATCH_LIST);
            struct net_msg *m = h_wait_type(&h, NET_MSG_LIST_FULL, req, 30000);
            ck_assert(m->ok && !m->streamed);
            strmap_init(&ids, NULL);
            for (size_t i = 0; i < m->n_batches; i++) {
                ck_assert_msg(!strmap_has(&ids, m->batches[i].id), "%s twice", m->batches[i].id);
                strmap_put(&ids, m->batches[i].id, NULL);
            }
            net_msg_free(m);
            same_ids(&ids, &state, "a generation, loopback");
            strmap_done(&ids);
            long asked = simproc_count(&h.sp, "GET /api/v2/batches?") - before;
            if (simproc_count(&h.sp, "created_at_on_or_") == 0)
                ck_assert_msg(asked == 14, "%ld page requests for 14 pages", asked);
        }
        strmap_done(&state);
        h_done(&h);
    }
}
END_TEST


/* ---- resubmit (issue 16): counted through the simulator's API ---- */

/* A simulator with args, the net thread on it, and its directories (the caller frees them). */
static struct net_msg *h_open(struct h *h, const char *const *args)
{
    h_sim(h, args);
    h_net(h, 60000);
    struct net_msg *dirs = h_directories(h);
    ck_assert_msg(dirs->ok, "%s", dirs->error.message);
    return dirs;
}

/* GET path from the simulator (faults must be off); the caller puts the answer. */
static struct json_object *sim_get(struct h *h, const char *path)
{
    long status = 0;
    char *body = NULL;
    ck_assert_int_eq(simproc_http(&h->sp, "GET", path, NULL, &status, &body), 0);
    ck_assert_msg(status == 200, "GET %s answered %ld", path, status);
    struct json_object *j = json_tokener_parse(body);
    free(body);
    ck_assert_ptr_nonnull(j);
    return j;
}

static const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v != NULL ? json_object_get_string(v) : NULL;
}

/* Every item of a list (all pages), as one array the caller puts. path has a '?' already. */
static struct json_object *sim_items(struct h *h, const char *path)
{
    struct json_object *out = json_object_new_array();
    char *token = NULL;
    for (int pages = 0; pages < 1000; pages++) {
        char *esc = url_escape(token);
        char *url = xasprintf("%s&page_size=100%s%s", path, token ? "&page_token=" : "", esc);
        free(esc);
        struct json_object *j = sim_get(h, url), *items = NULL;
        free(url);
        ck_assert(json_object_object_get_ex(j, "items", &items));
        for (size_t i = 0; i < json_object_array_length(items); i++)
            json_object_array_add(out, json_object_get(json_object_array_get_idx(items, i)));
        free(token);
        token = jstr(j, "next_page_token") ? xstrdup(jstr(j, "next_page_token")) : NULL;
        json_object_put(j);
        if (token == NULL || token[0] == '\0')
            break;
    }
    free(token);
    return out;
}

/* The live files of a directory as struct dir_file (file_id, display_name), every page. */
static struct dir_file *sim_dir_files(struct h *h, const char *dir, size_t *n)
{
    char *path = xasprintf("/api/v1/beta/directories/%s/files?x=1", dir);
    struct json_object *items = sim_items(h, path);
    free(path);
    *n = json_object_array_length(items);
    struct dir_file *f = xcalloc(*n ? *n : 1, sizeof *f);
    for (size_t i = 0; i < *n; i++) {
        struct json_object *o = json_object_array_get_idx(items, i);
        f[i].id = xstrdup(jstr(o, "id"));
        f[i].file_id = xstrdup(jstr(o, "file_id"));
        f[i].display_name = xstrdup(jstr(o, "display_name"));
    }
    json_object_put(items);
    return f;
}

static void dir_files_free(struct dir_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dir_file_done(&f[i]);
    free(f);
}

static uint64_t h_resubmit(struct h *h, const char *orig, const char *name,
                           const struct dir_file *files, size_t n)
{
    struct net_cmd *c = net_cmd_new(NET_CMD_RESUBMIT);
    c->id = xstrdup(orig);
    c->name = xstrdup(name);
    c->job_type = JOB_TYPE_PARSE;
    c->configuration_id = xstrdup("cfg-PARSE_AGENTIC");
    c->files = xcalloc(n ? n : 1, sizeof *c->files);
    for (size_t i = 0; i < n; i++)
        dir_file_copy(&c->files[i], &files[i]);
    c->n_files = n;
    return h_submit(h, c);
}

struct resubmit_seen {
    int progress; /* RESUBMIT_PROGRESS messages */
    bool phases[NET_RESUBMIT_DONE + 1];
    size_t last_done, last_total;
};

/* The RESUBMITTED of req (progress messages counted on the way). */
static struct net_msg *h_resubmitted(struct h *h, uint64_t req, struct resubmit_seen *seen,
                                     int timeout_ms)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;
    for (;;) {
        struct want w = {NET_MSG_RESUBMIT_PROGRESS, req, NULL};
        struct net_msg *m;
        while ((m = h_wait(h, match_want, &w, 0)) != NULL) {
            seen->progress++;
            seen->phases[m->resubmit_phase] = true;
            ck_assert_uint_le(m->progress_done, m->progress_total);
            seen->last_done = m->progress_done;
            seen->last_total = m->progress_total;
            net_msg_free(m);
        }
        struct want end = {NET_MSG_RESUBMITTED, req, NULL};
        m = h_wait(h, match_want, &end, 0);
        if (m != NULL)
            return m;
        ck_assert_msg(clock_mono_ms() < deadline, "no RESUBMITTED within %d ms", timeout_ms);
        h_pump(h, 200);
    }
}

/* How many items the list at path (with a '?') holds, every page; *id (when asked) gets the
 * first one's ID or NULL. Faults must be off. */
static size_t count_items(struct h *h, char *path, char **id)
{
    struct json_object *items = sim_items(h, path);
    free(path);
    size_t n = json_object_array_length(items);
    if (id != NULL)
        *id = n > 0 ? xstrdup(jstr(json_object_array_get_idx(items, 0), "id")) : NULL;
    json_object_put(items);
    return n;
}

/* The directories called name. */
static size_t count_dirs(struct h *h, const char *name, char **id)
{
    char *esc = url_escape(name);
    char *path = xasprintf("/api/v1/beta/directories?name=%s", esc);
    free(esc);
    return count_items(h, path, id);
}

/* The batches over directory dir. */
static size_t count_batches(struct h *h, const char *dir, char **id)
{
    return count_items(h, xasprintf("/api/v2/batches?source_directory_id=%s", dir), id);
}

/* The new directory holds exactly want's file_ids, each once. */
static void check_entries(struct h *h, const char *dir, const struct dir_file *want, size_t n)
{
    size_t got_n;
    struct dir_file *got = sim_dir_files(h, dir, &got_n);
    ck_assert_uint_eq(got_n, n);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < got_n; j++)
            k += strcmp(got[j].file_id, want[i].file_id) == 0;
        ck_assert_msg(k == 1, "file %s is in the new directory %zu times", want[i].file_id, k);
    }
    dir_files_free(got, got_n);
}

/* Wait for the batch to end COMPLETED (faults off). */
static void wait_completed(struct h *h, const char *id)
{
    int64_t deadline = clock_mono_ms() + 30000;
    char *path = xasprintf("/api/v2/batches/%s", id);
    for (;;) {
        struct json_object *b = sim_get(h, path);
        char *st = xstrdup(jstr(b, "status"));
        json_object_put(b);
        bool done = strcmp(st, "COMPLETED") == 0;
        ck_assert_msg(done || (strcmp(st, "FAILED") != 0 && strcmp(st, "CANCELLED") != 0),
                      "the resubmitted batch ended %s", st);
        free(st);
        if (done)
            break;
        ck_assert_msg(clock_mono_ms() < deadline, "the resubmitted batch never completed");
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    free(path);
}

START_TEST(resubmit_once)
{
    struct h h;
    const char *args[] = {"--seed", "21", "--speed", "20", "--batches", "0", NULL};
    struct net_msg *dirs = h_open(&h, args);
    size_t n_all;
    struct dir_file *all = sim_dir_files(&h, small_dir(dirs), &n_all);
    ck_assert_uint_ge(n_all, 14);
    struct dir_file pick[7];
    for (size_t i = 0; i < 7; i++)
        pick[i] = all[i * 2];
    const char *name = "Invoices 2024 retry 2026-12-04";
    struct resubmit_seen seen = {0};
    uint64_t req = h_resubmit(&h, "bat-original", name, pick, 7);
    struct net_msg *m = h_resubmitted(&h, req, &seen, 30000);
    ck_assert_msg(m->ok, "%s", m->error.message);
    ck_assert(!m->already_finished);
    ck_assert_str_eq(m->id, "bat-original");
    ck_assert_uint_eq(m->n_batches, 1);
    ck_assert_uint_eq(m->n_directories, 1);
    ck_assert_str_eq(m->directories[0].name, name);
    ck_assert_str_eq(m->batches[0].source_directory_id, m->directories[0].id);
    ck_assert(seen.phases[NET_RESUBMIT_FIND_DIR] && seen.phases[NET_RESUBMIT_CREATE_DIR] &&
              seen.phases[NET_RESUBMIT_ADD_FILES] && seen.phases[NET_RESUBMIT_CREATE_BATCH]);
    ck_assert_uint_eq(seen.last_done, 7);
    ck_assert_uint_eq(seen.last_total, 7);
    char *bat = xstrdup(m->batches[0].id);
    net_msg_free(m);
    /* through the API: one directory, exactly those files, one batch that completes */
    char *dir = NULL, *found = NULL;
    ck_assert_uint_eq(count_dirs(&h, name, &dir), 1);
    check_entries(&h, dir, pick, 7);
    ck_assert_uint_eq(count_batches(&h, dir, &found), 1);
    ck_assert_str_eq(found, bat);
    wait_completed(&h, bat);

    /* the same resubmit again: nothing new, the batch found */
    memset(&seen, 0, sizeof seen);
    long posts = simproc_count(&h.sp, "POST ");
    req = h_resubmit(&h, "bat-original", name, pick, 7);
    m = h_resubmitted(&h, req, &seen, 30000);
    ck_assert_msg(m->ok, "%s", m->error.message);
    ck_assert(m->already_finished);
    ck_assert_str_eq(m->batches[0].id, bat);
    net_msg_free(m);
    ck_assert_int_eq(simproc_count(&h.sp, "POST "), posts);
    ck_assert_uint_eq(count_dirs(&h, name, NULL), 1);
    check_entries(&h, dir, pick, 7);
    ck_assert_uint_eq(count_batches(&h, dir, NULL), 1);

    /* an interrupted one: the directory holds 2 of 5 files already; 3 are added */
    const char *name2 = "half done";
    long status = 0;
    char *body = NULL, *made = NULL;
    ck_assert_int_eq(simproc_http(&h.sp, "POST", "/api/v1/beta/directories",
                                  "{\"name\":\"half done\"}", &status, &body),
                     0);
    ck_assert_int_eq(status, 201);
    free(body);
    ck_assert_uint_eq(count_dirs(&h, name2, &made), 1);
    for (size_t i = 0; i < 2; i++) {
        char *path = xasprintf("/api/v1/beta/directories/%s/files", made);
        char *add = xasprintf("{\"file_id\":\"%s\"}", all[1 + i].file_id);
        ck_assert_int_eq(simproc_http(&h.sp, "POST", path, add, &status, &body), 0);
        ck_assert_int_eq(status, 201);
        free(body);
        free(path);
        free(add);
    }
    posts = simproc_count(&h.sp, "POST /api/v1/beta/directories/");
    long made_dirs = simproc_count(&h.sp, "POST /api/v1/beta/directories?");
    made_dirs += simproc_count(&h.sp, "POST /api/v1/beta/directories ");
    req = h_resubmit(&h, "bat-original", name2, all + 1, 5);
    m = h_resubmitted(&h, req, &seen, 30000);
    ck_assert_msg(m->ok && !m->already_finished, "%s", m->error.message);
    net_msg_free(m);
    ck_assert_int_eq(simproc_count(&h.sp, "POST /api/v1/beta/directories/"), posts + 3);
    /* found by name, not made again */
    ck_assert_int_eq(simproc_count(&h.sp, "POST /api/v1/beta/directories?") +
                         simproc_count(&h.sp, "POST /api/v1/beta/directories "),
                     made_dirs);
    check_entries(&h, made, all + 1, 5);
    ck_assert_uint_eq(count_batches(&h, made, NULL), 1);

    /* refused: an unknown file; the line names the step, never the key */
    struct dir_file bad = {0};
    bad.file_id = (char *)"no-such-file";
    bad.display_name = (char *)"ghost.pdf";
    req = h_resubmit(&h, "bat-original", "with a ghost", &bad, 1);
    m = h_resubmitted(&h, req, &seen, 30000);
    ck_assert(!m->ok);
    ck_assert_msg(strncmp(m->error.message, "resubmit: adding files: ", 24) == 0 &&
                      strstr(m->error.message, "404") != NULL &&
                      strstr(m->error.message, "ghost.pdf") != NULL,
                  "%s", m->error.message);
    ck_assert_int_eq(m->resubmit_phase, NET_RESUBMIT_ADD_FILES);
    net_msg_free(m);
    /* and a name already used by a directory of other files (and no batch) */
    ck_assert_int_eq(simproc_http(&h.sp, "POST", "/api/v1/beta/directories",
                                  "{\"name\":\"other files\"}", &status, &body),
                     0);
    ck_assert_int_eq(status, 201);
    free(body);
    char *other = NULL;
    ck_assert_uint_eq(count_dirs(&h, "other files", &other), 1);
    char *path = xasprintf("/api/v1/beta/directories/%s/files", other);
    char *add = xasprintf("{\"file_id\":\"%s\"}", all[13].file_id);
    ck_assert_int_eq(simproc_http(&h.sp, "POST", path, add, &status, &body), 0);
    ck_assert_int_eq(status, 201);
    free(body);
    free(path);
    free(add);
    free(other);
    req = h_resubmit(&h, "bat-original", "other files", pick, 1);
    m = h_resubmitted(&h, req, &seen, 30000);
    ck_assert(!m->ok && m->n_batches == 0);
    ck_assert_msg(strstr(m->error.message, "1 other file;") != NULL, "%s", m->error.message);
    net_msg_free(m);

    free(made);
    free(found);
    free(dir);
    free(bat);
    dir_files_free(all, n_all);
    net_msg_free(dirs);
    h_done(&h);
}
END_TEST

/* Under 5xx, ambiguous creates and dropped connections: one directory, one entry per file, one
 * batch, however often the operator has to try again. */
START_TEST(resubmit_under_faults)
{
    struct h h;
    const char *args[] = {"--seed",      "23",           "--speed",
                          "20",          "--batches",    "0",
                          "--fail-rate", "0.3",          "--ambiguous-create-rate",
                          "0.3",         "--reset-rate", "0.05",
                          NULL};
    struct net_msg *dirs = h_open(&h, args);
    char *src = xstrdup(small_dir(dirs));
    net_msg_free(dirs);
    /* the file list, read with the faults off for a moment */
    long status = 0;
    char *body = NULL;
    ck_assert_int_eq(simproc_http(&h.sp, "POST", "/_sim/faults/off", NULL, &status, &body), 0);
    free(body);
    size_t n_all;
    struct dir_file *all = sim_dir_files(&h, src, &n_all);
    h_done(&h);

    /* the same world again (same seed), faults on from the start */
    h_sim(&h, args);
    h_net(&h, 60000);
    const char *name = "Invoices 2024 retry under faults";
    size_t n = n_all < 12 ? n_all : 12;
    int tries = 0, unknown = 0;
    char *bat = NULL;
    while (bat == NULL) {
        ck_assert_msg(++tries <= 15, "still not resubmitted after %d tries", tries - 1);
        struct resubmit_seen seen = {0};
        uint64_t req = h_resubmit(&h, "bat-original", name, all, n);
        struct net_msg *m = h_resubmitted(&h, req, &seen, 60000);
        if (m->ok) {
            bat = xstrdup(m->batches[0].id);
        } else {
            /* an operator tries again; nothing says twice */
            unknown += m->create_outcome == NET_CREATE_UNKNOWN;
            fprintf(stderr, "resubmit try %d: %s\n", tries, m->error.message);
        }
        net_msg_free(m);
    }
    ck_assert_int_eq(simproc_http(&h.sp, "POST", "/_sim/faults/off", NULL, &status, &body), 0);
    free(body);
    char *dir = NULL, *found = NULL;
    ck_assert_uint_eq(count_dirs(&h, name, &dir), 1);
    check_entries(&h, dir, all, n);
    ck_assert_uint_eq(count_batches(&h, dir, &found), 1);
    ck_assert_str_eq(found, bat);
    long posts = simproc_count(&h.sp, "POST /api/v1/beta/directories");
    long amb = simproc_count(&h.sp, "POST /api/v1/beta/directories/");
    fprintf(stderr,
            "resubmit under faults: %d tries, %ld directory/file POSTs (%ld adds), %d "
            "unknown batch creates\n",
            tries, posts, amb, unknown);
    ck_assert_int_gt(simproc_count(&h.sp, "/files 50"), 0); /* the faults really happened */
    wait_completed(&h, bat);
    free(found);
    free(dir);
    free(bat);
    free(src);
    dir_files_free(all, n_all);
    h_done(&h);
}
END_TEST

/* Every create answered 500 after it was made: each is looked up, none is ever sent twice. */
START_TEST(resubmit_every_answer_lost)
{
    struct h h;
    const char *args[] = {
        "--seed", "27", "--speed", "20", "--batches", "0", "--ambiguous-create-rate", "1", NULL};
    struct net_msg *dirs = h_open(&h, args);
    size_t n_all;
    struct dir_file *all = sim_dir_files(&h, small_dir(dirs), &n_all);
    ck_assert_uint_ge(n_all, 9);
    struct resubmit_seen seen = {0};
    uint64_t req = h_resubmit(&h, "bat-original", "all lost", all, 9);
    struct net_msg *m = h_resubmitted(&h, req, &seen, 30000);
    ck_assert_msg(m->ok, "%s", m->error.message);
    char *bat = xstrdup(m->batches[0].id);
    net_msg_free(m);
    char *dir = NULL, *found = NULL;
    ck_assert_uint_eq(count_dirs(&h, "all lost", &dir), 1);
    check_entries(&h, dir, all, 9);
    ck_assert_uint_eq(count_batches(&h, dir, &found), 1);
    ck_assert_str_eq(found, bat);
    /* one POST each: the directory, nine files, the batch; every one answered 500 */
    ck_assert_int_eq(simproc_count(&h.sp, "POST /api/v1/beta/directories 500"), 1);
    ck_assert_int_eq(simproc_count(&h.sp, "POST /api/v1/beta/directories?"), 0);
    ck_assert_int_eq(simproc_count(&h.sp, "/files 500"), 9);
    ck_assert_int_eq(simproc_count(&h.sp, "/files 2"), 0);
    ck_assert_int_eq(simproc_count(&h.sp, "POST /api/v2/batches 500"), 1);
    ck_assert_int_eq(simproc_count(&h.sp, "POST /api/v2/batches 2"), 0);
    free(found);
    free(dir);
    free(bat);
    dir_files_free(all, n_all);
    net_msg_free(dirs);
    h_done(&h);
}
END_TEST

/* 1,000 files: added 4 at a time, the progress coalesced to a few messages a second. */
START_TEST(resubmit_thousand)
{
    struct h h;
    const char *args[] = {"--seed", "25", "--speed", "20", "--batches", "0", NULL};
    struct net_msg *dirs = h_open(&h, args);
    size_t n;
    struct dir_file *all = sim_dir_files(&h, dir_named(dirs, "thousand"), &n);
    ck_assert_uint_eq(n, 1000);
    struct resubmit_seen seen = {0};
    int64_t t0 = clock_mono_ms();
    uint64_t req = h_resubmit(&h, "bat-thousand", "thousand retry", all, n);
    struct net_msg *m = h_resubmitted(&h, req, &seen, 90000);
    int64_t took = clock_mono_ms() - t0;
    ck_assert_msg(m->ok, "%s", m->error.message);
    fprintf(stderr, "resubmit of 1,000 files: %lld ms, %d progress messages\n", (long long)took,
            seen.progress);
    /* phase changes plus at most ~10 a second */
    ck_assert_int_le(seen.progress, 8 + (int)(took / 100) + 1);
    ck_assert_int_lt(seen.progress, 1000);
    ck_assert_uint_eq(seen.last_done, 1000);
    char *dir = NULL;
    ck_assert_uint_eq(count_dirs(&h, "thousand retry", &dir), 1);
    check_entries(&h, dir, all, n);
    ck_assert_uint_eq(count_batches(&h, dir, NULL), 1);
    /* 1,000 adds, each answered 201 once: none sent twice */
    ck_assert_int_eq(simproc_count(&h.sp, "/files 201"), 1000);
    net_msg_free(m);
    free(dir);
    dir_files_free(all, n);
    net_msg_free(dirs);
    h_done(&h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("net-live");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"pagination", list_pagination},
        {"page-size-422", page_size_refused},
        {"create", create_watch_cancel_output},
        {"thousand", open_thousand},
        {"busy-ui", busy_ui_jobs_merged},
        {"5xx", fault_5xx},
        {"429", fault_429},
        {"reset", fault_reset_and_garbled},
        {"garbled-pages", list_pages_garbled},
        {"creates", creates_never_duplicated},
        {"delta", delta_ten_thousand},
        {"quit", quit_under_latency},
        {"auth", unauthorized_and_no_key_leak},
        {"hostile", hostile_strings},
        {"parallel-list", parallel_list_is_the_sequential_list},
        {"parallel-resume", parallel_list_resumes},
        {"streamed-list", streamed_list_once_each},
        {"resubmit", resubmit_once},
        {"resubmit-faults", resubmit_under_faults},
        {"resubmit-thousand", resubmit_thousand},
        {"resubmit-lost", resubmit_every_answer_lost},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *t = tcase_create(cases[i].name);
        tcase_set_timeout(t, 120);
        tcase_add_test(t, cases[i].test);
        suite_add_tcase(s, t);
    }
    return s;
}

int main(void)
{
    if (getenv("BATCHTOP_SIM") == NULL) {
        fputs("BATCHTOP_SIM is not set; run through make check\n", stderr);
        return 77;
    }
    atexit(stop_live_sim);
    /* The fault cases need retries to happen, not to take the real 0.5-8 s each: 50-800 ms keep
     * the order and the give-up after 3 (a server's Retry-After, as in the 429 case, is kept). */
    retry_scale_for_tests(0.1);
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
