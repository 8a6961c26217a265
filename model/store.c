/* store.c -- batches by ID (hash index), status history, generations and annotations. */
#include "config.h"

#include "model/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/strmap.h"
#include "model/xalloc.h"


struct batch_store {
    struct store_entry *entries;  /* n entries, cap allocated; order is arbitrary */
    size_t n, cap;
    struct strmap ids;            /* the ID index: batch ID -> index in entries */
    char **dir_names;             /* remembered directory names; index from dirs */
    size_t n_dir_names;
    struct strmap dirs;           /* directory ID -> index in dir_names */
    uint64_t version;
};

/* Shared by every store so that a version never repeats (UI thread only, like all of model/). */
static uint64_t version_counter;

static void touch(struct batch_store *s)
{
    s->version = ++version_counter;
}

struct batch_store *store_new(void)
{
    struct batch_store *s = xcalloc(1, sizeof *s);
    strmap_init(&s->ids, NULL);
    strmap_init(&s->dirs, NULL);
    touch(s);
    return s;
}

/* A history entry's text: the static name for a known status sent as named (most of them,
 * and no allocation per batch), else a copy. */
static char *change_text(const struct batch *b)
{
    const char *text = batch_status_text(b), *name = batch_status_name(b->status);
    if (text != NULL && strcmp(text, name) == 0)
        return (char *)name;
    return xstrdup(text);
}

static void change_text_free(struct status_change *c)
{
    if (c->to_text != batch_status_name(c->to))
        free(c->to_text);
    c->to_text = NULL;
}

static void entry_done(struct store_entry *e)
{
    batch_done(&e->batch);
    for (size_t i = 0; i < e->n_history; i++)
        change_text_free(&e->history[i]);
    free(e->history);
    free(e->directory_name);
    free(e->resubmit_of);
    free(e->resubmitted_as);
    memset(e, 0, sizeof *e);
}

void store_free(struct batch_store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        entry_done(&s->entries[i]);
    free(s->entries);
    strmap_done(&s->ids);
    for (size_t i = 0; i < s->n_dir_names; i++)
        free(s->dir_names[i]);
    free(s->dir_names);
    strmap_done(&s->dirs);
    free(s);
}

size_t store_count(const struct batch_store *s)
{
    return s->n;
}

const struct store_entry *store_at(const struct batch_store *s, size_t i)
{
    return i < s->n ? &s->entries[i] : NULL;
}

/* ---- the ID index (strmap of entry numbers) ---- */

/* Index of id's entry, false when absent. */
static bool id_get(const struct batch_store *s, const char *id, size_t *index)
{
    return strmap_get_index(&s->ids, id, index);
}

/* Index entries[0 .. s->n) afresh. */
static void id_rebuild(struct batch_store *s)
{
    strmap_clear(&s->ids);
    for (size_t i = 0; i < s->n; i++)
        strmap_put_index(&s->ids, s->entries[i].batch.id, i);
}

/* Index entry i (its ID not indexed yet; i < s->n). */
static void id_add(struct batch_store *s, size_t i)
{
    strmap_put_index(&s->ids, s->entries[i].batch.id, i);
}

/* Point id's index at entry i (an entry about to move there). */
static void id_move(struct batch_store *s, const char *id, size_t i)
{
    strmap_put_index(&s->ids, id, i);
}

/* Drop id (indexed) from the index. */
static void id_remove(struct batch_store *s, const char *id)
{
    strmap_remove(&s->ids, id);
}

size_t store_index_of(const struct batch_store *s, const char *id)
{
    size_t i;
    return id_get(s, id, &i) ? i : (size_t)-1;
}

const struct store_entry *store_find(const struct batch_store *s, const char *id)
{
    return store_at(s, store_index_of(s, id));
}

uint64_t store_version(const struct batch_store *s)
{
    return s->version;
}

/* The remembered name of a directory, NULL when none. */
static const char *dir_name(const struct batch_store *s, const char *directory_id)
{
    size_t i;
    return strmap_get_index(&s->dirs, directory_id, &i) ? s->dir_names[i] : NULL;
}

static int64_t parse_ms(const char *text)
{
    int64_t ms = -1;
    if (!clock_parse_iso8601(text, &ms))
        ms = -1;
    return ms;
}

static void history_add(struct store_entry *e, enum batch_status from, const struct batch *b)
{
    if (e->n_history == STORE_HISTORY_MAX) {
        /* Keep the first sighting; drop the oldest change after it. */
        change_text_free(&e->history[1]);
        memmove(&e->history[1], &e->history[2], (e->n_history - 2) * sizeof *e->history);
        e->n_history--;
    }
    e->history = xreallocarray(e->history, e->n_history + 1, sizeof *e->history);
    struct status_change *c = &e->history[e->n_history++];
    c->from = from;
    c->to = b->status;
    c->to_text = change_text(b);
    c->seen_ms = clock_now_ms();
}

