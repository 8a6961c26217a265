/* triage.c -- failed files grouped by their normalised error, for the Batch screen's panel. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/triage.h"
#include "model/xalloc.h"

/* ---- normalising ---- */

/* The key being written: bytes cut at the end of out, a space owed between words. */
struct key_buf {
    char *out;
    size_t len, n;
    bool space;
};

static void put(struct key_buf *k, const char *s, size_t n)
{
    if (k->len == 0)
        return;
    if (k->space && k->n > 0 && k->n + 1 < k->len)
        k->out[k->n++] = ' ';
    k->space = false;
    size_t room = k->len - 1 - k->n;
    if (n > room) {
        n = room;
        /* never half a UTF-8 character */
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(k->out + k->n, s, n);
    k->n += n;
    k->out[k->n] = '\0';
}

static void put_str(struct key_buf *k, const char *s)
{
    put(k, s, strlen(s));
}

static bool is_space(unsigned char c)
{
    return c <= ' ' || c == 0x7f;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c)
{
    return is_digit(c) || is_alpha(c);
}

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_quote(unsigned char c)
{
    return c == '\'' || c == '"' || c == '`';
}

/* Characters that end a word and are kept as they are. */
static bool is_delim(unsigned char c)
{
    switch (c) {
    case '\'':
    case '"':
    case '`':
    case ',':
    case ';':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '<':
    case '>':
    case '=':
    case '|':
        return true;
    default:
        return false;
    }
}

/* Punctuation that may end a word without being part of it ("page 12:"). */
static bool is_trailing(char c)
{
    return c == '.' || c == ':' || c == '!' || c == '?';
}

/* Length of the UTF-8 curly quote at s (‘ ’ “ ”), or 0. */
static size_t curly_quote(const char *s, bool *opening, int *pair)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] != 0xe2 || u[1] != 0x80)
        return 0;
    switch (u[2]) {
    case 0x98:
    case 0x99:
        *opening = u[2] == 0x98;
        *pair = 1;
        return 3;
    case 0x9c:
    case 0x9d:
        *opening = u[2] == 0x9c;
        *pair = 2;
        return 3;
    default:
        return 0;
    }
}

/* The end of a quoted string opening at p, or NULL when p opens none. */
static const char *quoted_end(const char *msg, const char *p)
{
    if (p > msg && is_alnum((unsigned char)p[-1]))
        return NULL; /* an apostrophe inside a word: can't */
    bool opening;
    int pair;
    if (curly_quote(p, &opening, &pair) > 0) {
        if (!opening)
            return NULL;
        for (const char *q = p + 3; *q; q++) {
            bool o2;
            int p2;
            if (curly_quote(q, &o2, &p2) > 0 && !o2 && p2 == pair)
                return q + 3;
        }
        return NULL;
    }
    if (!is_quote((unsigned char)*p))
        return NULL;
    const char *close = strchr(p + 1, *p);
    if (close == NULL || is_alnum((unsigned char)close[1]))
        return NULL;
    return close + 1;
}

static bool has_prefix(const char *w, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(w, prefix, k) == 0;
}

static bool is_path(const char *w, size_t n)
{
    if ((n > 1 && w[0] == '/') || has_prefix(w, n, "./") || has_prefix(w, n, "../") ||
        has_prefix(w, n, "~/") || memchr(w, '\\', n) != NULL)
        return true;
    const char *last = NULL;
    size_t slashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '/') {
            slashes++;
            last = w + i;
        }
    }
    if (slashes == 0)
        return false;
    bool letter = false;
    for (size_t i = 0; i < n && !letter; i++)
        letter = is_alpha((unsigned char)w[i]);
    /* dir/file.pdf, a/b/c -- not and/or, not 3/10 */
    return letter && (slashes >= 2 || memchr(last, '.', (size_t)(w + n - last)) != NULL);
}

/* 8-4-4-4-12 hex digits at s (n bytes left). */
static bool uuid_at(const char *s, size_t n)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    size_t i = 0;
    for (int g = 0; g < 5; g++) {
        if (g > 0) {
            if (i >= n || s[i] != '-')
                return false;
            i++;
        }
        for (int k = 0; k < groups[g]; k++, i++)
            if (i >= n || !is_hex((unsigned char)s[i]))
                return false;
    }
    return true;
}

