/* cache.c -- the batch list kept between runs (net/snapshot.c's file), read at start, written
 * after list refreshes and at exit. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/strmap.h"
#include "model/xalloc.h"
#include "net/snapshot.h"
#include "tui/cache.h"

#define CACHE_SAVE_EVERY_MS 60000 /* after refreshes, at most this often (and always at exit) */
#define CACHE_FULL_AFTER_MS (24 * 3600 * 1000LL) /* an older snapshot also gets a full relist */

static bool cache_on(const struct app *a)
{
    return !a->opt.no_cache && !a->opt.demo;
}

static char *cache_path(const struct app *a)
{
    return snapshot_path(a->opt.base_url, a->opt.project_id, a->opt.organization_id);
}

/* The batches the net thread needs to bring a snapshot current: those that can still change
 * and the newest (the delta asks for what was created after it). Copies. */
static void seed_batches(struct net_cmd *cmd, const struct snapshot *s)
{
    size_t newest = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++)
        if (s->entries[i].batch.created_ms >= 0 &&
            (newest == SIZE_MAX ||
             s->entries[i].batch.created_ms > s->entries[newest].batch.created_ms))
            newest = i;
    cmd->batches = xcalloc(s->n ? s->n : 1, sizeof *cmd->batches);
    for (size_t i = 0; i < s->n; i++) {
        const struct batch *b = &s->entries[i].batch;
        if (i == newest || !batch_status_is_terminal(b->status))
            batch_copy_without_results(&cmd->batches[cmd->n_batches++], b);
    }
}

void cache_open(struct app *a)
{
    struct net_cmd *cmd = net_cmd_new(NET_CMD_WATCH_LIST);
    char *path = cache_on(a) ? cache_path(a) : NULL, *why = NULL, *text = NULL;
    size_t len = 0;
    if (path == NULL) {
        app_submit(a, cmd);
        return;
    }
    errno = 0;
    if (!snapshot_read(path, &text, &len, &why)) {
        if (errno != ENOENT) /* a first start has no cache: nothing to say */
            app_log(a, true, "cache %s ignored: %s", path, why ? why : "unreadable");
        free(why);
        free(path);
        app_submit(a, cmd);
        return;
    }
    /* the header first: its seed (the batches that can change, and the newest) is all the
     * delta refresh needs, so it goes now and its round trip overlaps decoding the batches */
    struct snapshot s;
    bool early = false;
    if (snapshot_peek(text, len, &s, NULL)) {
        if (s.has_seed && s.n_seed > 0 &&
            snapshot_matches(&s, a->opt.base_url, a->opt.project_id, a->opt.organization_id)) {
            cmd->batches = s.seed; /* moved */
            cmd->n_batches = s.n_seed;
            s.seed = NULL;
            s.n_seed = 0;
            cmd->full_after = s.saved_ms <= 0 || clock_now_ms() - s.saved_ms > CACHE_FULL_AFTER_MS;
            app_submit(a, cmd);
            cmd = NULL;
            early = true;
        }
        snapshot_done(&s);
    }
    bool ok = snapshot_decode(text, len, &s, &why);
    free(text);
    if (!ok || !snapshot_matches(&s, a->opt.base_url, a->opt.project_id, a->opt.organization_id)) {
        if (ok)
            app_log(a, true, "cache %s ignored: it belongs to another endpoint or project", path);
        else
            app_log(a, true, "cache %s ignored: %s", path, why ? why : "unreadable");
        free(why);
        free(path);
        if (ok)
            snapshot_done(&s);
        /* a start from it may be under way: a new WATCH_LIST starts over with a full list */
        net_cmd_free(cmd);
        app_submit(a, net_cmd_new(NET_CMD_WATCH_LIST));
        return;
    }
    free(path);
    if (!early) {
        /* an older file without a seed: everything decoded first */
        seed_batches(cmd, &s);
        /* a snapshot with no batches seeds nothing: a full listing, as without one */
        cmd->full_after = s.saved_ms <= 0 || clock_now_ms() - s.saved_ms > CACHE_FULL_AFTER_MS;
        app_submit(a, cmd);
    }
    /* names of directories the cache knew, until the directory list brings them again: set
     * once per directory while the store is still empty (each call walks the store), and
     * batches upserted after take them */
    struct strmap named;
    strmap_init(&named, NULL);
    for (size_t i = 0; i < s.n; i++) {
        const struct snapshot_entry *e = &s.entries[i];
        const char *dir = e->batch.source_directory_id;
        if (e->directory_name != NULL && dir != NULL && !strmap_has(&named, dir)) {
            strmap_put(&named, dir, NULL);
            store_set_directory_name(a->store, dir, e->directory_name);
        }
    }
    strmap_done(&named);
    for (size_t i = 0; i < s.n; i++) {
        struct snapshot_entry *e = &s.entries[i];
        char *id = xstrdup(e->batch.id);
        store_upsert_take(a->store, &e->batch); /* moved: the snapshot is dropped after */
        if (e->files_total >= 0)
            store_set_progress(a->store, id, e->files_done, e->files_total);
        if (e->credits_known)
            store_set_credits(a->store, id, e->credits, e->credits_partial);
        store_set_resubmit_of(a->store, id, e->resubmit_of);
        store_set_resubmitted_as(a->store, id, e->resubmitted_as);
        free(id);
    }
    a->cached_ms = s.saved_ms;
    a->list_loaded = true;
    list_view_rebuild(a->view, a->store);
    snapshot_done(&s);
}

void cache_save(struct app *a, bool now)
{
    /* only what this run brought: rewriting an old snapshot would make it look fresh */
    if (!cache_on(a) || a->updated_ms <= 0)
        return;
    int64_t mono = clock_mono_ms();
    if (!now && a->cache_saved_mono > 0 && mono - a->cache_saved_mono < CACHE_SAVE_EVERY_MS)
        return;
    a->cache_saved_mono = mono;
    size_t n = store_count(a->store);
    struct snapshot s;
    memset(&s, 0, sizeof s);
    s.endpoint = (char *)a->opt.base_url;
    s.project_id = (char *)a->opt.project_id;
    s.organization_id = (char *)a->opt.organization_id;
    s.saved_ms = a->updated_ms; /* when the list was last brought current */
    s.entries = xcalloc(n ? n : 1, sizeof *s.entries);
    for (size_t i = 0; i < n; i++) {
        /* borrowed: the entries point into the store, which outlives this call */
        const struct store_entry *e = store_at(a->store, i);
        struct snapshot_entry *o = &s.entries[s.n++];
        o->batch = e->batch;
        o->batch.has_results = false;
        o->batch.results = NULL;
        o->batch.n_results = 0;
        o->directory_name = e->directory_name;
        o->files_done = e->files_total >= 0 ? e->files_done : -1;
        o->files_total = e->files_total;
        o->credits_known = e->credits_known;
        o->credits_partial = e->credits_partial;
        o->credits = e->credits;
        o->resubmit_of = e->resubmit_of;
        o->resubmitted_as = e->resubmitted_as;
    }
    char *path = cache_path(a), *why = NULL;
    if (path != NULL && !snapshot_save(path, &s, &why) && !a->cache_error_said) {
        app_log(a, true, "cache %s not written: %s", path, why ? why : "failed");
        a->cache_error_said = true; /* once: it would fail the same way every minute */
    }
    free(why);
    free(path);
    free(s.entries); /* only the array: every string is the store's */
}
