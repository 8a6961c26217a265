/* messages.c -- the messages log: every flash and error with its time, newest last. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"

struct messages {
    long first; /* -1 = follow the end */
    int page;
};

static void messages_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct messages *m = s->data;
    char buf[64];
    snprintf(buf, sizeof buf, " Messages (%zu)", a->n_log);
    draw_text(top, 0, cols, buf, A_BOLD, true);
    int page = rows - 1;
    m->page = page;
    long n = (long)a->n_log, first = m->first;
    if (first < 0 || first > n - page)
        first = n > page ? n - page : 0;
    if (m->first >= 0)
        m->first = first;
    for (int r = 0; r < page && first + r < n; r++) {
        const struct log_entry *e = &a->log[first + r];
        char hms[16];
        clock_format_hms(e->when_ms, hms, sizeof hms);
        draw_text(top + 1 + r, 1, 9, hms, A_DIM, false);
        draw_text(top + 1 + r, 10, 6, e->error ? "error" : "info",
                  e->error ? draw_attr(COLOR_ROLE_BAD) : A_NORMAL, false);
        draw_text(top + 1 + r, 16, cols - 16, e->text, A_NORMAL, false);
    }
    if (n == 0)
        draw_text(top + 2, 2, cols - 2, "no messages yet", A_DIM, false);
}

static unsigned messages_action(struct screen *s, struct app *a, enum action act)
{
    struct messages *m = s->data;
    long n = (long)a->n_log, cur = m->first < 0 ? (n > m->page ? n - m->page : 0) : m->first;
    switch (act) {
    case ACT_UP:
        cur--;
        break;
    case ACT_DOWN:
        cur++;
        break;
    case ACT_PAGE_UP:
        cur -= m->page;
        break;
    case ACT_PAGE_DOWN:
        cur += m->page;
        break;
    case ACT_HOME:
        cur = 0;
        break;
    case ACT_END:
        m->first = -1;
        return REACT_REDRAW;
    case ACT_MESSAGES:
        return REACT_CLOSE;
    default:
        return REACT_UNHANDLED;
    }
    m->first = cur < 0 ? 0 : cur;
    if (m->first >= n - m->page)
        m->first = -1;
    return REACT_REDRAW;
}

static const char *messages_hints(struct screen *s, struct app *a)
{
    return "Up/Down scroll  End follow  q/Esc close";
}

static void messages_done(struct screen *s, struct app *a)
{
    free(s->data);
}

static const struct screen_ops messages_ops = {
    .name = "messages",
    .scope = SCOPE_GLOBAL,
    .draw = messages_draw,
    .action = messages_action,
    .hints = messages_hints,
    .done = messages_done,
};

void messages_screen_open(struct app *a)
{
    if (app_has_screen(a, &messages_ops))
        return;
    struct messages *m = xcalloc(1, sizeof *m);
    m->first = -1;
    app_push(a, &messages_ops, m);
}
