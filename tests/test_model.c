/* test_model.c -- Check unit tests for model/: clock, objects, store, list view and detail. */
#include "config.h"

#include <check.h>
#include <unistd.h>
#include <stdint.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/clock.h"
#include "model/counts.h"
#include "model/detail.h"
#include "model/objects.h"
#include "model/status.h"
#include "model/store.h"
#include "model/strmap.h"
#include "model/view.h"
#include "model/xalloc.h"

/* 2026-11-28T18:11:19.117Z */
#define T_REF 1795889479117LL

/* ---- fixtures ---- */

static int64_t pinned_now;

static int64_t fake_now(void)
{
    return pinned_now;
}

static void pin_clock(void)
{
    pinned_now = T_REF;
    clock_set_hook(fake_now);
}

static void unpin_clock(void)
{
    clock_set_hook(NULL);
}

/* A batch as a decoder would fill it: heap strings, status text as on the wire. Free with
 * batch_done. created is a server time text (NULL allowed). */
static struct batch mk_batch(const char *id, const char *status, const char *created)
{
    struct batch b;
    memset(&b, 0, sizeof b);
    b.id = xstrdup(id);
    b.project_id = xstrdup("prj-1");
    b.source_directory_id = xstrdup("dir-a");
    b.job_type = JOB_TYPE_PARSE;
    b.job_type_text = xstrdup("parse_v2");
    b.configuration_id = xstrdup("cfg-PARSE_AGENTIC");
    b.status = batch_status_parse(status);
    b.status_text = xstrdup(status);
    b.created_at = xstrdup(created);
    b.created_ms = -1;
    b.updated_at = xstrdup(created);
    b.updated_ms = -1;
    return b;
}

/* Upsert one batch made by mk_batch and free the temporary. */
static bool put(struct batch_store *s, const char *id, const char *status, const char *created)
{
    struct batch b = mk_batch(id, status, created);
    bool changed = store_upsert(s, &b);
    batch_done(&b);
    return changed;
}

/* An ISO time `sec` seconds after 2026-01-01T00:00:00Z (into a static ring of buffers). */
static const char *iso_at(long sec)
{
    static char bufs[8][32];
    static int next;
    char *buf = bufs[next++ % 8];
    clock_format_iso8601(1767225600000LL + (int64_t)sec * 1000, buf, 32);
    return buf;
}

/* The IDs of the view's rows, joined by spaces, into buf. */
static const char *view_ids(const struct list_view *v, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t at = 0;
    for (size_t i = 0; i < list_view_count(v); i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "",
                               list_view_row(v, i)->batch.id);
    return buf;
}

/* ================================ clock ================================ */

START_TEST(clock_parse_reference_forms)
{
    int64_t ms = 0;
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19.117Z", &ms));
    ck_assert_int_eq(ms, T_REF);
    ck_assert(clock_parse_iso8601("2026-11-28 18:11:19.117Z", &ms));
    ck_assert_int_eq(ms, T_REF);
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19Z", &ms));
    ck_assert_int_eq(ms, T_REF - 117);
    /* Microseconds (Python's isoformat) are truncated to ms; one digit is tenths. */
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19.117999Z", &ms));
    ck_assert_int_eq(ms, T_REF);
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19.5Z", &ms));
    ck_assert_int_eq(ms, T_REF - 117 + 500);
    /* Offsets: the same instant written in other zones. */
    ck_assert(clock_parse_iso8601("2026-11-28T20:11:19.117+02:00", &ms));
    ck_assert_int_eq(ms, T_REF);
    ck_assert(clock_parse_iso8601("2026-11-28T12:41:19.117-05:30", &ms));
    ck_assert_int_eq(ms, T_REF);
    ck_assert(clock_parse_iso8601("2026-11-29T00:11:19.117+0600", &ms));
    ck_assert_int_eq(ms, T_REF);
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19.117+00:00", &ms));
    ck_assert_int_eq(ms, T_REF);
    /* No zone at all is read as UTC. */
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19.117", &ms));
    ck_assert_int_eq(ms, T_REF);
    /* Leap days. */
    ck_assert(clock_parse_iso8601("2024-02-29T00:00:00Z", &ms));
    ck_assert_int_eq(ms, 1709164800000LL);
    ck_assert(clock_parse_iso8601("2000-02-29T12:00:00Z", &ms));
    ck_assert_int_eq(ms, 951825600000LL);
    ck_assert(clock_parse_iso8601("1970-01-01T00:00:00Z", &ms));
    ck_assert_int_eq(ms, 0);
}
END_TEST

START_TEST(clock_parse_rejects_garbage)
{
    static const char *const bad[] = {
        "",
        "garbage",
        "2026-11-28",
        "2026-11-28T",
        "2026-11-28T18:11",
        "2026-11-28T18:11:19.Z",
        "2026-11-28T18:11:19Zjunk",
        "2026-11-28T18:11:19.117Z ",
        " 2026-11-28T18:11:19Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2026-11-28T24:00:00Z",
        "2026-11-28T18:60:00Z",
        "2026-11-28T18:11:61Z",
        "2026-11-28X18:11:19Z",
        "2026-1-28T18:11:19Z",
        "26-11-28T18:11:19Z",
        "2026-11-28T18:11:19+25:00",
        "2026-11-28T18:11:19+02:60",
        "2026-11-28T18:11:19+2",
        "2026-11-28T18:11:19+02:0",
        "2026-11-28T18:11:19.117ZZ",
        "2026-11-28T1a:11:19Z",
        "2026/11/28T18:11:19Z",
        "\xff\xfe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;
        ck_assert_msg(!clock_parse_iso8601(bad[i], &ms), "accepted \"%s\"", bad[i]);
        ck_assert_msg(ms == 42, "changed *ms on \"%s\"", bad[i]);
    }
    int64_t ms = 42;
    ck_assert(!clock_parse_iso8601(NULL, &ms));
    ck_assert_int_eq(ms, 42);
}
END_TEST

START_TEST(clock_parse_ignores_process_timezone)
{
    const char *old = getenv("TZ");
    char *saved = xstrdup(old);
    setenv("TZ", "XST-9:30", 1); /* POSIX zone, no tzdata needed */
    tzset();
    int64_t ms = 0;
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19.117Z", &ms));
    ck_assert_int_eq(ms, T_REF);
    ck_assert(clock_parse_iso8601("2026-11-28T18:11:19.117", &ms));
    ck_assert_int_eq(ms, T_REF);
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}
END_TEST

START_TEST(clock_format_iso_round_trip)
{
    char buf[32];
    clock_format_iso8601(T_REF, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-28T18:11:19.117Z");
    clock_format_iso8601(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
    clock_format_iso8601(-1, buf, sizeof buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59.999Z");
    clock_format_iso8601(1709164800000LL + 86399999, buf, sizeof buf);
    ck_assert_str_eq(buf, "2024-02-29T23:59:59.999Z");
    /* Every formatted instant parses back to itself (spans leap years and month ends). */
    for (int64_t ms = 0; ms < 4102444800000LL; ms += 7919LL * 3600 * 1000 + 12345) {
        int64_t back = -7;
        clock_format_iso8601(ms, buf, sizeof buf);
        ck_assert_msg(clock_parse_iso8601(buf, &back), "cannot parse %s", buf);
        ck_assert_msg(back == ms, "%s came back as %lld, not %lld", buf, (long long)back,
                      (long long)ms);
    }
    /* A short buffer is still terminated. */
    char small[5];
    clock_format_iso8601(T_REF, small, sizeof small);
    ck_assert_str_eq(small, "2026");
}
END_TEST

START_TEST(clock_format_hms_uses_local_time)
{
    const char *old = getenv("TZ");
    char *saved = xstrdup(old);
    char buf[16];
    setenv("TZ", "UTC0", 1);
    tzset();
    clock_format_hms(T_REF, buf, sizeof buf);
    ck_assert_str_eq(buf, "18:11:19");
    setenv("TZ", "IST-5:30", 1);
    tzset();
    clock_format_hms(T_REF, buf, sizeof buf);
    ck_assert_str_eq(buf, "23:41:19");
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}
END_TEST

START_TEST(clock_format_age_short_units)
{
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {0, "0s"},        {999, "0s"},
        {4999, "4s"},     {59999, "59s"},
        {60000, "1m"},    {3599999, "59m"},
        {3600000, "1h"},  {86399999, "23h"},
        {86400000, "1d"}, {5 * 86400000LL, "5d"},
        {-5000, "0s"},    {INT64_MAX, "999999d"},
    };
    char buf[8];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clock_format_age(cases[i].ms, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].want);
    }
}
END_TEST

START_TEST(clock_hook_pins_now)
{
    pinned_now = 123456789;
    clock_set_hook(fake_now);
    ck_assert_int_eq(clock_now_ms(), 123456789);
    pinned_now += 5000;
    ck_assert_int_eq(clock_now_ms(), 123461789);
    clock_set_hook(NULL);
    int64_t real = (int64_t)time(NULL) * 1000;
    int64_t now = clock_now_ms();
    ck_assert(now > real - 5000 && now < real + 5000);
    int64_t m1 = clock_mono_ms();
    int64_t m2 = clock_mono_ms();
    ck_assert(m2 >= m1);
}
END_TEST

/* ================================ status and objects ================================ */

START_TEST(status_names_and_unknown_text)
{
    ck_assert_int_eq(batch_status_parse("RUNNING"), BATCH_RUNNING);
    ck_assert_int_eq(batch_status_parse("running"), BATCH_UNKNOWN);
    ck_assert_int_eq(batch_status_parse("PAUSED"), BATCH_UNKNOWN);
    ck_assert_int_eq(batch_status_parse(NULL), BATCH_UNKNOWN);
    ck_assert_str_eq(batch_status_name(BATCH_THROTTLED), "THROTTLED");
    ck_assert(batch_status_is_terminal(BATCH_CANCELLED));
    ck_assert(!batch_status_is_terminal(BATCH_UNKNOWN));
    ck_assert_int_eq(job_status_parse("FAILED"), JOB_FAILED);
    ck_assert_int_eq(job_status_parse("QUEUED"), JOB_UNKNOWN);
    /* An extract job may be THROTTLED: shown as such, not as UNKNOWN, and not finished. */
    ck_assert_int_eq(job_status_parse("THROTTLED"), JOB_THROTTLED);
    ck_assert_str_eq(job_status_name(JOB_THROTTLED), "THROTTLED");
    ck_assert(!job_status_is_terminal(JOB_THROTTLED));
    ck_assert_int_eq(job_type_parse("extract_v2"), JOB_TYPE_EXTRACT);
    ck_assert_int_eq(job_type_parse("classify_v2"), JOB_TYPE_UNKNOWN);

    /* The user sees the text the server sent, not "UNKNOWN". */
    struct batch b = mk_batch("bat-1", "PAUSED", NULL);
    ck_assert_int_eq(b.status, BATCH_UNKNOWN);
    ck_assert_str_eq(batch_status_text(&b), "PAUSED");
    free(b.status_text);
    b.status_text = NULL;
    ck_assert_str_eq(batch_status_text(&b), "UNKNOWN");
    b.status = BATCH_RUNNING;
    ck_assert_str_eq(batch_status_text(&b), "RUNNING");
    batch_done(&b);
}
END_TEST

START_TEST(objects_deep_copy)
{
    struct batch b = mk_batch("bat-1", "RUNNING", "2026-11-28T18:11:19.117Z");
    b.created_ms = T_REF;
    b.has_results = true;
    b.n_results = 2;
    b.results = xcalloc(2, sizeof *b.results);
    b.results[0].file_id = xstrdup("dfl-1");
    b.results[0].job_id = xstrdup("pjb-1");
    b.results[0].job_type = JOB_TYPE_PARSE;
    b.results[0].job_type_text = xstrdup("parse_v2");
    b.results[1].file_id = xstrdup("dfl-2");
    b.results[1].error_message = xstrdup("unsupported file");

    struct batch c;
    batch_copy(&c, &b);
    struct batch w;
    batch_copy_without_results(&w, &b);
    xstrset(&b.id, "bat-changed");
    xstrset(&b.results[1].error_message, "changed");
    ck_assert_str_eq(c.id, "bat-1");
    ck_assert_int_eq(c.created_ms, T_REF);
    ck_assert(c.has_results);
    ck_assert_uint_eq(c.n_results, 2);
    ck_assert_str_eq(c.results[0].job_id, "pjb-1");
    ck_assert_ptr_null(c.results[1].job_id);
    ck_assert_str_eq(c.results[1].error_message, "unsupported file");
    ck_assert(!w.has_results);
    ck_assert_uint_eq(w.n_results, 0);
    ck_assert_ptr_null(w.results);
    ck_assert_str_eq(w.status_text, "RUNNING");
    batch_done(&b);
    batch_done(&c);
    batch_done(&c); /* twice is harmless */
    batch_done(&w);
    ck_assert_ptr_null(c.id);

    /* An empty (not null) results array stays "known". */
    struct batch e = mk_batch("bat-2", "COMPLETED", NULL);
    e.has_results = true;
    batch_copy(&c, &e);
    ck_assert(c.has_results);
    ck_assert_uint_eq(c.n_results, 0);
    batch_done(&c);
    batch_done(&e);

    struct job j = {.id = xstrdup("pjb-1"),
                    .type = JOB_TYPE_PARSE,
                    .status = JOB_FAILED,
                    .status_text = xstrdup("FAILED"),
                    .error_message = xstrdup("boom"),
                    .name = xstrdup("a.pdf"),
                    .tier = xstrdup("agentic"),
                    .created_at = xstrdup("x"),
                    .created_ms = 5,
                    .updated_at = NULL,
                    .updated_ms = -1};
    struct job jc;
    job_copy(&jc, &j);
    job_done(&j);
    ck_assert_str_eq(jc.error_message, "boom");
    ck_assert_str_eq(jc.tier, "agentic");
    ck_assert_ptr_null(jc.updated_at);
    ck_assert_int_eq(jc.status, JOB_FAILED);
    job_done(&jc);
    job_done(&jc);

    struct directory d = {
        .id = xstrdup("dir-1"), .name = xstrdup("Invoices"), .type = xstrdup("user")};
    struct directory dc;
    directory_copy(&dc, &d);
    directory_done(&d);
    ck_assert_str_eq(dc.name, "Invoices");
    ck_assert_ptr_null(dc.description);
    directory_done(&dc);

    struct dir_file f = {.id = xstrdup("dfl-1"),
                         .display_name = xstrdup("a.pdf"),
                         .directory_id = xstrdup("dir-1")};
    struct dir_file fc;
    dir_file_copy(&fc, &f);
    dir_file_done(&f);
    ck_assert_str_eq(fc.display_name, "a.pdf");
    dir_file_done(&fc);

    struct config g = {.id = xstrdup("cfg-1"),
                       .name = xstrdup("fast"),
                       .product_type = xstrdup("parse_v2"),
                       .tier = xstrdup("fast")};
    struct config gc;
    config_copy(&gc, &g);
    config_done(&g);
    ck_assert_str_eq(gc.product_type, "parse_v2");
    config_done(&gc);

    struct job_output o = {.job_id = xstrdup("pjb-1"), .markdown = xstrdup("# hi")};
    job_output_done(&o);
    job_output_done(&o);
    ck_assert_ptr_null(o.markdown);
}
END_TEST

