/* errbody.c -- one readable line from an error answer: 422 details, string details, raw text. */
#include "config.h"

#include "net/errbody.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "net/decode.h"
#include "net/log.h"

/* Length of the valid UTF-8 sequence at s[0..len), 0 when it is not one (overlong, surrogate,
 * beyond U+10FFFF, a bad or missing continuation byte). */
static size_t utf8_valid_len(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c < 0xe0) {
        n = 2, min = 0x80, c &= 0x1f;
    } else if (c >= 0xe0 && c < 0xf0) {
        n = 3, min = 0x800, c &= 0x0f;
    } else if (c >= 0xf0 && c < 0xf5) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t j = 1; j < n; j++) {
        if ((s[j] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[j] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

void errbody_scrub(char *s, size_t len, const char *secret)
{
    size_t k = secret != NULL ? strlen(secret) : 0;
    if (s == NULL || k == 0)
        return;
    for (size_t i = 0; i + k <= len;) {
        if (memcmp(s + i, secret, k) == 0) {
            memset(s + i, '*', k);
            i += k;
        } else {
            i++;
        }
    }
}

/* The longest tail of out[0..o) that is a proper prefix of secret, at least
 * ERRBODY_PREFIX_MIN bytes (shorter ones say nothing), is masked: what a cut left of a key. */
static void mask_cut_prefix(char *out, size_t o, const char *secret)
{
    size_t k = secret != NULL ? strlen(secret) : 0;
    if (k < 2)
        return;
    for (size_t n = k - 1 < o ? k - 1 : o; n >= ERRBODY_PREFIX_MIN; n--) {
        if (memcmp(out + o - n, secret, n) == 0) {
            memset(out + o - n, '*', n);
            return;
        }
    }
}

char *errbody_sanitize(const char *s, size_t len, size_t max)
{
    if (s == NULL)
        len = 0;
    /* Mask the key in a full copy first: cutting first would leave a key split by the cut
     * unmatched, its prefix on screen and in the log. */
    char *secret = log_secret_copy();
    char *work = xmalloc(len + 1);
    if (len > 0)
        memcpy(work, s, len);
    errbody_scrub(work, len, secret);
    char *out = xmalloc(len + 1);
    size_t o = 0, i = 0;
    while (i < len && o < max) {
        unsigned cp = 0;
        size_t n = utf8_valid_len((const unsigned char *)work + i, len - i, &cp);
        if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            /* Controls, DEL, C1 and bytes that are not UTF-8 all become one visible '?'. */
            out[o++] = '?';
            i += n ? n : 1;
            continue;
        }
        if (o + n > max)
            break;
        memcpy(out + o, work + i, n);
        o += n;
        i += n;
    }
    if (i < len)
        mask_cut_prefix(out, o, secret);
    out[o] = '\0';
    free(work);
    free(secret);
    return out;
}

/* A growing string. */
struct line {
    char *s;
    size_t len;
};

/* Append text[0..n), NUL bytes included (errbody_sanitize shows each as '?'). */
static void line_addn(struct line *l, const char *text, size_t n)
{
    l->s = xrealloc(l->s, l->len + n + 1);
    memcpy(l->s + l->len, text, n);
    l->len += n;
    l->s[l->len] = '\0';
}

static void line_add(struct line *l, const char *text)
{
    line_addn(l, text, strlen(text));
}

/* "config.job.type" from ["body","config","job","type"]; NULL when loc is unusable. */
static char *loc_path(struct json_object *loc)
{
    if (loc == NULL || !json_object_is_type(loc, json_type_array))
        return NULL;
    struct line l = {0};
    line_add(&l, "");
    size_t n = json_object_array_length(loc);
    for (size_t i = 0; i < n && i < 32; i++) {
        struct json_object *part = json_object_array_get_idx(loc, i);
        const char *text;
        char num[32];
        if (json_object_is_type(part, json_type_string)) {
            text = json_object_get_string(part);
            if (i == 0 && strcmp(text, "body") == 0 && n > 1)
                continue;
        } else if (json_object_is_type(part, json_type_int)) {
            snprintf(num, sizeof num, "%lld", (long long)json_object_get_int64(part));
            text = num;
        } else {
            continue;
        }
        if (l.len > 0)
            line_add(&l, ".");
        line_add(&l, text);
    }
    if (l.len == 0) {
        free(l.s);
        return NULL;
    }
    return l.s;
}

/* The 422 detail list; false when it is not one. */
static bool format_details(struct json_object *detail, struct net_error *e)
{
    size_t n = json_object_array_length(detail);
    struct line l = {0};
    line_add(&l, "");
    for (size_t i = 0; i < n && i < 10; i++) {
        struct json_object *d = json_object_array_get_idx(detail, i), *loc = NULL, *msg = NULL;
        if (!json_object_is_type(d, json_type_object))
            continue;
        json_object_object_get_ex(d, "loc", &loc);
        json_object_object_get_ex(d, "msg", &msg);
        char *path = loc_path(loc);
        bool is_text = json_object_is_type(msg, json_type_string);
        const char *text = is_text ? json_object_get_string(msg) : "invalid value";
        size_t text_len = is_text ? (size_t)json_object_get_string_len(msg) : strlen(text);
        if (l.len > 0)
            line_add(&l, "; ");
        if (path != NULL) {
            line_add(&l, path);
            line_add(&l, ": ");
            if (e->field == NULL)
                e->field = errbody_sanitize(path, strlen(path), ERRBODY_MAX);
        }
        line_addn(&l, text, text_len);
        free(path);
    }
    if (l.len == 0) {
        free(l.s);
        return false;
    }
    e->message = errbody_sanitize(l.s, l.len, ERRBODY_MAX);
    free(l.s);
    return true;
}

void errbody_format(long http_status, const char *body, size_t len, struct net_error *e)
{
    e->http_status = (int)http_status;
    e->message = NULL;
    e->field = NULL;
    if (http_status == 401) {
        e->message = xstrdup("unauthorized \xe2\x80\x94 check LLAMA_CLOUD_API_KEY");
        return;
    }
    /* an error worth reading is short: a huge one is not parsed (only its start is shown) */
    struct json_object *root = len <= ERRBODY_PARSE_MAX ? decode_json(body, len, NULL) : NULL,
                       *detail = NULL;
    if (root != NULL && json_object_is_type(root, json_type_object) &&
        json_object_object_get_ex(root, "detail", &detail)) {
        if (json_object_is_type(detail, json_type_string) &&
            json_object_get_string_len(detail) > 0) {
            e->message = errbody_sanitize(json_object_get_string(detail),
                                          (size_t)json_object_get_string_len(detail), ERRBODY_MAX);
        } else if (json_object_is_type(detail, json_type_array)) {
            format_details(detail, e);
        }
    }
    json_object_put(root);
    if (e->message != NULL)
        return;
    char *raw = errbody_sanitize(body, len, ERRBODY_RAW_MAX);
    if (raw[0] != '\0')
        e->message = xasprintf("HTTP %ld: %s", http_status, raw);
    else
        e->message = xasprintf("HTTP %ld", http_status);
    free(raw);
}
