/* thread.c -- the network thread: command queue, scheduler, the loop, and the public net_* API. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "net/decode.h"
#include "net/errbody.h"
#include "net/internal.h"
#include "net/log.h"
#include "net/retry.h"
#include "net/url.h"

static void refresh_due(struct net *n)
{
    if (n->list.watching)
        list_refresh_delta(n);
    if (n->watch.id != NULL && n->watch.live)
        watch_round(n, 0, false);
    counts_tick(n);
}

static bool schedule_wanted(const struct net *n)
{
    return !n->paused && (n->list.watching || n->watch.id != NULL || counts_wanted(n));
}

static void schedule_from_now(struct net *n)
{
    n->next_refresh = clock_mono_ms() + n->refresh_ms;
}

static void handle(struct net *n, struct net_cmd *cmd)
{
    switch (cmd->type) {
    case NET_CMD_WATCH_LIST:
        n->list.gen++;
        parlist_cancel(n);
        n->list.watching = true;
        n->list.have_full = false;
        n->list.busy = false;
        n->list.full_running = false;
        n->list.full_wanted = false;
        n->list.pending = 0;
        n->list.stream = cmd->stream_only;
        n->list.listing++; /* a new listing: every batch may be sent again */
        n->list.streamed = 0;
        strmap_done(&n->list.got);
        strmap_done(&n->list.gone);
        strmap_done(&n->list.active);
        xstrset(&n->list.filter_dir, cmd->source_directory_id);
        free(n->list.newest);
        n->list.newest = NULL;
        n->list.newest_ms = -1;
        if (cmd->n_batches > 0) {
            list_seed(n, cmd->batches, cmd->n_batches);
            n->list.full_wanted = cmd->full_after;
            n->list.req = cmd->req;
            list_refresh_delta(n);
        } else {
            list_refresh_full(n, cmd->req);
        }
        schedule_from_now(n);
        break;
    case NET_CMD_REFRESH:
        xfer_release_hold(n);
        if (n->list.watching)
            list_refresh_full(n, cmd->req);
        if (n->watch.id != NULL)
            watch_round(n, cmd->req, true);
        schedule_from_now(n);
        break;
    case NET_CMD_PAUSE:
        n->paused = true;
        break;
    case NET_CMD_RESUME:
        if (n->paused) {
            n->paused = false;
            n->next_refresh = clock_mono_ms(); /* catch up at once */
            counts_pump(n);
        }
        break;
    case NET_CMD_SET_INTERVAL: {
        int s = cmd->interval_s < 2 ? 2 : cmd->interval_s;
        n->refresh_ms = s * 1000;
        schedule_from_now(n);
        break;
    }
    case NET_CMD_WATCH_BATCH:
        watch_set(n, cmd->id != NULL && cmd->id[0] != '\0' ? cmd->id : NULL, cmd->req);
        if (n->next_refresh == 0)
            schedule_from_now(n);
        break;
    case NET_CMD_FETCH_OUTPUT:
        oneshot_output(n, cmd);
        break;
    case NET_CMD_CREATE:
        create_enqueue(n, cmd, false);
        break;
    case NET_CMD_FIND_CREATED:
        create_enqueue(n, cmd, true);
        break;
    case NET_CMD_CANCEL:
        oneshot_cancel(n, cmd);
        break;
    case NET_CMD_LIST_DIRECTORIES:
        oneshot_directories(n, cmd);
        break;
    case NET_CMD_LIST_CONFIGS:
        oneshot_configs(n, cmd);
        break;
    case NET_CMD_WANT_COUNTS:
        counts_want(n, cmd->ids, cmd->n_ids);
        if (n->next_refresh == 0)
            schedule_from_now(n);
        break;
    case NET_CMD_RESUBMIT:
        resubmit_start(n, cmd);
        break;
    case NET_CMD_UPLOAD:
        upload_start(n, cmd);
        break;
    }
}

/* ================================================================ the thread */