/* ================================ store ================================ */

START_TEST(store_upsert_and_find)
{
    pin_clock();
    struct batch_store *s = store_new();
    ck_assert_uint_eq(store_count(s), 0);
    ck_assert_ptr_null(store_find(s, "bat-1"));
    ck_assert_ptr_null(store_newest_created_at(s));
    uint64_t v0 = store_version(s);

    ck_assert(put(s, "bat-1", "PENDING", "2026-11-28T18:11:19.117Z"));
    ck_assert(store_version(s) != v0);
    const struct store_entry *e = store_find(s, "bat-1");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->batch.id, "bat-1");
    ck_assert_str_eq(batch_status_text(&e->batch), "PENDING");
    /* The store parses the server's times itself. */
    ck_assert_int_eq(e->batch.created_ms, T_REF);
    ck_assert_int_eq(e->files_total, -1);
    ck_assert_ptr_null(e->directory_name);
    ck_assert_uint_eq(e->n_history, 1);
    ck_assert_int_eq(e->history[0].from, BATCH_UNKNOWN);
    ck_assert_int_eq(e->history[0].to, BATCH_PENDING);
    ck_assert_str_eq(e->history[0].to_text, "PENDING");
    ck_assert_int_eq(e->history[0].seen_ms, T_REF);

    /* The same answer again changes nothing, not even the version. */
    uint64_t v1 = store_version(s);
    ck_assert(!put(s, "bat-1", "PENDING", "2026-11-28T18:11:19.117Z"));
    ck_assert(store_version(s) == v1);
    ck_assert_uint_eq(store_find(s, "bat-1")->n_history, 1);

    /* A list answer never puts results in the store. */
    struct batch b = mk_batch("bat-1", "PENDING", "2026-11-28T18:11:19.117Z");
    xstrset(&b.updated_at, "2026-11-28T18:12:00Z");
    b.has_results = true;
    b.n_results = 1;
    b.results = xcalloc(1, sizeof *b.results);
    b.results[0].file_id = xstrdup("dfl-1");
    ck_assert(store_upsert(s, &b));
    batch_done(&b);
    e = store_find(s, "bat-1");
    ck_assert(!e->batch.has_results);
    ck_assert_uint_eq(e->batch.n_results, 0);
    ck_assert_str_eq(e->batch.updated_at, "2026-11-28T18:12:00Z");
    ck_assert_int_eq(e->batch.updated_ms, T_REF - 19117 + 60000);
    ck_assert_uint_eq(e->n_history, 1); /* updated_at is not a status change */

    /* A batch without an ID is refused. */
    struct batch nid = mk_batch("x", "PENDING", NULL);
    free(nid.id);
    nid.id = NULL;
    ck_assert(!store_upsert(s, &nid));
    batch_done(&nid);
    ck_assert_uint_eq(store_count(s), 1);
    store_free(s);
    unpin_clock();
}
END_TEST

START_TEST(store_ignores_an_answer_older_than_what_it_has)
{
    pin_clock();
    struct batch_store *s = store_new();
    put(s, "bat-1", "RUNNING", "2026-11-28T18:11:19.117Z");
    /* The list refresh saw it finish at 18:12:00 ... */
    struct batch done = mk_batch("bat-1", "COMPLETED", "2026-11-28T18:11:19.117Z");
    xstrset(&done.updated_at, "2026-11-28T18:12:00.000Z");
    ck_assert(store_upsert(s, &done));
    /* ... then a slow get sent before that arrives, still saying RUNNING at 18:11:30. */
    struct batch late = mk_batch("bat-1", "RUNNING", "2026-11-28T18:11:19.117Z");
    xstrset(&late.updated_at, "2026-11-28T18:11:30.000Z");
    ck_assert(!store_upsert(s, &late));
    const struct store_entry *e = store_find(s, "bat-1");
    ck_assert_str_eq(batch_status_text(&e->batch), "COMPLETED");
    ck_assert_uint_eq(e->n_history, 2);
    /* The same through a complete generation (it keeps the batch, at its newer state). */
    store_apply_generation(s, &late, 1);
    ck_assert_str_eq(batch_status_text(&store_find(s, "bat-1")->batch), "COMPLETED");
    /* A newer answer going backwards is still applied and recorded. */
    struct batch back = mk_batch("bat-1", "RUNNING", "2026-11-28T18:11:19.117Z");
    xstrset(&back.updated_at, "2026-11-28T18:13:00.000Z");
    ck_assert(store_upsert(s, &back));
    ck_assert_str_eq(batch_status_text(&store_find(s, "bat-1")->batch), "RUNNING");
    ck_assert_uint_eq(store_find(s, "bat-1")->n_history, 3);
    batch_done(&done);
    batch_done(&late);
    batch_done(&back);
    store_free(s);
    unpin_clock();
}
END_TEST

START_TEST(store_history_records_every_change_even_backwards)
{
    pin_clock();
    struct batch_store *s = store_new();
    const char *t = "2026-11-28T18:11:19.117Z";
    put(s, "bat-1", "PENDING", t);
    pinned_now = T_REF + 1000;
    put(s, "bat-1", "RUNNING", t);
    pinned_now = T_REF + 2000;
    put(s, "bat-1", "RUNNING", t); /* no change: not recorded */
    pinned_now = T_REF + 3000;
    ck_assert(put(s, "bat-1", "PENDING", t)); /* backwards: recorded */
    pinned_now = T_REF + 4000;
    put(s, "bat-1", "PAUSED", t); /* a status the API may add later */
    pinned_now = T_REF + 5000;
    put(s, "bat-1", "WAITING", t); /* UNKNOWN to UNKNOWN, other text */

    const struct store_entry *e = store_find(s, "bat-1");
    ck_assert_uint_eq(e->n_history, 5);
    static const char *const want[] = {"PENDING", "RUNNING", "PENDING", "PAUSED", "WAITING"};
    static const int64_t when[] = {0, 1000, 3000, 4000, 5000};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(e->history[i].to_text, want[i]);
        ck_assert_int_eq(e->history[i].seen_ms, T_REF + when[i]);
    }
    ck_assert_int_eq(e->history[2].from, BATCH_RUNNING);
    ck_assert_int_eq(e->history[2].to, BATCH_PENDING);
    ck_assert_int_eq(e->history[3].to, BATCH_UNKNOWN);
    ck_assert_int_eq(e->history[4].from, BATCH_UNKNOWN);
    ck_assert_str_eq(batch_status_text(&e->batch), "WAITING");
    store_free(s);
    unpin_clock();
}
END_TEST

START_TEST(store_history_is_bounded_but_keeps_first_sighting)
{
    pin_clock();
    struct batch_store *s = store_new();
    put(s, "bat-1", "PENDING", NULL);
    for (int i = 1; i <= STORE_HISTORY_MAX + 10; i++) {
        pinned_now = T_REF + i;
        put(s, "bat-1", i % 2 ? "RUNNING" : "THROTTLED", NULL);
    }
    const struct store_entry *e = store_find(s, "bat-1");
    ck_assert_uint_eq(e->n_history, STORE_HISTORY_MAX);
    ck_assert_str_eq(e->history[0].to_text, "PENDING");
    ck_assert_int_eq(e->history[0].seen_ms, T_REF);
    ck_assert_int_eq(e->history[STORE_HISTORY_MAX - 1].seen_ms, T_REF + STORE_HISTORY_MAX + 10);
    for (size_t i = 2; i < e->n_history; i++)
        ck_assert(e->history[i].seen_ms > e->history[i - 1].seen_ms);
    store_free(s);
    unpin_clock();
}
END_TEST

START_TEST(store_generation_drops_absent_and_upserts_never_drop)
{
    struct batch_store *s = store_new();
    put(s, "bat-1", "RUNNING", iso_at(1));
    put(s, "bat-2", "RUNNING", iso_at(2));
    put(s, "bat-3", "COMPLETED", iso_at(3));

    /* A refresh that failed after its first page: the caller only ever upserts what came
     * (a delta) and never applies a generation, so nothing disappears. */
    struct batch page1[1] = {mk_batch("bat-2", "COMPLETED", iso_at(2))};
    store_upsert(s, &page1[0]);
    ck_assert_uint_eq(store_count(s), 3);
    ck_assert_ptr_nonnull(store_find(s, "bat-1"));
    ck_assert_ptr_nonnull(store_find(s, "bat-3"));
    ck_assert_int_eq(store_find(s, "bat-2")->batch.status, BATCH_COMPLETED);
    batch_done(&page1[0]);

    /* A complete refresh: bat-1 is gone on the server, bat-4 is new, bat-3 appears twice
     * (pages shifted between requests) and is merged by ID. */
    struct batch all[4] = {
        mk_batch("bat-4", "PENDING", iso_at(4)),
        mk_batch("bat-3", "COMPLETED", iso_at(3)),
        mk_batch("bat-2", "COMPLETED", iso_at(2)),
        mk_batch("bat-3", "COMPLETED", iso_at(3)),
    };
    uint64_t v = store_version(s);
    store_apply_generation(s, all, 4);
    ck_assert(store_version(s) != v);
    ck_assert_uint_eq(store_count(s), 3);
    ck_assert_ptr_null(store_find(s, "bat-1"));
    ck_assert_ptr_nonnull(store_find(s, "bat-2"));
    ck_assert_ptr_nonnull(store_find(s, "bat-3"));
    ck_assert_ptr_nonnull(store_find(s, "bat-4"));
    ck_assert_uint_eq(store_find(s, "bat-3")->n_history, 1);
    /* Index and entries agree after the compaction. */
    for (size_t i = 0; i < store_count(s); i++)
        ck_assert_uint_eq(store_index_of(s, store_at(s, i)->batch.id), i);

    /* The same generation again changes nothing. */
    v = store_version(s);
    store_apply_generation(s, all, 4);
    ck_assert(store_version(s) == v);
    for (int i = 0; i < 4; i++)
        batch_done(&all[i]);

    /* A complete refresh that says "no batches" empties the list. */
    store_apply_generation(s, NULL, 0);
    ck_assert_uint_eq(store_count(s), 0);
    ck_assert_ptr_null(store_find(s, "bat-2"));
    store_free(s);
}
END_TEST

/* The take variants leave the store exactly as the copying ones do, move the strings of new
 * and changed batches and free the rest, leaving every batch zeroed. */
START_TEST(store_take_variants_match_copies)
{
    struct batch_store *copy = store_new(), *take = store_new();
    put(copy, "bat-1", "RUNNING", iso_at(1));
    put(take, "bat-1", "RUNNING", iso_at(1));

    struct batch gen[4] = {
        mk_batch("bat-2", "PENDING", iso_at(2)), mk_batch("bat-3", "COMPLETED", iso_at(3)),
        mk_batch("bat-1", "RUNNING", iso_at(1)),   /* unchanged: freed */
        mk_batch("bat-3", "COMPLETED", iso_at(3)), /* a duplicate: unchanged by then */
    };
    /* A list page never has results, but a take must not leak them if it does. */
    gen[1].has_results = true;
    gen[1].n_results = 1;
    gen[1].results = xcalloc(1, sizeof *gen[1].results);
    gen[1].results[0].file_id = xstrdup("dfl-1");
    gen[1].results[0].job_id = xstrdup("pjb-1");
    store_apply_generation(copy, gen, 4);
    char *kept_id = gen[0].id;
    store_apply_generation_take(take, gen, 4);
    ck_assert_ptr_null(gen[0].id);
    ck_assert_ptr_null(gen[1].id);
    ck_assert_ptr_null(gen[1].results);
    for (int i = 0; i < 4; i++) {
        const struct batch zero = {0};
        ck_assert_msg(memcmp(&gen[i], &zero, sizeof zero) == 0, "gen[%d] not zeroed", i);
    }
    /* The strings moved: the store holds the very pointer the message had. */
    ck_assert_ptr_eq(store_find(take, "bat-2")->batch.id, kept_id);
    ck_assert(!store_find(take, "bat-3")->batch.has_results);
    ck_assert_uint_eq(store_find(take, "bat-3")->batch.n_results, 0);
    for (int i = 0; i < 4; i++)
        batch_done(&gen[i]);

    /* A delta through upsert_take: a status change is recorded, a repeat is not. */
    struct batch up = mk_batch("bat-2", "RUNNING", iso_at(2));
    ck_assert(store_upsert(copy, &up));
    uint64_t v = store_version(take);
    ck_assert(store_upsert_take(take, &up));
    ck_assert(store_version(take) != v);
    ck_assert_ptr_null(up.id);
    batch_done(&up);
    up = mk_batch("bat-2", "RUNNING", iso_at(2));
    v = store_version(take);
    ck_assert(!store_upsert_take(take, &up));
    ck_assert(store_version(take) == v);
    ck_assert_ptr_null(up.id); /* freed all the same */
    batch_done(&up);
    ck_assert(!store_upsert_take(take, NULL));

    ck_assert_uint_eq(store_count(take), store_count(copy));
    for (size_t i = 0; i < store_count(copy); i++) {
        const struct store_entry *c = store_at(copy, i);
        const struct store_entry *t = store_find(take, c->batch.id);
        ck_assert_ptr_nonnull(t);
        ck_assert_uint_eq(store_index_of(take, t->batch.id), (size_t)(t - store_at(take, 0)));
        ck_assert_str_eq(t->batch.status_text, c->batch.status_text);
        ck_assert_str_eq(t->batch.project_id, c->batch.project_id);
        ck_assert_int_eq(t->batch.created_ms, c->batch.created_ms);
        ck_assert(t->batch.created_ms > 0);
        ck_assert_uint_eq(t->n_history, c->n_history);
        ck_assert_str_eq(t->history[t->n_history - 1].to_text, c->batch.status_text);
    }
    ck_assert_uint_eq(store_find(take, "bat-2")->n_history, 2);

    /* A generation without bat-3 drops it in both. */
    struct batch two[2] = {mk_batch("bat-1", "COMPLETED", iso_at(1)),
                           mk_batch("bat-2", "RUNNING", iso_at(2))};
    store_apply_generation_take(take, two, 2);
    ck_assert_uint_eq(store_count(take), 2);
    ck_assert_ptr_null(store_find(take, "bat-3"));
    ck_assert_int_eq(store_find(take, "bat-1")->batch.status, BATCH_COMPLETED);
    ck_assert_uint_eq(store_find(take, "bat-1")->n_history, 2);
    for (int i = 0; i < 2; i++)
        batch_done(&two[i]);
    store_free(copy);
    store_free(take);
}
END_TEST

/* A first load of many batches through the take variant (large enough for its pages to be
 * handed back as they are consumed): every one is found by ID, the array reads as zeros. */
