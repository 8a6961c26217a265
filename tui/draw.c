/* draw.c -- sanitized text output, colours, the header and the bottom line. */
#include "config.h"

#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "tui/text.h"

static bool use_color;

/* Colour elements: the roles (pairs 1..6, in enum draw_color order), then one per status. */
enum {
    EL_PENDING = COLOR_ROLE_COUNT,
    EL_THROTTLED,
    EL_RUNNING,
    EL_COMPLETED,
    EL_FAILED,
    EL_CANCELLED,
    EL_UNKNOWN,
    EL_COUNT,
};
static const char *const element_names[EL_COUNT] = {
    [COLOR_ROLE_GOOD] = "ok",      [COLOR_ROLE_BAD] = "error",   [COLOR_ROLE_BUSY] = "busy",
    [COLOR_ROLE_WAIT] = "waiting", [COLOR_ROLE_MUTED] = "muted", [COLOR_ROLE_HEADER] = "header",
    [EL_PENDING] = "pending",      [EL_THROTTLED] = "throttled", [EL_RUNNING] = "running",
    [EL_COMPLETED] = "completed",  [EL_FAILED] = "failed",       [EL_CANCELLED] = "cancelled",
    [EL_UNKNOWN] = "unknown",
};
#define BG_DEFAULT (-2) /* the terminal's background (or black without default colours) */
static const short builtin[EL_COUNT][2] = {
    [COLOR_ROLE_GOOD] = {COLOR_GREEN, BG_DEFAULT},
    [COLOR_ROLE_BAD] = {COLOR_RED, BG_DEFAULT},
    [COLOR_ROLE_BUSY] = {COLOR_YELLOW, BG_DEFAULT},
    [COLOR_ROLE_WAIT] = {COLOR_CYAN, BG_DEFAULT},
    [COLOR_ROLE_MUTED] = {COLOR_MAGENTA, BG_DEFAULT},
    [COLOR_ROLE_HEADER] = {COLOR_BLACK, COLOR_CYAN},
    [EL_PENDING] = {COLOR_CYAN, BG_DEFAULT},
    [EL_THROTTLED] = {COLOR_YELLOW, BG_DEFAULT},
    [EL_RUNNING] = {COLOR_YELLOW, BG_DEFAULT},
    [EL_COMPLETED] = {COLOR_GREEN, BG_DEFAULT},
    [EL_FAILED] = {COLOR_RED, BG_DEFAULT},
    [EL_CANCELLED] = {COLOR_MAGENTA, BG_DEFAULT},
    [EL_UNKNOWN] = {COLOR_MAGENTA, BG_DEFAULT},
};
static short custom[EL_COUNT][2];
static bool custom_set[EL_COUNT];

void draw_color_reset(void)
{
    memset(custom_set, 0, sizeof custom_set);
}

static bool parse_color(const char *word, short *out)
{
    static const char *const names[] = {"black", "red",     "green", "yellow",
                                        "blue",  "magenta", "cyan",  "white"};
    for (short i = 0; i < 8; i++)
        if (strcasecmp(word, names[i]) == 0)
            return (*out = i), true;
    if (strcasecmp(word, "default") == 0)
        return (*out = BG_DEFAULT), true;
    char *end;
    long n = strtol(word, &end, 10);
    if (end != word && *end == '\0' && n >= 0 && n <= 255)
        return (*out = (short)n), true;
    return false;
}

bool draw_color_set(const char *element, const char *value, char **why)
{
    int el = -1;
    for (int i = COLOR_ROLE_GOOD; i < EL_COUNT; i++)
        if (strcasecmp(element, element_names[i]) == 0)
            el = i;
    if (el < 0) {
        *why = xasprintf("no colour element '%s' (pending, throttled, running, completed, "
                         "failed, cancelled, unknown, ok, error, busy, waiting, muted, header)",
                         element);
        return false;
    }
    char fg_word[32], bg_word[32], on[8], extra[8];
    int n = sscanf(value, "%31s %7s %31s %7s", fg_word, on, bg_word, extra);
    short fg, bg = BG_DEFAULT;
    if (!(n == 1 || (n == 3 && strcasecmp(on, "on") == 0)) || !parse_color(fg_word, &fg) ||
        (n == 3 && !parse_color(bg_word, &bg))) {
        *why = xasprintf("%s: '%s' is not a colour: FG or FG on BG, each a name (black, red, "
                         "green, yellow, blue, magenta, cyan, white, default) or 0-255",
                         element_names[el], value);
        return false;
    }
    custom[el][0] = fg;
    custom[el][1] = bg;
    custom_set[el] = true;
    return true;
}

