/* picker.c -- F2 pickers: directories (name, ID, type) and configurations of one job type. */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

#define PRESET_ID "cfg-PARSE_AGENTIC"

struct picker {
    enum picker_kind kind;
    enum job_type type;
    void (*pick)(struct app *a, void *ctx, const char *id);
    void *ctx;
    char filter[128];
    size_t sel;
    size_t first;
    int page;
};

/* One row as shown: borrowed strings. */
struct pick_row {
    const char *name;
    const char *id;
    const char *extra;
    const char *version; /* configurations: their version, a datetime string */
    int64_t expires_ms;  /* directories: when an ephemeral one expires, -1 never */
};

static bool loaded(const struct picker *p, const struct app *a)
{
    return p->kind == PICKER_DIRECTORIES ? a->directories_loaded : a->configs_loaded[p->type];
}

static bool matches(const struct picker *p, const struct pick_row *r)
{
    if (!p->filter[0])
        return true;
    return (r->name && strcasestr(r->name, p->filter)) || (r->id && strcasestr(r->id, p->filter));
}

/* The i-th row before filtering; false past the end. */
static bool raw_row(const struct picker *p, const struct app *a, size_t i, struct pick_row *r)
{
    if (p->kind == PICKER_DIRECTORIES) {
        if (i >= a->n_directories)
            return false;
        r->name = a->directories[i].name;
        r->id = a->directories[i].id;
        r->extra = a->directories[i].type;
        r->version = NULL;
        r->expires_ms = a->directories[i].expires_ms;
        return true;
    }
    if (p->type == JOB_TYPE_PARSE) {
        if (i == 0) {
            r->name = "Agentic (built-in preset)";
            r->id = PRESET_ID;
            r->extra = "preset";
            r->version = NULL;
            r->expires_ms = -1;
            return true;
        }
        i--;
    }
    if (i >= a->n_configs[p->type] || !loaded(p, a))
        return false;
    r->name = a->configs[p->type][i].name;
    r->id = a->configs[p->type][i].id;
    r->extra = a->configs[p->type][i].tier;
    r->version = a->configs[p->type][i].version;
    r->expires_ms = -1;
    return true;
}

/* The third column: a directory's type (and its expiry when ephemeral), a configuration's
 * tier and version (a datetime, shown as local time when it parses, else as sent). */
static void extra_cell(const struct pick_row *r, char *buf, size_t len)
{
    char when[48] = "";
    if (r->version != NULL) {
        int64_t ms;
        if (clock_parse_iso8601(r->version, &ms))
            draw_time(ms, when, sizeof when);
        else
            snprintf(when, sizeof when, "%s", r->version);
    } else if (r->expires_ms >= 0) {
        int64_t left = r->expires_ms - clock_now_ms();
        char age[24];
        clock_format_age(left >= 0 ? left : -left, age, sizeof age);
        if (left > 0)
            snprintf(when, sizeof when, "expires in %s", age);
        else
            snprintf(when, sizeof when, "expired");
    }
    snprintf(buf, len, "%s%s%s", r->extra ? r->extra : "", r->extra && when[0] ? " \xc2\xb7 " : "",
             when);
}

/* The i-th row after filtering; false past the end. */
static bool row_at(const struct picker *p, const struct app *a, size_t i, struct pick_row *r)
{
    for (size_t k = 0; raw_row(p, a, k, r); k++) {
        if (!matches(p, r))
            continue;
        if (i-- == 0)
            return true;
    }
    return false;
}

static size_t row_count(const struct picker *p, const struct app *a)
{
    struct pick_row r;
    size_t n = 0;
    for (size_t k = 0; raw_row(p, a, k, &r); k++)
        n += matches(p, &r);
    return n;
}

static void request(struct picker *p, struct app *a, bool again)
{
    if (p->kind == PICKER_DIRECTORIES) {
        if (!a->directories_loaded || again)
            app_submit(a, net_cmd_new(NET_CMD_LIST_DIRECTORIES));
    } else if ((!a->configs_loaded[p->type] || again) && !a->configs_req[p->type]) {
        struct net_cmd *c = net_cmd_new(NET_CMD_LIST_CONFIGS);
        c->job_type = p->type;
        a->configs_req[p->type] = app_submit(a, c);
    }
}