START_TEST(store_take_large_generation)
{
    enum { N = 12000 };
    struct batch *gen = xcalloc(N, sizeof *gen);
    for (size_t i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof id, "bat-%05zu", i);
        gen[i] = mk_batch(id, i % 3 ? "COMPLETED" : "RUNNING", iso_at((long)i));
    }
    struct batch_store *s = store_new();
    store_apply_generation_take(s, gen, N);
    ck_assert_uint_eq(store_count(s), N);
    for (size_t i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof id, "bat-%05zu", i);
        const struct store_entry *e = store_find(s, id);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(e->batch.id, id);
        ck_assert_str_eq(e->history[0].to_text, i % 3 ? "COMPLETED" : "RUNNING");
        ck_assert_ptr_null(gen[i].id);
        ck_assert_ptr_null(gen[i].updated_at);
        ck_assert_int_eq(gen[i].created_ms, 0);
        batch_done(&gen[i]);
    }
    /* The same again (every batch unchanged, so each is freed rather than taken). */
    for (size_t i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof id, "bat-%05zu", i);
        gen[i] = mk_batch(id, i % 3 ? "COMPLETED" : "RUNNING", iso_at((long)i));
    }
    uint64_t v = store_version(s);
    store_apply_generation_take(s, gen, N);
    ck_assert(store_version(s) == v);
    ck_assert_uint_eq(store_count(s), N);
    for (size_t i = 0; i < N; i++)
        ck_assert_ptr_null(gen[i].id);
    /* One more arrives after the exact-size first load. */
    struct batch extra = mk_batch("bat-new", "PENDING", iso_at(N));
    ck_assert(store_upsert_take(s, &extra));
    batch_done(&extra);
    ck_assert_uint_eq(store_count(s), N + 1);
    ck_assert_str_eq(store_newest_created_at(s), iso_at(N));
    ck_assert_ptr_nonnull(store_find(s, "bat-00000"));
    free(gen);
    store_free(s);
}
END_TEST

/* Random upserts, removals and generations over a small pool of IDs (a small index, so probe
 * runs collide and wrap around): after every step the store holds exactly the reference set
 * and finds every entry at its index. */
START_TEST(store_index_random_operations)
{
    enum { POOL = 40, STEPS = 6000 };
    bool ref[POOL] = {false};
    struct batch_store *s = store_new();
    unsigned seed = 7;
    char id[32];
    for (int step = 0; step < STEPS; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        int k = (int)(r % POOL);
        snprintf(id, sizeof id, "bat-%d", k * 7919);
        switch ((r >> 8) % 8) {
        case 0:
        case 1:
        case 2:
            put(s, id, (r >> 12) % 2 ? "RUNNING" : "PENDING", iso_at(k));
            ref[k] = true;
            break;
        case 3:
        case 4:
        case 5:
            ck_assert(store_remove(s, id) == ref[k]);
            ref[k] = false;
            break;
        case 6: {
            /* A generation of a random subset, taken or copied. */
            struct batch gen[POOL];
            size_t n = 0;
            for (int j = 0; j < POOL; j++) {
                seed = seed * 1103515245u + 12345u;
                ref[j] = (seed >> 9) % 3 == 0;
                if (ref[j]) {
                    char gid[32];
                    snprintf(gid, sizeof gid, "bat-%d", j * 7919);
                    gen[n++] = mk_batch(gid, "RUNNING", iso_at(j));
                }
            }
            if (r % 2)
                store_apply_generation_take(s, gen, n);
            else
                store_apply_generation(s, gen, n);
            for (size_t j = 0; j < n; j++)
                batch_done(&gen[j]);
            break;
        }
        default: {
            struct batch b = mk_batch(id, "COMPLETED", iso_at(k));
            store_upsert_take(s, &b);
            batch_done(&b);
            ref[k] = true;
            break;
        }
        }
        size_t want = 0;
        for (int j = 0; j < POOL; j++) {
            snprintf(id, sizeof id, "bat-%d", j * 7919);
            const struct store_entry *e = store_find(s, id);
            ck_assert_msg((e != NULL) == ref[j], "step %d: %s", step, id);
            if (e != NULL)
                ck_assert_str_eq(e->batch.id, id);
            want += ref[j];
        }
        ck_assert_uint_eq(store_count(s), want);
        for (size_t i = 0; i < store_count(s); i++)
            ck_assert_uint_eq(store_index_of(s, store_at(s, i)->batch.id), i);
    }
    store_free(s);
}
END_TEST

START_TEST(store_remove_keeps_index_consistent)
{
    struct batch_store *s = store_new();
    char id[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(id, sizeof id, "bat-%05d", i);
        put(s, id, "RUNNING", iso_at(i));
    }
    ck_assert_uint_eq(store_count(s), 10000);
    for (int i = 0; i < 10000; i += 2) {
        snprintf(id, sizeof id, "bat-%05d", i);
        ck_assert(store_remove(s, id));
        ck_assert(!store_remove(s, id));
    }
    ck_assert_uint_eq(store_count(s), 5000);
    for (int i = 0; i < 10000; i++) {
        snprintf(id, sizeof id, "bat-%05d", i);
        const struct store_entry *e = store_find(s, id);
        if (i % 2) {
            ck_assert_ptr_nonnull(e);
            ck_assert_str_eq(e->batch.id, id);
        } else {
            ck_assert_ptr_null(e);
            ck_assert_uint_eq(store_index_of(s, id), (size_t)-1);
        }
    }
    for (size_t i = 0; i < store_count(s); i++)
        ck_assert_uint_eq(store_index_of(s, store_at(s, i)->batch.id), i);
    ck_assert(!store_remove(s, "bat-nope"));
    ck_assert(!store_remove(s, NULL));
    ck_assert_ptr_null(store_find(s, NULL));
    store_free(s);
}
END_TEST

START_TEST(store_annotations)
{
    struct batch_store *s = store_new();
    put(s, "bat-1", "RUNNING", NULL); /* dir-a */
    struct batch b = mk_batch("bat-2", "RUNNING", NULL);
    xstrset(&b.source_directory_id, "dir-b");
    store_upsert(s, &b);
    batch_done(&b);

    uint64_t v = store_version(s);
    store_set_directory_name(s, "dir-a", "Invoices");
    ck_assert(store_version(s) != v);
    ck_assert_str_eq(store_find(s, "bat-1")->directory_name, "Invoices");
    ck_assert_ptr_null(store_find(s, "bat-2")->directory_name);
    /* A batch of that directory that arrives later gets the name too. */
    put(s, "bat-3", "PENDING", NULL);
    ck_assert_str_eq(store_find(s, "bat-3")->directory_name, "Invoices");
    /* The same name again is not a change. */
    v = store_version(s);
    store_set_directory_name(s, "dir-a", "Invoices");
    ck_assert(store_version(s) == v);
    /* A name for a directory without batches yet is remembered. */
    store_set_directory_name(s, "dir-c", "Contracts");
    b = mk_batch("bat-4", "PENDING", NULL);
    xstrset(&b.source_directory_id, "dir-c");
    store_upsert(s, &b);
    batch_done(&b);
    ck_assert_str_eq(store_find(s, "bat-4")->directory_name, "Contracts");
    /* NULL forgets. */
    store_set_directory_name(s, "dir-a", NULL);
    ck_assert_ptr_null(store_find(s, "bat-1")->directory_name);

    v = store_version(s);
    store_set_progress(s, "bat-1", 3, 10);
    ck_assert(store_version(s) != v);
    ck_assert_int_eq(store_find(s, "bat-1")->files_done, 3);
    ck_assert_int_eq(store_find(s, "bat-1")->files_total, 10);
    v = store_version(s);
    store_set_progress(s, "bat-1", 3, 10);
    ck_assert(store_version(s) == v);
    store_set_progress(s, "bat-nope", 1, 1); /* ignored */
    ck_assert_uint_eq(store_count(s), 4);
    store_set_progress(s, "bat-1", 12, 10); /* clamped */
    ck_assert_int_eq(store_find(s, "bat-1")->files_done, 10);
    /* Progress survives a list update of the same batch. */
    put(s, "bat-1", "COMPLETED", NULL);
    ck_assert_int_eq(store_find(s, "bat-1")->files_total, 10);

    /* Resubmit links: both sides, surviving updates; a missing side is skipped. */
    v = store_version(s);
    store_link_resubmit(s, "bat-1", "bat-2");
    ck_assert(store_version(s) != v);
    ck_assert_str_eq(store_find(s, "bat-1")->resubmitted_as, "bat-2");
    ck_assert_str_eq(store_find(s, "bat-2")->resubmit_of, "bat-1");
    ck_assert_ptr_null(store_find(s, "bat-1")->resubmit_of);
    v = store_version(s);
    store_link_resubmit(s, "bat-1", "bat-2");
    ck_assert(store_version(s) == v);
    store_link_resubmit(s, "bat-3", "bat-nope");
    ck_assert_str_eq(store_find(s, "bat-3")->resubmitted_as, "bat-nope");
    put(s, "bat-2", "COMPLETED", NULL);
    ck_assert_str_eq(store_find(s, "bat-2")->resubmit_of, "bat-1");
    store_free(s);
}
END_TEST

START_TEST(store_newest_created_is_by_parsed_time)
{
    struct batch_store *s = store_new();
    put(s, "bat-1", "RUNNING", "2026-11-28T17:00:00Z");
    /* Later as text, earlier in time (16:00Z). */
    put(s, "bat-2", "RUNNING", "2026-11-28T18:00:00+02:00");
    put(s, "bat-3", "RUNNING", "not a time");
    put(s, "bat-4", "RUNNING", NULL);
    ck_assert_str_eq(store_newest_created_at(s), "2026-11-28T17:00:00Z");
    ck_assert_int_eq(store_find(s, "bat-3")->batch.created_ms, -1);
    put(s, "bat-5", "RUNNING", "2026-11-28T17:00:00.001Z");
    ck_assert_str_eq(store_newest_created_at(s), "2026-11-28T17:00:00.001Z");
    store_remove(s, "bat-5");
    store_remove(s, "bat-1");
    store_remove(s, "bat-2");
    ck_assert_ptr_null(store_newest_created_at(s)); /* none parses */
    store_free(s);
}
END_TEST

/* ================================ list view ================================ */

/* A small store: five batches with distinct columns. */
static struct batch_store *small_store(void)
{
    struct batch_store *s = store_new();
    put(s, "bat-a", "RUNNING", "2026-11-28T10:00:00Z");
    put(s, "bat-b", "COMPLETED", "2026-11-28T12:00:00Z");
    put(s, "bat-c", "PENDING", "2026-11-28T11:00:00Z");
    put(s, "bat-d", "PAUSED", "2026-11-28T09:00:00Z");
    put(s, "bat-e", "FAILED", "2026-11-28T13:00:00Z");
    store_set_directory_name(s, "dir-a", "Invoices");
    store_set_progress(s, "bat-a", 1, 3);
    store_set_progress(s, "bat-b", 10, 10);
    store_set_progress(s, "bat-e", 9, 100);
    store_set_progress(s, "bat-d", 0, 0);
    return s;
}

START_TEST(view_defaults_and_cells)
{
    struct list_view *v = list_view_new();
    ck_assert_int_eq(list_view_sort_column(v), COL_CREATED);
    ck_assert(!list_view_sort_inverted(v));
    ck_assert_str_eq(list_view_filter(v), "");
    ck_assert_uint_eq(list_view_status_mask(v), STATUS_MASK_ALL);
    ck_assert_uint_eq(list_view_count(v), 0);
    ck_assert_uint_eq(list_view_selected(v), (size_t)-1);
    ck_assert_ptr_null(list_view_selected_id(v));
    ck_assert_str_eq(list_column_name(COL_PROGRESS), "PROGRESS");

    struct batch_store *s = small_store();
    list_view_rebuild(v, s);
    char buf[64];
    ck_assert_str_eq(view_ids(v, buf, sizeof buf), "bat-e bat-b bat-c bat-a bat-d");
    ck_assert_uint_eq(list_view_selected(v), 0); /* the first row */
    ck_assert_str_eq(list_view_selected_id(v), "bat-e");
    ck_assert_uint_eq(list_view_total(v), 5);

    const struct store_entry *a = store_find(s, "bat-a");
    static const char *const want_a[COL_COUNT] = {"bat-a",
                                                  "RUNNING",
                                                  "parse_v2",
                                                  "PARSE_AGENTIC (preset)",
                                                  "Invoices",
                                                  "1/3",
                                                  "\xe2\x80\xa6", /* failed: not known */
                                                  "33%",
                                                  "-",
                                                  "2026-11-28T10:00:00Z",
                                                  "2026-11-28T10:00:00Z"};
    for (int c = 0; c < COL_COUNT; c++) {
        list_cell_text(a, (enum list_column)c, buf, sizeof buf);
        ck_assert_str_eq(buf, want_a[c]);
    }
    const struct store_entry *d = store_find(s, "bat-d");
    list_cell_text(d, COL_STATUS, buf, sizeof buf);
    ck_assert_str_eq(buf, "PAUSED");
    list_cell_text(d, COL_FILES, buf, sizeof buf);
    ck_assert_str_eq(buf, "0/0");
    list_cell_text(d, COL_PROGRESS, buf, sizeof buf);
    ck_assert_str_eq(buf, "-");
    /* credits once the Batch screen has summed them; "+" while some job is not billed */
    store_set_credits(s, "bat-d", 42.5, true);
    list_cell_text(store_find(s, "bat-d"), COL_CREDITS, buf, sizeof buf);
    ck_assert_str_eq(buf, "42.5+");
    store_set_credits(s, "bat-d", 120, false);
    list_cell_text(store_find(s, "bat-d"), COL_CREDITS, buf, sizeof buf);
    ck_assert_str_eq(buf, "120");
    d = store_find(s, "bat-d");
    const struct store_entry *c = store_find(s, "bat-c");
    list_cell_text(c, COL_FILES, buf, sizeof buf);
    ck_assert_str_eq(buf, LIST_UNKNOWN); /* unknown: "…", never 0/0 nor "-" */
    list_cell_text(c, COL_PROGRESS, buf, sizeof buf);
    ck_assert_str_eq(buf, LIST_UNKNOWN);
    list_cell_text(c, COL_FAILED, buf, sizeof buf);
    ck_assert_str_eq(buf, LIST_UNKNOWN);

    /* Unknown directory name: the ID. Unknown job type: its wire text. */
    struct batch b = mk_batch("bat-x", "RUNNING", NULL);
    xstrset(&b.source_directory_id, "dir-zzz");
    b.job_type = job_type_parse("classify_v2");
    xstrset(&b.job_type_text, "classify_v2");
    store_upsert(s, &b);
    batch_done(&b);
    const struct store_entry *x = store_find(s, "bat-x");
    list_cell_text(x, COL_DIRECTORY, buf, sizeof buf);
    ck_assert_str_eq(buf, "dir-zzz");
    list_cell_text(x, COL_TYPE, buf, sizeof buf);
    ck_assert_str_eq(buf, "classify_v2");
    list_cell_text(x, COL_CREATED, buf, sizeof buf);
    ck_assert_str_eq(buf, "");

    /* Truncation never splits a UTF-8 character. */
    store_set_directory_name(s, "dir-zzz", "d\xc3\xa9j\xc3\xa0"); /* "déjà" */
    x = store_find(s, "bat-x");
    char small[3];
    list_cell_text(x, COL_DIRECTORY, small, sizeof small);
    ck_assert_str_eq(small, "d");
    char tiny[1] = {'x'};
    list_cell_text(x, COL_DIRECTORY, tiny, sizeof tiny);
    ck_assert_int_eq(tiny[0], '\0');
    list_view_free(v);
    store_free(s);
}
END_TEST

