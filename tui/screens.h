/* screens.h -- how to open each screen; every screen lives in its own file under tui/. */
#ifndef TUI_SCREENS_H
#define TUI_SCREENS_H

/*
 * Each function builds the screen's data and pushes it on the app's stack. The screen files:
 * list.c (Batches, the home screen), batch.c, file.c, form.c (New batch), picker.c,
 * dialog.c (confirmations), prompt.c (one-line input on the bottom row), help.c, messages.c.
 */

#include <stdbool.h>

#include "model/objects.h"
#include "tui/app.h"

void list_screen_open(struct app *a);
/* Select a batch in the list (a new one that may not have arrived yet). */
void list_screen_select(struct app *a, const char *batch_id);

void batch_screen_open(struct app *a, const char *batch_id);

/* file_screen_open: row is copied. */
void file_screen_open(struct app *a, const struct detail_row *row);

void form_screen_open(struct app *a);

/* Picker: `kind` chooses the rows; `pick` gets the chosen ID (borrowed) and ctx. */
enum picker_kind { PICKER_DIRECTORIES, PICKER_CONFIGS };
void picker_open(struct app *a, enum picker_kind kind, enum job_type type,
                 void (*pick)(struct app *a, void *ctx, const char *id), void *ctx);

/* A yes/no question. `answer` runs with yes=true only on 'y'; ctx is freed with free_ctx. */
void dialog_open(struct app *a, const char *title, const char *body,
                 void (*answer)(struct app *a, void *ctx, bool yes), void *ctx,
                 void (*free_ctx)(void *ctx));
/* The cancel dialog for one batch (refuses terminal batches and read-only mode itself). */
void dialog_cancel_batch(struct app *a, const char *batch_id);

/* A one-line prompt on the bottom row. `change` (optional) runs on every edit; `done` runs
 * with the text and whether Enter (true) or Esc (false) ended it. */
void prompt_open(struct app *a, const char *label, const char *initial,
                 void (*change)(struct app *a, void *ctx, const char *text),
                 void (*done)(struct app *a, void *ctx, const char *text, bool accepted),
                 void *ctx);

/* The Resubmit dialog for the open batch (a->detail): its failed or unfinished files go
 * into a new directory and a new batch (refused in read-only mode and before it loads). */
void resubmit_open(struct app *a, const char *batch_id);

/* The Upload screen (issue 17): scan (taken, emptied) of spec becomes a directory and a
 * batch of type with config, after a review of what will be uploaded. */
struct local_scan;
void upload_open(struct app *a, const char *spec, struct local_scan *scan, enum job_type type,
                 const char *config);

/* The profile switcher (P). */
void profiles_screen_open(struct app *a);

void help_screen_open(struct app *a, unsigned scope);
void messages_screen_open(struct app *a);

#endif
