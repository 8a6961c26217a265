/* url.c -- request URLs: base, escaped path segments, repeated query parameters, scope. */
#include "config.h"

#include "net/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

char *url_directory_list(const struct url_ctx *c, const char *name, const char *page_token)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/directories");
    sb_page_size(&b, c);
    sb_param(&b, "name", name);
    sb_param(&b, "page_token", page_token);
    return sb_end(&b, c);
}

char *url_directory_get(const struct url_ctx *c, const char *id)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/directories");
    sb_segment(&b, id);
    return sb_end(&b, c);
}

char *url_directory_create(const struct url_ctx *c)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/directories");
    return sb_end(&b, c);
}

char *url_directory_file_add(const struct url_ctx *c, const char *directory_id)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/directories");
    sb_segment(&b, directory_id);
    sb_str(&b, "/files");
    return sb_end(&b, c);
}

char *url_directory_file_upload(const struct url_ctx *c, const char *directory_id)
{
    struct sbuf b = {0};
    sb_begin(&b, c, "/api/v1/beta/directories");
    sb_segment(&b, directory_id);
    sb_str(&b, "/files/upload");
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
    /* the names of a batch's files, even of those deleted since the batch mapped them */
    sb_param(&b, "include_deleted", "true");
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

char *url_job_usage(const struct url_ctx *c, enum job_type type, const char *id)
{
    struct sbuf b = {0};
    sb_begin(&b, c, job_path(type));
    sb_segment(&b, id);
    sb_param(&b, "expand", "usage");
    return sb_end(&b, c);
}

char *url_job_get(const struct url_ctx *c, enum job_type type, const char *id)
{
    struct sbuf b = {0};
    sb_begin(&b, c, job_path(type));
    sb_segment(&b, id);
    if (type != JOB_TYPE_EXTRACT) {
        /* the full fields when the server has them (undocumented in the TS SDK 2.16.0), and
         * the documented pages, which alone show the pages that failed */
        sb_param(&b, "expand", "markdown_full");
        sb_param(&b, "expand", "text_full");
        sb_param(&b, "expand", "markdown");
        sb_param(&b, "expand", "text");
    }
    sb_param(&b, "expand", "usage");
    return sb_end(&b, c);
}

/* ---- the base URL itself: where it points, what is safe to show ---- */

/* The authority of scheme://authority/…: *start and *len; false without "://". The
 * authority ends at the first '/', '?' or '#' (RFC 3986), which is also where curl ends it. */
static bool authority(const char *url, const char **start, size_t *len)
{
    const char *p = url != NULL ? strstr(url, "://") : NULL;
    if (p == NULL)
        return false;
    *start = p + 3;
    *len = strcspn(*start, "/?#");
    return true;
}

/* Host and port of an authority without userinfo: host (brackets kept) and the text after
 * it. False when the port is not 1-5 digits. */
static bool host_port(const char *auth, size_t len, const char **host, size_t *hlen)
{
    const char *at = NULL;
    for (size_t i = 0; i < len; i++)
        if (auth[i] == '@')
            at = auth + i;
    if (at != NULL) {
        len -= (size_t)(at + 1 - auth);
        auth = at + 1;
    }
    size_t h;
    if (len > 0 && auth[0] == '[') {
        const char *close = memchr(auth, ']', len);
        if (close == NULL)
            return false;
        h = (size_t)(close - auth) + 1;
    } else {
        const char *colon = memchr(auth, ':', len);
        h = colon != NULL ? (size_t)(colon - auth) : len;
    }
    if (h < len) {
        if (auth[h] != ':')
            return false;
        size_t digits = len - h - 1;
        if (digits == 0 || digits > 5 || strspn(auth + h + 1, "0123456789") < digits)
            return false;
    }
    *host = auth;
    *hlen = h;
    return true;
}

/* Four decimal octets, no leading zeros, each at most 255, the first 127. */
static bool ipv4_loopback(const char *s)
{
    int parts = 0;
    while (parts < 4) {
        size_t n = strspn(s, "0123456789");
        if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
            return false;
        int v = atoi(s);
        if (v > 255 || (parts == 0 && v != 127))
            return false;
        s += n;
        parts++;
        if (parts < 4) {
            if (*s != '.')
                return false;
            s++;
        }
    }
    return *s == '\0';
}

bool url_host_is_loopback(const char *host)
{
    if (host == NULL || host[0] == '\0')
        return false;
    if (strcasecmp(host, "localhost") == 0)
        return true;
    char v6[64];
    size_t n = strlen(host);
    if (host[0] == '[') {
        if (n < 3 || host[n - 1] != ']' || n - 2 >= sizeof v6)
            return false;
        memcpy(v6, host + 1, n - 2);
        v6[n - 2] = '\0';
    } else if (strchr(host, ':') != NULL) {
        if (n >= sizeof v6)
            return false;
        memcpy(v6, host, n + 1);
    } else {
        return ipv4_loopback(host);
    }
    struct in6_addr a;
    return inet_pton(AF_INET6, v6, &a) == 1 && IN6_IS_ADDR_LOOPBACK(&a);
}

static size_t count_at(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '@';
    return n;
}

bool url_base_valid(const char *url, char **cause)
{
    const char *why = NULL;
    const char *auth, *host;
    size_t alen, hlen;
    if (url == NULL || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8)))
        why = "it must start with http:// or https://";
    else if (!authority(url, &auth, &alen) || !host_port(auth, alen, &host, &hlen) || hlen == 0)
        why = "it has no usable host[:port]";
    else if (count_at(auth, alen) > 1)
        why = "it has more than one '@' before the host";
    else if (strchr(auth + alen, '@') != NULL)
        why = "it has an '@' after the host (a password holding '/', '?' or '#' must be "
              "percent-encoded)";
    else
        for (const unsigned char *p = (const unsigned char *)url; *p && why == NULL; p++)
            if (*p <= 0x20 || *p == 0x7f)
                why = "it holds spaces or control characters";
    if (why != NULL && cause != NULL)
        *cause = xstrdup(why);
    return why == NULL;
}