START_TEST(view_filter_case_insensitive_and_inverted)
{
    struct batch_store *s = small_store();
    struct list_view *v = list_view_new();
    char buf[64];
    static const struct {
        const char *filter;
        const char *want;
    } cases[] = {
        {"BAT-C", "bat-c"},                            /* ID */
        {"running", "bat-a"},                          /* status word */
        {"paused", "bat-d"},                           /* an unknown status by its text */
        {"T12:", "bat-b"},                             /* created time text */
        {"invoices", "bat-e bat-b bat-c bat-a bat-d"}, /* directory name */
        {"10/10", "bat-b"},                            /* FILES */
        {"9%", "bat-e"},                               /* PROGRESS */
        {"100%", "bat-b"},
        {"!running", "bat-e bat-b bat-c bat-d"},
        {"!", "bat-e bat-b bat-c bat-a bat-d"}, /* '!' alone filters nothing */
        {"", "bat-e bat-b bat-c bat-a bat-d"},
        {"nothing-matches", ""},
        {"!bat-", ""},
        {"bat-arunning", ""}, /* a match never spans two cells */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        list_view_set_filter(v, cases[i].filter);
        ck_assert_str_eq(list_view_filter(v), cases[i].filter);
        list_view_rebuild(v, s);
        ck_assert_msg(strcmp(view_ids(v, buf, sizeof buf), cases[i].want) == 0,
                      "filter \"%s\": got \"%s\", want \"%s\"", cases[i].filter, buf,
                      cases[i].want);
        ck_assert_uint_eq(list_view_total(v), 5);
    }
    list_view_set_filter(v, NULL);
    ck_assert_str_eq(list_view_filter(v), "");
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), 5);

    /* The filter sees new annotations at the next rebuild. */
    list_view_set_filter(v, "contracts");
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), 0);
    store_set_directory_name(s, "dir-a", "Contracts");
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), 5);
    list_view_free(v);
    store_free(s);
}
END_TEST

START_TEST(view_status_masks_and_counts)
{
    struct batch_store *s = small_store();
    put(s, "bat-f", "THROTTLED", "2026-11-28T08:00:00Z");
    put(s, "bat-g", "CANCELLED", "2026-11-28T07:00:00Z");
    struct list_view *v = list_view_new();
    char buf[80];

    list_view_set_status_mask(v, 1u << BATCH_RUNNING);
    list_view_rebuild(v, s);
    ck_assert_str_eq(view_ids(v, buf, sizeof buf), "bat-a");
    /* Counts are over the whole store, whatever is shown. */
    size_t counts[BATCH_STATUS_COUNT];
    list_view_counts(v, counts);
    ck_assert_uint_eq(counts[BATCH_PENDING], 1);
    ck_assert_uint_eq(counts[BATCH_THROTTLED], 1);
    ck_assert_uint_eq(counts[BATCH_RUNNING], 1);
    ck_assert_uint_eq(counts[BATCH_COMPLETED], 1);
    ck_assert_uint_eq(counts[BATCH_FAILED], 1);
    ck_assert_uint_eq(counts[BATCH_CANCELLED], 1);
    ck_assert_uint_eq(counts[BATCH_UNKNOWN], 1);

    /* Active: PENDING, THROTTLED, RUNNING and statuses we do not know (keep watching). */
    list_view_set_status_mask(v, STATUS_MASK_ACTIVE);
    ck_assert_uint_eq(list_view_status_mask(v), STATUS_MASK_ACTIVE);
    list_view_rebuild(v, s);
    ck_assert_str_eq(view_ids(v, buf, sizeof buf), "bat-c bat-a bat-d bat-f");
    list_view_set_status_mask(v, 1u << BATCH_CANCELLED);
    list_view_rebuild(v, s);
    ck_assert_str_eq(view_ids(v, buf, sizeof buf), "bat-g");
    list_view_set_status_mask(v, STATUS_MASK_ALL);
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), 7);

    /* Mask and filter together. */
    list_view_set_status_mask(v, STATUS_MASK_ACTIVE);
    list_view_set_filter(v, "!bat-a");
    list_view_rebuild(v, s);
    ck_assert_str_eq(view_ids(v, buf, sizeof buf), "bat-c bat-d bat-f");

    /* Counts follow the store. */
    put(s, "bat-a", "COMPLETED", "2026-11-28T10:00:00Z");
    list_view_rebuild(v, s);
    list_view_counts(v, counts);
    ck_assert_uint_eq(counts[BATCH_RUNNING], 0);
    ck_assert_uint_eq(counts[BATCH_COMPLETED], 2);
    list_view_free(v);
    store_free(s);
}
END_TEST

START_TEST(view_sort_every_column)
{
    struct batch_store *s = small_store();
    struct batch b = mk_batch("bat-f", "RUNNING", "yesterday"); /* unparsable time */
    xstrset(&b.source_directory_id, "dir-b");
    xstrset(&b.configuration_id, "cfg-Alpha");
    store_upsert(s, &b);
    batch_done(&b);
    store_set_directory_name(s, "dir-b", "archive");
    store_set_progress(s, "bat-f", 1, 2);
    struct list_view *v = list_view_new();
    char buf[80];
    static const struct {
        enum list_column col;
        bool inverted;
        const char *want;
    } cases[] = {
        {COL_CREATED, false, "bat-e bat-b bat-c bat-a bat-d bat-f"}, /* newest first */
        {COL_CREATED, true, "bat-d bat-a bat-c bat-b bat-e bat-f"},  /* unparsable last */
        {COL_UPDATED, false, "bat-e bat-b bat-c bat-a bat-d bat-f"},
        {COL_ID, false, "bat-a bat-b bat-c bat-d bat-e bat-f"},
        {COL_ID, true, "bat-f bat-e bat-d bat-c bat-b bat-a"},
        /* Text; ties (two RUNNING) by ID in both directions. */
        {COL_STATUS, false, "bat-b bat-e bat-d bat-c bat-a bat-f"},
        {COL_STATUS, true, "bat-a bat-f bat-c bat-d bat-e bat-b"},
        /* Case-insensitive: "archive" before "Invoices". */
        {COL_DIRECTORY, false, "bat-f bat-a bat-b bat-c bat-d bat-e"},
        {COL_CONFIG, false, "bat-f bat-a bat-b bat-c bat-d bat-e"},
        /* FILES by total then done, unknown (bat-c) last: 0/0, 1/2, 1/3, 10/10, 9/100. */
        {COL_FILES, false, "bat-d bat-f bat-a bat-b bat-e bat-c"},
        {COL_FILES, true, "bat-e bat-b bat-a bat-f bat-d bat-c"},
        /* PROGRESS numerically (9% < 33% < 50% < 100%), not as text; 0/0 and unknown last. */
        {COL_PROGRESS, false, "bat-e bat-a bat-f bat-b bat-c bat-d"},
        {COL_PROGRESS, true, "bat-b bat-f bat-a bat-e bat-c bat-d"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        list_view_set_sort(v, cases[i].col, cases[i].inverted);
        ck_assert_int_eq(list_view_sort_column(v), cases[i].col);
        ck_assert(list_view_sort_inverted(v) == cases[i].inverted);
        list_view_rebuild(v, s);
        ck_assert_msg(strcmp(view_ids(v, buf, sizeof buf), cases[i].want) == 0,
                      "sort %s%s: got \"%s\", want \"%s\"", list_column_name(cases[i].col),
                      cases[i].inverted ? " inverted" : "", buf, cases[i].want);
    }
    list_view_free(v);
    store_free(s);
}
END_TEST

START_TEST(view_selection_survives_resort_and_filter)
{
    struct batch_store *s = small_store();
    struct list_view *v = list_view_new();
    list_view_rebuild(v, s); /* e b c a d */
    ck_assert(list_view_select_id(v, "bat-c"));
    ck_assert_uint_eq(list_view_selected(v), 2);

    list_view_set_sort(v, COL_ID, false); /* a b c d e */
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-c");
    ck_assert_uint_eq(list_view_selected(v), 2);
    list_view_set_sort(v, COL_ID, true); /* e d c b a */
    list_view_rebuild(v, s);
    list_view_move(v, 1);
    ck_assert_str_eq(list_view_selected_id(v), "bat-b");
    list_view_set_sort(v, COL_CREATED, false); /* e b c a d */
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-b");
    ck_assert_uint_eq(list_view_selected(v), 1);

    /* A store refresh that changes other rows keeps the row under the cursor. */
    put(s, "bat-z", "PENDING", "2026-11-28T23:00:00Z"); /* a new first row */
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-b");
    ck_assert_uint_eq(list_view_selected(v), 2);

    /* Filtered out: the next row of the previous order that is still shown. */
    list_view_set_filter(v, "!bat-b"); /* z e c a d */
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-c");
    ck_assert_uint_eq(list_view_selected(v), 2);
    /* Filter to nothing and back: the selection comes back to the same batch. */
    list_view_set_filter(v, "no-such-thing");
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_selected(v), (size_t)-1);
    ck_assert_ptr_null(list_view_selected_id(v));
    list_view_set_filter(v, "");
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-c");
    list_view_free(v);
    store_free(s);
}
END_TEST

START_TEST(view_selection_moves_to_neighbour_on_removal)
{
    struct batch_store *s = small_store();
    struct list_view *v = list_view_new();
    list_view_rebuild(v, s); /* e b c a d */
    char buf[64];

    list_view_select_id(v, "bat-c");
    store_remove(s, "bat-c");
    list_view_rebuild(v, s);                             /* e b a d */
    ck_assert_str_eq(list_view_selected_id(v), "bat-a"); /* the next one */
    ck_assert_uint_eq(list_view_selected(v), 2);

    /* The next rows vanish too: the first survivor after it, else before it. */
    list_view_select_id(v, "bat-b");
    store_remove(s, "bat-b");
    store_remove(s, "bat-a");
    list_view_rebuild(v, s); /* e d */
    ck_assert_str_eq(view_ids(v, buf, sizeof buf), "bat-e bat-d");
    ck_assert_str_eq(list_view_selected_id(v), "bat-d");

    list_view_select_id(v, "bat-d"); /* the last row */
    store_remove(s, "bat-d");
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-e"); /* the previous one */
    ck_assert_uint_eq(list_view_selected(v), 0);

    /* A complete generation that drops the selected batch behaves the same. */
    put(s, "bat-y", "RUNNING", "2026-11-28T01:00:00Z");
    list_view_rebuild(v, s); /* e y */
    struct batch keep = mk_batch("bat-y", "RUNNING", "2026-11-28T01:00:00Z");
    store_apply_generation(s, &keep, 1);
    batch_done(&keep);
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-y");

    store_remove(s, "bat-y");
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), 0);
    ck_assert_uint_eq(list_view_selected(v), (size_t)-1);
    ck_assert_ptr_null(list_view_selected_id(v));
    list_view_move(v, 1); /* harmless without rows */
    list_view_select_index(v, 3);
    ck_assert_ptr_null(list_view_selected_id(v));
    list_view_free(v);
    store_free(s);
}
END_TEST

START_TEST(view_move_clamps_and_select_id_waits_for_new_batch)
{
    struct batch_store *s = small_store();
    struct list_view *v = list_view_new();
    list_view_rebuild(v, s); /* e b c a d */
    list_view_move(v, 2);
    ck_assert_str_eq(list_view_selected_id(v), "bat-c");
    list_view_move(v, -1);
    ck_assert_str_eq(list_view_selected_id(v), "bat-b");
    list_view_move(v, 100);
    ck_assert_uint_eq(list_view_selected(v), 4);
    list_view_move(v, -100);
    ck_assert_uint_eq(list_view_selected(v), 0);
    list_view_move(v, LONG_MAX);
    ck_assert_uint_eq(list_view_selected(v), 4);
    list_view_move(v, LONG_MIN);
    ck_assert_uint_eq(list_view_selected(v), 0);
    list_view_select_index(v, 99);
    ck_assert_str_eq(list_view_selected_id(v), "bat-d");

    /* A batch just created is not listed yet: remembered, selected once it shows up. */
    ck_assert(!list_view_select_id(v, "bat-new"));
    ck_assert_str_eq(list_view_selected_id(v), "bat-d");
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-d");
    put(s, "bat-new", "PENDING", "2026-11-28T20:00:00Z");
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-new");
    ck_assert_uint_eq(list_view_selected(v), 0);
    /* Honoured once only: moving away sticks across later rebuilds. */
    list_view_move(v, 1);
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-e");

    /* Moving after select_id forgets the remembered ID (the user chose a row). */
    ck_assert(!list_view_select_id(v, "bat-later"));
    list_view_move(v, 1);
    put(s, "bat-later", "PENDING", "2026-11-28T21:00:00Z");
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-b");
    ck_assert(!list_view_select_id(v, NULL));
    list_view_free(v);
    store_free(s);
}
END_TEST

/* 10,000 batches: every status, ten directories, progress on two thirds of them. */
static const char *const big_status[] = {"PENDING", "THROTTLED", "RUNNING", "COMPLETED",
                                         "FAILED",  "CANCELLED", "PAUSED"};
#define BIG_N 10000

static struct batch_store *big_store(void)
{
    struct batch_store *s = store_new();
    struct batch *all = xcalloc(BIG_N, sizeof *all);
    char id[32], dir[32];
    for (int i = 0; i < BIG_N; i++) {
        snprintf(id, sizeof id, "bat-%05d", i);
        /* created times shuffled against IDs: i * 7919 mod BIG_N is a permutation */
        all[i] = mk_batch(id, big_status[i % 7], iso_at((long)(i * 7919 % BIG_N)));
        snprintf(dir, sizeof dir, "dir-%d", i % 10);
        xstrset(&all[i].source_directory_id, dir);
    }
    store_apply_generation(s, all, BIG_N);
    for (int i = 0; i < BIG_N; i++)
        batch_done(&all[i]);
    free(all);
    for (int d = 0; d < 10; d++) {
        char name[32];
        snprintf(dir, sizeof dir, "dir-%d", d);
        snprintf(name, sizeof name, "Invoices-%d", d);
        store_set_directory_name(s, dir, name);
    }
    for (int i = 0; i < BIG_N; i++)
        if (i % 3 != 0) {
            snprintf(id, sizeof id, "bat-%05d", i);
            store_set_progress(s, id, i % 101, 100);
        }
    return s;
}

