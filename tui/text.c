/* text.c -- sanitize hostile server text and truncate it by display width. */
#include "config.h"

#include "tui/text.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <wchar.h>

#include "model/xalloc.h"

static bool utf8_mode = true;

void text_init(void)
{
    const char *cs = nl_langinfo(CODESET);
    utf8_mode = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

void text_set_utf8(bool on)
{
    utf8_mode = on;
}

bool text_utf8(void)
{
    return utf8_mode;
}

/* Decode one strict UTF-8 sequence; returns its length, or 0 when invalid (then *cp unset). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        v = c & 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        v = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static bool is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
           cp == 0x200f || cp == 0x061c;
}

/* Characters that draw nothing (or a blank) yet change what a name means: zero-width
 * space/joiners, soft hyphen, word joiner and invisible operators, the BOM, Hangul and
 * Mongolian fillers, line/paragraph separators, interlinear annotation, tag characters. */
static bool is_invisible(uint32_t cp)
{
    return cp == 0x00ad || cp == 0x034f || cp == 0x115f || cp == 0x1160 || cp == 0x17b4 ||
           cp == 0x17b5 || (cp >= 0x180b && cp <= 0x180f) || (cp >= 0x200b && cp <= 0x200d) ||
           cp == 0x2028 || cp == 0x2029 || (cp >= 0x2060 && cp <= 0x2064) ||
           (cp >= 0x206a && cp <= 0x206f) || cp == 0x3164 || cp == 0xfeff || cp == 0xffa0 ||
           (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0x1d173 && cp <= 0x1d17a) ||
           (cp >= 0xe0000 && cp <= 0xe007f);
}

/*
 * One display unit of sanitized output: its bytes and its width in columns (0 for a
 * combining mark that attaches to the previous unit).
 */
struct unit {
    char bytes[8];
    size_t len;
    int width;
};

/* Read the next unit from *p (advancing it); false at the end of the string. */
static bool next_unit(const unsigned char **p, struct unit *u)
{
    const unsigned char *s = *p;
    uint32_t cp;
    size_t n;
    if (!*s)
        return false;
    n = utf8_decode(s, &cp);
    if (n == 0) {
        *p = s + 1;
        u->bytes[0] = '?';
        u->len = 1;
        u->width = 1;
        return true;
    }
    *p = s + n;
    if (cp == '\t' || cp == '\n' || cp == '\r') {
        u->bytes[0] = ' ';
        u->len = 1;
        u->width = 1;
    } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
        snprintf(u->bytes, sizeof u->bytes, "\\x%02x", (unsigned)cp);
        u->len = 4;
        u->width = 4;
    } else if (cp < 0x80) {
        u->bytes[0] = (char)cp;
        u->len = 1;
        u->width = 1;
    } else if (!utf8_mode || is_bidi_control(cp) || is_invisible(cp)) {
        u->bytes[0] = '?';
        u->len = 1;
        u->width = 1;
    } else {
        int w = wcwidth((wchar_t)cp);
        if (w < 0 || w > 2) {
            u->bytes[0] = '?';
            u->len = 1;
            u->width = 1;
        } else {
            u->len = utf8_encode(cp, u->bytes);
            u->width = w;
        }
    }
    return true;
}

/*
 * Walks the display units of a string the one way every function here agrees on: a combining
 * mark with nothing before it is dropped, and so is a mark that would make its cell longer
 * than 4 bytes per column (so "Zalgo" text cannot grow without bound: every output holds at
 * most 4 bytes per column, which is what text_fit promises its callers).
 */
struct walker {
    const unsigned char *p;
    size_t cell_bytes;
    int cell_width;
};

static void walker_init(struct walker *w, const char *s)
{
    w->p = (const unsigned char *)(s ? s : "");
    w->cell_bytes = 0;
    w->cell_width = 0;
}

static bool walk(struct walker *w, struct unit *u)
{
    for (;;) {
        if (!next_unit(&w->p, u))
            return false;
        if (u->width == 0) {
            if (w->cell_width == 0 || w->cell_bytes + u->len > 4 * (size_t)w->cell_width)
                continue;
            w->cell_bytes += u->len;
            return true;
        }
        if (u->len == (size_t)u->width) {
            /* ASCII (a plain character or a "\\x1b" marker): the cell is its last character */
            w->cell_bytes = 1;
            w->cell_width = 1;
        } else {
            w->cell_bytes = u->len;
            w->cell_width = u->width;
        }
        return true;
    }
}

char *text_clean(const char *s)
{
    struct walker w;
    struct unit u;
    size_t cap = (s ? strlen(s) : 0) * 4 + 1, used = 0;
    char *out = xmalloc(cap);
    walker_init(&w, s);
    while (walk(&w, &u)) {
        memcpy(out + used, u.bytes, u.len);
        used += u.len;
    }
    out[used] = '\0';
    return out;
}

int text_width(const char *s)
{
    struct walker w;
    struct unit u;
    int cols = 0;
    walker_init(&w, s);
    while (walk(&w, &u))
        cols += u.width;
    return cols;
}

static const char *ellipsis(int *w)
{
    if (utf8_mode) {
        *w = 1;
        return "\xe2\x80\xa6";
    }
    *w = 3;
    return "...";
}

