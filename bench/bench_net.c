/* bench_net.c -- W1/W2 on batchtop's side: the real net thread and model, timed to completion. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "model/detail.h"
#include "model/store.h"
#include "model/xalloc.h"
#include "net/msg.h"
#include "net/net.h"
#include "net/snapshot.h"

/*
 * bench-net list --base-url URL [--project-id ID] [--expect N]
 *     W1: NET_CMD_WATCH_LIST until the first NET_MSG_LIST_FULL, applied to a batch_store.
 * bench-net open --base-url URL --batch-id ID [--project-id ID] [--expect N]
 *     W2: NET_CMD_WATCH_BATCH until every result row of the batch_detail has its file's
 *     display name and its job's status (or a mapping error).
 * --snapshot PATH (W6 warm): start from that snapshot file (net/snapshot.c) as batchtop does
 * with its cache: the list is seeded from it and complete at the first delta refresh.
 * --save-snapshot PATH: write the complete list there (for a later --snapshot run).
 * --sequential: the list follows one cursor instead of parallel created_at windows (W6 shows
 * both). list also prints first_ms=: time to the first rows the UI could draw (the first
 * NET_MSG_LIST_PAGE, or the complete list when it comes first).
 * Both print one line "result wall_ms=… cpu_ms=… requests=… items=… peak_rss_kb=…" and exit
 * 0, or a reason on stderr and exit 1. The key comes from LLAMA_CLOUD_API_KEY (default llx-sim).
 * wall_ms runs from just before net_start to the moment the data is complete in the model;
 * cpu_ms is the CPU time (user + system, both threads) used over the same span;
 * requests is the net thread's own count (requests_per_min of the last message: the whole run
 * lasts well under a minute).
 */

#define BENCH_DEADLINE_MS 120000

struct bench_opts {
    const char *mode;
    const char *base_url;
    const char *project_id;
    const char *batch_id;
    long expect;
    bool sequential;
    const char *snapshot, *save_snapshot;
};

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* CPU time (user + system, every thread) this process has used, in ms. */
static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

/* VmHWM of this process in KiB, -1 when /proc is not readable. */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

static void usage(FILE *out)
{
    fputs("Usage: bench-net list|open --base-url URL [--project-id ID] [--batch-id ID]"
          " [--expect N] [--sequential] [--snapshot PATH] [--save-snapshot PATH]\n",
          out);
}

/* Wait for messages until done() says the data is complete; false on failure or deadline. */
struct bench_run {
    struct net *net;
    struct batch_store *store;     /* list mode */
    struct batch_detail *detail;   /* open mode */
    unsigned requests;
    bool failed;
    double t0, first_ms; /* first rows: ms after t0, -1 until then */
    bool warm;           /* started from a snapshot: complete at the first delta */
};

static bool detail_complete(const struct batch_detail *d)
{
    if (!detail_batch(d))
        return false;
    size_t n = detail_row_count(d);
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        const struct detail_row *r = detail_row_at(d, i);
        if (!r->display_name)
            return false;
        if (!r->job_known && !r->mapping_error)
            return false;
    }
    return true;
}

/* Apply one message to the model; true when the workload is complete. The list's batches
 * move into the store (as the UI's apply.c does): the message is freed right after. */
static bool bench_apply(struct bench_run *br, struct net_msg *m)
{
    br->requests = m->requests_per_min;
    if ((m->type == NET_MSG_LIST_PAGE || m->type == NET_MSG_LIST_FULL) && br->first_ms < 0)
        br->first_ms = mono_ms() - br->t0;
    switch (m->type) {
    case NET_MSG_LIST_PAGE:
        if (br->store)
            for (size_t i = 0; i < m->n_batches; i++)
                store_upsert(br->store, &m->batches[i]);
        break;
    case NET_MSG_LIST_DELTA:
        if (br->store && br->warm) {
            for (size_t i = 0; i < m->n_batches; i++)
                store_upsert(br->store, &m->batches[i]);
            return true;
        }
        break;
    case NET_MSG_LIST_FULL:
        if (br->store) {
            store_apply_generation_take(br->store, m->batches, m->n_batches);
            return true;
        }
        break;
    case NET_MSG_LIST_FAILED:
    case NET_MSG_BATCH_FAILED:
        fprintf(stderr, "bench-net: %s failed: HTTP %d: %s\n",
                m->type == NET_MSG_LIST_FAILED ? "list" : "batch", m->error.http_status,
                m->error.message ? m->error.message : "(no message)");
        br->failed = true;
        return false;
    case NET_MSG_BATCH:
        if (br->detail && m->n_batches > 0) {
            detail_set_batch(br->detail, &m->batches[0]);
            return detail_complete(br->detail);
        }
        break;
    case NET_MSG_DIR_FILES:
        if (br->detail) {
            detail_set_names(br->detail, m->files, m->n_files);
            return detail_complete(br->detail);
        }
        break;
    case NET_MSG_JOBS:
        if (br->detail) {
            detail_set_jobs(br->detail, m->jobs, m->n_jobs);
            return detail_complete(br->detail);
        }
        break;
    default:
        break;
    }
    return false;
}

static bool bench_wait(struct bench_run *br, double t0)
{
    for (;;) {
        double left = BENCH_DEADLINE_MS - (mono_ms() - t0);
        if (left <= 0) {
            fputs("bench-net: deadline reached before the data was complete\n", stderr);
            return false;
        }
        struct pollfd pfd = {.fd = net_fd(br->net), .events = POLLIN};
        int rc = poll(&pfd, 1, (int)left + 1);
        if (rc < 0 && errno != EINTR) {
            perror("bench-net: poll");
            return false;
        }
        if (rc <= 0)
            continue;
        bool done = false;
        struct net_msg *m = net_take_messages(br->net);
        while (m) {
            struct net_msg *next = m->next;
            if (!done && !br->failed)
                done = bench_apply(br, m);
            net_msg_free(m);
            m = next;
        }
        if (br->failed)
            return false;
        if (done)
            return true;
    }
}