START_TEST(view_ten_thousand_filter_sort_counts)
{
    struct batch_store *s = big_store();
    ck_assert_uint_eq(store_count(s), BIG_N);
    struct list_view *v = list_view_new();
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), BIG_N);
    size_t counts[BATCH_STATUS_COUNT];
    list_view_counts(v, counts);
    size_t sum = 0;
    for (int st = 0; st < BATCH_STATUS_COUNT; st++) {
        size_t want = (size_t)(BIG_N / 7 + (st < BIG_N % 7));
        ck_assert_uint_eq(counts[st], want);
        sum += counts[st];
    }
    ck_assert_uint_eq(sum, BIG_N);
    /* Newest first; the newest is the one created at second 9999. */
    for (size_t i = 1; i < BIG_N; i++)
        ck_assert(list_view_row(v, i - 1)->batch.created_ms >
                  list_view_row(v, i)->batch.created_ms);

    /* Directory filter, case-insensitive: exactly the batches of dir-3. */
    list_view_set_filter(v, "INVOICES-3");
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), BIG_N / 10);
    for (size_t i = 0; i < list_view_count(v); i++)
        ck_assert_str_eq(list_view_row(v, i)->batch.source_directory_id, "dir-3");
    list_view_set_filter(v, "!invoices-3");
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), BIG_N - BIG_N / 10);

    /* Status + filter + sort by progress. */
    list_view_set_filter(v, "invoices-3");
    list_view_set_status_mask(v, 1u << BATCH_RUNNING);
    list_view_set_sort(v, COL_PROGRESS, true);
    list_view_rebuild(v, s);
    size_t want = 0;
    for (int i = 0; i < BIG_N; i++)
        if (i % 10 == 3 && i % 7 == BATCH_RUNNING)
            want++;
    ck_assert_uint_eq(list_view_count(v), want);
    bool seen_unknown = false;
    for (size_t i = 0; i < list_view_count(v); i++) {
        const struct store_entry *e = list_view_row(v, i);
        ck_assert_int_eq(e->batch.status, BATCH_RUNNING);
        if (e->files_total < 0) {
            seen_unknown = true;
            continue;
        }
        ck_assert_msg(!seen_unknown, "a known progress after an unknown one");
        if (i > 0 && list_view_row(v, i - 1)->files_total >= 0)
            ck_assert(list_view_row(v, i - 1)->files_done >= e->files_done);
    }
    ck_assert(seen_unknown);

    /* Active statuses only, by ID: the selection follows bat-05000 through it all. */
    list_view_set_filter(v, "");
    list_view_set_status_mask(v, STATUS_MASK_ACTIVE);
    list_view_set_sort(v, COL_ID, false);
    list_view_rebuild(v, s);
    size_t active = counts[BATCH_PENDING] + counts[BATCH_THROTTLED] + counts[BATCH_RUNNING] +
                    counts[BATCH_UNKNOWN];
    ck_assert_uint_eq(list_view_count(v), active);
    ck_assert(!list_view_select_id(v, "bat-05002")); /* 5002 % 7 == 4: FAILED, not shown */
    ck_assert(list_view_select_id(v, "bat-05000"));  /* RUNNING, dir-0 */
    list_view_set_sort(v, COL_CREATED, false);
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-05000");
    list_view_set_filter(v, "invoices-0");
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), "bat-05000");
    size_t at = list_view_selected(v);
    ck_assert_str_eq(list_view_row(v, at)->batch.id, "bat-05000");
    ck_assert(at + 1 < list_view_count(v));
    char *next = xstrdup(list_view_row(v, at + 1)->batch.id);
    /* It completes: no longer active, the cursor lands on the row that followed it. */
    put(s, "bat-05000", "COMPLETED", iso_at(5000L * 7919 % BIG_N));
    list_view_rebuild(v, s);
    ck_assert_str_eq(list_view_selected_id(v), next);
    ck_assert_uint_eq(list_view_selected(v), at);
    free(next);
    list_view_counts(v, counts);
    ck_assert_uint_eq(counts[BATCH_COMPLETED],
                      (size_t)(BIG_N / 7 + (BATCH_COMPLETED < BIG_N % 7)) + 1);
    list_view_free(v);
    store_free(s);
}
END_TEST

/* ================================ detail ================================ */

/* Batch bat-1 with four results: two parse jobs, one mapping error, one without a job yet. */
static struct batch detail_batch_fixture(const char *status, bool with_results)
{
    struct batch b = mk_batch("bat-1", status, "2026-11-28T18:11:19.117Z");
    if (!with_results)
        return b;
    b.has_results = true;
    b.n_results = 4;
    b.results = xcalloc(4, sizeof *b.results);
    static const char *const files[] = {"dfl-1", "dfl-2", "dfl-3", "dfl-4"};
    static const char *const jobs[] = {"pjb-1", "pjb-2", NULL, NULL};
    for (int i = 0; i < 4; i++) {
        b.results[i].file_id = xstrdup(files[i]);
        b.results[i].job_id = xstrdup(jobs[i]);
        b.results[i].job_type = jobs[i] ? JOB_TYPE_PARSE : JOB_TYPE_UNKNOWN;
        b.results[i].job_type_text = jobs[i] ? xstrdup("parse_v2") : NULL;
    }
    b.results[2].error_message = xstrdup("Unsupported file type");
    return b;
}

static void apply_results(struct batch_detail *d, const char *status)
{
    struct batch b = detail_batch_fixture(status, true);
    detail_set_batch(d, &b);
    batch_done(&b);
}

static void apply_names(struct batch_detail *d, size_t from, size_t to)
{
    static const char *const ids[] = {"dfl-4", "dfl-1", "dfl-9", "dfl-2", "dfl-3"};
    static const char *const names[] = {"d.docx", "a.pdf", "other.pdf", "b.pdf", "c.exe"};
    struct dir_file f[5];
    memset(f, 0, sizeof f);
    for (size_t i = from; i < to; i++) {
        f[i].id = (char *)ids[i];
        f[i].display_name = (char *)names[i];
    }
    detail_set_names(d, f + from, to - from);
}

static void apply_jobs(struct batch_detail *d, const char *status1, const char *status2)
{
    struct job j[3];
    memset(j, 0, sizeof j);
    j[0].id = (char *)"pjb-2";
    j[0].status = job_status_parse(status2);
    j[0].status_text = (char *)status2;
    j[0].error_message = (char *)(strcmp(status2, "FAILED") == 0 ? "Parse error: bad PDF" : NULL);
    j[1].id = (char *)"pjb-1";
    j[1].status = job_status_parse(status1);
    j[1].status_text = (char *)status1;
    j[2].id = (char *)"pjb-of-another-batch";
    j[2].status = JOB_RUNNING;
    j[2].status_text = (char *)"RUNNING";
    detail_set_jobs(d, j, 3);
}

/* Every row as "name|file|job|status|error;" for comparing outcomes. */
static void snapshot(const struct batch_detail *d, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < detail_row_count(d); i++) {
        const struct detail_row *r = detail_row_at(d, i);
        at += (size_t)snprintf(
            buf + at, len - at, "%s|%s|%s|%s|%s|%s;", r->display_name ? r->display_name : "-",
            r->file_id, r->job_id ? r->job_id : "-",
            r->job_known ? job_status_name(r->job_status) : "?",
            r->mapping_error ? r->mapping_error : "-", r->job_error ? r->job_error : "-");
    }
}

START_TEST(detail_any_arrival_order_gives_same_rows)
{
    /* 0 = results, 1 = names, 2 = jobs; every permutation. */
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    const char *want = "a.pdf|dfl-1|pjb-1|COMPLETED|-|-;"
                       "b.pdf|dfl-2|pjb-2|FAILED|-|Parse error: bad PDF;"
                       "c.exe|dfl-3|-|?|Unsupported file type|-;"
                       "d.docx|dfl-4|-|?|-|-;";
    for (int o = 0; o < 6; o++) {
        struct batch_detail *d = detail_new("bat-1");
        for (int k = 0; k < 3; k++) {
            switch (orders[o][k]) {
            case 0:
                apply_results(d, "COMPLETED");
                break;
            case 1:
                apply_names(d, 0, 5);
                break;
            default:
                apply_jobs(d, "COMPLETED", "FAILED");
                break;
            }
        }
        char got[512];
        snapshot(d, got, sizeof got);
        ck_assert_msg(strcmp(got, want) == 0, "order %d: %s", o, got);
        ck_assert_uint_eq(detail_row_at(d, 0)->job_type, JOB_TYPE_PARSE);
        /* the usual word is not kept: readers show job_status_name */
        ck_assert_ptr_null(detail_row_at(d, 1)->job_status_text);
        ck_assert_int_eq(detail_row_at(d, 1)->job_status, JOB_FAILED);
        detail_free(d);
    }

    /* Names and jobs in pieces, before and after a repeated results answer. */
    struct batch_detail *d = detail_new("bat-1");
    apply_names(d, 0, 2);
    apply_jobs(d, "RUNNING", "PENDING");
    apply_results(d, "RUNNING");
    apply_names(d, 2, 5);
    apply_results(d, "COMPLETED"); /* results again: joined data stays */
    apply_jobs(d, "COMPLETED", "FAILED");
    char got[512];
    snapshot(d, got, sizeof got);
    ck_assert_str_eq(got, want);
    detail_free(d);
}
END_TEST

/* A detail freed a part at a time: every step does some, the last frees it (leaks: ASan). */
START_TEST(detail_freed_in_parts)
{
    struct batch_detail *d = detail_new("bat-1");
    apply_names(d, 0, 5);
    apply_results(d, "RUNNING");
    apply_jobs(d, "COMPLETED", "FAILED");
    detail_set_filter(d, "pdf");
    int calls = 1;
    while (!detail_free_some(d, 1))
        calls++;
    ck_assert_int_ge(calls, 10); /* rows, names, jobs, results and index entries, one a call */
    ck_assert(detail_free_some(NULL, 1));
}
END_TEST

START_TEST(detail_progress_unknown_until_results)
{
    struct batch_detail *d = detail_new("bat-1");
    size_t done = 99, total = 99;
    ck_assert_str_eq(detail_batch_id(d), "bat-1");
    ck_assert_ptr_null(detail_batch(d));
    ck_assert(!detail_progress(d, &done, &total));
    ck_assert(detail_is_live(d));

    /* Jobs and names before anything else: still unknown, no rows. */
    apply_jobs(d, "COMPLETED", "RUNNING");
    apply_names(d, 0, 5);
    ck_assert(!detail_progress(d, &done, &total));
    ck_assert_uint_eq(detail_row_count(d), 0);

    /* The batch without results (null while running, as the API allows for the whole run):
     * the directory's five files are the rows, not mapped yet, and the denominator. */
    struct batch b = detail_batch_fixture("RUNNING", false);
    detail_set_batch(d, &b);
    batch_done(&b);
    ck_assert_ptr_nonnull(detail_batch(d));
    ck_assert(detail_progress(d, &done, &total));
    ck_assert(done == 0 && total == 5);
    ck_assert_uint_eq(detail_row_count(d), 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert(detail_row_at(d, i)->not_mapped && detail_row_at(d, i)->job_id == NULL);
    struct detail_counts c;
    detail_counts(d, &c);
    ck_assert_uint_eq(c.not_mapped, 5);
    ck_assert_uint_eq(c.no_job, 0);

    /* Results: dfl-1's job COMPLETED and dfl-3's mapping error are done. */
    /* dfl-9, in the directory without a result yet, stays a row: the total is the directory's. */
    apply_results(d, "RUNNING");
    ck_assert(detail_progress(d, &done, &total));
    ck_assert_uint_eq(done, 2);
    ck_assert_uint_eq(total, 5);
    ck_assert(detail_row_at(d, 4)->not_mapped);
    ck_assert_str_eq(detail_row_at(d, 4)->file_id, "dfl-9");
    detail_counts(d, &c);
    ck_assert_uint_eq(c.not_mapped, 1);
    ck_assert_uint_eq(c.by_status[JOB_COMPLETED], 1);
    ck_assert_uint_eq(c.by_status[JOB_RUNNING], 1);
    ck_assert_uint_eq(c.mapping_errors, 1);
    ck_assert_uint_eq(c.no_job, 1);
    ck_assert_uint_eq(c.unknown, 0);
    ck_assert_uint_eq(c.total, 5);
    ck_assert_uint_eq(detail_jobs_running(d), 1); /* known RUNNING, not merely unknown */

    /* A later answer without results keeps the rows and the progress. */
    b = detail_batch_fixture("RUNNING", false);
    xstrset(&b.updated_at, "2026-11-28T18:20:00Z");
    detail_set_batch(d, &b);
    batch_done(&b);
    ck_assert_str_eq(detail_batch(d)->updated_at, "2026-11-28T18:20:00Z");
    ck_assert(detail_batch(d)->has_results);
    ck_assert_uint_eq(detail_row_count(d), 5);
    ck_assert(detail_progress(d, &done, &total));
    ck_assert_uint_eq(done, 2);

    /* The last file gets a job, everything finishes; once the batch is terminal its results
     * are the whole set, so dfl-9 (not part of this batch) is no longer a row. */
    struct batch full = detail_batch_fixture("COMPLETED", true);
    xstrset(&full.results[3].job_id, "pjb-4");
    full.results[3].job_type = JOB_TYPE_PARSE;
    detail_set_batch(d, &full);
    batch_done(&full);
    ck_assert_uint_eq(detail_row_count(d), 4);
    detail_counts(d, &c);
    ck_assert_uint_eq(c.not_mapped, 0);
    ck_assert_uint_eq(c.unknown, 1);   /* pjb-4: a job whose status is not known yet */
    ck_assert_uint_eq(c.no_job, 0);
    struct job j4 = {
        .id = (char *)"pjb-4", .status = JOB_CANCELLED, .status_text = (char *)"CANCELLED"};
    detail_set_jobs(d, &j4, 1);
    apply_jobs(d, "COMPLETED", "FAILED");
    ck_assert(detail_progress(d, &done, &total));
    ck_assert_uint_eq(done, 4);
    ck_assert_uint_eq(total, 4);
    ck_assert(!detail_is_live(d));

    /* An answer for another batch is ignored. */
    struct batch other = mk_batch("bat-2", "RUNNING", NULL);
    detail_set_batch(d, &other);
    batch_done(&other);
    ck_assert_str_eq(detail_batch(d)->id, "bat-1");
    ck_assert_uint_eq(detail_row_count(d), 4);
    detail_free(d);

    /* An empty (known) result set is 0/0, known. */
    d = detail_new("bat-1");
    struct batch empty = mk_batch("bat-1", "COMPLETED", NULL);
    empty.has_results = true;
    detail_set_batch(d, &empty);
    batch_done(&empty);
    ck_assert(detail_progress(d, &done, &total));
    ck_assert_uint_eq(total, 0);
    ck_assert(!detail_is_live(d));
    detail_free(d);
}
END_TEST

START_TEST(detail_liveness)
{
    struct batch_detail *d = detail_new("bat-1");
    struct batch b = detail_batch_fixture("RUNNING", false);
    detail_set_batch(d, &b);
    ck_assert(detail_is_live(d)); /* batch not terminal */
    batch_done(&b);

    /* COMPLETED while results are still null: keep polling for them. */
    b = detail_batch_fixture("COMPLETED", false);
    detail_set_batch(d, &b);
    batch_done(&b);
    ck_assert(detail_is_live(d));

    /* COMPLETED with jobs whose status is unknown or not terminal: live. */
    apply_results(d, "COMPLETED");
    ck_assert(detail_is_live(d));
    apply_jobs(d, "COMPLETED", "RUNNING");
    ck_assert(detail_is_live(d));
    apply_jobs(d, "COMPLETED", "QUEUED"); /* a status we do not know is not terminal */
    ck_assert(detail_is_live(d));
    struct detail_counts c;
    detail_counts(d, &c);
    ck_assert_uint_eq(c.by_status[JOB_UNKNOWN], 1);
    ck_assert_str_eq(detail_row_at(d, 1)->job_status_text, "QUEUED");
    apply_jobs(d, "COMPLETED", "COMPLETED");
    ck_assert(!detail_is_live(d));
    detail_free(d);

    /* FAILED with null results: nothing more will come. */
    d = detail_new("bat-1");
    b = detail_batch_fixture("FAILED", false);
    detail_set_batch(d, &b);
    batch_done(&b);
    ck_assert(!detail_is_live(d));
    detail_free(d);

    /* CANCELLED while a job still runs: live until the job ends. */
    d = detail_new("bat-1");
    apply_results(d, "CANCELLED");
    apply_jobs(d, "RUNNING", "CANCELLED");
    ck_assert(detail_is_live(d));
    apply_jobs(d, "CANCELLED", "CANCELLED");
    ck_assert(!detail_is_live(d));
    detail_free(d);
}
END_TEST

/* Deleted files, credits and failed pages: what the Batch screen counts beside the statuses. */
START_TEST(detail_deleted_usage_and_failed_pages)
{
    struct batch_detail *d = detail_new("bat-1");
    /* RUNNING with results null: dfl-9 was deleted before the run and will never be mapped,
     * so it is no "not mapped yet" row and not in the denominator. */
    struct batch b = detail_batch_fixture("RUNNING", false);
    detail_set_batch(d, &b);
    batch_done(&b);
    struct dir_file f[3];
    memset(f, 0, sizeof f);
    f[0].id = (char *)"dfl-1";
    f[1].id = (char *)"dfl-2";
    f[2].id = (char *)"dfl-9";
    f[2].deleted_at = (char *)"2026-11-28T18:00:00Z";
    detail_set_names(d, f, 3);
    size_t done, total;
    ck_assert(detail_progress(d, &done, &total));
    ck_assert_uint_eq(total, 2);

    /* The results arrive; dfl-1 is deleted during the run: it keeps its row, marked. */
    apply_results(d, "COMPLETED");
    f[0].deleted_at = (char *)"2026-11-28T18:30:00Z";
    detail_set_names(d, f, 3);
    struct detail_counts c;
    detail_counts(d, &c);
    ck_assert_uint_eq(c.deleted, 1);
    ck_assert(detail_row_at(d, 0)->deleted);
    ck_assert(!detail_row_at(d, 1)->deleted);

    /* Credits: one job billed, one not yet: partial. A later answer without usage (e.g. a
     * list that carries none) does not unbill it. */
    struct job j[2];
    memset(j, 0, sizeof j);
    j[0].id = (char *)"pjb-1";
    j[0].status = JOB_COMPLETED;
    j[0].has_credits = true;
    j[0].credits = 30;
    j[1].id = (char *)"pjb-2";
    j[1].status = JOB_COMPLETED;
    j[1].unbilled = true;
    detail_set_jobs(d, j, 2);
    struct detail_usage u;
    detail_usage(d, &u);
    ck_assert_uint_eq(u.jobs, 2);
    ck_assert_uint_eq(u.billed, 1);
    ck_assert(u.partial);
    ck_assert(u.credits == 30);
    j[0].has_credits = false;
    j[1].has_credits = true;
    j[1].credits = 12.5;
    j[1].has_pages = true;
    j[1].pages_billed = 4;
    detail_set_jobs(d, j, 2);
    detail_usage(d, &u);
    ck_assert(!u.partial);
    ck_assert(u.credits == 42.5);
    ck_assert_int_eq(u.pages, 4);
    ck_assert(detail_row_at(d, 1)->has_credits);

    /* A COMPLETED job whose output had failed pages is counted. */
    detail_set_output_pages(d, "pjb-2", 2);
    detail_set_output_pages(d, "pjb-unknown", 5); /* another batch's job: ignored */
    detail_usage(d, &u);
    ck_assert_uint_eq(u.pages_failed, 2);
    ck_assert_uint_eq(u.files_with_failed_pages, 1);
    ck_assert_uint_eq(u.pages_checked, 1);
    ck_assert_uint_eq(detail_row_at(d, 1)->pages_failed, 2);

    /* The directory's file list is gone (404): said once, cleared by names arriving. */
    detail_set_names_error(d, "file names unavailable: HTTP 404");
    ck_assert_str_eq(detail_names_error(d), "file names unavailable: HTTP 404");
    detail_set_names(d, f, 1);
    ck_assert_ptr_null(detail_names_error(d));
    detail_free(d);
}
END_TEST

/* The file IDs of the shown rows, joined by spaces. */
static const char *visible_files(const struct batch_detail *d, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < detail_visible_count(d); i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "",
                               detail_visible_row(d, i)->file_id);
    return buf;
}

