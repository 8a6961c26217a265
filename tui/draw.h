/* draw.h -- drawing helpers shared by the screens: sanitized text, colours, header, tables. */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

/*
 * Everything drawn goes through draw_text(), which sanitizes and fits it (text.h), so no
 * server byte reaches the terminal raw. Status colours always come with the status word.
 */

#include <curses.h>
#include <stdbool.h>

#include "model/status.h"
#include "tui/app.h"

enum draw_color {
    COLOR_ROLE_NONE = 0,
    COLOR_ROLE_GOOD,   /* completed */
    COLOR_ROLE_BAD,    /* failed, errors */
    COLOR_ROLE_BUSY,   /* running, throttled */
    COLOR_ROLE_WAIT,   /* pending */
    COLOR_ROLE_MUTED,  /* cancelled, unknown */
    COLOR_ROLE_HEADER, /* the header bar */
    COLOR_ROLE_COUNT,
};

/* Set up colour pairs (no-op without colour). */
void draw_init_colors(bool color);
/* [colors] of the configuration file, before draw_init_colors: element is a status
 * (pending, throttled, running, completed, failed, cancelled, unknown) or a UI element (ok,
 * error, busy, waiting, muted, header); value is "FG" or "FG on BG", each a curses colour name
 * (black red green yellow blue magenta cyan white, or default) or a number 0-255. False with
 * *why (caller frees) when either is not known. A colour the terminal lacks is left out. */
bool draw_color_set(const char *element, const char *value, char **why);
/* Back to the built-in colours (tests). */
void draw_color_reset(void);
/* The attribute for a role (A_NORMAL-ish without colour, except the header bar). */
attr_t draw_attr(enum draw_color role);
attr_t draw_batch_status_attr(enum batch_status s);
attr_t draw_job_status_attr(enum job_status s);

/* Draw s at (y, x) fitted to width columns (padded when pad), with attr. Returns columns. */
int draw_text(int y, int x, int width, const char *s, attr_t attr, bool pad);
/* Clear a row from x to the right edge, with attr. */
void draw_fill(int y, int x, int width, attr_t attr);

/* The global header on row 0. */
void draw_header(struct app *a, int cols);
/* The bottom row: the flash if any, else hints. */
void draw_bottom(struct app *a, int y, int cols, const char *hints);
/* A boxed area with a title for overlays; returns the inner rectangle. */
void draw_box(int y, int x, int h, int w, const char *title);
/* One table column: a width range and a priority (lowest is hidden first when narrow;
 * 100 and above are never hidden). draw_layout sets width and shown to fit cols. */
struct draw_col {
    int min, max;
    int prio;
    int width;
    bool shown;
};
void draw_layout(struct draw_col *c, int n, int cols);

/* Format epoch ms for a table cell: "HH:MM:SS" today, else "MM-DD HH:MM"; "-" when < 0. */
void draw_time(int64_t ms, char *buf, size_t len);

#endif