/* Fields the list shows or filters on differ (results and parsed times excluded). */
static bool batch_differs(const struct batch *a, const struct batch *b)
{
    return !xstreq(a->project_id, b->project_id)
        || !xstreq(a->source_directory_id, b->source_directory_id)
        || a->job_type != b->job_type || !xstreq(a->job_type_text, b->job_type_text)
        || !xstreq(a->configuration_id, b->configuration_id) || a->status != b->status
        || !xstreq(a->status_text, b->status_text) || !xstreq(a->created_at, b->created_at)
        || !xstreq(a->updated_at, b->updated_at);
}

/* Fill dst from b: a copy, or, when b is non-NULL in take, b's strings moved in (b is left
 * zeroed, its results freed). */
static void keep_batch(struct batch *dst, const struct batch *b, struct batch *take)
{
    if (take == NULL) {
        batch_copy_without_results(dst, b);
        return;
    }
    for (size_t i = 0; i < take->n_results; i++)
        batch_result_done(&take->results[i]);
    free(take->results);
    *dst = *take;
    dst->has_results = false;
    dst->results = NULL;
    dst->n_results = 0;
    memset(take, 0, sizeof *take);
}

/* Grow entries so that at least want fit. */
static void reserve(struct batch_store *s, size_t want)
{
    if (want <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < want)
        cap *= 2;
    /* A generation of exactly want entries (the common first load) gets exactly that. */
    if (s->n == 0 && want > cap / 2)
        cap = want;
    s->entries = xreallocarray(s->entries, cap, sizeof *s->entries);
    s->cap = cap;
}

/* Upsert without touching the version; true when something changed. With take non-NULL
 * (== b), b's strings move into the store when it is new or changed (b is left zeroed); an
 * unchanged b is left as it was. */
static bool upsert(struct batch_store *s, const struct batch *b, struct batch *take,
                   size_t *index)
{
    size_t i;
    if (id_get(s, b->id, &i)) {
        struct store_entry *e = &s->entries[i];
        *index = i;
        if (!batch_differs(&e->batch, b))
            return false;
        /* An answer older than what is stored (a slow get overtaken by a list refresh) must
         * not take a batch back to a status it already left. */
        int64_t new_ms = parse_ms(b->updated_at);
        if (e->batch.updated_ms >= 0 && new_ms >= 0 && new_ms < e->batch.updated_ms)
            return false;
        bool status_changed = e->batch.status != b->status
                              || !xstreq(batch_status_text(&e->batch), batch_status_text(b));
        bool dir_changed = !xstreq(e->batch.source_directory_id, b->source_directory_id);
        enum batch_status from = e->batch.status;
        batch_done(&e->batch);
        keep_batch(&e->batch, b, take);
        if (status_changed) {
            history_add(e, from, &e->batch);
            e->jobs_running = 0; /* counted under the old status: not known for the new one */
        }
        if (dir_changed)
            xstrset(&e->directory_name, dir_name(s, e->batch.source_directory_id));
    } else {
        reserve(s, s->n + 1);
        i = s->n++;
        struct store_entry *e = &s->entries[i];
        memset(e, 0, sizeof *e);
        keep_batch(&e->batch, b, take);
        history_add(e, BATCH_UNKNOWN, &e->batch);
        e->directory_name = xstrdup(dir_name(s, e->batch.source_directory_id));
        e->files_done = -1;
        e->files_total = -1;
        id_add(s, i);
        *index = i;
    }
    struct batch *kept = &s->entries[i].batch;
    kept->created_ms = parse_ms(kept->created_at);
    kept->updated_ms = parse_ms(kept->updated_at);
    return true;
}

bool store_upsert(struct batch_store *s, const struct batch *b)
{
    size_t i;
    if (b == NULL || b->id == NULL || !upsert(s, b, NULL, &i))
        return false;
    touch(s);
    return true;
}

bool store_upsert_take(struct batch_store *s, struct batch *b)
{
    size_t i;
    if (b == NULL)
        return false;
    bool changed = b->id != NULL && upsert(s, b, b, &i);
    batch_done(b); /* unchanged (or ID-less): nothing was taken, so it is freed here */
    if (changed)
        touch(s);
    return changed;
}

/* Move the last entry into slot i (after entry i was finished and dropped from the index). */
static void fill_hole(struct batch_store *s, size_t i)
{
    s->n--;
    if (i != s->n) {
        id_move(s, s->entries[s->n].batch.id, i);
        s->entries[i] = s->entries[s->n];
    }
}

