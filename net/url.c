/* url.c -- request URLs: base, escaped path segments, repeated query parameters, scope. */
#include "config.h"

#include "net/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

/* A growing string. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool has_query;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->s = xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static bool unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '~';
}

static void sb_escaped(struct sbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (unreserved(*p)) {
            sb_add(b, (const char *)p, 1);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            sb_add(b, esc, 3);
        }
    }
}

char *url_escape(const char *s)
{
    struct sbuf b = {0};
    sb_add(&b, "", 0);
    sb_escaped(&b, s);
    return b.s;
}

/* The base without trailing slashes, then path. */
static void sb_begin(struct sbuf *b, const struct url_ctx *c, const char *path)
{
    const char *base = c->base_url ? c->base_url : "";
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    sb_add(b, base, n);
    sb_str(b, path);
}

/* "/" + the escaped ID. */
static void sb_segment(struct sbuf *b, const char *id)
{
    sb_add(b, "/", 1);
    sb_escaped(b, id);
}

/* key=value (value escaped); skipped when value is NULL or empty. */
static void sb_param(struct sbuf *b, const char *key, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    sb_add(b, b->has_query ? "&" : "?", 1);
    b->has_query = true;
    sb_str(b, key);
    sb_add(b, "=", 1);
    sb_escaped(b, value);
}

static void sb_page_size(struct sbuf *b, const struct url_ctx *c)
{
    if (c->page_size > 0) {
        char num[24];
        snprintf(num, sizeof num, "%d", c->page_size);
        sb_param(b, "page_size", num);
    }
}

/* Scope parameters, then hand the string over. */
static char *sb_end(struct sbuf *b, const struct url_ctx *c)
{
    sb_param(b, "project_id", c->project_id);
    sb_param(b, "organization_id", c->organization_id);
    return b->s;
}

char *url_batch_list(const struct url_ctx *c, const struct url_batch_filter *f,
                     const char *page_token)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v2/batches");
    sb_page_size(&b, c);
    if (f != NULL) {
        sb_param(&b, "status", f->status);
        sb_param(&b, "source_directory_id", f->source_directory_id);
        sb_param(&b, "created_at_on_or_after", f->created_at_on_or_after);
        sb_param(&b, "created_at_on_or_before", f->created_at_on_or_before);
    }
    sb_param(&b, "page_token", page_token);
    return sb_end(&b, c);
}

char *url_batch_get(const struct url_ctx *c, const char *id, bool expand_results)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v2/batches");
    sb_segment(&b, id);
    if (expand_results)
        sb_param(&b, "expand", "results");
    return sb_end(&b, c);
}

char *url_batch_create(const struct url_ctx *c)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v2/batches");
    return sb_end(&b, c);
}

char *url_batch_cancel(const struct url_ctx *c, const char *id)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v2/batches");
    sb_segment(&b, id);
    sb_str(&b, "/cancel");
    return sb_end(&b, c);
}

char *url_directory_list(const struct url_ctx *c, const char *page_token)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/directories");
    sb_page_size(&b, c);
    sb_param(&b, "page_token", page_token);
    return sb_end(&b, c);
}

char *url_directory_files(const struct url_ctx *c, const char *directory_id,
                          const char *page_token)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/directories");
    sb_segment(&b, directory_id);
    sb_str(&b, "/files");
    sb_page_size(&b, c);
    sb_param(&b, "page_token", page_token);
    return sb_end(&b, c);
}

char *url_config_list(const struct url_ctx *c, const char *product_type, const char *page_token)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/configurations");
    sb_page_size(&b, c);
    sb_param(&b, "product_type", product_type);
    sb_param(&b, "latest_only", "true"); /* the picker offers each configuration's newest version */
    sb_param(&b, "page_token", page_token);
    return sb_end(&b, c);
}

static const char *job_path(enum job_type type)
{
    return type == JOB_TYPE_EXTRACT ? "/api/v2/extract" : "/api/v2/parse";
}

char *url_job_list(const struct url_ctx *c, enum job_type type, const char *const *ids, size_t n,
                   const char *page_token)
{
    struct sbuf b = {0};
    sb_begin(&b, c, job_path(type));
    for (size_t i = 0; i < n; i++)
        sb_param(&b, "job_ids", ids[i]);
    sb_page_size(&b, c);
    sb_param(&b, "page_token", page_token);
    return sb_end(&b, c);
}

char *url_job_get(const struct url_ctx *c, enum job_type type, const char *id)
{
    struct sbuf b = {0};
    sb_begin(&b, c, job_path(type));
    sb_segment(&b, id);
    if (type != JOB_TYPE_EXTRACT) {
        sb_param(&b, "expand", "markdown_full");
        sb_param(&b, "expand", "text_full");
    }
    return sb_end(&b, c);
}