void draw_init_colors(bool color)
{
    use_color = color && has_colors();
    if (!use_color)
        return;
    start_color();
    short dflt = use_default_colors() == OK ? -1 : COLOR_BLACK;
    for (int el = COLOR_ROLE_GOOD; el < EL_COUNT; el++) {
        const short *c = custom_set[el] ? custom[el] : builtin[el];
        short fg = c[0] == BG_DEFAULT ? dflt : c[0], bg = c[1] == BG_DEFAULT ? dflt : c[1];
        /* a colour this terminal does not have: the built-in one instead */
        if (fg >= COLORS || bg >= COLORS || init_pair((short)el, fg, bg) == ERR)
            init_pair((short)el, builtin[el][0] == BG_DEFAULT ? dflt : builtin[el][0],
                      builtin[el][1] == BG_DEFAULT ? dflt : builtin[el][1]);
    }
}

/* A status's own pair; without colour the role's plain attribute. */
static attr_t element_attr(int el, enum draw_color role)
{
    if (!use_color)
        return draw_attr(role);
    return COLOR_PAIR(el) | (role == COLOR_ROLE_BAD ? A_BOLD : A_NORMAL);
}

attr_t draw_attr(enum draw_color role)
{
    if (role == COLOR_ROLE_HEADER)
        return use_color ? COLOR_PAIR(COLOR_ROLE_HEADER) : A_REVERSE;
    if (!use_color || role == COLOR_ROLE_NONE)
        return role == COLOR_ROLE_BAD ? A_BOLD : A_NORMAL;
    return COLOR_PAIR(role) | (role == COLOR_ROLE_BAD ? A_BOLD : A_NORMAL);
}

attr_t draw_batch_status_attr(enum batch_status s)
{
    switch (s) {
    case BATCH_PENDING:
        return element_attr(EL_PENDING, COLOR_ROLE_WAIT);
    case BATCH_THROTTLED:
        return element_attr(EL_THROTTLED, COLOR_ROLE_BUSY);
    case BATCH_RUNNING:
        return element_attr(EL_RUNNING, COLOR_ROLE_BUSY);
    case BATCH_COMPLETED:
        return element_attr(EL_COMPLETED, COLOR_ROLE_GOOD);
    case BATCH_FAILED:
        return element_attr(EL_FAILED, COLOR_ROLE_BAD);
    case BATCH_CANCELLED:
        return element_attr(EL_CANCELLED, COLOR_ROLE_MUTED);
    default:
        return element_attr(EL_UNKNOWN, COLOR_ROLE_MUTED);
    }
}

attr_t draw_job_status_attr(enum job_status s)
{
    switch (s) {
    case JOB_PENDING:
        return element_attr(EL_PENDING, COLOR_ROLE_WAIT);
    case JOB_RUNNING:
        return element_attr(EL_RUNNING, COLOR_ROLE_BUSY);
    case JOB_THROTTLED:
        return element_attr(EL_THROTTLED, COLOR_ROLE_BUSY);
    case JOB_COMPLETED:
        return element_attr(EL_COMPLETED, COLOR_ROLE_GOOD);
    case JOB_FAILED:
        return element_attr(EL_FAILED, COLOR_ROLE_BAD);
    case JOB_CANCELLED:
        return element_attr(EL_CANCELLED, COLOR_ROLE_MUTED);
    default:
        return element_attr(EL_UNKNOWN, COLOR_ROLE_MUTED);
    }
}

int draw_text(int y, int x, int width, const char *s, attr_t attr, bool pad)
{
    int maxy, maxx;
    getmaxyx(stdscr, maxy, maxx);
    if (y < 0 || y >= maxy || x < 0 || x >= maxx || width <= 0)
        return 0;
    if (x + width > maxx)
        width = maxx - x;
    size_t len = (size_t)width * 4 + 8;
    char buf[len];
    int cols = text_fit(s, width, pad, buf, len);
    attr_t old_attr;
    short old_pair;
    attr_get(&old_attr, &old_pair, NULL);
    attrset(attr);
    mvaddstr(y, x, buf);
    attr_set(old_attr, old_pair, NULL);
    return cols;
}