START_TEST(detail_failed_only_and_filter)
{
    struct batch_detail *d = detail_new("bat-1");
    apply_results(d, "COMPLETED");
    apply_names(d, 0, 5);
    apply_jobs(d, "COMPLETED", "FAILED");
    char buf[128];
    ck_assert_str_eq(visible_files(d, buf, sizeof buf), "dfl-1 dfl-2 dfl-3 dfl-4");

    detail_set_failed_only(d, true);
    ck_assert(detail_failed_only(d));
    ck_assert_str_eq(visible_files(d, buf, sizeof buf), "dfl-2 dfl-3");

    detail_set_filter(d, "BAD pdf"); /* the job's error */
    ck_assert_str_eq(detail_filter(d), "BAD pdf");
    ck_assert_str_eq(visible_files(d, buf, sizeof buf), "dfl-2");
    detail_set_failed_only(d, false);
    ck_assert(!detail_failed_only(d));
    static const struct {
        const char *filter;
        const char *want;
    } cases[] = {
        {"A.PDF", "dfl-1"},       /* display name */
        {"dfl-4", "dfl-4"},       /* file ID */
        {"pjb-", "dfl-1 dfl-2"},  /* job ID */
        {"completed", "dfl-1"},   /* job status */
        {"unsupported", "dfl-3"}, /* mapping error */
        {"!pdf", "dfl-3 dfl-4"},  /* inverted */
        {"!", "dfl-1 dfl-2 dfl-3 dfl-4"},
        {"", "dfl-1 dfl-2 dfl-3 dfl-4"},
        {"zzz", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        detail_set_filter(d, cases[i].filter);
        ck_assert_msg(strcmp(visible_files(d, buf, sizeof buf), cases[i].want) == 0,
                      "filter \"%s\": got \"%s\"", cases[i].filter, buf);
    }
    /* The shown rows follow data that arrives later. */
    detail_set_filter(d, "running");
    ck_assert_uint_eq(detail_visible_count(d), 0);
    apply_jobs(d, "RUNNING", "FAILED");
    ck_assert_str_eq(visible_files(d, buf, sizeof buf), "dfl-1");
    detail_set_filter(d, NULL);
    ck_assert_str_eq(detail_filter(d), "");
    ck_assert_uint_eq(detail_visible_count(d), 4);
    ck_assert_ptr_null(detail_visible_row(d, 4));
    ck_assert_ptr_null(detail_row_at(d, 4));
    detail_free(d);
}
END_TEST

/* The counters a detail keeps, recounted from its rows the slow way: they must agree. */
static void check_tallies(const struct batch_detail *d)
{
    struct detail_counts want, got;
    struct detail_usage wu, gu;
    size_t done = 0, running = 0, live = 0, shown = 0;
    memset(&want, 0, sizeof want);
    memset(&wu, 0, sizeof wu);
    for (size_t i = 0; i < detail_row_count(d); i++) {
        const struct detail_row *r = detail_row_at(d, i);
        bool terminal = r->job_known && job_status_is_terminal(r->job_status);
        want.deleted += r->deleted;
        if (r->not_mapped)
            want.not_mapped++;
        else if (r->mapping_error)
            want.mapping_errors++;
        else if (!r->job_id)
            want.no_job++;
        else if (!r->job_known)
            want.unknown++;
        else
            want.by_status[r->job_status]++;
        done += r->mapping_error != NULL || terminal;
        if (r->job_id == NULL)
            continue;
        running += r->job_known && !terminal;
        live += !terminal;
        wu.jobs++;
        wu.billed += r->has_credits;
        wu.credits += r->has_credits ? r->credits : 0;
        wu.pages_failed += r->pages_checked ? r->pages_failed : 0;
    }
    want.total = detail_row_count(d);
    detail_counts(d, &got);
    ck_assert_mem_eq(&got, &want, sizeof want);
    detail_usage(d, &gu);
    ck_assert_uint_eq(gu.jobs, wu.jobs);
    ck_assert_uint_eq(gu.billed, wu.billed);
    ck_assert(gu.credits == wu.credits);
    ck_assert_uint_eq(gu.pages_failed, wu.pages_failed);
    ck_assert_uint_eq(detail_jobs_running(d), running);
    size_t pd, pt;
    if (detail_progress(d, &pd, &pt)) {
        ck_assert_uint_eq(pd, done);
        ck_assert_uint_eq(pt, detail_row_count(d));
    }
    if (detail_loading(d)) /* rows still to come: live whatever the rows built say */
        ck_assert(detail_is_live(d));
    else if (detail_batch(d) && batch_status_is_terminal(detail_batch(d)->status) &&
             detail_batch(d)->has_results)
        ck_assert(detail_is_live(d) == (live > 0));
    /* shown rows: in row order, each once */
    const struct detail_row *prev = NULL;
    for (size_t i = 0; i < detail_visible_count(d); i++, shown++) {
        const struct detail_row *r = detail_visible_row(d, i);
        ck_assert_ptr_nonnull(r);
        ck_assert(prev == NULL || r > prev);
        prev = r;
    }
    ck_assert_ptr_null(detail_visible_row(d, shown));
}

#define BIG_PER_MSG 100

/* 100,000 rows, or 10,000 when TEST_BIG_ROWS=10000 says so: tests/stress/valgrind.sh does, since
 * the test asserts the merge by ID (not its speed), which a tenth of the rows proves the same way
 * while memcheck spends a minute on the full size. Both sizes keep 7919 prime to them. */
static size_t big_rows(void)
{
    const char *e = getenv("TEST_BIG_ROWS");
    return e != NULL && strcmp(e, "10000") == 0 ? 10000 : 100000;
}

/* Issue 14: a batch of 100,000 files, its job statuses in 1,000 messages of 100 in a
 * scattered order. Merging is by ID (this test asserts what comes out, not how long it took;
 * before, every message joined every row). */
START_TEST(detail_hundred_thousand_rows_merged_by_id)
{
    const size_t BIG_ROWS = big_rows(), BIG_MSGS = BIG_ROWS / BIG_PER_MSG;
    const size_t mapping_errors = BIG_ROWS / 50, failed_jobs = BIG_ROWS / 10;
    struct batch b = mk_batch("bat-big", "COMPLETED", "2026-11-28T18:11:19.117Z");
    b.has_results = true;
    b.n_results = BIG_ROWS;
    b.results = xcalloc(BIG_ROWS, sizeof *b.results);
    char id[32];
    for (size_t i = 0; i < BIG_ROWS; i++) {
        snprintf(id, sizeof id, "dfl-%06zu", i);
        b.results[i].file_id = xstrdup(id);
        if (i % 50 == 0) { /* 2,000 (of 100,000) mapping errors, without a job */
            b.results[i].error_message = xstrdup("Unsupported file type");
            continue;
        }
        snprintf(id, sizeof id, "pjb-%06zu", i);
        b.results[i].job_id = xstrdup(id);
        b.results[i].job_type = JOB_TYPE_PARSE;
    }
    struct batch_detail *d = detail_new("bat-big");
    detail_set_batch(d, &b);
    batch_done(&b);
    ck_assert_uint_eq(detail_row_count(d), BIG_ROWS);
    detail_set_failed_only(d, true);
    ck_assert_uint_eq(detail_visible_count(d), mapping_errors);

    /* names in one message, as the directory's file list comes */
    struct dir_file *f = xcalloc(BIG_ROWS, sizeof *f);
    for (size_t i = 0; i < BIG_ROWS; i++) {
        snprintf(id, sizeof id, "dfl-%06zu", i);
        f[i].id = xstrdup(id);
        snprintf(id, sizeof id, "file %zu.pdf", i);
        f[i].display_name = xstrdup(id);
    }
    detail_set_names(d, f, BIG_ROWS);
    for (size_t i = 0; i < BIG_ROWS; i++)
        dir_file_done(&f[i]);
    free(f);

    /* 1,000 messages of 100 jobs: job k = (m * 100 + j) * 7919 mod 100,000 covers every ID
     * once (7919 is prime to 100,000); IDs of rows with a mapping error belong to no row. */
    struct job jobs[BIG_PER_MSG];
    char ids[BIG_PER_MSG][32];
    size_t failed = 0, completed = 0;
    for (size_t m = 0; m < BIG_MSGS; m++) {
        memset(jobs, 0, sizeof jobs);
        for (size_t j = 0; j < BIG_PER_MSG; j++) {
            size_t k = (m * BIG_PER_MSG + j) * 7919 % BIG_ROWS;
            snprintf(ids[j], sizeof ids[j], "pjb-%06zu", k);
            jobs[j].id = ids[j];
            bool fails = k % 10 == 3;
            jobs[j].status = fails ? JOB_FAILED : JOB_COMPLETED;
            jobs[j].status_text = (char *)(fails ? "FAILED" : "COMPLETED");
            jobs[j].error_message = (char *)(fails ? "Parse error: bad PDF" : NULL);
            jobs[j].has_credits = true;
            jobs[j].credits = 3;
            if (k % 50 != 0) {
                failed += fails;
                completed += !fails;
            }
        }
        detail_set_jobs(d, jobs, BIG_PER_MSG);
        if (m == BIG_MSGS / 2) {
            check_tallies(d);
            ck_assert(detail_is_live(d)); /* half the jobs not known yet */
        }
    }
    ck_assert_uint_eq(failed, failed_jobs);
    struct detail_counts c;
    detail_counts(d, &c);
    ck_assert_uint_eq(c.by_status[JOB_COMPLETED], completed);
    ck_assert_uint_eq(c.by_status[JOB_FAILED], failed);
    ck_assert_uint_eq(c.mapping_errors, mapping_errors);
    ck_assert_uint_eq(c.unknown, 0);
    ck_assert_uint_eq(c.total, BIG_ROWS);
    size_t done, total;
    ck_assert(detail_progress(d, &done, &total));
    ck_assert_uint_eq(done, BIG_ROWS);
    ck_assert_uint_eq(total, BIG_ROWS);
    ck_assert_uint_eq(detail_jobs_running(d), 0);
    ck_assert(!detail_is_live(d));
    struct detail_usage u;
    detail_usage(d, &u);
    ck_assert_uint_eq(u.jobs, BIG_ROWS - mapping_errors);
    ck_assert_uint_eq(u.billed, BIG_ROWS - mapping_errors);
    ck_assert(u.credits == 3.0 * (BIG_ROWS - mapping_errors));
    ck_assert(!u.partial);

    /* every row joined with its own name and job */
    for (size_t i = 0; i < BIG_ROWS; i += 997) {
        const struct detail_row *r = detail_row_at(d, i);
        snprintf(id, sizeof id, "file %zu.pdf", i);
        ck_assert_str_eq(r->display_name, id);
        if (i % 50 == 0) {
            ck_assert_ptr_null(r->job_id);
            continue;
        }
        snprintf(id, sizeof id, "pjb-%06zu", i);
        ck_assert_str_eq(r->job_id, id);
        ck_assert(r->job_known);
        ck_assert_int_eq(r->job_status, i % 10 == 3 ? JOB_FAILED : JOB_COMPLETED);
    }
    /* failed only: the failed jobs and the mapping errors, in row order */
    ck_assert_uint_eq(detail_visible_count(d), failed + mapping_errors);
    ck_assert_str_eq(detail_visible_row(d, 0)->file_id, "dfl-000000");
    ck_assert_str_eq(detail_visible_row(d, 1)->file_id, "dfl-000003");
    check_tallies(d);
    /* a filter typed one key at a time (each key narrows it), with and without failed-only */
    char typed[32], last[32];
    snprintf(typed, sizeof typed, "file %zu.pdf", BIG_ROWS - 1);
    snprintf(last, sizeof last, "dfl-%06zu", BIG_ROWS - 1);
    for (int fo = 1; fo >= 0; fo--) {
        detail_set_filter(d, NULL);
        detail_set_failed_only(d, fo);
        for (size_t len = 1; len <= strlen(typed); len++) {
            char needle[32];
            memcpy(needle, typed, len);
            needle[len] = '\0';
            detail_set_filter(d, needle);
            size_t want = 0;
            for (size_t i = 0; i < BIG_ROWS; i++) {
                const struct detail_row *r = detail_row_at(d, i);
                bool is_failed = r->mapping_error != NULL || r->job_status == JOB_FAILED;
                want += strstr(r->display_name, needle) != NULL && (!fo || is_failed);
            }
            ck_assert_msg(detail_visible_count(d) == want, "\"%s\": %zu shown, want %zu", needle,
                          detail_visible_count(d), want);
        }
        check_tallies(d);
    }
    ck_assert_uint_eq(detail_visible_count(d), 1);
    ck_assert_str_eq(detail_visible_row(d, 0)->file_id, last);
    char inverted[40];
    snprintf(inverted, sizeof inverted, "!%s", typed); /* inverted: everything else */
    detail_set_filter(d, inverted);
    ck_assert_uint_eq(detail_visible_count(d), BIG_ROWS - 1);
    /* "!file 9999" of 100,000 rows: not a narrowing when inverted */
    snprintf(inverted, sizeof inverted, "!file %zu", (BIG_ROWS - 1) / 10);
    detail_set_filter(d, inverted);
    ck_assert_uint_eq(detail_visible_count(d), BIG_ROWS - 11);
    check_tallies(d);
    detail_free(d);
}
END_TEST

/* Hostile data: a file and a job named by more than one result. Every row that uses an ID
 * follows it, and the counters stay what the rows say. */
START_TEST(detail_repeated_ids_update_every_row)
{
    struct batch b = detail_batch_fixture("RUNNING", true);
    /* rows: dfl-1/pjb-1, dfl-2/pjb-2, dfl-3/(error), dfl-4/-; make dfl-2 and pjb-1 repeat */
    b.results = xreallocarray(b.results, 6, sizeof *b.results);
    memset(&b.results[4], 0, 2 * sizeof *b.results);
    b.results[4].file_id = xstrdup("dfl-2");
    b.results[4].job_id = xstrdup("pjb-1");
    b.results[4].job_type = JOB_TYPE_PARSE;
    b.results[5].file_id = xstrdup("dfl-2");
    b.n_results = 6;
    struct batch_detail *d = detail_new("bat-1");
    detail_set_filter(d, "running");
    detail_set_batch(d, &b);
    batch_done(&b);
    check_tallies(d);
    ck_assert_uint_eq(detail_visible_count(d), 0);
    apply_names(d, 0, 5); /* dfl-9 has no result: a row "not mapped yet" (batch active) */
    ck_assert_uint_eq(detail_row_count(d), 7);
    ck_assert_str_eq(detail_row_at(d, 4)->display_name, "b.pdf");
    ck_assert_str_eq(detail_row_at(d, 5)->display_name, "b.pdf");
    ck_assert(detail_row_at(d, 6)->not_mapped);
    check_tallies(d);
    apply_jobs(d, "RUNNING", "PENDING");
    ck_assert_uint_eq(detail_visible_count(d), 2); /* both rows of pjb-1 */
    ck_assert_str_eq(detail_visible_row(d, 0)->file_id, "dfl-1");
    ck_assert_str_eq(detail_visible_row(d, 1)->file_id, "dfl-2");
    ck_assert_uint_eq(detail_jobs_running(d), 3);
    check_tallies(d);
    /* credits billed, then changed (a hostile server): summed again, not drifted */
    struct job j = {.id = (char *)"pjb-1", .status = JOB_COMPLETED,
                    .status_text = (char *)"COMPLETED", .has_credits = true, .credits = 0.1};
    detail_set_jobs(d, &j, 1);
    check_tallies(d);
    j.credits = 0.7;
    detail_set_jobs(d, &j, 1);
    struct detail_usage u;
    detail_usage(d, &u);
    ck_assert(u.credits == 0.7 + 0.7);
    check_tallies(d);
    detail_set_output_pages(d, "pjb-1", 2);
    detail_usage(d, &u);
    ck_assert_uint_eq(u.pages_failed, 4);
    ck_assert_uint_eq(u.files_with_failed_pages, 2);
    check_tallies(d);
    /* dfl-9 deleted: its "not mapped yet" row goes; a new file gets one, last */
    struct dir_file f[2];
    memset(f, 0, sizeof f);
    f[0].id = (char *)"dfl-9";
    f[0].deleted_at = (char *)"2026-11-28T18:30:00Z";
    f[1].id = (char *)"dfl-10";
    f[1].display_name = (char *)"new.pdf";
    detail_set_names(d, f, 2);
    ck_assert_uint_eq(detail_row_count(d), 7);
    ck_assert_str_eq(detail_row_at(d, 6)->file_id, "dfl-10");
    check_tallies(d);
    f[0].deleted_at = NULL; /* back again: in its old place, before dfl-10 */
    detail_set_names(d, f, 1);
    ck_assert_uint_eq(detail_row_count(d), 8);
    ck_assert_str_eq(detail_row_at(d, 6)->file_id, "dfl-9");
    ck_assert_str_eq(detail_row_at(d, 7)->file_id, "dfl-10");
    check_tallies(d);
    detail_set_filter(d, NULL);
    ck_assert_uint_eq(detail_visible_count(d), 8);
    check_tallies(d);
    detail_free(d);
}
END_TEST

/* Every field of every row, and the shown rows, as text. */
static char *full_snapshot(const struct batch_detail *d)
{
    size_t cap = 256 + 256 * (detail_row_count(d) + 1), at = 0;
    char *buf = xmalloc(cap);
    buf[0] = '\0';
    for (size_t i = 0; i < detail_row_count(d); i++) {
        const struct detail_row *r = detail_row_at(d, i);
        at += (size_t)snprintf(buf + at, cap - at, "%s|%s|%s|%d|%d|%d|%s|%s|%s|%d|%d|%d|%g|%zu;\n",
                               r->display_name ? r->display_name : "-", r->file_id,
                               r->job_id ? r->job_id : "-", (int)r->job_type, r->job_known,
                               (int)r->job_status, r->job_status_text ? r->job_status_text : "-",
                               r->mapping_error ? r->mapping_error : "-",
                               r->job_error ? r->job_error : "-", r->not_mapped, r->deleted,
                               r->has_credits, r->credits, r->pages_failed);
    }
    at += (size_t)snprintf(buf + at, cap - at, "shown:");
    for (size_t i = 0; i < detail_visible_count(d); i++)
        at += (size_t)snprintf(buf + at, cap - at, " %s", detail_visible_row(d, i)->file_id);
    return buf;
}

static unsigned rnd_state;
static unsigned rnd(unsigned below)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % below;
}