static void take_commands(struct net *n)
{
    pthread_mutex_lock(&n->lock);
    struct net_cmd **cmds = n->cmds;
    size_t count = n->n_cmds;
    n->cmds = NULL;
    n->n_cmds = n->cap_cmds = 0;
    pthread_mutex_unlock(&n->lock);
    for (size_t i = 0; i < count; i++) {
        if (!atomic_load(&n->stop))
            handle(n, cmds[i]);
        net_cmd_free(cmds[i]);
    }
    free(cmds);
}

/* A retry that nobody needs any more: its list or batch is no longer the one watched. */
static bool xfer_stale(const struct net *n, const struct xfer *x)
{
    return list_xfer_stale(n, x) || watch_xfer_stale(n, x);
}

static void start_due(struct net *n, int64_t now)
{
    struct xfer **pp = &n->waiting;
    struct xfer *due = NULL;
    while (*pp != NULL) {
        struct xfer *x = *pp;
        if (x->due <= now) {
            *pp = x->next;
            x->next = due;
            due = x;
        } else {
            pp = &x->next;
        }
    }
    while (due != NULL) {
        struct xfer *x = due;
        due = x->next;
        x->requeued = false;
        if (xfer_stale(n, x))
            xfer_free(x);
        else
            xfer_send(n, x);
    }
}

static int poll_timeout(struct net *n, int64_t now, int64_t upload_wake)
{
    int64_t wake = now + IDLE_POLL_MS;
    if (upload_wake >= 0 && now + upload_wake < wake)
        wake = now + upload_wake;
    int64_t stall = xfer_watch_stalls(n); /* only while requests are in flight */
    if (stall >= 0 && now + stall < wake)
        wake = now + stall;
    for (struct xfer *x = n->waiting; x != NULL; x = x->next)
        if (x->due < wake)
            wake = x->due;
    if (schedule_wanted(n) && n->next_refresh != 0 && n->next_refresh < wake)
        wake = n->next_refresh;
    int64_t t = wake - now;
    return t < 0 ? 0 : (int)t;
}

static void *thread_main(void *arg)
{
    struct net *n = arg;
    while (!atomic_load(&n->stop)) {
        take_commands(n);
        int64_t now = clock_mono_ms();
        start_due(n, now);
        if (schedule_wanted(n) && n->next_refresh != 0 && now >= n->next_refresh) {
            n->next_refresh = now + n->refresh_ms;
            refresh_due(n);
        }
        for (int round = 0; round < 64 && !atomic_load(&n->stop); round++) {
            int running = 0, left = 0, finished = 0;
            curl_multi_perform(n->multi, &running);
            CURLMsg *cm;
            while ((cm = curl_multi_info_read(n->multi, &left)) != NULL) {
                if (cm->msg == CURLMSG_DONE) {
                    complete(n, cm->easy_handle, cm->data.result);
                    finished++;
                }
            }
            if (finished == 0)
                break; /* new requests started by completions went out with perform */
        }
        if (atomic_load(&n->stop))
            break;
        /* uploads: a slice of hashing, those the rate window lets start (they go out with
         * the next perform, after at most this poll's wait) */
        int64_t upload_wake = upload_tick(n);
        curl_multi_poll(n->multi, NULL, 0, poll_timeout(n, clock_mono_ms(), upload_wake), NULL);
    }
    /* Cancel everything in flight: remove -> easy cleanup; the multi goes in net_stop. */
    while (n->active != NULL) {
        struct xfer *x = n->active;
        n->active = x->next;
        curl_multi_remove_handle(n->multi, x->easy);
        curl_easy_cleanup(x->easy);
        x->easy = NULL;
        xfer_free(x);
    }
    while (n->waiting != NULL) {
        struct xfer *x = n->waiting;
        n->waiting = x->next;
        xfer_free(x);
    }
    while (n->n_spare_easy > 0)
        curl_easy_cleanup(n->spare_easy[--n->n_spare_easy]);
    return NULL;
}