void draw_fill(int y, int x, int width, attr_t attr)
{
    draw_text(y, x, width, "", attr, true);
}

static const char *conn_text(struct app *a, char *buf, size_t len, attr_t *attr)
{
    *attr = draw_attr(COLOR_ROLE_HEADER);
    switch (a->conn) {
    case NET_CONN_CONNECTING:
        if (a->stalled_ms >= 5000) {
            snprintf(buf, len, "connecting: no answer for %llds",
                     (long long)(a->stalled_ms / 1000));
            return buf;
        }
        return "connecting";
    case NET_CONN_ONLINE:
        if (a->stalled_ms >= 5000) { /* connected, but the answer is not coming */
            snprintf(buf, len, "stalled: no answer for %llds", (long long)(a->stalled_ms / 1000));
            *attr = draw_attr(COLOR_ROLE_BAD) | A_BOLD;
            return buf;
        }
        return "online";
    case NET_CONN_RETRYING: {
        int64_t left = a->retry_at_mono - clock_mono_ms();
        if (left <= 0) {
            /* the retry went out and has no answer yet: say how long it has been waiting,
             * not "retrying in 0s" */
            snprintf(buf, len, "retried, waiting %llds for an answer", (long long)(-left / 1000));
            return buf;
        }
        snprintf(buf, len, "retrying in %llds", (long long)((left + 999) / 1000));
        return buf;
    }
    case NET_CONN_OFFLINE:
        return "offline";
    case NET_CONN_UNAUTHORIZED:
        return "unauthorized \xe2\x80\x94 check LLAMA_CLOUD_API_KEY";
    }
    return "?";
}

void draw_header(struct app *a, int cols)
{
    char conn[64], upd[96], hms[16], age[16], every[32], rpm[32];
    attr_t hattr = draw_attr(COLOR_ROLE_HEADER), cattr;
    const char *c = conn_text(a, conn, sizeof conn, &cattr);
    if (a->updated_ms <= 0 && a->cached_ms > 0) {
        /* the snapshot of an earlier run, until the first answer brings it current */
        clock_format_hms(a->cached_ms, hms, sizeof hms);
        int64_t ago = clock_now_ms() - a->cached_ms;
        clock_format_age(ago < 0 ? 0 : ago, age, sizeof age);
        snprintf(upd, sizeof upd, "cached %.5s (%s ago)", hms, age);
    } else if (a->updated_ms > 0) {
        clock_format_hms(a->updated_ms, hms, sizeof hms);
        int64_t ago = clock_now_ms() - a->updated_ms;
        clock_format_age(ago < 0 ? 0 : ago, age, sizeof age);
        snprintf(upd, sizeof upd, "updated %s (%s ago%s)", hms, age,
                 a->list_stale ? ", STALE" : "");
    } else {
        snprintf(upd, sizeof upd, "%s",
                 a->list_stale ? "not loaded (STALE)" : "loading\xe2\x80\xa6");
    }
    snprintf(every, sizeof every, "every %ds", a->opt.refresh_s);
    char profile[96] = "";
    if (a->opt.profile)
        snprintf(profile, sizeof profile, "profile %s", a->opt.profile);
    snprintf(rpm, sizeof rpm, "%u req/min", a->requests_per_min);

    /* Segments by importance: the least important go first when the terminal is narrow. */
    struct {
        const char *text;
        int prio;
        bool state;
    } seg[] = {
        {"batchtop", 9, false},
        {profile[0] ? profile : NULL, 9, false},
        {a->opt.production ? "PRODUCTION" : NULL, 9, false},
        /* a warning, next to the name so a narrow terminal never cuts it off */
        {a->cleartext ? "PLAIN HTTP: key sent unencrypted" : NULL, 9, false},
        {a->endpoint, 1, false},
        {c, 8, true},
        {upd, 7, false},
        {every, 3, false},
        {rpm, 2, false},
        {a->paused ? "PAUSED" : NULL, 9, false},
        {a->opt.readonly ? "READ-ONLY" : NULL, 9, false},
    };
    const int n = (int)(sizeof seg / sizeof seg[0]);
    const char *sep = text_utf8() ? " \xe2\x94\x82 " : " | ";
    bool shown[sizeof seg / sizeof seg[0]];
    for (int i = 0; i < n; i++)
        shown[i] = seg[i].text != NULL;
    for (int min_prio = 1; min_prio <= 9; min_prio++) {
        int w = 1;
        for (int i = 0; i < n; i++)
            if (shown[i])
                w += text_width(seg[i].text) + (w > 1 ? 3 : 0);
        if (w <= cols)
            break;
        for (int i = 0; i < n; i++)
            if (shown[i] && seg[i].prio <= min_prio && min_prio < 9)
                shown[i] = false;
    }
    draw_fill(0, 0, cols, hattr);
    int x = 1;
    bool first = true;
    for (int i = 0; i < n && x < cols; i++) {
        if (!shown[i])
            continue;
        if (!first)
            x += draw_text(0, x, cols - x, sep, hattr, false);
        first = false;
        attr_t at = hattr | A_BOLD;
        if (i == 3 /* the plain-http warning */ || i == 2 /* PRODUCTION */ ||
            (seg[i].state && (a->conn == NET_CONN_UNAUTHORIZED || a->conn == NET_CONN_OFFLINE)))
            at = (use_color ? COLOR_PAIR(COLOR_ROLE_BAD) : A_REVERSE) | A_BOLD;
        x += draw_text(0, x, cols - x, seg[i].text, at, false);
    }
}