static bool is_id(const char *w, size_t n)
{
    for (size_t i = 0; i + 36 <= n; i++)
        if (uuid_at(w + i, n - i))
            return true;
    /* a run of 8+ hex digits with a letter and a digit: a hash, an object ID */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        bool letter = false, digit = false;
        while (j < n && is_hex((unsigned char)w[j])) {
            letter = letter || !is_digit((unsigned char)w[j]);
            digit = digit || is_digit((unsigned char)w[j]);
            j++;
        }
        if (j - i >= 8 && letter && digit)
            return true;
        i = j > i ? j : i + 1;
    }
    bool word = true, letter = false, digit = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        word = word && (is_alnum(c) || c == '-' || c == '_');
        letter = letter || is_alpha(c);
        digit = digit || is_digit(c);
    }
    if (!word || !digit)
        return false;
    /* pjb-…, dfl-…, req_… : a short lower-case prefix, then 6+ characters with a digit */
    size_t p = 0;
    while (p < n && is_alpha((unsigned char)w[p]))
        p++;
    if (p >= 2 && p <= 8 && p < n && (w[p] == '-' || w[p] == '_') && n - p - 1 >= 6) {
        bool rest_digit = false;
        for (size_t i = p + 1; i < n; i++)
            rest_digit = rest_digit || is_digit((unsigned char)w[i]);
        if (rest_digit)
            return true;
    }
    /* an opaque token: 16+ letters and digits mixed */
    return n >= 16 && letter;
}

/* A word with each number (digits with inner . or ,; 0x-hex) as N. */
static void put_numbers(struct key_buf *k, const char *w, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)w[i];
        if (!is_digit(c)) {
            i++;
            continue;
        }
        put(k, w + run, i - run);
        if (c == '0' && i + 2 < n && (w[i + 1] == 'x' || w[i + 1] == 'X') &&
            is_hex((unsigned char)w[i + 2])) {
            i += 2;
            while (i < n && is_hex((unsigned char)w[i]))
                i++;
        } else {
            while (i < n &&
                   (is_digit((unsigned char)w[i]) || ((w[i] == '.' || w[i] == ',') && i + 1 < n &&
                                                      is_digit((unsigned char)w[i + 1]))))
                i++;
        }
        put(k, "N", 1);
        run = i;
    }
    put(k, w + run, n - run);
}

size_t triage_normalize(const char *msg, char *out, size_t len)
{
    struct key_buf k = {out, len, 0, false};
    if (len > 0)
        out[0] = '\0';
    const char *p = msg ? msg : "";
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (is_space(c)) {
            k.space = true;
            p++;
            continue;
        }
        const char *end = quoted_end(msg, p);
        if (end != NULL) {
            put_str(&k, "<str>");
            p = end;
            continue;
        }
        if (is_delim(c)) {
            put(&k, p, 1);
            p++;
            continue;
        }
        const char *q = p;
        bool o;
        int pair;
        /* a word ends at a space, a delimiter (but not the comma of 1,000) or a curly quote */
        while (*q && !is_space((unsigned char)*q) &&
               (!is_delim((unsigned char)*q) ||
                (*q == ',' && q > p && is_digit((unsigned char)q[-1]) &&
                 is_digit((unsigned char)q[1]))) &&
               (q == p || curly_quote(q, &o, &pair) == 0))
            q++;
        /* trailing punctuation stays: "page 12:" -> "page N:" */
        const char *w_end = q;
        while (w_end > p && is_trailing(w_end[-1]))
            w_end--;
        size_t n = (size_t)(w_end - p);
        if (n == 0)
            put(&k, p, (size_t)(q - p));
        else if (is_path(p, n))
            put_str(&k, "<path>");
        else if (is_id(p, n))
            put_str(&k, "<id>");
        else
            put_numbers(&k, p, n);
        if (n > 0 && w_end < q)
            put(&k, w_end, (size_t)(q - w_end));
        p = q;
    }
    if (k.n == 0)
        put_str(&k, "(no message)");
    return k.n;
}

const char *triage_kind_name(enum triage_kind kind)
{
    return kind == TRIAGE_MAP ? "map" : "job";
}

