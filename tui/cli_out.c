/* cli_out.c -- what the subcommands print: a table, TSV, CSV, JSON or JSON lines. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "model/objects.h"
#include "model/xalloc.h"
#include "tui/cli_out.h"
#include "tui/text.h"

#define TABLE_GAP 2     /* spaces between columns */
#define TABLE_MIN_COL 8 /* a squeezed column keeps at least this many columns */

struct out {
    FILE *f;
    enum out_format fmt;
    bool tty, color;
    size_t n_cols, n_rows;
    char **heads;
    char **cells; /* OUT_TABLE: n_rows * n_cols cleaned cells */
    size_t cap;
    bool failed;
};

int out_term_width(int fd)
{
    const char *env = getenv("COLUMNS");
    if (env != NULL && env[0] != '\0') {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v > 0 && v < 10000)
            return (int)v;
    }
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* ---- JSON ---- */

/* Decode one UTF-8 sequence at s (n bytes left): its code point and length, or 0 when s does
 * not start a valid sequence. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        c = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        c = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Characters that are valid in a JSON string but would act on, or hide from, a terminal. */
static bool json_must_escape(uint32_t c)
{
    return c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0xad || c == 0x61c ||
           (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
           (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
           (c >= 0xe0000 && c <= 0xe007f);
}

static void put_u(FILE *f, uint32_t c)
{
    if (c > 0xffff) {
        c -= 0x10000;
        fprintf(f, "\\u%04x\\u%04x", (unsigned)(0xd800 + (c >> 10)),
                (unsigned)(0xdc00 + (c & 0x3ff)));
    } else {
        fprintf(f, "\\u%04x", (unsigned)c);
    }
}

static void json_write(FILE *f, struct json_object *obj, bool tty, bool newline)
{
    size_t n = 0;
    const char *t = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    const unsigned char *s = (const unsigned char *)(t ? t : "null");
    if (t == NULL)
        n = 4;
    size_t i = 0, run = 0; /* bytes [run, i) are written as they are */
    while (i < n) {
        uint32_t c;
        size_t len = utf8_next(s + i, n - i, &c);
        if (len > 0 && !json_must_escape(c)) {
            i += len;
            continue;
        }
        if (len == 0 && !tty) {
            i++; /* invalid UTF-8 reaches a pipe or file as the server sent it */
            continue;
        }
        fwrite(s + run, 1, i - run, f);
        if (len == 0) {
            fputs("\\ufffd", f);
            i++;
        } else {
            put_u(f, c);
            i += len;
        }
        run = i;
    }
    fwrite(s + run, 1, n - run, f);
    if (newline)
        fputc('\n', f);
    json_object_put(obj);
}

void out_json(FILE *f, struct json_object *obj, bool tty)
{
    json_write(f, obj, tty, true);
}

/* ---- JSON text written directly ---- */

static void text_grow(struct out_text *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 512;
    while (t->len + more + 1 > cap)
        cap *= 2;
    t->s = xrealloc(t->s, cap);
    t->cap = cap;
}

static void text_add(struct out_text *t, const void *p, size_t n)
{
    text_grow(t, n);
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void out_text_raw(struct out_text *t, const char *raw)
{
    text_add(t, raw, strlen(raw));
}

static void text_u(struct out_text *t, uint32_t c)
{
    char buf[16];
    int n;
    if (c > 0xffff) {
        c -= 0x10000;
        n = snprintf(buf, sizeof buf, "\\u%04x\\u%04x", (unsigned)(0xd800 + (c >> 10)),
                     (unsigned)(0xdc00 + (c & 0x3ff)));
    } else {
        n = snprintf(buf, sizeof buf, "\\u%04x", (unsigned)c);
    }
    text_add(t, buf, (size_t)n);
}

/* What json-c writes for s (json_object_new_string, JSON_C_TO_STRING_NOSLASHESCAPE: " \ and
 * \b \f \n \r \t escaped, other C0 controls as \u00xx) and then json_write's escapes on
 * top, in one pass: the same bytes. */
void out_text_str(struct out_text *t, const char *str, bool tty)
{
    if (str == NULL) {
        text_add(t, "null", 4);
        return;
    }
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str), i = 0, run = 0; /* bytes [run, i) are written as they are */
    text_grow(t, n + 2);
    t->s[t->len++] = '"';
    while (i < n) {
        unsigned char b = s[i];
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
            i++;
            continue;
        }
        uint32_t c = b;
        size_t len = b < 0x80 ? 1 : utf8_next(s + i, n - i, &c);
        if (len > 0 && b >= 0x80 && !json_must_escape(c)) {
            i += len;
            continue;
        }
        if (len == 0 && !tty) {
            i++; /* invalid UTF-8 reaches a pipe or file as the server sent it */
            continue;
        }
        text_add(t, s + run, i - run);
        if (len == 0) {
            text_add(t, "\\ufffd", 6);
            i++;
        } else {
            const char *esc = b == '"'    ? "\\\""
                              : b == '\\' ? "\\\\"
                              : b == '\b' ? "\\b"
                              : b == '\f' ? "\\f"
                              : b == '\n' ? "\\n"
                              : b == '\r' ? "\\r"
                              : b == '\t' ? "\\t"
                                          : NULL;
            if (esc != NULL)
                text_add(t, esc, 2);
            else
                text_u(t, c); /* other C0 controls, DEL, and what json_must_escape names */
            i += len;
        }
        run = i;
    }
    text_add(t, s + run, i - run);
    text_add(t, "\"", 1);
}

void out_text_done(struct out_text *t)
{
    free(t->s);
    memset(t, 0, sizeof *t);
}

void out_text_batch(struct out_text *t, const struct batch *b, bool tty)
{
    const char *type = b->job_type_text                ? b->job_type_text
                       : b->job_type != JOB_TYPE_UNKNOWN ? job_type_name(b->job_type)
                                                         : NULL;
    out_text_raw(t, "{\"id\":");
    out_text_str(t, b->id ? b->id : "", tty);
    out_text_raw(t, ",\"project_id\":");
    out_text_str(t, b->project_id, tty);
    out_text_raw(t, ",\"source_directory_id\":");
    out_text_str(t, b->source_directory_id, tty);
    out_text_raw(t, ",\"status\":");
    out_text_str(t, b->status_text ? b->status_text : batch_status_name(b->status), tty);
    out_text_raw(t, ",\"created_at\":");
    out_text_str(t, b->created_at, tty);
    out_text_raw(t, ",\"updated_at\":");
    out_text_str(t, b->updated_at, tty);
    out_text_raw(t, ",\"config\":{\"job\":{\"type\":");
    out_text_str(t, type, tty);
    out_text_raw(t, ",\"configuration_id\":");
    out_text_str(t, b->configuration_id, tty);
    out_text_raw(t, "}}}");
}

/* ---- cells ---- */

/* TSV: a line is a row, so tab, CR and LF become spaces and other controls '?'. */
static void put_tsv_cell(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = utf8_next(p + i, n - i, &c);
        if (len == 0) {
            fputc('?', f);
            i++;
        } else if (c == '\t' || c == '\n' || c == '\r') {
            fputc(' ', f);
            i += len;
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
            fputc('?', f);
            i += len;
        } else {
            fwrite(p + i, 1, len, f);
            i += len;
        }
    }
}