void draw_bottom(struct app *a, int y, int cols, const char *hints)
{
    if (a->flash) {
        attr_t attr = a->flash_error ? draw_attr(COLOR_ROLE_BAD) | A_REVERSE : A_BOLD;
        draw_text(y, 0, cols, a->flash, attr, true);
    } else {
        draw_text(y, 0, cols, hints ? hints : "", A_DIM, true);
    }
}

void draw_box(int y, int x, int h, int w, const char *title)
{
    for (int r = y; r < y + h; r++)
        draw_fill(r, x, w, A_NORMAL);
    if (h >= 2 && w >= 2) {
        attr_t old;
        short pair;
        attr_get(&old, &pair, NULL);
        attrset(A_BOLD);
        mvhline(y, x + 1, ACS_HLINE, w - 2);
        mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
        mvvline(y + 1, x, ACS_VLINE, h - 2);
        mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
        mvaddch(y, x, ACS_ULCORNER);
        mvaddch(y, x + w - 1, ACS_URCORNER);
        mvaddch(y + h - 1, x, ACS_LLCORNER);
        mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
        attr_set(old, pair, NULL);
    }
    if (title && w > 4) {
        char t[256];
        snprintf(t, sizeof t, " %s ", title);
        draw_text(y, x + 2, w - 4, t, A_BOLD, false);
    }
}

void draw_time(int64_t ms, char *buf, size_t len)
{
    if (ms < 0) {
        snprintf(buf, len, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000), now = time(NULL);
    struct tm tm, tn;
    localtime_r(&t, &tm);
    localtime_r(&now, &tn);
    if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
        strftime(buf, len, "%H:%M:%S", &tm);
    else
        strftime(buf, len, "%m-%d %H:%M", &tm);
}

void draw_layout(struct draw_col *c, int n, int cols)
{
    int need;
    for (int i = 0; i < n; i++) {
        c[i].shown = true;
        c[i].width = c[i].min;
    }
    for (;;) {
        need = -1;
        for (int i = 0; i < n; i++)
            if (c[i].shown)
                need += c[i].width + 1;
        if (need <= cols)
            break;
        int drop = -1;
        for (int i = 0; i < n; i++)
            if (c[i].shown && (drop < 0 || c[i].prio < c[drop].prio))
                drop = i;
        if (drop < 0 || c[drop].prio >= 100)
            break;
        c[drop].shown = false;
    }
    /* share what is left among the flexible columns, one cell at a time */
    int spare = cols - need;
    bool grew = true;
    while (spare > 0 && grew) {
        grew = false;
        for (int i = 0; i < n && spare > 0; i++) {
            if (c[i].shown && c[i].width < c[i].max) {
                c[i].width++;
                spare--;
                grew = true;
            }
        }
    }
}
