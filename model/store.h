/* store.h -- every batch the list has seen, by ID, with the status changes observed over time. */
#ifndef MODEL_STORE_H
#define MODEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/objects.h"

/* One observed status change; seen_ms comes from clock_now_ms() when it was applied. */
struct status_change {
    enum batch_status from;    /* BATCH_UNKNOWN with from_text NULL for the first sighting */
    enum batch_status to;
    char *to_text;             /* wire text of the new status (the store's; read only) */
    int64_t seen_ms;
};

/*
 * One batch as the list knows it. `batch` never holds results (the list endpoints carry
 * none; the Batch screen keeps them in a batch_detail). Annotations are set by the UI from
 * other answers so the list can show and filter them; -1 / NULL mean unknown.
 */
struct store_entry {
    struct batch batch;
    struct status_change *history;   /* oldest first; the first entry is the first sighting */
    size_t n_history;
    char *directory_name;            /* name of batch.source_directory_id, when known */
    long files_done;                 /* files whose job is terminal or that have a mapping error */
    long files_total;                /* result rows; -1 until the batch's results are known */
    long jobs_running;               /* jobs known to be still running (0 when none known);
                                        reset when the status changes */
    bool credits_known;              /* credits summed over the jobs billed so far (the Batch
                                        screen's count); partial while some are not billed */
    bool credits_partial;
    double credits;
    char *resubmit_of;               /* the batch this one resubmitted (batchtop's own link: the
                                        API has none), NULL when none */
    char *resubmitted_as;            /* the batch that resubmitted this one's files, or NULL */
};

/* A batch whose status keeps flipping keeps its first sighting and the newest changes, at most
 * this many history entries in all. */
#define STORE_HISTORY_MAX 1000

/* Opaque; owned by the UI thread. Entry pointers stay valid until the next call that
 * modifies the store (upsert, apply_generation, remove). */
struct batch_store;

struct batch_store *store_new(void);
void store_free(struct batch_store *s);

size_t store_count(const struct batch_store *s);
/* Entries in no particular order (use a list_view for display order). */
const struct store_entry *store_at(const struct batch_store *s, size_t i);
const struct store_entry *store_find(const struct batch_store *s, const char *id);
/* The index of id for store_at, (size_t)-1 when absent; O(1). */
size_t store_index_of(const struct batch_store *s, const char *id);
/* A counter that changes whenever anything in the store changes (views compare it). Values
 * are never reused, not even by another store, so a view may key a cache on it alone. */
uint64_t store_version(const struct batch_store *s);

/* Insert or update from a list page or a get; copies b (its results are ignored). A status
 * different from the stored one (any direction, backwards too) is appended to the history.
 * A stale answer -- updated_at strictly older than the stored one -- changes nothing (answers
 * from different requests can arrive out of order). Returns true when anything visible changed. */
bool store_upsert(struct batch_store *s, const struct batch *b);
/* A complete refresh (every page fetched): upserts all of them and drops entries that are not
 * among them. Only call it with a complete set; a failed refresh must not reach the store. */
void store_apply_generation(struct batch_store *s, const struct batch *batches, size_t n);
/* The same two, taking instead of copying: the strings of every batch that is new or changed
 * move into the store, and every batch is consumed (the rest are freed), so each is left
 * zeroed and the caller only frees the array (batch_done on a zeroed batch is harmless).
 * With these the net thread's NET_MSG_LIST_FULL / LIST_DELTA batches are handed over, so
 * that one copy of a large list exists at a time instead of two. */
bool store_upsert_take(struct batch_store *s, struct batch *b);
void store_apply_generation_take(struct batch_store *s, struct batch *batches, size_t n);
/* Remove one batch; false when it was not there. */
bool store_remove(struct batch_store *s, const char *id);

/* Annotations (see struct store_entry); unknown IDs are ignored. A directory name is also
 * remembered for batches of that directory that arrive later; NULL forgets it. */
void store_set_directory_name(struct batch_store *s, const char *directory_id, const char *name);
void store_set_progress(struct batch_store *s, const char *id, long done, long total);
/* Jobs of the batch known to be pending or running (a COMPLETED batch may still have some). */
void store_set_jobs_running(struct batch_store *s, const char *id, long running);
/* Credits billed for a batch's jobs so far; partial while some job is not billed yet. */
void store_set_credits(struct batch_store *s, const char *id, double credits, bool partial);

/* Resubmit links (kept by batchtop, saved in the snapshot): `resubmit` ran files of
 * `original` again. Either side may be missing from the store; the one present is marked. */
void store_link_resubmit(struct batch_store *s, const char *original, const char *resubmit);
void store_set_resubmit_of(struct batch_store *s, const char *id, const char *original);
void store_set_resubmitted_as(struct batch_store *s, const char *id, const char *resubmit);

/* The newest created_at (server text) of any stored batch, by parsed time; NULL when empty
 * or when no created_at parses. The store parses created_at/updated_at itself on upsert, so
 * created_ms/updated_ms in entries are always consistent with the text (-1 when unparsable). */
const char *store_newest_created_at(const struct batch_store *s);

#endif
