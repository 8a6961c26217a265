/* net.h -- the network thread: one curl multi handle that keeps batchtop's data live. */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdint.h>

#include "net/msg.h"

/*
 * What the thread does (see DESIGN.md "Refresh policy"): WATCH_LIST and REFRESH load every
 * page (one LIST_FULL, or LIST_FAILED keeping the old data; with stream_only each page's new
 * batches in a LIST_PAGE as it comes and an empty LIST_FULL at the end); each interval a delta refresh
 * (active statuses, created since the newest seen, departed batches) gives LIST_DELTA. A
 * watched batch is fetched with its results while it or a job is not terminal; its directory's
 * file names come once (cached for the session) and job statuses in bulk, terminal jobs never
 * again. A refresh asked while the same refresh is in flight is coalesced: no second request,
 * and the one answer carries the first command's req. Scheduled answers carry req 0. Reads are
 * retried per net/retry.h (at most 3 retries, then OFFLINE until the next interval); a create
 * is never resent blindly (NET_MSG_CREATED's create_outcome). Answers about a batch that is no
 * longer watched are dropped.
 *
 * The list's counts (NET_CMD_WANT_COUNTS -> NET_MSG_COUNTS, counts.c): for each batch the UI
 * has on screen, in its order (active first), GET ?expand=results and then the statuses of its
 * jobs not known to be terminal, JOB_CHUNK per bulk request, one request in flight per batch.
 * Budget: at most 48 requests started per refresh interval and 4 batches at once, so they hold
 * at most 4 of the 8 connections to the host and the list and open batch never wait behind
 * them. Why 48: a screenful of finished batches costs about two requests each (results, one job
 * page), so 40 rows are counted within two intervals; in steady state only the running rows in
 * view cost anything, each counted again every third interval (COUNTS_AGAIN; the UI asks for
 * no PENDING or THROTTLED row, which has nothing mapped) (a finished batch's final counts are never fetched again this session,
 * and the UI keeps them in the snapshot). A batch begun is finished even past the budget; one
 * not reached in an interval is reached in the next. Results null while a batch runs: counts
 * unknown (total -1) until they come. Paused: no counts are fetched.
 */

struct net_config {
    const char *base_url;         /* "https://api.cloud.llamaindex.ai" or the simulator's */
    const char *api_key;          /* sent as Authorization: Bearer; never logged */
    const char *project_id;       /* NULL: not sent */
    const char *organization_id;  /* NULL: not sent */
    const char *custom_headers;   /* LLAMA_CLOUD_CUSTOM_HEADERS ("Name: value" lines), or NULL */
    int refresh_s;                /* list/batch refresh interval, floor 2 */
    int refresh_ms_for_tests;     /* > 0: this interval in ms instead (tests only; no floor) */
    bool no_usage;                /* never ask a finished job's usage (credits): a script that
                                     only waits for statuses saves one request per job */
    bool sequential_list;         /* a full list follows one cursor, page after page, instead of
                                     parallel created_at windows (tests and benchmarks compare) */
};

struct net;

/* Start the thread (with every signal blocked in it). Copies cfg. NULL and *cause (caller
 * frees) on failure. */
struct net *net_start(const struct net_config *cfg, char **cause);
/* Hand a command to the thread; takes ownership of cmd. Returns the request number that
 * the answers will carry. Never blocks on the network. */
uint64_t net_submit(struct net *n, struct net_cmd *cmd);
/* A descriptor that is readable while messages are waiting (poll it for POLLIN). */
int net_fd(const struct net *n);
/* Take every waiting message, oldest first, as a list linked by ->next; NULL when none.
 * The caller frees each with net_msg_free. */
struct net_msg *net_take_messages(struct net *n);
/* Cancel everything in flight, join the thread and free it all; returns within 100 ms. */
void net_stop(struct net *n);

#endif