/* New results answers reuse the rows (sync_rows): after any sequence of answers, names and
 * statuses, the rows are those a fresh detail gets from the same names, statuses and the last
 * answer; repeated IDs (hostile) included. */
/* _i 1: the rows are built a few at a time (detail_set_incremental, as the Batch screen
 * does), with names, statuses, filters and new answers coming in the middle of a build. */
START_TEST(detail_new_results_match_a_fresh_build)
{
    enum { FILES = 24, ROUNDS = 1000 };
    static const char *const statuses[] = {"PENDING", "RUNNING", "COMPLETED", "FAILED"};
    rnd_state = 7;
    bool incremental = _i == 1;
    struct batch_detail *d = detail_new("bat-r");
    detail_set_incremental(d, incremental);
    struct dir_file *names_log = NULL; /* every names message, in order */
    size_t *names_len = NULL, n_names_msgs = 0;
    struct job *jobs_log = NULL;
    size_t n_jobs_log = 0;
    struct batch last;
    memset(&last, 0, sizeof last);
    char id[32];
    for (int round = 0; round < ROUNDS; round++) {
        unsigned op = rnd(10);
        if (op < 5) { /* a results answer: files in some order, jobs that may change */
            bool terminal = rnd(4) == 0;
            struct batch b = mk_batch("bat-r", terminal ? "COMPLETED" : "RUNNING", NULL);
            b.has_results = true;
            b.n_results = rnd(FILES + 1);
            b.results = xcalloc(b.n_results + 1, sizeof *b.results);
            for (size_t i = 0; i < b.n_results; i++) {
                /* mostly in file order (a run maps files in order), sometimes shuffled or
                 * repeated */
                unsigned f = rnd(40) == 0 ? rnd(FILES) : (unsigned)i;
                snprintf(id, sizeof id, "dfl-%u", f);
                b.results[i].file_id = xstrdup(id);
                unsigned kind = rnd(10);
                if (kind == 0) {
                    b.results[i].error_message = xstrdup("Unsupported file type");
                } else if (kind > 1) {
                    snprintf(id, sizeof id, "pjb-%u", rnd(50) == 0 ? rnd(FILES) : f);
                    b.results[i].job_id = xstrdup(id);
                    b.results[i].job_type = rnd(6) == 0 ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE;
                }
            }
            detail_set_batch(d, &b);
            batch_done(&last);
            last = b;
        } else if (op < 7) { /* names: some files, some deleted */
            size_t n = 1 + rnd(6);
            names_log = xreallocarray(names_log, (n_names_msgs + 1) * 8, sizeof *names_log);
            names_len = xreallocarray(names_len, n_names_msgs + 1, sizeof *names_len);
            struct dir_file *f = &names_log[n_names_msgs * 8];
            memset(f, 0, 8 * sizeof *f);
            for (size_t i = 0; i < n; i++) {
                snprintf(id, sizeof id, "dfl-%u", rnd(FILES + 4));
                f[i].id = xstrdup(id);
                snprintf(id, sizeof id, "name %u.pdf", rnd(100));
                f[i].display_name = xstrdup(id);
                f[i].deleted_at = rnd(5) == 0 ? xstrdup("2026-11-28T18:30:00Z") : NULL;
            }
            names_len[n_names_msgs++] = n;
            detail_set_names(d, f, n);
        } else if (op < 9) { /* job statuses, some billed */
            size_t n = 1 + rnd(5);
            jobs_log = xreallocarray(jobs_log, n_jobs_log + n, sizeof *jobs_log);
            struct job *j = &jobs_log[n_jobs_log];
            memset(j, 0, n * sizeof *j);
            for (size_t i = 0; i < n; i++) {
                snprintf(id, sizeof id, "pjb-%u", rnd(FILES));
                j[i].id = xstrdup(id);
                const char *st = statuses[rnd(4)];
                j[i].status = job_status_parse(st);
                j[i].status_text = xstrdup(st);
                j[i].has_credits = rnd(3) == 0;
                j[i].credits = j[i].has_credits ? (double)rnd(4) * 0.5 : 0;
            }
            detail_set_jobs(d, j, n);
            n_jobs_log += n;
        } else { /* the filter changes */
            static const char *const filters[] = {"", "pdf", "name 1", "!name", "failed", "dfl-1"};
            detail_set_filter(d, filters[rnd(6)]);
            detail_set_failed_only(d, rnd(3) == 0);
        }
        if (incremental && detail_work(d, rnd(12)))
            continue; /* a build or a new filter's sweep under way: checked once it ends */
        check_tallies(d);
        if (last.id == NULL)
            continue;
        /* the same from scratch: names and statuses in the same order, then the last answer */
        struct batch_detail *f = detail_new("bat-r");
        for (size_t m = 0; m < n_names_msgs; m++)
            detail_set_names(f, &names_log[m * 8], names_len[m]);
        for (size_t i = 0; i < n_jobs_log; i++)
            detail_set_jobs(f, &jobs_log[i], 1);
        detail_set_filter(f, detail_filter(d));
        detail_set_failed_only(f, detail_failed_only(d));
        detail_set_batch(f, &last);
        char *want = full_snapshot(f), *got = full_snapshot(d);
        ck_assert_msg(strcmp(got, want) == 0, "round %d:\n%s\nwant\n%s", round, got, want);
        free(want);
        free(got);
        struct detail_usage uf, ud;
        detail_usage(f, &uf);
        detail_usage(d, &ud);
        ck_assert(uf.credits == ud.credits);
        detail_free(f);
    }
    for (size_t m = 0; m < n_names_msgs; m++)
        for (size_t i = 0; i < names_len[m]; i++)
            dir_file_done(&names_log[m * 8 + i]);
    free(names_log);
    free(names_len);
    for (size_t i = 0; i < n_jobs_log; i++)
        job_done(&jobs_log[i]);
    free(jobs_log);
    batch_done(&last);
    detail_free(d);
}
END_TEST

/* ================================ runner ================================ */

START_TEST(store_jobs_running_forgotten_on_status_change)
{
    struct batch_store *s = store_new();
    struct batch b = {0};
    b.id = (char *)"bat-1";
    b.status = BATCH_RUNNING;
    b.status_text = (char *)"RUNNING";
    b.updated_at = (char *)"2026-11-28T18:00:00Z";
    store_upsert(s, &b);
    store_set_jobs_running(s, "bat-1", 13);
    ck_assert_int_eq(store_find(s, "bat-1")->jobs_running, 13);
    /* The batch completes while it is not open: the old count must not be shown beside
     * COMPLETED as if its jobs still ran. */
    b.status = BATCH_COMPLETED;
    b.status_text = (char *)"COMPLETED";
    b.updated_at = (char *)"2026-11-28T18:01:00Z";
    store_upsert(s, &b);
    ck_assert_int_eq(store_find(s, "bat-1")->jobs_running, 0);
    store_set_jobs_running(s, "bat-1", 4); /* an open batch sets it again */
    ck_assert_int_eq(store_find(s, "bat-1")->jobs_running, 4);
    store_free(s);
}
END_TEST

/* ================================================================ strmap */

static int strmap_freed;

static void count_free(void *p)
{
    if (p != NULL)
        strmap_freed++;
    free(p);
}

