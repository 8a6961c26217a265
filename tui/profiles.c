/* profiles.c -- the profile switcher (P): the configuration file's profiles, Enter switches. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

/* Row 0 is "no profile" ([defaults] only); rows 1.. are the file's profiles in file order. */
struct profiles {
    size_t sel;
};

static size_t rows_of(const struct app *a)
{
    return a->opt.n_profiles + 1;
}

static const char *name_of(const struct app *a, size_t i)
{
    return i == 0 ? NULL : a->opt.profiles[i - 1];
}

static void profiles_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct profiles *p = s->data;
    draw_text(top, 0, cols, " Profiles (Enter switches, q or Esc closes)", A_BOLD, true);
    size_t n = rows_of(a);
    for (size_t i = 0; i < n && (int)i + 2 < rows; i++) {
        const char *name = name_of(a, i);
        bool current =
            name ? a->opt.profile && strcmp(name, a->opt.profile) == 0 : a->opt.profile == NULL;
        char buf[256];
        snprintf(buf, sizeof buf, "%s %s%s", i == p->sel ? ">" : " ",
                 name ? name : "(no profile: [defaults] only)", current ? "   (in use)" : "");
        attr_t at = i == p->sel ? A_REVERSE : A_NORMAL;
        draw_fill(top + 2 + (int)i, 0, cols, at);
        draw_text(top + 2 + (int)i, 1, cols - 1, buf, at | (current ? A_BOLD : 0), false);
    }
}

static unsigned profiles_action(struct screen *s, struct app *a, enum action act)
{
    struct profiles *p = s->data;
    size_t n = rows_of(a);
    switch (act) {
    case ACT_UP:
        if (p->sel > 0)
            p->sel--;
        return REACT_REDRAW;
    case ACT_DOWN:
        if (p->sel + 1 < n)
            p->sel++;
        return REACT_REDRAW;
    case ACT_HOME:
        p->sel = 0;
        return REACT_REDRAW;
    case ACT_END:
        p->sel = n - 1;
        return REACT_REDRAW;
    case ACT_OPEN: {
        char *name = name_of(a, p->sel) ? xstrdup(name_of(a, p->sel)) : NULL;
        /* the switch closes every screen above the list, this one included */
        app_switch_profile(a, name);
        free(name);
        return REACT_REDRAW;
    }
    default:
        return REACT_UNHANDLED;
    }
}

static const char *profiles_hints(struct screen *s, struct app *a)
{
    return "Enter switch  Up/Down move  q/Esc close";
}

static void profiles_done(struct screen *s, struct app *a)
{
    free(s->data);
}

static const struct screen_ops profiles_ops = {
    .name = "profiles",
    .scope = SCOPE_GLOBAL,
    .draw = profiles_draw,
    .action = profiles_action,
    .hints = profiles_hints,
    .done = profiles_done,
};

void profiles_screen_open(struct app *a)
{
    if (app_has_screen(a, &profiles_ops))
        return;
    struct profiles *p = xcalloc(1, sizeof *p);
    for (size_t i = 0; i < a->opt.n_profiles; i++)
        if (a->opt.profile && strcmp(a->opt.profile, a->opt.profiles[i]) == 0)
            p->sel = i + 1;
    app_push(a, &profiles_ops, p);
}