/* ================================================================ public API */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Authorization, JSON and the custom header lines; NULL and *cause on a bad line. */
static struct curl_slist *build_headers(const struct net_config *cfg, char **cause)
{
    struct curl_slist *h = NULL;
    char *auth = xasprintf("Authorization: Bearer %s", cfg->api_key ? cfg->api_key : "");
    h = curl_slist_append(h, auth);
    free(auth);
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    const char *p = cfg->custom_headers;
    while (p != NULL && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = xstrndup(p, len);
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
            line[--l] = '\0';
        bool blank = l == 0;
        const char *colon = strchr(line, ':');
        bool bad = !blank && (colon == NULL || colon == line);
        for (const char *q = line; !bad && *q; q++)
            if ((unsigned char)*q < 0x20 && *q != '\t')
                bad = true;
        for (const char *q = line; !bad && colon && q < colon; q++)
            if (*q == ' ' || *q == '\t')
                bad = true;
        if (bad) {
            if (cause != NULL)
                *cause = xstrdup("LLAMA_CLOUD_CUSTOM_HEADERS: each line must be \"Name: value\"");
            free(line);
            curl_slist_free_all(h);
            return NULL;
        }
        if (!blank)
            h = curl_slist_append(h, line);
        free(line);
        p = eol ? eol + 1 : p + len;
    }
    if (h == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    return h;
}

struct net *net_start(const struct net_config *cfg, char **cause)
{
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK) {
        if (cause != NULL)
            *cause = xstrdup("libcurl could not be initialised");
        return NULL;
    }
    if (cfg == NULL || cfg->base_url == NULL || cfg->base_url[0] == '\0') {
        if (cause != NULL)
            *cause = xstrdup("no base URL");
        return NULL;
    }
    struct curl_slist *headers = build_headers(cfg, cause);
    if (headers == NULL)
        return NULL;
    struct net *n = xcalloc(1, sizeof *n);
    n->headers = headers;
    n->base_url = xstrdup(cfg->base_url);
    n->api_key = xstrdup(cfg->api_key);
    n->project_id = xstrdup(cfg->project_id);
    n->organization_id = xstrdup(cfg->organization_id);
    n->custom_headers = xstrdup(cfg->custom_headers);
    int s = cfg->refresh_s < 2 ? 2 : cfg->refresh_s;
    n->refresh_ms = cfg->refresh_ms_for_tests > 0 ? cfg->refresh_ms_for_tests : s * 1000;
    n->list.sequential = cfg->sequential_list;
    n->no_usage = cfg->no_usage;
    n->uctx.base_url = n->base_url;
    n->uctx.project_id = n->project_id;
    n->uctx.organization_id = n->organization_id;
    n->uctx.page_size = PAGE_SIZE;
    n->conn = NET_CONN_CONNECTING;
    n->rand_state = (unsigned)clock_mono_ms() ^ (unsigned)(uintptr_t)n;
    n->list.newest_ms = -1;
    strmap_init(&n->seen, NULL);
    strmap_init(&n->files_cache, files_free_ptr);
    strmap_init(&n->job_cache, cached_job_free_ptr);
    strmap_init(&n->list.got, batch_free_ptr);
    strmap_init(&n->list.active, batch_free_ptr);
    strmap_init(&n->list.gone, NULL);
    strmap_init(&n->watch.usage_asks, NULL);
    strmap_init(&n->merge_index, NULL);
    counts_init(n);
    pthread_mutex_init(&n->lock, NULL);
    log_set_secret(cfg->api_key);

    int fds[2];
    if (pipe(fds) != 0) {
        if (cause != NULL)
            *cause = xasprintf("pipe: %s", strerror(errno));
        goto fail;
    }
    n->pipe_rd = fds[0];
    n->pipe_wr = fds[1];
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    n->multi = curl_multi_init();
    if (n->multi == NULL) {
        if (cause != NULL)
            *cause = xstrdup("curl_multi_init failed");
        goto fail;
    }
    curl_multi_setopt(n->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);

    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&n->thread, NULL, thread_main, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        if (cause != NULL)
            *cause = xasprintf("cannot start the network thread: %s", strerror(rc));
        goto fail;
    }
    return n;