static void put_csv_cell(FILE *f, const char *s, bool tty)
{
    char *clean = tty ? text_clean(s) : NULL;
    const char *v = clean ? clean : s ? s : "";
    size_t n = strlen(v);
    bool quote = n > 0 && (strpbrk(v, ",\"\r\n") != NULL || v[0] == ' ' || v[n - 1] == ' ');
    if (!quote) {
        fputs(v, f);
    } else {
        fputc('"', f);
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    }
    free(clean);
}

static void put_line(struct out *o, const char *const *cells)
{
    for (size_t c = 0; c < o->n_cols; c++) {
        if (o->fmt == OUT_TSV) {
            if (c > 0)
                fputc('\t', o->f);
            put_tsv_cell(o->f, cells[c]);
        } else {
            if (c > 0)
                fputc(',', o->f);
            put_csv_cell(o->f, cells[c], o->tty);
        }
    }
    fputs(o->fmt == OUT_CSV ? "\r\n" : "\n", o->f);
}

struct out *out_new(FILE *f, enum out_format fmt, bool tty, bool color, const char *const *heads,
                    size_t n_cols)
{
    struct out *o = xcalloc(1, sizeof *o);
    o->f = f;
    o->fmt = fmt;
    o->tty = tty;
    o->color = color && tty;
    o->n_cols = n_cols;
    o->heads = xcalloc(n_cols, sizeof *o->heads);
    for (size_t c = 0; c < n_cols; c++)
        o->heads[c] = xstrdup(heads[c]);
    if (fmt == OUT_TSV || fmt == OUT_CSV)
        put_line(o, heads);
    else if (fmt == OUT_JSON)
        fputs("[", f);
    return o;
}

size_t out_rows(const struct out *o)
{
    return o->n_rows;
}

bool out_tty(const struct out *o)
{
    return o->tty;
}

bool out_wants_json(const struct out *o)
{
    return o->fmt == OUT_JSON || o->fmt == OUT_JSONL;
}

void out_row_text(struct out *o, const char *const *cells, struct out_text *json)
{
    if (o->fmt == OUT_JSONL) {
        text_add(json, "\n", 1); /* the line in one piece */
        fwrite(json->s, 1, json->len, o->f);
        json->len -= 1;
        json->s[json->len] = '\0';
        o->n_rows++;
    } else if (o->fmt == OUT_JSON) {
        fputs(o->n_rows > 0 ? ",\n" : "\n", o->f);
        fwrite(json->s, 1, json->len, o->f);
        o->n_rows++;
    } else {
        out_row(o, cells, NULL);
    }
}