static void picker_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct picker *p = s->data;
    int w = cols - 4 > 110 ? 110 : cols - 4, h = rows - 2;
    int y = top + 1, x = (cols - w) / 2;
    char title[160], buf[512];
    snprintf(title, sizeof title, "%s%s%s",
             p->kind == PICKER_DIRECTORIES ? "Pick a source directory" : "Pick a configuration (",
             p->kind == PICKER_DIRECTORIES ? "" : job_type_name(p->type),
             p->kind == PICKER_DIRECTORIES ? "" : ")");
    draw_box(y, x, h, w, title);
    snprintf(buf, sizeof buf, "type to filter: %s", p->filter);
    draw_text(y + 1, x + 2, w - 4, buf, A_NORMAL, true);

    struct draw_col c[] = {
        {16, 30, 100, 0, false},
        {14, 42, 100, 0, false},
        {8, 28, 50, 0, false}, /* "agentic_plus · 10-28 14:02", "ephemeral · expires in 3h" */
    };
    draw_layout(c, 3, w - 5);
    const char *names[] = {"NAME", "ID",
                           p->kind == PICKER_DIRECTORIES ? "TYPE" : "TIER \xc2\xb7 VERSION"};
    int cx = x + 3;
    for (int i = 0; i < 3; i++) {
        if (!c[i].shown)
            continue;
        draw_text(y + 2, cx, c[i].width, names[i], A_UNDERLINE, true);
        cx += c[i].width + 1;
    }
    int page = h - 5;
    if (page < 1)
        page = 1;
    p->page = page;
    size_t n = row_count(p, a);
    if (n && p->sel >= n)
        p->sel = n - 1;
    if (p->sel < p->first)
        p->first = p->sel;
    if (p->sel >= p->first + (size_t)page)
        p->first = p->sel - (size_t)page + 1;
    struct pick_row r;
    for (int i = 0; i < page && row_at(p, a, p->first + (size_t)i, &r); i++) {
        bool selected = p->first + (size_t)i == p->sel;
        attr_t at = selected ? A_REVERSE : A_NORMAL;
        int yy = y + 3 + i;
        draw_fill(yy, x + 1, w - 2, at);
        draw_text(yy, x + 1, 2, selected ? ">" : " ", at, true);
        char extra[96];
        extra_cell(&r, extra, sizeof extra);
        const char *cells[3] = {r.name ? r.name : "(no name)", r.id ? r.id : "?", extra};
        cx = x + 3;
        for (int k = 0; k < 3; k++) {
            if (!c[k].shown)
                continue;
            draw_text(yy, cx, c[k].width, cells[k], at, true);
            cx += c[k].width + 1;
        }
    }
    const char *err = p->kind == PICKER_DIRECTORIES ? a->directories_error : a->configs_error;
    if (!loaded(p, a)) {
        draw_text(y + 4 + (int)n, x + 3, w - 6, err ? err : "loading\xe2\x80\xa6",
                  err ? draw_attr(COLOR_ROLE_BAD) : A_DIM, false);
    } else if (n == 0) {
        draw_text(y + 4, x + 3, w - 6, p->filter[0] ? "nothing matches" : "none found", A_DIM,
                  false);
    }
    draw_text(y + h - 1, x + 2, w - 4, " Enter pick  Up/Down move  F5 reload  Esc close ", A_BOLD,
              false);
}

static unsigned picker_key(struct screen *s, struct app *a, struct key_event k)
{
    struct picker *p = s->data;
    size_t n = row_count(p, a);
    size_t page = p->page > 1 ? (size_t)p->page - 1 : 1;
    if (k.fn) {
        switch (k.code) {
        case KEY_UP:
            if (p->sel)
                p->sel--;
            break;
        case KEY_DOWN:
            if (p->sel + 1 < n)
                p->sel++;
            break;
        case KEY_PPAGE:
            p->sel = p->sel > page ? p->sel - page : 0;
            break;
        case KEY_NPAGE:
            p->sel = p->sel + page < n ? p->sel + page : (n ? n - 1 : 0);
            break;
        case KEY_HOME:
            p->sel = 0;
            break;
        case KEY_END:
            p->sel = n ? n - 1 : 0;
            break;
        case KEY_ENTER:
            goto pick;
        case KEY_F(5):
            request(p, a, true);
            break;
        case KEY_BACKSPACE:
            goto backspace;
        default:
            break;
        }
        return REACT_REDRAW;
    }
    switch (k.code) {
    case KEY_CTRL('c'):
        return REACT_QUIT;
    case KEY_ESCAPE:
        return REACT_CLOSE;
    case '\n':
    case '\r':
        goto pick;
    case 127:
    case 8:
        goto backspace;
    default:
        if (k.code >= 32 && text_append(p->filter, sizeof p->filter - 1, k.code)) {
            p->sel = 0;
            p->first = 0;
        }
        return REACT_REDRAW;
    }
backspace:
    if (p->filter[0]) {
        text_backspace(p->filter);
        p->sel = 0;
    }
    return REACT_REDRAW;
pick : {
    struct pick_row r;
    if (!row_at(p, a, p->sel, &r) || !r.id)
        return REACT_REDRAW;
    char *id = xstrdup(r.id);
    p->pick(a, p->ctx, id);
    free(id);
    return REACT_CLOSE | REACT_REDRAW;
}
}

static unsigned picker_message(struct screen *s, struct app *a, const struct net_msg *m)
{
    return m->type == NET_MSG_DIRECTORIES || m->type == NET_MSG_CONFIGS ? REACT_REDRAW
                                                                        : REACT_NONE;
}

static void picker_done(struct screen *s, struct app *a)
{
    free(s->data);
}

static const struct screen_ops picker_ops = {
    .name = "picker",
    .scope = SCOPE_GLOBAL,
    .overlay = true,
    .draw = picker_draw,
    .key = picker_key,
    .message = picker_message,
    .done = picker_done,
};

void picker_open(struct app *a, enum picker_kind kind, enum job_type type,
                 void (*pick)(struct app *a, void *ctx, const char *id), void *ctx)
{
    struct picker *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    p->type = type;
    p->pick = pick;
    p->ctx = ctx;
    app_push(a, &picker_ops, p);
    request(p, a, false);
}
