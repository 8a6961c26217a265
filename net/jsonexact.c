/* jsonexact.c -- a strict JSON lexer that finds members and re-indents text token for token. */
#include "config.h"

#include "net/jsonexact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

/* ---- the lexer: every read checks pos < len ---- */

struct lex {
    const char *s;
    size_t len, pos;
};

static bool at(const struct lex *l, char c)
{
    return l->pos < l->len && l->s[l->pos] == c;
}

static bool is_digit(const struct lex *l)
{
    return l->pos < l->len && l->s[l->pos] >= '0' && l->s[l->pos] <= '9';
}

static void skip_ws(struct lex *l)
{
    while (l->pos < l->len && (l->s[l->pos] == ' ' || l->s[l->pos] == '\t' ||
                               l->s[l->pos] == '\n' || l->s[l->pos] == '\r'))
        l->pos++;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s[0..4) (the caller checked they are in bounds), or -1. */
static long hex4(const char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* A string at pos (which holds '"'): past its closing quote, or false. Raw control bytes are
 * refused (RFC 8259); other bytes, valid UTF-8 or not, are left to the UI's text cleaner. */
static bool scan_string(struct lex *l)
{
    l->pos++;
    while (l->pos < l->len) {
        unsigned char c = (unsigned char)l->s[l->pos];
        if (c == '"') {
            l->pos++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c != '\\') {
            l->pos++;
            continue;
        }
        if (l->len - l->pos < 2)
            return false;
        char e = l->s[l->pos + 1];
        if (e == 'u') {
            if (l->len - l->pos < 6 || hex4(l->s + l->pos + 2) < 0)
                return false;
            l->pos += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                   e == 'r' || e == 't') {
            l->pos += 2;
        } else {
            return false;
        }
    }
    return false;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool scan_number(struct lex *l)
{
    if (at(l, '-'))
        l->pos++;
    if (at(l, '0')) {
        l->pos++;
    } else if (is_digit(l)) {
        while (is_digit(l))
            l->pos++;
    } else {
        return false;
    }
    if (at(l, '.')) {
        l->pos++;
        if (!is_digit(l))
            return false;
        while (is_digit(l))
            l->pos++;
    }
    if (at(l, 'e') || at(l, 'E')) {
        l->pos++;
        if (at(l, '+') || at(l, '-'))
            l->pos++;
        if (!is_digit(l))
            return false;
        while (is_digit(l))
            l->pos++;
    }
    return true;
}

static bool scan_word(struct lex *l, const char *word)
{
    size_t n = strlen(word);
    if (l->len - l->pos < n || memcmp(l->s + l->pos, word, n) != 0)
        return false;
    l->pos += n;
    return true;
}

/* A string, number or literal at pos (whitespace already skipped). A token that runs on
 * ("01", "truex") ends early and the grammar then refuses what follows. */
static bool scan_scalar(struct lex *l)
{
    if (l->pos >= l->len)
        return false;
    switch (l->s[l->pos]) {
    case '"':
        return scan_string(l);
    case 't':
        return scan_word(l, "true");
    case 'f':
        return scan_word(l, "false");
    case 'n':
        return scan_word(l, "null");
    default:
        return scan_number(l);
    }
}

/* ---- output: bounded, optional ---- */

/* Where the indented text goes; a walk that only validates passes NULL. */
struct out {
    char *data;
    size_t len, cap;
    size_t limit; /* refuse to grow past this many bytes */
};

static bool put(struct out *o, const char *p, size_t n)
{
    if (o == NULL)
        return true;
    if (n > o->limit - o->len)
        return false;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1)
            cap = cap > o->limit / 2 ? o->limit + 1 : cap * 2;
        o->data = xrealloc(o->data, cap);
        o->cap = cap;
    }
    memcpy(o->data + o->len, p, n);
    o->len += n;
    o->data[o->len] = '\0';
    return true;
}

/* A newline and the indent of depth (two spaces a level). */
static bool put_line(struct out *o, size_t depth)
{
    static const char spaces[] = "                                ";
    const size_t chunk = sizeof spaces - 1;
    if (!put(o, "\n", 1))
        return false;
    for (size_t n = depth * 2; n > 0;) {
        size_t k = n < chunk ? n : chunk;
        if (!put(o, spaces, k))
            return false;
        n -= k;
    }
    return true;
}

/* ---- the walk ---- */

/* An object key and its colon, copied as "key": . */
static bool member_key(struct lex *l, struct out *o)
{
    skip_ws(l);
    size_t start = l->pos;
    if (!at(l, '"') || !scan_string(l) || !put(o, l->s + start, l->pos - start))
        return false;
    skip_ws(l);
    if (!at(l, ':'))
        return false;
    l->pos++;
    return put(o, ": ", 2);
}

/* One JSON value from pos (leading whitespace skipped), nested at most max_depth levels,
 * written indented to o (NULL: only checked). Leaves pos just past the value. Iterative, so
 * the depth costs one byte of stack a level, not a call frame. */
static bool walk(struct lex *l, struct out *o, size_t max_depth)
{
    char open[JSONEXACT_MAX_DEPTH]; /* '{' or '[' of each container we are inside */
    size_t depth = 0;
    if (max_depth > JSONEXACT_MAX_DEPTH)
        max_depth = JSONEXACT_MAX_DEPTH;
    for (;;) {
        /* a value */
        skip_ws(l);
        if (at(l, '{') || at(l, '[')) {
            char c = l->s[l->pos++];
            char close = c == '{' ? '}' : ']';
            if (depth >= max_depth)
                return false;
            skip_ws(l);
            if (at(l, close)) {
                l->pos++;
                const char empty[2] = {c, close};
                if (!put(o, empty, 2))
                    return false;
            } else {
                open[depth++] = c;
                if (!put(o, &c, 1) || !put_line(o, depth))
                    return false;
                if (c == '{' && !member_key(l, o))
                    return false;
                continue;
            }
        } else {
            size_t start = l->pos;
            if (!scan_scalar(l) || !put(o, l->s + start, l->pos - start))
                return false;
        }
        /* after a value: the next element, or the ends of the containers it completes */
        for (;;) {
            if (depth == 0)
                return true;
            skip_ws(l);
            if (l->pos >= l->len)
                return false;
            char c = l->s[l->pos++];
            if (c == ',') {
                if (!put(o, ",", 1) || !put_line(o, depth))
                    return false;
                if (open[depth - 1] == '{' && !member_key(l, o))
                    return false;
                break;
            }
            if (c != (open[depth - 1] == '{' ? '}' : ']'))
                return false;
            depth--;
            if (!put_line(o, depth) || !put(o, &c, 1))
                return false;
        }
    }
}

/* ---- keys ---- */

/* The UTF-8 bytes of code point cp into b (lone surrogates as their 3-byte form); length. */
static size_t utf8_put(unsigned char *b, unsigned long cp)
{
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Whether the string token s[a..b) (quotes included, already checked by scan_string) is key
 * once unescaped. */
static bool key_equals(const char *s, size_t a, size_t b, const char *key)
{
    const unsigned char *k = (const unsigned char *)key;
    size_t i = a + 1, end = b - 1;
    while (i < end) {
        unsigned char buf[4];
        size_t n;
        if (s[i] != '\\') {
            buf[0] = (unsigned char)s[i++];
            n = 1;
        } else if (s[i + 1] != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            buf[0] = (unsigned char)to[strchr(from, s[i + 1]) - from];
            n = 1;
            i += 2;
        } else {
            unsigned long cp = (unsigned long)hex4(s + i + 2);
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF && end - i >= 6 && s[i] == '\\' && s[i + 1] == 'u') {
                long lo = hex4(s + i + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                    i += 6;
                }
            }
            n = utf8_put(buf, cp);
        }
        for (size_t j = 0; j < n; j++)
            if (*k == '\0' || *k++ != buf[j])
                return false;
    }
    return *k == '\0';
}

/* ---- public ---- */

bool json_member_span(const char *body, size_t len, const char *key, size_t *start, size_t *end)
{
    if (body == NULL || key == NULL)
        return false;
    struct lex l = {body, len, 0};
    bool found = false;
    size_t fs = 0, fe = 0;
    skip_ws(&l);
    if (!at(&l, '{'))
        return false;
    l.pos++;
    skip_ws(&l);
    if (at(&l, '}')) {
        l.pos++;
    } else {
        for (;;) {
            skip_ws(&l);
            size_t ks = l.pos;
            if (!at(&l, '"') || !scan_string(&l))
                return false;
            size_t ke = l.pos;
            skip_ws(&l);
            if (!at(&l, ':'))
                return false;
            l.pos++;
            skip_ws(&l);
            size_t vs = l.pos;
            if (!walk(&l, NULL, JSONEXACT_MAX_DEPTH - 1))
                return false;
            if (key_equals(body, ks, ke, key)) {
                found = true;
                fs = vs;
                fe = l.pos;
            }
            skip_ws(&l);
            if (at(&l, ',')) {
                l.pos++;
                continue;
            }
            if (!at(&l, '}'))
                return false;
            l.pos++;
            break;
        }
    }
    skip_ws(&l);
    if (l.pos != len || !found)
        return false;
    *start = fs;
    *end = fe;
    return true;
}

bool json_array_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end,
                     bool *bad)
{
    struct lex l = {text, len, *pos};
    if (text == NULL || l.pos > len) {
        *bad = true;
        return false;
    }
    skip_ws(&l);
    if (*pos == 0) {
        if (!at(&l, '[')) {
            *bad = true;
            return false;
        }
        l.pos++;
        skip_ws(&l);
        if (at(&l, ']'))
            goto closing;
    } else if (at(&l, ',')) {
        l.pos++;
        skip_ws(&l);
    } else if (at(&l, ']')) {
        goto closing;
    } else {
        *bad = true;
        return false;
    }
    *start = l.pos;
    if (!walk(&l, NULL, JSONEXACT_MAX_DEPTH - 1)) {
        *bad = true;
        return false;
    }
    *end = l.pos;
    skip_ws(&l);
    *pos = l.pos;
    return true;
closing:
    /* the array's end: nothing but whitespace may follow */
    l.pos++;
    skip_ws(&l);
    if (l.pos != len)
        *bad = true;
    *pos = l.pos;
    return false;
}

char *json_pretty_exact(const char *text, size_t len)
{
    if (text == NULL)
        return NULL;
    struct lex l = {text, len, 0};
    struct out o = {NULL, 0, 0, SIZE_MAX - 1};
    if (len <= (SIZE_MAX - 1 - JSONEXACT_SLACK) / JSONEXACT_MAX_GROWTH)
        o.limit = len * JSONEXACT_MAX_GROWTH + JSONEXACT_SLACK;
    bool ok = walk(&l, &o, JSONEXACT_MAX_DEPTH);
    skip_ws(&l);
    if (!ok || l.pos != len) {
        free(o.data);
        return NULL;
    }
    return o.data; /* never NULL here: a valid value put at least one byte */
}