void out_row(struct out *o, const char *const *cells, struct json_object *obj)
{
    switch (o->fmt) {
    case OUT_TABLE:
        if (o->n_rows == o->cap) {
            o->cap = o->cap ? 2 * o->cap : 64;
            o->cells = xreallocarray(o->cells, o->cap * o->n_cols, sizeof *o->cells);
        }
        for (size_t c = 0; c < o->n_cols; c++)
            o->cells[o->n_rows * o->n_cols + c] = text_clean(cells[c]);
        break;
    case OUT_TSV:
    case OUT_CSV:
        put_line(o, cells);
        break;
    case OUT_JSON:
        fputs(o->n_rows > 0 ? ",\n" : "\n", o->f);
        if (obj != NULL)
            json_write(o->f, obj, o->tty, false);
        else
            fputs("null", o->f);
        obj = NULL;
        break;
    case OUT_JSONL:
        if (obj != NULL)
            out_json(o->f, obj, o->tty);
        obj = NULL;
        break;
    }
    if (obj != NULL)
        json_object_put(obj);
    o->n_rows++;
}

static const char *status_color(const char *s)
{
    if (strcmp(s, "COMPLETED") == 0)
        return "\033[32m";
    if (strcmp(s, "FAILED") == 0)
        return "\033[31m";
    if (strcmp(s, "CANCELLED") == 0 || strcmp(s, "THROTTLED") == 0)
        return "\033[33m";
    if (strcmp(s, "RUNNING") == 0)
        return "\033[36m";
    return NULL;
}

static bool is_status_col(const char *head)
{
    size_t n = strlen(head);
    return n >= 6 && strcmp(head + n - 6, "STATUS") == 0;
}

static void table_print(struct out *o)
{
    size_t nc = o->n_cols;
    int *w = xcalloc(nc, sizeof *w);
    int total = 0;
    for (size_t c = 0; c < nc; c++) {
        w[c] = text_width(o->heads[c]);
        for (size_t r = 0; r < o->n_rows; r++) {
            int cw = text_width(o->cells[r * nc + c]);
            if (cw > w[c])
                w[c] = cw;
        }
        total += w[c] + (c > 0 ? TABLE_GAP : 0);
    }
    /* too wide: squeeze the widest column, then the next, down to TABLE_MIN_COL */
    int width = out_term_width(fileno(o->f));
    while (total > width) {
        size_t widest = 0;
        for (size_t c = 1; c < nc; c++)
            if (w[c] > w[widest])
                widest = c;
        int floor = text_width(o->heads[widest]);
        if (floor < TABLE_MIN_COL)
            floor = TABLE_MIN_COL;
        if (w[widest] <= floor)
            break;
        int cut = total - width;
        if (w[widest] - cut < floor)
            cut = w[widest] - floor;
        /* never below the second widest, so the squeeze spreads over wide columns */
        int second = 0;
        for (size_t c = 0; c < nc; c++)
            if (c != widest && w[c] > second)
                second = w[c];
        if (second > floor && w[widest] - cut < second)
            cut = w[widest] - second > 0 ? w[widest] - second : 1;
        w[widest] -= cut;
        total -= cut;
    }
    size_t len = 0;
    for (size_t c = 0; c < nc; c++)
        if ((size_t)w[c] * 4 + 4 > len)
            len = (size_t)w[c] * 4 + 4;
    char *buf = xmalloc(len);
    for (size_t r = 0; r <= o->n_rows; r++) {
        const bool head = r == 0;
        for (size_t c = 0; c < nc; c++) {
            const char *cell = head ? o->heads[c] : o->cells[(r - 1) * nc + c];
            bool last = c + 1 == nc;
            text_fit(cell, w[c], !last, buf, len);
            const char *color = !o->color                    ? NULL
                                : head                       ? "\033[1m"
                                : is_status_col(o->heads[c]) ? status_color(cell)
                                                             : NULL;
            if (c > 0)
                fprintf(o->f, "%*s", TABLE_GAP, "");
            if (color != NULL) {
                /* the padding stays outside the colour */
                size_t n = strlen(buf);
                while (n > 0 && buf[n - 1] == ' ')
                    n--;
                fprintf(o->f, "%s%.*s\033[0m%s", color, (int)n, buf, buf + n);
            } else {
                fputs(buf, o->f);
            }
        }
        fputc('\n', o->f);
    }
    free(buf);
    free(w);
}

bool out_end(struct out *o)
{
    if (o->fmt == OUT_TABLE)
        table_print(o);
    else if (o->fmt == OUT_JSON)
        fputs(o->n_rows > 0 ? "\n]\n" : "]\n", o->f);
    bool ok = fflush(o->f) == 0 && !ferror(o->f);
    for (size_t i = 0; o->fmt == OUT_TABLE && i < o->n_rows * o->n_cols; i++)
        free(o->cells[i]);
    free(o->cells);
    for (size_t c = 0; c < o->n_cols; c++)
        free(o->heads[c]);
    free(o->heads);
    free(o);
    return ok;
}