bool url_cleartext_remote(const char *url)
{
    if (url == NULL || strncasecmp(url, "http://", 7) != 0)
        return false;
    const char *auth, *host;
    size_t alen, hlen;
    if (!authority(url, &auth, &alen) || !host_port(auth, alen, &host, &hlen))
        return true;
    char *h = xstrndup(host, hlen);
    bool loop = url_host_is_loopback(h);
    free(h);
    return !loop;
}

char *url_endpoint(const char *url)
{
    const char *auth, *host;
    size_t alen, hlen;
    if (!authority(url, &auth, &alen))
        return xstrdup("?");
    if (!host_port(auth, alen, &host, &hlen))
        return xasprintf("%.*s?", (int)(auth - url), url);
    /* host and port: everything after the userinfo up to the authority's end */
    return xasprintf("%.*s%.*s", (int)(auth - url), url, (int)(auth + alen - host), host);
}

char *url_redact(const char *text)
{
    struct sbuf b = {0};
    sb_add(&b, "", 0);
    const char *s = text != NULL ? text : "";
    for (;;) {
        const char *p = strstr(s, "://");
        if (p == NULL)
            break;
        const char *start = p + 3;
        size_t span = strcspn(start, " \t\r\n\"'<>");
        const char *at = NULL;
        for (size_t i = 0; i < span; i++)
            if (start[i] == '@')
                at = start + i;
        sb_add(&b, s, (size_t)(start - s));
        if (at != NULL) {
            sb_str(&b, "***");
            s = at;
        } else {
            s = start;
        }
    }
    sb_str(&b, s);
    return b.s;
}

char *url_strip_userinfo(const char *url)
{
    const char *p = url != NULL ? strstr(url, "://") : NULL;
    const char *at = p != NULL ? strrchr(p + 3, '@') : NULL;
    if (at == NULL)
        return xstrdup(url);
    return xasprintf("%.*s%s", (int)(p + 3 - url), url, at + 1);
}