fail:
    if (n->multi != NULL)
        curl_multi_cleanup(n->multi);
    if (n->pipe_rd > 0) {
        close(n->pipe_rd);
        close(n->pipe_wr);
    }
    curl_slist_free_all(n->headers);
    free(n->base_url);
    free(n->api_key);
    free(n->project_id);
    free(n->organization_id);
    free(n->custom_headers);
    seen_free(n);
    strmap_done(&n->files_cache);
    strmap_done(&n->job_cache);
    pthread_mutex_destroy(&n->lock);
    free(n);
    return NULL;
}

uint64_t net_submit(struct net *n, struct net_cmd *cmd)
{
    if (cmd == NULL)
        return 0;
    pthread_mutex_lock(&n->lock);
    uint64_t req = ++n->next_req;
    cmd->req = req;
    if (n->n_cmds == n->cap_cmds) {
        n->cap_cmds = n->cap_cmds ? n->cap_cmds * 2 : 16;
        n->cmds = xreallocarray(n->cmds, n->cap_cmds, sizeof *n->cmds);
    }
    n->cmds[n->n_cmds++] = cmd;
    pthread_mutex_unlock(&n->lock);
    curl_multi_wakeup(n->multi);
    return req;
}

int net_fd(const struct net *n)
{
    return n->pipe_rd;
}

struct net_msg *net_take_messages(struct net *n)
{
    pthread_mutex_lock(&n->lock);
    struct net_msg *head = n->msg_head;
    n->msg_head = n->msg_tail = NULL;
    n->msg_takes++; /* nothing taken may be merged into any more (msg_push) */
    char drain[64];
    while (read(n->pipe_rd, drain, sizeof drain) > 0) {
    }
    pthread_mutex_unlock(&n->lock);
    return head;
}

void net_stop(struct net *n)
{
    if (n == NULL)
        return;
    atomic_store(&n->stop, true);
    curl_multi_wakeup(n->multi);
    pthread_join(n->thread, NULL);
    curl_multi_cleanup(n->multi);
    curl_slist_free_all(n->headers);
    curl_slist_free_all(n->upload_headers);

    for (size_t i = 0; i < n->n_cmds; i++)
        net_cmd_free(n->cmds[i]);
    free(n->cmds);
    while (n->msg_head != NULL) {
        struct net_msg *m = n->msg_head;
        n->msg_head = m->next;
        net_msg_free(m);
    }
    close(n->pipe_rd);
    close(n->pipe_wr);

    struct list_state *l = &n->list;
    strmap_done(&l->got);
    strmap_done(&l->active);
    strmap_done(&l->gone);
    net_error_done(&l->err);
    free(l->filter_dir);
    free(l->newest);
    struct watch_state *w = &n->watch;
    free(w->id);
    batch_done(&w->batch);
    strmap_done(&w->usage_asks);
    strmap_done(&n->merge_index);
    counts_free(n);
    while (n->creates != NULL) {
        struct create_job *c = n->creates;
        n->creates = c->next;
        create_job_free(c);
    }
    resubmit_free_all(n);
    for (size_t i = 0; i < n->n_finds; i++) {
        free(n->finds[i].dir);
        free(n->finds[i].cfg);
        free(n->finds[i].since);
    }
    seen_free(n);
    parlist_cancel(n);
    strmap_done(&n->files_cache);
    strmap_done(&n->job_cache);
    free(n->files_loading);
    free(n->sends);
    free(n->base_url);
    free(n->api_key);
    free(n->project_id);
    free(n->organization_id);
    free(n->custom_headers);
    pthread_mutex_destroy(&n->lock);
    free(n);
}