bool triage_row_failure(const struct detail_row *r, enum triage_kind *kind, const char **msg)
{
    if (r->mapping_error != NULL) {
        *kind = TRIAGE_MAP;
        *msg = r->mapping_error;
        return true;
    }
    if (r->job_known && r->job_status == JOB_FAILED) {
        *kind = TRIAGE_JOB;
        *msg = r->job_error;
        return true;
    }
    return false;
}

bool triage_row_group(const struct detail_row *r, char *out, size_t len)
{
    enum triage_kind kind;
    const char *msg;
    if (len == 0)
        return false;
    out[0] = '\0';
    if (!triage_row_failure(r, &kind, &msg))
        return false;
    size_t n = (size_t)snprintf(out, len, "%s:", triage_kind_name(kind));
    if (n < len)
        triage_normalize(msg, out + n, len - n);
    return true;
}

/* ---- grouping ---- */

void triage_init(struct triage *t)
{
    memset(t, 0, sizeof *t);
    strmap_init(&t->index, NULL);
}

void triage_clear(struct triage *t)
{
    for (size_t i = 0; i < t->n_all; i++) {
        free(t->all[i].id);
        free(t->all[i].example);
    }
    t->n_all = t->n_groups = 0;
    t->failed = t->map_failed = t->job_failed = 0;
    t->dirty = false;
    strmap_clear(&t->index);
}

void triage_done(struct triage *t)
{
    triage_clear(t);
    free(t->all);
    free(t->groups);
    strmap_done(&t->index);
    memset(t, 0, sizeof *t);
}

void triage_count(struct triage *t, const struct detail_row *r, int sign)
{
    enum triage_kind kind;
    const char *msg;
    if (!triage_row_failure(r, &kind, &msg))
        return;
    char id[TRIAGE_ID_SIZE];
    triage_row_group(r, id, sizeof id);
    size_t k;
    if (!strmap_get_index(&t->index, id, &k)) {
        if (sign < 0)
            return; /* never counted in: nothing to take back */
        if (t->n_all == t->cap_all) {
            t->cap_all = t->cap_all ? 2 * t->cap_all : 8;
            t->all = xreallocarray(t->all, t->cap_all, sizeof *t->all);
        }
        k = t->n_all++;
        struct triage_group *g = &t->all[k];
        memset(g, 0, sizeof *g);
        g->kind = kind;
        g->id = xstrdup(id);
        g->key = strchr(g->id, ':') + 1;
        g->example = xstrdup(msg);
        g->seq = k;
        strmap_put_index(&t->index, id, k);
    }
    struct triage_group *g = &t->all[k];
    size_t *of_kind = kind == TRIAGE_MAP ? &t->map_failed : &t->job_failed;
    if (sign > 0) {
        g->count++;
        t->failed++;
        (*of_kind)++;
    } else if (g->count > 0) {
        g->count--;
        t->failed--;
        (*of_kind)--;
    }
    t->dirty = true;
}

static int group_cmp(const void *pa, const void *pb)
{
    const struct triage_group *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind == TRIAGE_MAP ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void triage_sort(struct triage *t)
{
    if (!t->dirty)
        return;
    if (t->cap_groups < t->n_all) {
        t->cap_groups = t->n_all;
        t->groups = xreallocarray(t->groups, t->cap_groups, sizeof *t->groups);
    }
    t->n_groups = 0;
    for (size_t i = 0; i < t->n_all; i++)
        if (t->all[i].count > 0)
            t->groups[t->n_groups++] = t->all[i];
    if (t->n_groups > 1)
        qsort(t->groups, t->n_groups, sizeof *t->groups, group_cmp);
    for (size_t i = 0; i < t->n_all; i++)
        t->all[i].view_pos = SIZE_MAX;
    for (size_t i = 0; i < t->n_groups; i++)
        t->all[t->groups[i].seq].view_pos = i;
    t->dirty = false;
}

void triage_build(struct triage *t, const struct batch_detail *d)
{
    triage_clear(t);
    size_t n = d ? detail_row_count(d) : 0;
    for (size_t i = 0; i < n; i++)
        triage_count(t, detail_row_at(d, i), +1);
    triage_sort(t);
}

const struct triage_group *triage_find(const struct triage *t, const char *id)
{
    size_t k;
    if (id == NULL || t->dirty || !strmap_get_index(&t->index, id, &k) ||
        t->all[k].view_pos == SIZE_MAX)
        return NULL;
    return &t->groups[t->all[k].view_pos];
}
