/* dialog.c -- yes/no questions (default No), including the cancel-batch dialog. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

struct dialog {
    char *title;
    char *body;
    void (*answer)(struct app *a, void *ctx, bool yes);
    void *ctx;
    void (*free_ctx)(void *ctx);
    bool answered;
};

static void dialog_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct dialog *d = s->data;
    int w = cols > 76 ? 72 : cols - 4;
    /* body lines split on '\n' */
    int nlines = 1;
    for (const char *p = d->body; *p; p++)
        nlines += *p == '\n';
    int h = nlines + 4;
    if (h > rows)
        h = rows;
    int y = top + (rows - h) / 2, x = (cols - w) / 2;
    draw_box(y, x, h, w, d->title);
    const char *line = d->body;
    for (int i = 0; i < nlines && i < h - 4; i++) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        char *one = xstrndup(line, n);
        draw_text(y + 1 + i, x + 2, w - 4, one, A_NORMAL, false);
        free(one);
        line = nl ? nl + 1 : line + n;
    }
    draw_text(y + h - 2, x + 2, w - 4, "y yes   any other key: no (default)", A_BOLD, false);
}

static void answer(struct app *a, struct dialog *d, bool yes)
{
    if (d->answered)
        return;
    d->answered = true;
    if (d->answer)
        d->answer(a, d->ctx, yes);
}

static unsigned dialog_key(struct screen *s, struct app *a, struct key_event k)
{
    struct dialog *d = s->data;
    if (!k.fn && k.code == KEY_CTRL('c'))
        return REACT_QUIT;
    /* close first: the answer may open another screen */
    answer(a, d, !k.fn && (k.code == 'y' || k.code == 'Y'));
    return REACT_CLOSE | REACT_REDRAW;
}

static void dialog_done(struct screen *s, struct app *a)
{
    struct dialog *d = s->data;
    if (d->free_ctx)
        d->free_ctx(d->ctx);
    free(d->title);
    free(d->body);
    free(d);
}

static const struct screen_ops dialog_ops = {
    .name = "dialog",
    .scope = SCOPE_GLOBAL,
    .overlay = true,
    .draw = dialog_draw,
    .key = dialog_key,
    .done = dialog_done,
};

void dialog_open(struct app *a, const char *title, const char *body,
                 void (*ans)(struct app *a, void *ctx, bool yes), void *ctx,
                 void (*free_ctx)(void *ctx))
{
    struct dialog *d = xcalloc(1, sizeof *d);
    d->title = xstrdup(title);
    d->body = xstrdup(body);
    d->answer = ans;
    d->ctx = ctx;
    d->free_ctx = free_ctx;
    app_push(a, &dialog_ops, d);
}

/* The ID captured when the dialog opened is the one cancelled, whatever the list does. */
static void cancel_answer(struct app *a, void *ctx, bool yes)
{
    const char *id = ctx;
    if (!yes) {
        app_flash(a, "not cancelled");
        return;
    }
    struct net_cmd *c = net_cmd_new(NET_CMD_CANCEL);
    c->id = xstrdup(id);
    app_submit(a, c);
    app_flash(a, "cancelling %s\xe2\x80\xa6", id);
}

void dialog_cancel_batch(struct app *a, const char *batch_id)
{
    const struct store_entry *e = store_find(a->store, batch_id);
    if (a->opt.readonly) {
        app_error(a, "read-only mode: cancelling is disabled (--readonly)");
        return;
    }
    if (e && batch_status_is_terminal(e->batch.status)) {
        app_error(a, "%s is already %s: a finished batch cannot be cancelled", batch_id,
                  batch_status_text(&e->batch));
        return;
    }
    char body[1024], where[160] = "";
    if (a->opt.profile)
        snprintf(where, sizeof where, "\nin profile %s%s", a->opt.profile,
                 a->opt.production ? " (PRODUCTION)" : "");
    snprintf(
        body, sizeof body,
        "Cancel batch %s?%s\nstatus %s, directory %s, %s\nFiles already processed stay processed.",
        batch_id, where, e ? batch_status_text(&e->batch) : "?",
        e ? (e->directory_name
                 ? e->directory_name
                 : (e->batch.source_directory_id ? e->batch.source_directory_id : "?"))
          : "?",
        e ? job_type_name(e->batch.job_type) : "?");
    dialog_open(a, "Cancel batch", body, cancel_answer, xstrdup(batch_id), free);
}
