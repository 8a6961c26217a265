/* prompt.c -- a one-line text prompt on the bottom row (filter, search, file name). */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

#define PROMPT_MAX 512

struct prompt {
    char *label;
    char text[PROMPT_MAX];
    void (*change)(struct app *a, void *ctx, const char *text);
    void (*done)(struct app *a, void *ctx, const char *text, bool accepted);
    void *ctx;
    bool finished;
    bool changed; /* the text changed since change() was last called */
};

static void prompt_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct prompt *p = s->data;
    int y = top + rows; /* the bottom row */
    int x = draw_text(y, 0, cols, p->label, A_BOLD, false);
    /* show the end of the text when it is longer than the room left */
    int room = cols - x - 1;
    if (room < 1)
        return;
    size_t len = (size_t)room * 4 + 8;
    char buf[len];
    int w = text_fit_left(p->text, room, false, buf, len);
    attr_t old;
    short pair;
    attr_get(&old, &pair, NULL);
    attrset(A_NORMAL);
    mvaddstr(y, x, buf);
    attr_set(old, pair, NULL);
    draw_fill(y, x + w, cols - x - w, A_NORMAL);
    a->cursor_y = y;
    a->cursor_x = x + w;
}

static void finish(struct screen *s, struct app *a, bool accepted)
{
    struct prompt *p = s->data;
    p->finished = true;
    if (p->done)
        p->done(a, p->ctx, p->text, accepted);
}


static unsigned prompt_key(struct screen *s, struct app *a, struct key_event k)
{
    struct prompt *p = s->data;
    if (!k.fn && (k.code == '\n' || k.code == '\r')) {
        finish(s, a, true);
        return REACT_CLOSE | REACT_REDRAW;
    }
    if ((!k.fn && k.code == KEY_ESCAPE) || (k.fn && k.code == KEY_F(10))) {
        finish(s, a, false);
        return REACT_CLOSE | REACT_REDRAW;
    }
    if (!k.fn && k.code == KEY_CTRL('c'))
        return REACT_QUIT;
    if ((k.fn && k.code == KEY_BACKSPACE) || (!k.fn && (k.code == 127 || k.code == 8))) {
        text_backspace(p->text);
    } else if (!k.fn && k.code == KEY_CTRL('u')) {
        p->text[0] = '\0';
    } else if (!k.fn && k.code >= 32 && k.code != 127) {
        text_append(p->text, PROMPT_MAX - 1, k.code);
    } else {
        return REACT_NONE;
    }
    p->changed = true; /* change() once the keys read together are all in (keys_done) */
    return REACT_REDRAW;
}

static unsigned prompt_keys_done(struct screen *s, struct app *a)
{
    struct prompt *p = s->data;
    if (!p->changed)
        return REACT_NONE;
    p->changed = false;
    if (p->change)
        p->change(a, p->ctx, p->text);
    return REACT_REDRAW;
}

static void prompt_done(struct screen *s, struct app *a)
{
    struct prompt *p = s->data;
    if (!p->finished && p->done)
        p->done(a, p->ctx, p->text, false);
    free(p->label);
    free(p);
}

static const struct screen_ops prompt_ops = {
    .name = "prompt",
    .scope = SCOPE_GLOBAL,
    .overlay = true,
    .draw = prompt_draw,
    .key = prompt_key,
    .keys_done = prompt_keys_done,
    .done = prompt_done,
};

void prompt_open(struct app *a, const char *label, const char *initial,
                 void (*change)(struct app *a, void *ctx, const char *text),
                 void (*done)(struct app *a, void *ctx, const char *text, bool accepted),
                 void *ctx)
{
    struct prompt *p = xcalloc(1, sizeof *p);
    p->label = xstrdup(label);
    if (initial)
        snprintf(p->text, sizeof p->text, "%s", initial);
    p->change = change;
    p->done = done;
    p->ctx = ctx;
    app_push(a, &prompt_ops, p);
}
