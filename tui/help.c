/* help.c -- the help screen, generated from the action table (keys.h). */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"

struct help {
    unsigned scope;
    int first;
    int lines;
    int page;
};

static const struct {
    unsigned scope;
    const char *title;
} sections[] = {
    {SCOPE_GLOBAL, "Everywhere"},
    {SCOPE_LIST, "Batches (the list)"},
    {SCOPE_BATCH, "Batch (one batch and its files)"},
    {SCOPE_FILE, "File (a job's output)"},
};

static void help_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct help *h = s->data;
    if (h->lines && h->first > h->lines - (rows - 1))
        h->first = h->lines - (rows - 1) > 0 ? h->lines - (rows - 1) : 0;
    int y = top - h->first, line = 0;
    char keys[128], buf[512];
    draw_text(top, 0, cols, " Help \xe2\x80\x94 keys (q or Esc closes)", A_BOLD, true);
    y++;
    for (size_t sc = 0; sc < sizeof sections / sizeof sections[0]; sc++) {
        if (y > top && y < top + rows)
            draw_text(y, 1, cols - 1, sections[sc].title,
                      A_UNDERLINE | (sections[sc].scope & h->scope ? A_BOLD : 0), false);
        y++, line++;
        for (int act = ACT_NONE + 1; act < ACT_COUNT; act++) {
            const struct action_info *info = keys_action((enum action)act);
            bool here = sections[sc].scope == SCOPE_GLOBAL ? (info->scopes & SCOPE_GLOBAL)
                                                           : (info->scopes & sections[sc].scope) &&
                                                                 !(info->scopes & SCOPE_GLOBAL);
            if (!here)
                continue;
            keys_describe((enum action)act, keys, sizeof keys);
            snprintf(buf, sizeof buf, "  %-30s %s", keys, info->help);
            if (y > top && y < top + rows)
                draw_text(y, 1, cols - 1, buf, A_NORMAL, false);
            y++, line++;
        }
        y++, line++;
    }
    const char *extra[] = {
        "New batch form",
        "  Tab, Shift-Tab, Up, Down move between fields; Space or Left/Right change the job type;",
        "  F2 picks from a list; Enter submits from any field; Esc closes the form.",
        "  The source may be a local folder, file or glob: F2 completes the path, and Enter opens",
        "  the Upload screen (what will go, the new directory's name; Enter uploads, Esc goes back).",
        "Status colours always come with the status word. NO_COLOR or --no-color turn colour off.",
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++, y++, line++)
        if (y > top && y < top + rows)
            draw_text(y, 1, cols - 1, extra[i], i == 0 ? A_UNDERLINE : A_NORMAL, false);
    h->lines = line + 1;
    h->page = rows - 1;
}

static unsigned help_action(struct screen *s, struct app *a, enum action act)
{
    struct help *h = s->data;
    switch (act) {
    case ACT_UP:
        h->first--;
        break;
    case ACT_DOWN:
        h->first++;
        break;
    case ACT_PAGE_UP:
        h->first -= 10;
        break;
    case ACT_PAGE_DOWN:
        h->first += 10;
        break;
    case ACT_HOME:
        h->first = 0;
        break;
    case ACT_END:
        h->first = h->lines;
        break;
    case ACT_HELP:
        return REACT_CLOSE;
    default:
        return REACT_UNHANDLED;
    }
    if (h->first > h->lines - h->page)
        h->first = h->lines - h->page;
    if (h->first < 0)
        h->first = 0;
    return REACT_REDRAW;
}

static const char *help_hints(struct screen *s, struct app *a)
{
    return "Up/Down scroll  q/Esc close";
}

static void help_done(struct screen *s, struct app *a)
{
    free(s->data);
}

static const struct screen_ops help_ops = {
    .name = "help",
    .scope = SCOPE_GLOBAL,
    .draw = help_draw,
    .action = help_action,
    .hints = help_hints,
    .done = help_done,
};

void help_screen_open(struct app *a, unsigned scope)
{
    if (app_has_screen(a, &help_ops))
        return;
    struct help *h = xcalloc(1, sizeof *h);
    h->scope = scope;
    app_push(a, &help_ops, h);
}