/* Append bytes to out if they fit (always leaving room for the NUL). */
static void put(char *out, size_t len, size_t *used, const char *b, size_t n)
{
    if (*used + n < len) {
        memcpy(out + *used, b, n);
        *used += n;
    }
}

static void pad_to(char *out, size_t len, size_t *used, int *cols, int width)
{
    while (*cols < width && *used + 1 < len) {
        out[(*used)++] = ' ';
        (*cols)++;
    }
}

int text_fit(const char *s, int width, bool pad, char *out, size_t len)
{
    struct walker w;
    struct unit u;
    size_t used = 0;
    int cols = 0, ew;
    const char *ell = ellipsis(&ew);
    if (len == 0)
        return 0;
    out[0] = '\0';
    if (width <= 0)
        return 0;
    walker_init(&w, s);
    if (text_width(s) <= width) {
        while (walk(&w, &u)) {
            put(out, len, &used, u.bytes, u.len);
            cols += u.width;
        }
    } else {
        if (ew > width)
            ew = 0; /* too narrow for the ellipsis: plain cut */
        int room = width - ew;
        while (walk(&w, &u)) {
            if (cols + u.width > room)
                break;
            put(out, len, &used, u.bytes, u.len);
            cols += u.width;
        }
        pad_to(out, len, &used, &cols, room); /* a wide char that did not fit */
        if (ew) {
            put(out, len, &used, ell, strlen(ell));
            cols += ew;
        }
    }
    if (pad)
        pad_to(out, len, &used, &cols, width);
    out[used] = '\0';
    return cols;
}

int text_fit_left(const char *s, int width, bool pad, char *out, size_t len)
{
    int total = text_width(s);
    if (total <= width || width <= 0)
        return text_fit(s, width, pad, out, len);
    if (len == 0)
        return 0;
    char *clean = text_clean(s); /* already walked: every unit below is kept */
    int ew;
    const char *ell = ellipsis(&ew);
    if (ew > width)
        ew = 0;
    /* Skip whole characters (with their marks) until the rest fits in width - ew columns. */
    int skip = total - (width - ew), skipped = 0;
    struct walker w;
    struct unit u;
    walker_init(&w, clean);
    const unsigned char *rest = w.p;
    while (skipped < skip && walk(&w, &u)) {
        skipped += u.width;
        rest = w.p;
    }
    while (*rest) {
        const unsigned char *q = rest;
        if (!next_unit(&q, &u) || u.width != 0)
            break;
        rest = q;
    }
    size_t used = 0;
    int cols = 0;
    if (ew) {
        put(out, len, &used, ell, strlen(ell));
        cols = ew;
    }
    /* a skipped wide character may leave one column */
    pad_to(out, len, &used, &cols, cols + (skipped - skip));
    walker_init(&w, (const char *)rest);
    while (walk(&w, &u)) {
        put(out, len, &used, u.bytes, u.len);
        cols += u.width;
    }
    if (pad)
        pad_to(out, len, &used, &cols, width);
    out[used] = '\0';
    free(clean);
    return cols;
}

void text_bar(long done, long total, int width, char *out, size_t len)
{
    size_t used = 0;
    int filled = 0;
    if (total > 0 && done > 0)
        filled = (int)((done * (long)width) / total);
    if (filled > width)
        filled = width;
    for (int i = 0; i < width; i++) {
        if (i < filled) {
            if (utf8_mode)
                put(out, len, &used, "\xe2\x96\x88", 3);
            else
                put(out, len, &used, "#", 1);
        } else {
            put(out, len, &used, utf8_mode ? "\xc2\xb7" : ".", utf8_mode ? 2 : 1);
        }
    }
    if (len)
        out[used < len ? used : len - 1] = '\0';
}

size_t text_cut(const char *clean, int width)
{
    struct walker w;
    struct unit u;
    int cols = 0;
    walker_init(&w, clean);
    const unsigned char *base = w.p, *end = base;
    for (;;) {
        const unsigned char *start = w.p;
        if (!walk(&w, &u))
            break;
        if (u.width > 0 && cols + u.width > width && start != base)
            break;
        cols += u.width;
        end = w.p;
    }
    return (size_t)(end - base);
}

bool text_is_safe_id(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return false;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
        if (*p <= 0x20 || *p >= 0x7f || n >= TEXT_ID_MAX)
            return false;
    return true;
}

void text_thousands(long v, char *buf, size_t len)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%ld", v < 0 ? -v : v);
    size_t at = 0;
    if (len == 0)
        return;
    if (v < 0 && at + 1 < len)
        buf[at++] = '-';
    for (int i = 0; i < n && at + 1 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0 && at + 2 < len)
            buf[at++] = ',';
        buf[at++] = digits[i];
    }
    buf[at] = '\0';
}

bool text_append(char *t, size_t max_len, int code)
{
    char mb[MB_LEN_MAX + 1];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(mb, (wchar_t)code, &st), used = strlen(t);
    if (n == (size_t)-1 || used + n > max_len)
        return false;
    memcpy(t + used, mb, n);
    t[used + n] = '\0';
    return true;
}

const char *text_name_problem(const char *v)
{
    if (!v[0])
        return "required";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "no control characters allowed";
    return NULL;
}

void text_backspace(char *t)
{
    size_t n = strlen(t);
    while (n > 0) {
        n--;
        if (((unsigned char)t[n] & 0xc0) != 0x80)
            break;
    }
    t[n] = '\0';
}
