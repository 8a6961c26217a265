/* apply.h -- the one function that applies a net message to the UI's model. */
#ifndef TUI_APPLY_H
#define TUI_APPLY_H

/*
 * The net thread's answers change the UI's model in exactly one place: here. A complete list
 * replaces the store's generation, a delta upserts, a batch answer updates the store and the
 * open batch's detail, file names and job statuses go to the detail, and the annotations the
 * list shows (directory names, the open batch's progress) are set from them. Failures mark
 * the data stale and go to the messages log; nothing here draws.
 */

#include "net/msg.h"
#include "tui/app.h"

/* Apply m to the store, the list view, the open batch's detail and the header state, and
 * set the annotations the list shows (directory names, progress of the open batch). Screens
 * get the message afterwards through their own hooks. Returns reaction flags. Job statuses
 * and batch answers only mark the list view (a->view_dirty): the caller rebuilds it once
 * after a run of messages. A NET_MSG_BATCH's batches[0] is taken (moved into the detail). */
unsigned apply_message(struct app *a, const struct net_msg *m);

/* The open batch's rows are all built (detail_work ended a build): its progress goes to the
 * list, and an R waiting for the batch to load goes on. */
void apply_rows_built(struct app *a);

/* Ask once (at start, and for a new profile) for the directory and configuration lists: the
 * list's DIRECTORY and CONFIG columns show their names (unknown IDs stay IDs). */
void apply_load_names(struct app *a);

/* Copy directory names from the cache into every store entry that lacks one. */
void apply_directory_names(struct app *a);

#endif
