/* world.c -- the simulator's seeded world and its lazily evaluated batch/job lifecycle. */
#include "config.h"

#include "sim/world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "sim/index.h"
#include "sim/names.h"

/* ---- schedules ---- */

static int64_t scaled(const struct world *w, double ms)
{
    return (int64_t)(ms / w->params.speed);
}

static int64_t cancel_item_delay(const struct world *w)
{
    return scaled(w, 300);
}

static int64_t cancel_batch_delay(const struct world *w)
{
    return scaled(w, 500);
}

/* The same for every batch, so batches leave PENDING (and THROTTLED) in creation order. */
static int64_t pending_time(struct world *w, struct rng *r)
{
    (void)r;
    return scaled(w, 1000);
}

/* Fill b->items for n files (directory indexes files[], or 0..n-1 when NULL); sets
 * natural_end. */
static void make_schedule(struct world *w, struct rng *r, struct world_batch *b, size_t n,
                          const uint32_t *files)
{
    const char *prefix = b->type == JOB_TYPE_EXTRACT ? "ejb-" : "pjb-";
    double span = 12000.0 * sqrt((double)n / 20.0); /* 20 files: mapped over 12 s */
    b->items = xcalloc(n, sizeof *b->items);
    b->nitems = n;
    /* the defaults: 3% of files a mapping error, 8% a failed job; --job-fail-rate is a share
     * of the files that got a job */
    double map_rate = w->params.has_map_error_rate ? w->params.map_error_rate : 0.03;
    double job_rate =
        w->params.has_job_fail_rate ? w->params.job_fail_rate * (1 - map_rate) : 0.08;
    b->natural_end = 0;
    b->map_end = 0;
    for (size_t i = 0; i < n; i++) {
        struct world_item *it = &b->items[i];
        it->file = files != NULL ? files[i] : (uint32_t)i;
        double map = span * ((double)i + 0.2 + 0.6 * rng_unit(r)) / (double)n;
        double pend = 500 + (double)rng_below(r, 2500);
        double run = 2000 + (double)rng_below(r, 10000);
        it->map_off = (int32_t)scaled(w, map);
        it->pend = (int32_t)scaled(w, pend);
        it->run = (int32_t)scaled(w, run);
        it->seed = rng_next(r);
        /* one roll per file whatever the rates, so a seed gives the same world */
        double roll = rng_unit(r);
        if (roll < map_rate) {
            it->kind = WORLD_ITEM_MAP_ERROR;
        } else {
            it->kind = roll < map_rate + job_rate ? WORLD_ITEM_JOB_FAILS : WORLD_ITEM_OK;
            rng_uuid(r, prefix, it->job_id, sizeof it->job_id);
        }
        if (it->map_off > b->map_end)
            b->map_end = it->map_off;
        int64_t done = it->map_off;
        if (it->kind != WORLD_ITEM_MAP_ERROR)
            done += it->pend + it->run;
        if (done > b->natural_end)
            b->natural_end = done;
    }
}

/* The batch takes a slot at start. */
static void start_batch(struct world *w, struct world_batch *b, int64_t start)
{
    b->run_start = start;
    b->throttled = start > b->ready;
    /* The SDK: "batch.success means the batch finished mapping every source file to a job";
     * with complete_early the batch ends then, and its jobs go on to their own ends. */
    b->end = start + (w->params.complete_early ? b->map_end + 1 : b->natural_end);
    if (b->fail_frac >= 0) {
        b->fail_at = start + (int64_t)(b->fail_frac * (double)b->natural_end);
        if (b->fail_at < b->end)
            b->end = b->fail_at;
    }
    if (b->cancel_at >= 0 && b->cancel_at + cancel_batch_delay(w) < b->end)
        b->end = b->cancel_at + cancel_batch_delay(w);
}

static enum batch_status end_status(const struct world *w, const struct world_batch *b)
{
    if (b->cancel_at >= 0 && b->end == b->cancel_at + cancel_batch_delay(w))
        return BATCH_CANCELLED;
    if (b->fail_at >= 0 && b->end == b->fail_at)
        return BATCH_FAILED;
    return BATCH_COMPLETED;
}