START_TEST(strmap_pointer_values_owned)
{
    struct strmap m;
    strmap_init(&m, count_free);
    strmap_freed = 0;
    char key[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "id-%d", i);
        strmap_put(&m, key, xstrdup(key));
    }
    ck_assert_uint_eq(strmap_count(&m), 10000);
    strmap_put(&m, "id-7", xstrdup("seven")); /* replaces: the old value is freed */
    ck_assert_int_eq(strmap_freed, 1);
    ck_assert_uint_eq(strmap_count(&m), 10000);
    ck_assert_str_eq(strmap_get(&m, "id-7"), "seven");
    ck_assert_str_eq(strmap_get(&m, "id-9999"), "id-9999");
    ck_assert(!strmap_has(&m, "id-10000"));
    ck_assert_ptr_null(strmap_get(&m, NULL));
    strmap_put(&m, NULL, NULL); /* ignored */
    ck_assert_uint_eq(strmap_count(&m), 10000);
    ck_assert(strmap_remove(&m, "id-3"));
    ck_assert(!strmap_remove(&m, "id-3"));
    ck_assert_int_eq(strmap_freed, 2);
    ck_assert(!strmap_has(&m, "id-3"));
    strmap_clear(&m);
    ck_assert_int_eq(strmap_freed, 2 + 9999);
    ck_assert_uint_eq(strmap_count(&m), 0);
    ck_assert_ptr_null(strmap_get(&m, "id-1"));
    strmap_put(&m, "again", xstrdup("x")); /* usable after clear, still owning */
    strmap_done(&m);
    ck_assert_int_eq(strmap_freed, 2 + 9999 + 1);
    ck_assert_uint_eq(strmap_count(&m), 0);
}
END_TEST

START_TEST(strmap_iteration_in_insertion_order)
{
    struct strmap m;
    strmap_init(&m, NULL);
    static const char *keys[] = {"zeta", "alpha", "mid", "beta", "omega", "kappa"};
    for (size_t i = 0; i < 6; i++)
        strmap_put_index(&m, keys[i], i);
    strmap_put_index(&m, "mid", 42); /* replacing keeps the position */
    size_t k = 0;
    for (struct strmap_entry *e = strmap_first(&m); e != NULL; e = strmap_next(e), k++) {
        ck_assert_str_eq(strmap_key(e), keys[k]);
        ck_assert_uint_eq(strmap_index(e), k == 2 ? 42 : k);
    }
    ck_assert_uint_eq(k, 6);
    /* Removing the current entry, the next taken first, visits every other one once. */
    k = 0;
    for (struct strmap_entry *e = strmap_first(&m), *next; e != NULL; e = next, k++) {
        next = strmap_next(e);
        if (k % 2 == 0)
            ck_assert(strmap_remove(&m, strmap_key(e)));
    }
    ck_assert_uint_eq(k, 6);
    ck_assert_uint_eq(strmap_count(&m), 3);
    size_t index = 0;
    ck_assert(strmap_get_index(&m, "alpha", &index) && index == 1);
    ck_assert(!strmap_get_index(&m, "zeta", &index));
    ck_assert(!strmap_get_index(&m, NULL, &index));
    strmap_done(&m);
}
END_TEST

/* ---- xalloc: a failure goes to the hook (the UI's restore-then-report), else aborts ---- */

static void hook_exits(const char *message)
{
    _exit(strcmp(message, "out of memory (allocation too large)") == 0 ? 7 : 8);
}

START_TEST(xalloc_failure_calls_the_hook)
{
    xalloc_set_failure_hook(hook_exits);
    void *p = xreallocarray(NULL, SIZE_MAX / 2 + 1, 2);
    free(p);
    ck_abort_msg("xreallocarray returned after an overflow");
}
END_TEST

START_TEST(xalloc_failure_without_hook_aborts)
{
    xalloc_set_failure_hook(NULL);
    void *p = xreallocarray(NULL, SIZE_MAX / 2 + 1, 2);
    free(p);
}
END_TEST

/* ---- counts (model/counts.c): the list's FILES / FAILED / PROGRESS for any batch ---- */

struct fake_jobs {
    const char *ids[8];
    enum job_status st[8];
};

static enum job_status fake_status(void *ctx, const char *job_id)
{
    const struct fake_jobs *f = ctx;
    for (int i = 0; i < 8 && f->ids[i]; i++)
        if (strcmp(f->ids[i], job_id) == 0)
            return f->st[i];
    return JOB_UNKNOWN;
}

/* b gets n results: job "pjb-<i>" for each, except a mapping error at err and none at nojob. */
static void give_results(struct batch *b, size_t n, long err, long nojob)
{
    b->has_results = true;
    b->results = xcalloc(n ? n : 1, sizeof *b->results);
    b->n_results = n;
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "dfl-%zu", i);
        b->results[i].file_id = xstrdup(id);
        if ((long)i == err) {
            b->results[i].error_message = xstrdup("could not map");
        } else if ((long)i != nojob) {
            snprintf(id, sizeof id, "pjb-%zu", i);
            b->results[i].job_id = xstrdup(id);
        }
    }
}

START_TEST(counts_done_failed_and_final)
{
    struct fake_jobs f = {{"pjb-0", "pjb-1", "pjb-2", "pjb-3"},
                          {JOB_COMPLETED, JOB_FAILED, JOB_CANCELLED, JOB_RUNNING}};
    struct batch_counts c;

    /* running, results null: unknown until known */
    struct batch b = mk_batch("bat-1", "RUNNING", "2026-11-28T10:00:00Z");
    batch_counts_compute(&b, fake_status, &f, &c);
    ck_assert_int_eq(c.total, -1);
    ck_assert_int_eq(c.done, -1);
    ck_assert_int_eq(c.failed, -1);
    ck_assert(!c.final);

    /* 6 files: completed, failed, cancelled, running, mapping error (4), no job yet (5) */
    give_results(&b, 6, 4, 5);
    batch_counts_compute(&b, fake_status, &f, &c);
    ck_assert_int_eq(c.total, 6);
    ck_assert_int_eq(c.done, 4);   /* 0, 1, 2 terminal + the mapping error */
    ck_assert_int_eq(c.failed, 2); /* the FAILED job + the mapping error */
    ck_assert(!c.final);           /* the batch runs */

    /* terminal batch, a job still running: not final (COMPLETED = mapped, API.md) */
    b.status = BATCH_COMPLETED;
    batch_counts_compute(&b, fake_status, &f, &c);
    ck_assert(!c.final);
    /* its job ends: final; the file that never got a job stays not done */
    f.st[3] = JOB_FAILED;
    batch_counts_compute(&b, fake_status, &f, &c);
    ck_assert(c.final);
    ck_assert_int_eq(c.done, 5);
    ck_assert_int_eq(c.failed, 3);
    /* a job whose status is not known yet keeps it open */
    batch_counts_compute(&b, NULL, NULL, &c);
    ck_assert(!c.final);
    ck_assert_int_eq(c.done, 1); /* only the mapping error */
    batch_done(&b);

    /* a terminal batch without results: final, no files */
    b = mk_batch("bat-2", "FAILED", "2026-11-28T10:00:00Z");
    batch_counts_compute(&b, fake_status, &f, &c);
    ck_assert(c.final);
    ck_assert_int_eq(c.total, 0);
    ck_assert_int_eq(c.failed, 0);
    batch_done(&b);
}
END_TEST

START_TEST(store_counts_final_are_kept)
{
    struct batch_store *s = store_new();
    put(s, "bat-a", "COMPLETED", "2026-11-28T10:00:00Z");
    const struct store_entry *e = store_find(s, "bat-a");
    ck_assert_int_eq(e->files_failed, -1);
    ck_assert(!e->counts_final);
    struct batch_counts c = {3, 10, 1, false};
    store_set_counts(s, "bat-a", &c);
    e = store_find(s, "bat-a");
    ck_assert_int_eq(e->files_done, 3);
    ck_assert_int_eq(e->files_failed, 1);
    ck_assert(!e->counts_final);
    c = (struct batch_counts){10, 10, 2, true};
    store_set_counts(s, "bat-a", &c);
    uint64_t v = store_version(s);
    /* the Batch screen still loading, or a late non-final answer: final counts stay */
    store_set_progress(s, "bat-a", 0, 10);
    c = (struct batch_counts){4, 10, 0, false};
    store_set_counts(s, "bat-a", &c);
    ck_assert_uint_eq(store_version(s), v);
    e = store_find(s, "bat-a");
    ck_assert_int_eq(e->files_done, 10);
    ck_assert_int_eq(e->files_failed, 2);
    ck_assert(e->counts_final);
    /* unknown total: all three unknown, never final */
    put(s, "bat-b", "RUNNING", "2026-11-28T11:00:00Z");
    c = (struct batch_counts){-1, -1, -1, true};
    store_set_counts(s, "bat-b", &c);
    e = store_find(s, "bat-b");
    ck_assert_int_eq(e->files_total, -1);
    ck_assert(!e->counts_final);
    store_free(s);
}
END_TEST

START_TEST(view_failed_only_and_names)
{
    struct batch_store *s = store_new();
    struct list_view *v = list_view_new();
    put(s, "bat-a", "COMPLETED", "2026-11-28T10:00:00Z");
    put(s, "bat-b", "COMPLETED", "2026-11-28T11:00:00Z");
    put(s, "bat-c", "RUNNING", "2026-11-28T12:00:00Z");
    struct batch_counts c = {20, 20, 2, true};
    store_set_counts(s, "bat-a", &c);
    c = (struct batch_counts){20, 20, 0, true};
    store_set_counts(s, "bat-b", &c);
    list_view_set_failed_only(v, true);
    ck_assert(list_view_failed_only(v));
    list_view_rebuild(v, s);
    char buf[64];
    ck_assert_str_eq(view_ids(v, buf, sizeof buf), "bat-a"); /* unknown (bat-c) hidden too */
    list_cell_text(store_find(s, "bat-a"), COL_FAILED, buf, sizeof buf);
    ck_assert_str_eq(buf, "2");
    list_cell_text(store_find(s, "bat-a"), COL_FILES, buf, sizeof buf);
    ck_assert_str_eq(buf, "20/20");
    list_view_set_failed_only(v, false);
    list_view_rebuild(v, s);
    ck_assert_uint_eq(list_view_count(v), 3);

    /* configuration names: looked up by ID, remembered for batches that come later */
    store_set_config_name(s, "cfg-PARSE_AGENTIC", NULL);
    list_cell_text(store_find(s, "bat-a"), COL_CONFIG, buf, sizeof buf);
    ck_assert_str_eq(buf, "PARSE_AGENTIC (preset)");
    struct batch b = mk_batch("bat-d", "RUNNING", "2026-11-28T13:00:00Z");
    xstrset(&b.configuration_id, "cfg-0a1b2c3d-aaaa");
    store_set_config_name(s, "cfg-0a1b2c3d-aaaa", "invoices-fast");
    store_upsert(s, &b);
    batch_done(&b);
    list_cell_text(store_find(s, "bat-d"), COL_CONFIG, buf, sizeof buf);
    ck_assert_str_eq(buf, "invoices-fast");
    store_set_config_name(s, "cfg-0a1b2c3d-aaaa", NULL); /* forgotten: back to the ID */
    list_cell_text(store_find(s, "bat-d"), COL_CONFIG, buf, sizeof buf);
    ck_assert_str_eq(buf, "cfg-0a1b2c3d-aaaa");
    list_view_free(v);
    store_free(s);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("clock");
    tcase_add_test(tc, clock_parse_reference_forms);
    tcase_add_test(tc, clock_parse_rejects_garbage);
    tcase_add_test(tc, clock_parse_ignores_process_timezone);
    tcase_add_test(tc, clock_format_iso_round_trip);
    tcase_add_test(tc, clock_format_hms_uses_local_time);
    tcase_add_test(tc, clock_format_age_short_units);
    tcase_add_test(tc, clock_hook_pins_now);
    suite_add_tcase(s, tc);

    tc = tcase_create("strmap");
    tcase_add_test(tc, strmap_pointer_values_owned);
    tcase_add_test(tc, strmap_iteration_in_insertion_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("objects");
    tcase_add_test(tc, status_names_and_unknown_text);
    tcase_add_test(tc, objects_deep_copy);
    suite_add_tcase(s, tc);

    tc = tcase_create("store");
    tcase_add_test(tc, store_upsert_and_find);
    tcase_add_test(tc, store_history_records_every_change_even_backwards);
    tcase_add_test(tc, store_ignores_an_answer_older_than_what_it_has);
    tcase_add_test(tc, store_history_is_bounded_but_keeps_first_sighting);
    tcase_add_test(tc, store_generation_drops_absent_and_upserts_never_drop);
    tcase_add_test(tc, store_take_variants_match_copies);
    tcase_add_test(tc, store_take_large_generation);
    tcase_add_test(tc, store_remove_keeps_index_consistent);
    tcase_add_test(tc, store_index_random_operations);
    tcase_add_test(tc, store_annotations);
    tcase_add_test(tc, store_jobs_running_forgotten_on_status_change);
    tcase_add_test(tc, store_newest_created_is_by_parsed_time);
    tcase_add_test(tc, store_counts_final_are_kept);
    tcase_add_test(tc, counts_done_failed_and_final);
    suite_add_tcase(s, tc);

    tc = tcase_create("view");
    tcase_set_timeout(tc, 60); /* valgrind runs of the 10,000-row test */
    tcase_add_test(tc, view_defaults_and_cells);
    tcase_add_test(tc, view_filter_case_insensitive_and_inverted);
    tcase_add_test(tc, view_status_masks_and_counts);
    tcase_add_test(tc, view_sort_every_column);
    tcase_add_test(tc, view_selection_survives_resort_and_filter);
    tcase_add_test(tc, view_selection_moves_to_neighbour_on_removal);
    tcase_add_test(tc, view_move_clamps_and_select_id_waits_for_new_batch);
    tcase_add_test(tc, view_ten_thousand_filter_sort_counts);
    tcase_add_test(tc, view_failed_only_and_names);
    suite_add_tcase(s, tc);

    /* These end their process (exit 7, SIGABRT): only when each test has its own fork. Without
     * one (CK_FORK=no, as valgrind.sh runs) they would end the whole run. */
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode == NULL || strcmp(fork_mode, "no") != 0) {
        tc = tcase_create("xalloc");
        tcase_add_exit_test(tc, xalloc_failure_calls_the_hook, 7);
        tcase_add_test_raise_signal(tc, xalloc_failure_without_hook_aborts, SIGABRT);
        suite_add_tcase(s, tc);
    }
    tc = tcase_create("detail");
    tcase_add_test(tc, detail_any_arrival_order_gives_same_rows);
    tcase_add_test(tc, detail_progress_unknown_until_results);
    tcase_add_test(tc, detail_freed_in_parts);
    tcase_add_test(tc, detail_liveness);
    tcase_add_test(tc, detail_deleted_usage_and_failed_pages);
    tcase_add_test(tc, detail_failed_only_and_filter);
    tcase_add_test(tc, detail_hundred_thousand_rows_merged_by_id);
    tcase_add_test(tc, detail_repeated_ids_update_every_row);
    tcase_add_loop_test(tc, detail_new_results_match_a_fresh_build, 0, 2);
    tcase_set_timeout(tc, 60); /* valgrind and sanitizer runs of the 100,000-row test */
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(model_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
