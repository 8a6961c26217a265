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

char *errbody_sanitize(const char *s, size_t len, size_t max)
{
    if (s == NULL)
        len = 0;
    char *out = xmalloc(len + 1);
    size_t o = 0, i = 0;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        size_t n = 1;
        if (ch >= 0xc0 && ch < 0xe0)
            n = 2;
        else if (ch >= 0xe0 && ch < 0xf0)
            n = 3;
        else if (ch >= 0xf0 && ch < 0xf8)
            n = 4;
        if (i + n > len)
            n = len - i;
        if (o + n > max)
            break;
        if (ch < 0x20 || ch == 0x7f) {
            out[o++] = '?';
        } else if (ch == 0xc2 && n == 2 && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] < 0xa0) {
            out[o++] = '?';
        } else {
            memcpy(out + o, s + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}

/* A growing string. */
struct line {
    char *s;
    size_t len;
};

static void line_add(struct line *l, const char *text)
{
    size_t n = strlen(text);
    l->s = xrealloc(l->s, l->len + n + 1);
    memcpy(l->s + l->len, text, n + 1);
    l->len += n;
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
        const char *text = json_object_is_type(msg, json_type_string) ? json_object_get_string(msg)
                                                                      : "invalid value";
        if (l.len > 0)
            line_add(&l, "; ");
        if (path != NULL) {
            line_add(&l, path);
            line_add(&l, ": ");
            if (e->field == NULL)
                e->field = errbody_sanitize(path, strlen(path), ERRBODY_MAX);
        }
        line_add(&l, text);
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
    struct json_object *root = decode_json(body, len, NULL), *detail = NULL;
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