/* Items are mapped in order; nothing is mapped at or after the cutoff. */
static int64_t map_cutoff(const struct world_batch *b)
{
    int64_t cut = INT64_MAX;
    if (b->cancel_at >= 0)
        cut = b->cancel_at;
    if (b->fail_at >= 0 && b->fail_at < cut)
        cut = b->fail_at;
    return cut;
}

size_t world_mapped_count(const struct world_batch *b, int64_t t)
{
    if (b->run_start < 0 || b->run_start > t)
        return 0;
    int64_t limit = t;
    int64_t cut = map_cutoff(b);
    size_t lo = 0, hi = b->nitems;
    while (lo < hi) { /* first item mapped after t, or at/after the cutoff */
        size_t mid = (lo + hi) / 2;
        int64_t at = b->run_start + b->items[mid].map_off;
        if (at <= limit && at < cut)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void world_item_state(const struct world *w, const struct world_batch *b, size_t i, int64_t t,
                      struct world_item_state *st)
{
    const struct world_item *it = &b->items[i];
    memset(st, 0, sizeof *st);
    if (b->run_start < 0)
        return;
    int64_t map = b->run_start + it->map_off;
    if (map > t || map >= map_cutoff(b))
        return;
    st->mapped = true;
    st->created = st->updated = map;
    if (it->kind == WORLD_ITEM_MAP_ERROR)
        return;
    st->has_job = true;
    int64_t pend_end = map + it->pend;
    int64_t run_end = pend_end + it->run;
    int64_t cancel = b->cancel_at >= 0 ? b->cancel_at + cancel_item_delay(w) : INT64_MAX;
    if (cancel <= t && run_end > cancel) {
        st->status = JOB_CANCELLED;
        st->updated = cancel;
    } else if (t < pend_end) {
        st->status = w->params.throttle_jobs && b->type == JOB_TYPE_EXTRACT &&
                             t < map + it->pend / 2
                         ? JOB_THROTTLED
                         : JOB_PENDING;
    } else if (t < run_end) {
        st->status = JOB_RUNNING;
        st->updated = pend_end;
    } else {
        st->status = it->kind == WORLD_ITEM_JOB_FAILS ? JOB_FAILED : JOB_COMPLETED;
        st->updated = run_end;
    }
}

char *world_item_error(const struct world *w, const struct world_batch *b, size_t i)
{
    const struct world_item *it = &b->items[i];
    struct rng r;
    rng_init(&r, it->seed);
    if (it->kind == WORLD_ITEM_MAP_ERROR)
        return names_mapping_error(&r, w->params.hostile);
    if (it->kind == WORLD_ITEM_JOB_FAILS)
        return names_job_error(&r, w->params.hostile);
    return NULL;
}

/* Status and updated_at of b at t. */
static void batch_state_at(const struct world *w, const struct world_batch *b, int64_t t,
                           enum batch_status *status, int64_t *updated)
{
    int64_t upd = b->created;
    if (b->end >= 0 && b->end <= t) {
        *status = end_status(w, b);
        *updated = b->end;
        return;
    }
    if (b->cancel_at >= 0 && b->cancel_at <= t && b->cancel_at > upd)
        upd = b->cancel_at;
    if (b->run_start < 0 || b->run_start > t) {
        if (t < b->ready) {
            *status = BATCH_PENDING;
        } else {
            *status = BATCH_THROTTLED;
            if (b->ready > upd)
                upd = b->ready;
        }
        *updated = upd;
        return;
    }
    *status = BATCH_RUNNING;
    if (b->run_start > upd)
        upd = b->run_start;
    size_t mapped = world_mapped_count(b, t);
    if (mapped > 0) {
        int64_t last = b->run_start + b->items[mapped - 1].map_off;
        if (last > upd)
            upd = last;
    }
    *updated = upd;
}

static int cmp_ready(const void *pa, const void *pb, void *ctx)
{
    struct world *w = ctx;
    const struct world_batch *a = w->batches[*(const size_t *)pa];
    const struct world_batch *b = w->batches[*(const size_t *)pb];
    if (a->ready != b->ready)
        return a->ready < b->ready ? -1 : 1;
    return a->created < b->created ? -1 : a->created > b->created;
}

/* qsort_r is a GNU extension; a tiny insertion sort keeps this portable (lists are short). */
static void sort_waiting(struct world *w, size_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        size_t x = v[i], j = i;
        while (j > 0 && cmp_ready(&v[j - 1], &x, w) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

void world_advance(struct world *w, int64_t now)
{
    int64_t free_at[WORLD_MAX_RUNNING];
    size_t used = 0;
    size_t *waiting = xcalloc(w->nactive + 1, sizeof *waiting);
    size_t nwait = 0;
    for (size_t k = 0; k < w->nactive; k++) {
        struct world_batch *b = w->batches[w->active[k]];
        if (b->run_start >= 0) {
            if (used < WORLD_MAX_RUNNING)
                free_at[used++] = b->end;
        } else if (b->cancel_at < 0) {
            waiting[nwait++] = w->active[k];
        }
    }
    for (; used < WORLD_MAX_RUNNING; used++)
        free_at[used] = INT64_MIN;
    sort_waiting(w, waiting, nwait);
    for (size_t k = 0; k < nwait; k++) {
        struct world_batch *b = w->batches[waiting[k]];
        if (b->ready > now)
            break;
        size_t best = 0;
        for (size_t s = 1; s < WORLD_MAX_RUNNING; s++)
            if (free_at[s] < free_at[best])
                best = s;
        int64_t start = b->ready > free_at[best] ? b->ready : free_at[best];
        if (start > now)
            break;
        start_batch(w, b, start);
        free_at[best] = b->end;
    }
    free(waiting);
    size_t keep = 0;
    for (size_t k = 0; k < w->nactive; k++) {
        struct world_batch *b = w->batches[w->active[k]];
        batch_state_at(w, b, now, &b->status, &b->updated);
        b->terminal = batch_status_is_terminal(b->status);
        if (!b->terminal)
            w->active[keep++] = w->active[k];
    }
    w->nactive = keep;
}

/* ---- building the world ---- */

static void add_batch(struct world *w, struct world_batch *b)
{
    if (w->nbatches == w->cap_batches) {
        w->cap_batches = w->cap_batches ? w->cap_batches * 2 : 64;
        w->batches = xreallocarray(w->batches, w->cap_batches, sizeof *w->batches);
    }
    w->batches[w->nbatches++] = b;
}

static void add_active(struct world *w, size_t index)
{
    if (w->nactive == w->cap_active) {
        w->cap_active = w->cap_active ? w->cap_active * 2 : 64;
        w->active = xreallocarray(w->active, w->cap_active, sizeof *w->active);
    }
    w->active[w->nactive++] = index;
}

static void index_batch(struct world *w, size_t index)
{
    struct world_batch *b = w->batches[index];
    index_put(w->batch_index, b->id, index, 0);
    for (size_t i = 0; i < b->nitems; i++)
        if (b->items[i].job_id[0] != '\0')
            index_put(w->job_index, b->items[i].job_id, index, i);
}

static void make_dir(struct world *w, struct rng *r, struct world_dir *d, char *name,
                     size_t nfiles, bool bulk, int64_t created)
{
    rng_uuid(r, "dir-", d->id, sizeof d->id);
    d->name = name;
    d->description = names_directory_description(r, name);
    d->created = created;
    /* --directory-ttl: every regular directory is ephemeral, gone TTL seconds after start */
    if (!bulk && w->params.directory_ttl_s > 0)
        d->expires = w->started + w->params.directory_ttl_s * 1000;
    d->nfiles = nfiles;
    d->cap_files = nfiles ? nfiles : 1;
    d->files = xcalloc(d->cap_files, sizeof *d->files);
    for (size_t i = 0; i < nfiles; i++) {
        struct world_file *f = &d->files[i];
        rng_uuid(r, "dfl-", f->id, sizeof f->id);
        rng_uuid(r, "", f->file_id, sizeof f->file_id);
        f->name =
            bulk ? names_bulk_file(r, i, w->params.hostile) : names_file(r, i, w->params.hostile);
        f->created = created + (int64_t)i * 1000 + 1;
    }
    d->updated = created + (int64_t)nfiles * 1000 + 1;
}

static void make_configs(struct world *w, struct rng *r, int64_t now)
{
    static const struct {
        const char *name, *product, *tier;
        enum job_type type;
    } table[] = {
        {"invoices-fast", "parse_v2", "fast", JOB_TYPE_PARSE},
        {"contracts-agentic", "parse_v2", "agentic", JOB_TYPE_PARSE},
        {"receipts-cost-effective", "parse_v2", "cost_effective", JOB_TYPE_PARSE},
        {"research-agentic-plus", "parse_v2", "agentic_plus", JOB_TYPE_PARSE},
        {"invoice-fields", "extract_v2", "agentic", JOB_TYPE_EXTRACT},
        {"contract-parties", "extract_v2", "agentic_plus", JOB_TYPE_EXTRACT},
        {"receipt-totals", "extract_v2", "cost_effective", JOB_TYPE_EXTRACT},
        {"document-router", "classify_v2", NULL, JOB_TYPE_UNKNOWN},
    };
    size_t n = sizeof table / sizeof table[0];
    w->configs = xcalloc(n + 1, sizeof *w->configs);
    for (size_t i = 0; i < n; i++) {
        struct world_config *c = &w->configs[i];
        rng_uuid(r, "cfg-", c->id, sizeof c->id);
        c->name = names_config(table[i].name, r, w->params.hostile);
        c->type = table[i].type;
        c->product_type = table[i].product;
        c->tier = table[i].tier;
        c->version = 1 + (int)rng_below(r, 4);
        c->created = now - 40LL * 86400000 + (int64_t)i * 3600000;
        c->updated = c->created + (int64_t)rng_below(r, 86400000);
        c->listed = true;
    }
    struct world_config *p = &w->configs[n];
    snprintf(p->id, sizeof p->id, "cfg-PARSE_AGENTIC");
    p->name = xstrdup("PARSE_AGENTIC");
    p->type = JOB_TYPE_PARSE;
    p->product_type = "parse_v2";
    p->tier = "agentic";
    p->version = 1;
    p->created = p->updated = now - 90LL * 86400000;
    w->nconfigs = n + 1;
}

static size_t pick_config(struct world *w, struct rng *r, enum job_type type)
{
    size_t choices[16], n = 0;
    for (size_t i = 0; i < w->nconfigs && n < 16; i++)
        if (w->configs[i].type == type)
            choices[n++] = i;
    return choices[rng_below(r, n)];
}

static int cmp_created(const void *pa, const void *pb)
{
    const struct world_batch *a = *(struct world_batch *const *)pa;
    const struct world_batch *b = *(struct world_batch *const *)pb;
    return a->created < b->created ? -1 : a->created > b->created;
}

/* A pre-existing batch with the wanted status as of now. */
static struct world_batch *old_batch(struct world *w, struct rng *r, size_t dir,
                                     enum batch_status want, int64_t created, int64_t now)
{
    struct world_batch *b = xcalloc(1, sizeof *b);
    rng_uuid(r, "bat-", b->id, sizeof b->id);
    b->dir = dir;
    b->type = rng_chance(r, 0.25) && want != BATCH_COMPLETED ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE;
    if (rng_chance(r, 0.2) && want == BATCH_COMPLETED)
        b->type = JOB_TYPE_EXTRACT;
    b->config = pick_config(w, r, b->type);
    if (dir == w->ndirs - 2) { /* "thousand": parse, so the benchmarks open parse jobs */
        b->type = JOB_TYPE_PARSE;
        b->config = w->nconfigs - 1;
    }
    b->cancel_at = b->fail_at = b->end = b->run_start = -1;
    b->fail_frac = -1;
    make_schedule(w, r, b, w->dirs[dir].nfiles, NULL);
    int64_t pend = pending_time(w, r);
    switch (want) {
    case BATCH_PENDING:
        b->created = now - 1;
        b->ready = b->created + pend + scaled(w, 1500);
        break;
    case BATCH_THROTTLED:
        b->created = created;
        b->ready = created + pend;
        break;
    case BATCH_RUNNING: {
        /* well on its way, so a new batch does not queue long behind the pre-existing ones */
        int64_t run_start = now - (int64_t)((0.55 + 0.35 * rng_unit(r)) * (double)b->natural_end);
        b->created = created < run_start - pend - 1 ? created : run_start - pend - 1;
        b->ready = b->created + pend;
        start_batch(w, b, run_start);
        break;
    }
    default:
        b->created = created;
        b->ready = created + pend;
        if (want == BATCH_FAILED)
            b->fail_frac = 0.2 + 0.5 * rng_unit(r);
        if (want == BATCH_CANCELLED)
            b->cancel_at =
                b->ready + (int64_t)((0.2 + 0.5 * rng_unit(r)) * (double)b->natural_end);
        start_batch(w, b, b->ready);
        break;
    }
    return b;
}

static void make_batches(struct world *w, struct rng *r, int64_t now)
{
    size_t n = w->params.batches;
    size_t active = n >= 12 ? (n / 200 > 6 ? n / 200 : 6) : n / 2;
    size_t terminal = n - active;
    size_t regular = w->ndirs - 2;
    int64_t week = 7LL * 86400000;
    for (size_t i = 0; i < terminal; i++) {
        enum batch_status want = BATCH_COMPLETED;
        size_t dir = regular > 0 ? (size_t)rng_below(r, regular) : w->ndirs - 2;
        if (i == 0)
            dir = w->ndirs - 2; /* a COMPLETED batch over "thousand", every job terminal */
        else if (i % 10 == 1)
            want = BATCH_FAILED;
        else if (i % 10 == 2 || i % 10 == 6)
            want = BATCH_CANCELLED;
        int64_t created =
            now - week +
            (int64_t)((double)i * (double)(week - 7200000) / (double)(terminal ? terminal : 1));
        add_batch(w, old_batch(w, r, dir, want, created, now));
    }
    for (size_t j = 0; j < active; j++) {
        enum batch_status want = BATCH_THROTTLED;
        if (j + 1 == active)
            want = BATCH_PENDING;
        else if (j < WORLD_MAX_RUNNING && (active >= 6 || j + 1 < active))
            want = BATCH_RUNNING;
        size_t dir = regular > 0 ? (size_t)rng_below(r, regular) : w->ndirs - 2;
        int64_t created = now - (int64_t)(active - j) * 30000;
        add_batch(w, old_batch(w, r, dir, want, created, now));
    }
    if (w->nbatches > 1)
        qsort(w->batches, w->nbatches, sizeof *w->batches, cmp_created);
    for (size_t i = 1; i < w->nbatches; i++)
        if (w->batches[i]->created <= w->batches[i - 1]->created)
            w->batches[i]->created = w->batches[i - 1]->created + 1;
    for (size_t i = 0; i < w->nbatches; i++) {
        struct world_batch *b = w->batches[i];
        index_batch(w, i);
        batch_state_at(w, b, now, &b->status, &b->updated);
        b->terminal = batch_status_is_terminal(b->status);
        if (!b->terminal)
            add_active(w, i);
    }
}

struct world *world_new(const struct world_params *p, int64_t now_ms)
{
    struct world *w = xcalloc(1, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    w->params = *p;
    if (w->params.speed <= 0)
        w->params.speed = 1;
    if (w->params.max_files == 0)
        w->params.max_files = WORLD_MAX_FILES;
    w->started = now_ms;
    struct rng r;
    rng_init(&r, p->seed);
    rng_init(&w->rng, p->seed ^ 0x5eed5eed5eed5eedULL);
    rng_uuid(&r, "", w->project_id, sizeof w->project_id);

    w->ndirs = w->cap_dirs = p->directories + 2;
    w->dirs = xcalloc(w->ndirs, sizeof *w->dirs);
    int64_t base = now_ms - 30LL * 86400000;
    for (size_t i = 0; i < p->directories; i++)
        make_dir(w, &r, &w->dirs[i], names_directory(&r, i), p->files_per_directory, false,
                 base + (int64_t)i * 3600000);
    make_dir(w, &r, &w->dirs[w->ndirs - 2], xstrdup("thousand"), WORLD_MAX_FILES, true,
             base - 86400000);
    make_dir(w, &r, &w->dirs[w->ndirs - 1], xstrdup("big-1001"), WORLD_MAX_FILES + 1, true,
             base - 2 * 86400000);
    make_configs(w, &r, now_ms);

    size_t expect = p->batches * (p->files_per_directory + 1) + WORLD_MAX_FILES + 64;
    w->batch_index = index_new(p->batches + 64);
    w->job_index = index_new(expect);
    make_batches(w, &r, now_ms);
    return w;
}

void world_free(struct world *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->nbatches; i++) {
        free(w->batches[i]->items);
        free(w->batches[i]);
    }
    free(w->batches);
    free(w->active);
    for (size_t i = 0; i < w->ndirs; i++) {
        for (size_t j = 0; j < w->dirs[i].nfiles; j++) {
            free(w->dirs[i].files[j].name);
            free(w->dirs[i].files[j].unique_id);
            free(w->dirs[i].files[j].metadata);
            free(w->dirs[i].files[j].upload);
        }
        free(w->dirs[i].files);
        free(w->dirs[i].name);
        free(w->dirs[i].description);
    }
    free(w->dirs);
    for (size_t i = 0; i < w->nconfigs; i++)
        free(w->configs[i].name);
    free(w->configs);
    index_free(w->batch_index);
    index_free(w->job_index);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void world_lock(struct world *w)
{
    pthread_mutex_lock(&w->lock);
}

void world_unlock(struct world *w)
{
    pthread_mutex_unlock(&w->lock);
}

/* ---- lookups ---- */

struct world_batch *world_find_batch(struct world *w, const char *id)
{
    size_t a;
    return index_get(w->batch_index, id, &a, NULL) ? w->batches[a] : NULL;
}

struct world_batch *world_find_job(struct world *w, const char *id, size_t *item)
{
    size_t a, b;
    if (!index_get(w->job_index, id, &a, &b))
        return NULL;
    *item = b;
    return w->batches[a];
}

struct world_dir *world_find_dir(struct world *w, const char *id)
{
    for (size_t i = 0; i < w->ndirs; i++)
        if (strcmp(w->dirs[i].id, id) == 0)
            return &w->dirs[i];
    return NULL;
}

struct world_config *world_find_config(struct world *w, const char *id)
{
    for (size_t i = 0; i < w->nconfigs; i++)
        if (strcmp(w->configs[i].id, id) == 0)
            return &w->configs[i];
    return NULL;
}

size_t world_batch_lower_bound(const struct world *w, int64_t ms)
{
    size_t lo = 0, hi = w->nbatches;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->batches[mid]->created < ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- changes ---- */

struct world_batch *world_create_batch(struct world *w, size_t dir, size_t config, int64_t now)
{
    struct world_batch *b = xcalloc(1, sizeof *b);
    struct rng *r = &w->rng;
    rng_uuid(r, "bat-", b->id, sizeof b->id);
    b->dir = dir;
    b->config = config;
    b->type = w->configs[config].type;
    b->created = now;
    if (w->nbatches > 0 && w->batches[w->nbatches - 1]->created >= now)
        b->created = w->batches[w->nbatches - 1]->created + 1;
    b->ready = b->created + pending_time(w, r);
    b->cancel_at = b->fail_at = b->end = b->run_start = -1;
    b->fail_frac = rng_chance(r, w->params.batch_fail_rate) ? 0.2 + 0.6 * rng_unit(r) : -1;
    /* files soft-deleted by now are not part of the batch (--delete-files) */
    const struct world_dir *d = &w->dirs[dir];
    uint32_t *live = xcalloc(d->nfiles, sizeof *live);
    size_t n = 0;
    for (size_t k = 0; k < d->nfiles; k++)
        if (d->files[k].deleted == 0 || d->files[k].deleted > now)
            live[n++] = (uint32_t)k;
    make_schedule(w, r, b, n, live);
    free(live);
    b->status = BATCH_PENDING;
    b->updated = b->created;
    add_batch(w, b);
    index_batch(w, w->nbatches - 1);
    add_active(w, w->nbatches - 1);
    return b;
}

bool world_cancel_batch(struct world *w, struct world_batch *b, int64_t now)
{
    if (b->terminal)
        return false;
    if (b->cancel_at < 0) {
        b->cancel_at = now;
        int64_t end = now + cancel_batch_delay(w);
        if (b->end < 0 || end < b->end)
            b->end = end;
    }
    batch_state_at(w, b, now, &b->status, &b->updated);
    return true;
}
