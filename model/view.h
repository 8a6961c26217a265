/* view.h -- the Batches table as the user sees it: filter, status set, sort, selection, counts. */
#ifndef MODEL_VIEW_H
#define MODEL_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "model/store.h"

#define LIST_COLUMN_LIST(X)                                                                       \
    X(COL_ID, "ID")                                                                               \
    X(COL_STATUS, "STATUS")                                                                       \
    X(COL_TYPE, "TYPE")                                                                           \
    X(COL_CONFIG, "CONFIG")                                                                       \
    X(COL_DIRECTORY, "DIRECTORY")                                                                 \
    X(COL_FILES, "FILES")                                                                         \
    X(COL_FAILED, "FAILED")                                                                       \
    X(COL_PROGRESS, "PROGRESS")                                                                   \
    X(COL_CREDITS, "CREDITS")                                                                     \
    X(COL_CREATED, "CREATED")                                                                     \
    X(COL_UPDATED, "UPDATED")

enum list_column { LIST_COLUMN_LIST(STATUS_ENUM_ITEM) COL_COUNT };

/* A count not known yet (UTF-8 horizontal ellipsis). */
#define LIST_UNKNOWN "\xe2\x80\xa6"

/* Status sets for the 0-6 and `a` keys: bit (1u << status); 0 means every status. */
#define STATUS_MASK_ALL 0u
#define STATUS_MASK_ACTIVE \
    ((1u << BATCH_PENDING) | (1u << BATCH_THROTTLED) | (1u << BATCH_RUNNING) | \
     (1u << BATCH_UNKNOWN))

struct list_view;

/* A new view: no filter, all statuses, sorted by CREATED newest first, nothing selected. */
struct list_view *list_view_new(void);
void list_view_free(struct list_view *v);

const char *list_column_name(enum list_column c);
/* The text of one cell as shown and as matched by the filter: ID, status word, type, the
 * configuration's name (a built-in preset such as cfg-PARSE_AGENTIC as "PARSE_AGENTIC
 * (preset)", else the ID), directory name (else ID), "done/total", percent ("42%"), failed
 * files ("3"), created and updated as the server's text. Counts not known yet are
 * LIST_UNKNOWN ("…"); PROGRESS of a batch with no files is "-". Writes a NUL-terminated
 * string into buf. */
void list_cell_text(const struct store_entry *e, enum list_column c, char *buf, size_t len);

/* Filter: case-insensitive substring over every column's text; a leading '!' keeps the rows
 * that do NOT match. NULL, "" or "!" alone clears it. Copied. */
void list_view_set_filter(struct list_view *v, const char *text);
const char *list_view_filter(const struct list_view *v);   /* "" when none */
void list_view_set_status_mask(struct list_view *v, unsigned mask);
/* Only batches with at least one failed file (files_failed > 0); unknown counts are hidden. */
void list_view_set_failed_only(struct list_view *v, bool on);
bool list_view_failed_only(const struct list_view *v);
unsigned list_view_status_mask(const struct list_view *v);
/* Stable sort by one column; inverted reverses it. CREATED/UPDATED sort by time, FILES,
 * PROGRESS and FAILED numerically (unknown last), the rest as text; ties keep ID order.
 * Not inverted, CREATED/UPDATED put the newest first, FILES (by total, then done), PROGRESS and
 * FAILED the smallest first, text A to Z ignoring ASCII case. Inverting reverses only the known
 * values: unknown or unparsable ones stay last and ties stay in ascending ID order. */
void list_view_set_sort(struct list_view *v, enum list_column c, bool inverted);
enum list_column list_view_sort_column(const struct list_view *v);
bool list_view_sort_inverted(const struct list_view *v);

/* Recompute the rows from the store (call after the store or any setting changed). The
 * selection stays on the same batch ID; when that batch is gone or filtered out it moves to
 * the row that was its nearest neighbour (the next one, else the previous). */
void list_view_rebuild(struct list_view *v, const struct batch_store *s);

size_t list_view_count(const struct list_view *v);          /* rows shown */
size_t list_view_total(const struct list_view *v);          /* batches in the store */
/* A shown row's entry; it points into the store, so it is valid until the store changes
 * (rebuild the view after every change before reading rows again). */
const struct store_entry *list_view_row(const struct list_view *v, size_t i);
/* Counts per status over the whole store (not just the shown rows). */
void list_view_counts(const struct list_view *v, size_t counts[BATCH_STATUS_COUNT]);

/* Selection: index into the shown rows; (size_t)-1 and NULL when there are no rows. */
size_t list_view_selected(const struct list_view *v);
const char *list_view_selected_id(const struct list_view *v);
/* Move by delta rows, clamped to the first/last row. Moving or select_index forgets an ID
 * remembered by list_view_select_id (the user chose another row). */
void list_view_move(struct list_view *v, long delta);
void list_view_select_index(struct list_view *v, size_t i);
/* Select a batch by ID (e.g. a batch just created); false when it is not shown. The ID is
 * remembered so a later rebuild that shows it selects it. */
bool list_view_select_id(struct list_view *v, const char *id);

#endif
