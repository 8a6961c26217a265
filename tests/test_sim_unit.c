/* test_sim_unit.c -- the simulator's world, clock and helpers without HTTP, on a fake clock. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "sim/faults.h"
#include "sim/names.h"
#include "sim/rng.h"
#include "sim/world.h"

#define T0 1795000000000LL /* 2026-11-18T11:06:40Z, an arbitrary "now" */

START_TEST(test_time_round_trip)
{
    char buf[40];
    int64_t ms;
    rng_format_time(T0 + 117, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-18T11:06:40.117Z");
    ck_assert(rng_parse_time(buf, &ms));
    ck_assert_int_eq(ms, T0 + 117);
    ck_assert(rng_parse_time("2026-11-18T11:06:40.117+00:00", &ms));
    ck_assert_int_eq(ms, T0 + 117);
    ck_assert(rng_parse_time("2026-11-18T13:06:40.117+02:00", &ms));
    ck_assert_int_eq(ms, T0 + 117);
    ck_assert(rng_parse_time("2026-11-18T11:06:40", &ms)); /* no zone: UTC */
    ck_assert_int_eq(ms, T0);
    ck_assert(rng_parse_time("2026-11-18T11:06:40.1171999Z", &ms)); /* extra digits cut */
    ck_assert_int_eq(ms, T0 + 117);
    rng_format_time(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
    const char *bad[] = {"",
                         "yesterday",
                         "2026-11-18",
                         "2026-13-01T00:00:00Z",
                         "2026-11-18T11:06:40.Z",
                         "2026-11-18T11:06:40Zjunk",
                         "2026-11-18T11:06:40+2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!rng_parse_time(bad[i], &ms), "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_uuid_and_seed)
{
    struct rng a, b;
    rng_init(&a, 5);
    rng_init(&b, 5);
    char x[64], y[64];
    rng_uuid(&a, "bat-", x, sizeof x);
    rng_uuid(&b, "bat-", y, sizeof y);
    ck_assert_str_eq(x, y);
    ck_assert_int_eq(strlen(x), 40);
    ck_assert(x[4 + 14] == '4');                  /* version 4 */
    ck_assert(strchr("89ab", x[4 + 19]) != NULL); /* variant 10 */
    for (const char *p = x + 4; *p; p++)
        ck_assert(strchr("0123456789abcdef-", *p) != NULL);
}
END_TEST

static struct world *make_world(size_t batches, double speed)
{
    struct world_params p = {.seed = 21,
                             .directories = 3,
                             .files_per_directory = 20,
                             .batches = batches,
                             .speed = speed};
    return world_new(&p, T0);
}

static struct world_batch *create_on_regular(struct world *w, int64_t now)
{
    return world_create_batch(w, 0, w->nconfigs - 1 /* cfg-PARSE_AGENTIC */, now);
}

START_TEST(test_lifecycle_on_a_fake_clock)
{
    struct world *w = make_world(0, 1);
    struct world_batch *b = create_on_regular(w, T0);
    ck_assert_int_eq(b->status, BATCH_PENDING);
    world_advance(w, T0 + 500);
    ck_assert_int_eq(b->status, BATCH_PENDING);
    ck_assert_int_eq(world_mapped_count(b, T0 + 500), 0);
    world_advance(w, T0 + 1500);
    ck_assert_int_eq(b->status, BATCH_RUNNING);
    /* files are mapped progressively and updated_at follows */
    int64_t prev_updated = b->updated;
    size_t prev = 0;
    bool grew = false;
    for (int64_t t = T0 + 1500; b->status == BATCH_RUNNING; t += 250) {
        world_advance(w, t);
        size_t m = world_mapped_count(b, t);
        ck_assert_int_ge(m, prev);
        ck_assert_int_ge(b->updated, prev_updated);
        grew = grew || (m > prev && prev > 0);
        prev = m;
        prev_updated = b->updated;
        ck_assert_msg(t < T0 + 60000, "a 20-file batch took over a minute at speed 1");
    }
    ck_assert(grew);
    ck_assert_int_eq(b->status, BATCH_COMPLETED);
    ck_assert_int_ge(b->updated - b->created, 15000); /* about half a minute at speed 1 */
    ck_assert_int_le(b->updated - b->created, 45000);
    /* completed: everything mapped, every job terminal */
    int64_t end = b->updated;
    ck_assert_int_eq(world_mapped_count(b, end), 20);
    for (size_t i = 0; i < 20; i++) {
        struct world_item_state st;
        world_item_state(w, b, i, end, &st);
        ck_assert(st.mapped);
        char *err = world_item_error(w, b, i);
        if (st.has_job)
            ck_assert(job_status_is_terminal(st.status));
        else
            ck_assert_ptr_nonnull(err); /* a mapping error names its cause */
        free(err);
    }
    world_free(w);
}
END_TEST

START_TEST(test_speed_scales_the_clock)
{
    struct world *w = make_world(0, 20);
    struct world_batch *b = create_on_regular(w, T0);
    int64_t t = T0;
    while (b->status != BATCH_COMPLETED) {
        t += 50;
        world_advance(w, t);
        ck_assert_int_lt(t, T0 + 5000);
    }
    ck_assert_int_le(t - T0, 3000); /* ~1.5 s at --speed 20 */
    world_free(w);
}
END_TEST

START_TEST(test_throttle_and_cancel)
{
    struct world *w = make_world(0, 1);
    struct world_batch *b[6];
    for (int i = 0; i < 6; i++)
        b[i] = create_on_regular(w, T0 + i);
    world_advance(w, T0 + 2000);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(b[i]->status, BATCH_RUNNING);
    ck_assert_int_eq(b[4]->status, BATCH_THROTTLED);
    ck_assert_int_eq(b[5]->status, BATCH_THROTTLED);
    /* cancel a runner: it returns at once, ends shortly after, and the queue moves in order */
    ck_assert(world_cancel_batch(w, b[1], T0 + 3000));
    ck_assert_int_eq(b[1]->status, BATCH_RUNNING);
    world_advance(w, T0 + 4000);
    ck_assert_int_eq(b[1]->status, BATCH_CANCELLED);
    ck_assert_int_eq(b[4]->status, BATCH_RUNNING);
    ck_assert_int_eq(b[5]->status, BATCH_THROTTLED);
    ck_assert(!world_cancel_batch(w, b[1], T0 + 4000)); /* terminal: refused */
    size_t mapped = world_mapped_count(b[1], T0 + 4000);
    ck_assert_int_lt(mapped, 20);
    for (size_t i = 0; i < mapped; i++) {
        struct world_item_state st;
        world_item_state(w, b[1], i, T0 + 4000, &st);
        if (st.has_job)
            ck_assert(job_status_is_terminal(st.status));
    }
    ck_assert_int_eq(world_mapped_count(b[1], T0 + 60000), mapped); /* nothing more */
    /* cancel a throttled batch: it never runs */
    ck_assert(world_cancel_batch(w, b[5], T0 + 4000));
    world_advance(w, T0 + 90000);
    ck_assert_int_eq(b[5]->status, BATCH_CANCELLED);
    ck_assert_int_eq(b[5]->run_start, -1);
    ck_assert_int_eq(world_mapped_count(b[5], T0 + 90000), 0);
    for (int i = 0; i < 6; i++)
        ck_assert(b[i]->terminal);
    ck_assert_int_eq(w->nactive, 0);
    world_free(w);
}
END_TEST

START_TEST(test_pre_existing_world)
{
    struct world *w = make_world(12, 1);
    size_t count[BATCH_STATUS_COUNT] = {0};
    for (size_t i = 0; i < w->nbatches; i++) {
        count[w->batches[i]->status]++;
        if (i > 0)
            ck_assert_int_gt(w->batches[i]->created, w->batches[i - 1]->created);
        ck_assert_int_le(w->batches[i]->created, T0);
    }
    for (int s = BATCH_PENDING; s <= BATCH_CANCELLED; s++)
        ck_assert_msg(count[s] > 0, "no %s batch", batch_status_name((enum batch_status)s));
    ck_assert_int_eq(count[BATCH_RUNNING], WORLD_MAX_RUNNING);
    /* the oldest is a COMPLETED batch over "thousand" */
    struct world_batch *first = w->batches[0];
    ck_assert_str_eq(w->dirs[first->dir].name, "thousand");
    ck_assert_int_eq(first->status, BATCH_COMPLETED);
    ck_assert_int_eq(world_mapped_count(first, T0), 1000);
    /* lookups */
    ck_assert_ptr_eq(world_find_batch(w, first->id), first);
    size_t item;
    ck_assert_ptr_eq(
        world_find_job(
            w, first->items[5].job_id[0] ? first->items[5].job_id : first->items[6].job_id, &item),
        first);
    ck_assert_ptr_null(world_find_batch(w, "bat-nope"));
    ck_assert_ptr_nonnull(world_find_config(w, "cfg-PARSE_AGENTIC"));
    world_free(w);
}
END_TEST

START_TEST(test_hostile_names)
{
    struct rng r;
    rng_init(&r, 1);
    int hostile = 0;
    for (size_t i = 0; i < 200; i++) {
        char *n = names_file(&r, i, true);
        hostile += strchr(n, 0x1b) != NULL || strchr(n, 0x7f) != NULL ||
                   strstr(n, "\xc2\x9b") != NULL || strchr(n, '\a') != NULL;
        free(n);
        n = names_file(&r, i, false);
        for (const unsigned char *p = (const unsigned char *)n; *p; p++)
            ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control character in a plain name");
        free(n);
    }
    ck_assert_int_gt(hostile, 20);
}
END_TEST

START_TEST(test_faults_off_and_budget)
{
    struct faults_params p = {.seed = 1, .rate_limit = 3, .fail_rate = 0};
    struct faults *f = faults_new(&p);
    struct faults_decision d;
    int limited = 0;
    for (int i = 0; i < 10; i++) {
        faults_decide(f, false, true, T0 + 10, &d);
        limited += d.action == FAULTS_RATE_LIMITED;
    }
    ck_assert_int_eq(limited, 7);
    faults_decide(f, false, true, T0 + 1010, &d); /* a new second, a new budget */
    ck_assert_int_eq(d.action, FAULTS_NONE);
    ck_assert(faults_active(f));
    faults_off(f);
    ck_assert(!faults_active(f));
    for (int i = 0; i < 10; i++) {
        faults_decide(f, false, true, T0 + 1020, &d);
        ck_assert_int_eq(d.action, FAULTS_NONE);
    }
    faults_free(f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sim units");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, test_time_round_trip);
    tcase_add_test(tc, test_uuid_and_seed);
    tcase_add_test(tc, test_lifecycle_on_a_fake_clock);
    tcase_add_test(tc, test_speed_scales_the_clock);
    tcase_add_test(tc, test_throttle_and_cancel);
    tcase_add_test(tc, test_pre_existing_world);
    tcase_add_test(tc, test_hostile_names);
    tcase_add_test(tc, test_faults_off_and_budget);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