/* store_apply_generation; take is NULL or batches itself (every one consumed). */
static void apply_generation(struct batch_store *s, const struct batch *batches,
                             struct batch *take, size_t n)
{
    bool changed = false;
    bool *keep = xcalloc(s->n + n, sizeof *keep);
    reserve(s, n);
    for (size_t k = 0; k < n; k++) {
        size_t i;
        if (batches[k].id != NULL) {
            if (upsert(s, &batches[k], take ? &take[k] : NULL, &i))
                changed = true;
            keep[i] = true; /* new entries land at the end, inside the s->n + n bound */
        }
        if (take != NULL)
            batch_done(&take[k]); /* unchanged or ID-less; a taken one is zeroed already */
    }
    size_t out = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!keep[i]) {
            entry_done(&s->entries[i]);
            continue;
        }
        if (out != i)
            s->entries[out] = s->entries[i];
        out++;
    }
    if (out != s->n) {
        changed = true;
        s->n = out;
        id_rebuild(s); /* entries moved: index them where they are now */
    }
    free(keep);
    if (changed)
        touch(s);
}

void store_apply_generation(struct batch_store *s, const struct batch *batches, size_t n)
{
    apply_generation(s, batches, NULL, n);
}

void store_apply_generation_take(struct batch_store *s, struct batch *batches, size_t n)
{
    apply_generation(s, batches, batches, n);
}

bool store_remove(struct batch_store *s, const char *id)
{
    size_t i;
    if (!id_get(s, id, &i))
        return false;
    id_remove(s, id);
    entry_done(&s->entries[i]);
    fill_hole(s, i);
    touch(s);
    return true;
}

void store_set_directory_name(struct batch_store *s, const char *directory_id, const char *name)
{
    if (directory_id == NULL)
        return;
    size_t k;
    if (strmap_get_index(&s->dirs, directory_id, &k)) {
        xstrset(&s->dir_names[k], name);
    } else if (name != NULL) {
        s->dir_names = xreallocarray(s->dir_names, s->n_dir_names + 1, sizeof *s->dir_names);
        s->dir_names[s->n_dir_names] = xstrdup(name);
        strmap_put_index(&s->dirs, directory_id, s->n_dir_names++);
    }
    bool changed = false;
    for (size_t i = 0; i < s->n; i++) {
        struct store_entry *e = &s->entries[i];
        if (xstreq(e->batch.source_directory_id, directory_id)
            && !xstreq(e->directory_name, name)) {
            xstrset(&e->directory_name, name);
            changed = true;
        }
    }
    if (changed)
        touch(s);
}

static void set_link(struct batch_store *s, const char *id, bool of, const char *other)
{
    size_t i;
    if (!id_get(s, id, &i))
        return;
    char **slot = of ? &s->entries[i].resubmit_of : &s->entries[i].resubmitted_as;
    if (xstreq(*slot, other))
        return;
    xstrset(slot, other);
    touch(s);
}

void store_set_resubmit_of(struct batch_store *s, const char *id, const char *original)
{
    set_link(s, id, true, original);
}

void store_set_resubmitted_as(struct batch_store *s, const char *id, const char *resubmit)
{
    set_link(s, id, false, resubmit);
}

void store_link_resubmit(struct batch_store *s, const char *original, const char *resubmit)
{
    set_link(s, original, false, resubmit);
    set_link(s, resubmit, true, original);
}

void store_set_progress(struct batch_store *s, const char *id, long done, long total)
{
    size_t i;
    if (!id_get(s, id, &i))
        return;
    struct store_entry *e = &s->entries[i];
    if (total < 0)
        done = total = -1;
    else if (done < 0)
        done = 0;
    else if (done > total)
        done = total;
    if (e->files_done == done && e->files_total == total)
        return;
    e->files_done = done;
    e->files_total = total;
    touch(s);
}

void store_set_jobs_running(struct batch_store *s, const char *id, long running)
{
    size_t i;
    if (!id_get(s, id, &i))
        return;
    struct store_entry *e = &s->entries[i];
    if (running < 0)
        running = 0;
    if (e->jobs_running == running)
        return;
    e->jobs_running = running;
    touch(s);
}

void store_set_credits(struct batch_store *s, const char *id, double credits, bool partial)
{
    size_t i;
    if (!id_get(s, id, &i))
        return;
    struct store_entry *e = &s->entries[i];
    if (e->credits_known && e->credits == credits && e->credits_partial == partial)
        return;
    e->credits_known = true;
    e->credits = credits;
    e->credits_partial = partial;
    touch(s);
}

const char *store_newest_created_at(const struct batch_store *s)
{
    const struct store_entry *best = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const struct store_entry *e = &s->entries[i];
        if (e->batch.created_ms < 0)
            continue;
        if (best == NULL || e->batch.created_ms > best->batch.created_ms)
            best = e;
    }
    return best ? best->batch.created_at : NULL;
}
