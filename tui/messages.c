/* messages.c -- the messages log: every flash and error with its time, newest last. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

#define TEXT_X 16

struct messages {
    long first; /* first line shown; -1 = follow the end */
    int page;
    long lines; /* wrapped lines at the last draw */
};

/* One wrapped line: the entry it belongs to and its bytes in the entry's (clean) text. */
struct wrapped {
    size_t entry;
    size_t off, len;
};

static struct wrapped *wrap_all(const struct app *a, int width, size_t *n)
{
    struct wrapped *w = NULL;
    size_t count = 0;
    for (size_t i = 0; i < a->n_log; i++) {
        const char *t = a->log[i].text;
        size_t off = 0, len = strlen(t);
        do {
            size_t cut = off < len ? text_cut(t + off, width) : 0;
            w = xreallocarray(w, count + 1, sizeof *w);
            w[count].entry = i;
            w[count].off = off;
            w[count].len = cut;
            count++;
            off += cut;
        } while (off < len);
    }
    *n = count;
    return w;
}

static void messages_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct messages *m = s->data;
    char buf[64];
    snprintf(buf, sizeof buf, " Messages (%zu)", a->n_log);
    draw_text(top, 0, cols, buf, A_BOLD, true);
    int page = rows - 1, width = cols - TEXT_X - 1;
    if (width < 1)
        width = 1;
    m->page = page;
    size_t n;
    struct wrapped *w = wrap_all(a, width, &n);
    m->lines = (long)n;
    long first = m->first;
    if (first < 0 || first > (long)n - page)
        first = (long)n > page ? (long)n - page : 0;
    if (m->first >= 0)
        m->first = first;
    for (int r = 0; r < page && first + r < (long)n; r++) {
        const struct wrapped *l = &w[first + r];
        const struct log_entry *e = &a->log[l->entry];
        int y = top + 1 + r;
        if (l->off == 0) {
            char hms[16];
            clock_format_hms(e->when_ms, hms, sizeof hms);
            draw_text(y, 1, 9, hms, A_DIM, false);
            draw_text(y, 10, 6, e->error ? "error" : "info",
                      e->error ? draw_attr(COLOR_ROLE_BAD) : A_NORMAL, false);
        }
        char *part = xstrndup(e->text + l->off, l->len);
        draw_text(y, TEXT_X, cols - TEXT_X, part, A_NORMAL, false);
        free(part);
    }
    if (a->n_log == 0)
        draw_text(top + 2, 2, cols - 2, "no messages yet", A_DIM, false);
    free(w);
}

static unsigned messages_action(struct screen *s, struct app *a, enum action act)
{
    struct messages *m = s->data;
    long n = m->lines, cur = m->first < 0 ? (n > m->page ? n - m->page : 0) : m->first;
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