static int bench_main(const struct bench_opts *o)
{
    const char *key = getenv("LLAMA_CLOUD_API_KEY");
    struct net_config cfg = {
        .base_url = o->base_url,
        .api_key = key && *key ? key : "llx-sim",
        .project_id = o->project_id,
        .refresh_s = 60,
        .sequential_list = o->sequential,
    };
    bool list = strcmp(o->mode, "list") == 0;
    struct bench_run br = {0};
    if (list)
        br.store = store_new();
    else
        br.detail = detail_new(o->batch_id);

    double t0 = mono_ms();
    double c0 = cpu_ms();
    br.t0 = t0;
    br.first_ms = -1;
    char *cause = NULL;
    br.net = net_start(&cfg, &cause);
    if (!br.net) {
        fprintf(stderr, "bench-net: net_start: %s\n", cause ? cause : "failed");
        free(cause);
        if (br.store)
            store_free(br.store);
        if (br.detail)
            detail_free(br.detail);
        return 1;
    }
    struct net_cmd *cmd = net_cmd_new(list ? NET_CMD_WATCH_LIST : NET_CMD_WATCH_BATCH);
    if (!list)
        cmd->id = xstrdup(o->batch_id);
    if (list && o->snapshot != NULL) {
        /* as tui/cache.c: the header's seed goes at once, the store fills while the delta's
         * requests are out */
        struct snapshot s;
        char *why = NULL, *text = NULL;
        size_t len = 0;
        bool ok = snapshot_read(o->snapshot, &text, &len, &why);
        if (ok && snapshot_peek(text, len, &s, NULL)) {
            if (s.has_seed && s.n_seed > 0) {
                cmd->batches = s.seed;
                cmd->n_batches = s.n_seed;
                s.seed = NULL;
                s.n_seed = 0;
                net_submit(br.net, cmd);
                cmd = NULL;
            }
            snapshot_done(&s);
        }
        ok = ok && snapshot_decode(text, len, &s, &why);
        free(text);
        if (!ok || cmd != NULL) {
            fprintf(stderr, "bench-net: %s: %s\n", o->snapshot,
                    why ? why : ok ? "no seed (an older file)" : "unreadable");
            free(why);
            if (ok)
                snapshot_done(&s);
            net_cmd_free(cmd);
            net_stop(br.net);
            store_free(br.store);
            return 1;
        }
        for (size_t i = 0; i < s.n; i++)
            store_upsert_take(br.store, &s.entries[i].batch);
        snapshot_done(&s);
        br.warm = true;
    }
    if (cmd != NULL)
        net_submit(br.net, cmd);
    bool ok = bench_wait(&br, t0);
    double wall = mono_ms() - t0;
    double cpu = cpu_ms() - c0;
    net_stop(br.net);

    size_t items = list ? store_count(br.store) : detail_row_count(br.detail);
    if (ok && list && o->save_snapshot != NULL) {
        struct snapshot s = {.endpoint = (char *)o->base_url,
                             .project_id = (char *)o->project_id,
                             .saved_ms = 1};
        s.entries = xcalloc(items ? items : 1, sizeof *s.entries);
        for (size_t i = 0; i < items; i++) {
            s.entries[i].batch = store_at(br.store, i)->batch;
            s.entries[i].files_done = s.entries[i].files_total = -1;
        }
        s.n = items;
        char *why = NULL;
        if (!snapshot_save(o->save_snapshot, &s, &why)) {
            fprintf(stderr, "bench-net: %s: %s\n", o->save_snapshot, why ? why : "failed");
            ok = false;
        }
        free(why);
        free(s.entries); /* borrowed from the store */
    }
    if (ok && (long)items < o->expect) {
        fprintf(stderr, "bench-net: %zu items, expected %ld\n", items, o->expect);
        ok = false;
    }
    if (ok)
        printf("result wall_ms=%.2f cpu_ms=%.2f requests=%u items=%zu peak_rss_kb=%ld"
               " first_ms=%.2f\n",
               wall, cpu, br.requests, items, peak_rss_kb(), br.first_ms);
    if (br.store)
        store_free(br.store);
    if (br.detail)
        detail_free(br.detail);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"base-url", required_argument, NULL, 'u'},
        {"project-id", required_argument, NULL, 'p'},
        {"batch-id", required_argument, NULL, 'b'},
        {"expect", required_argument, NULL, 'e'},
        {"sequential", no_argument, NULL, 's'},
        {"snapshot", required_argument, NULL, 'S'},
        {"save-snapshot", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct bench_opts o = {0};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'u':
            o.base_url = optarg;
            break;
        case 'p':
            o.project_id = optarg;
            break;
        case 'b':
            o.batch_id = optarg;
            break;
        case 'e':
            o.expect = strtol(optarg, NULL, 10);
            break;
        case 's':
            o.sequential = true;
            break;
        case 'S':
            o.snapshot = optarg;
            break;
        case 'W':
            o.save_snapshot = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc || !o.base_url) {
        usage(stderr);
        return 2;
    }
    o.mode = argv[optind];
    if (strcmp(o.mode, "list") != 0 && strcmp(o.mode, "open") != 0) {
        usage(stderr);
        return 2;
    }
    if (strcmp(o.mode, "open") == 0 && !o.batch_id) {
        fputs("bench-net: open needs --batch-id\n", stderr);
        return 2;
    }
    return bench_main(&o);
}
