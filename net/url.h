/* url.h -- request URLs for every endpoint batchtop uses, with IDs and values escaped. */
#ifndef NET_URL_H
#define NET_URL_H

/*
 * Pure string building (no curl, no global state), so it is unit-tested on its own. The base
 * URL may end with '/' or not. Path IDs and query values are percent-encoded with everything
 * but A-Z a-z 0-9 '-' '_' '~' escaped, so an ID such as "../x?y#z%" can never change the route.
 * Array parameters repeat their key (job_ids=a&job_ids=b). project_id and organization_id are
 * appended to every URL when set. Every function returns a fresh string the caller frees.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/status.h"

struct url_ctx {
    const char *base_url;        /* borrowed; "https://api.cloud.llamaindex.ai" */
    const char *project_id;      /* borrowed; NULL or "": not sent */
    const char *organization_id; /* borrowed; NULL or "": not sent */
    int page_size;               /* lists only; <= 0: not sent */
};

/* Server-side filters of the batch list; NULL members are not sent. */
struct url_batch_filter {
    const char *status;
    const char *source_directory_id;
    const char *created_at_on_or_after;
    const char *created_at_on_or_before;
};

/* ---- escaping ---- */

/* Percent-encode s (NULL gives ""). */
char *url_escape(const char *s);

/* ---- batches ---- */

/* GET /api/v2/batches; f may be NULL; page_token NULL or "" for the first page. */
char *url_batch_list(const struct url_ctx *c, const struct url_batch_filter *f,
                     const char *page_token);
/* GET /api/v2/batches/{id}, with expand=results when asked. */
char *url_batch_get(const struct url_ctx *c, const char *id, bool expand_results);
/* POST /api/v2/batches */
char *url_batch_create(const struct url_ctx *c);
/* POST /api/v2/batches/{id}/cancel */
char *url_batch_cancel(const struct url_ctx *c, const char *id);

/* ---- directories and configurations ---- */

/* GET /api/v1/beta/directories; name NULL or "": every directory, else the name filter. */
char *url_directory_list(const struct url_ctx *c, const char *name, const char *page_token);
/* GET /api/v1/beta/directories/{id} */
char *url_directory_get(const struct url_ctx *c, const char *id);
/* GET /api/v1/beta/directories/{id}/files with include_deleted=true (a batch's names). */
char *url_directory_files(const struct url_ctx *c, const char *directory_id,
                          const char *page_token);
/* POST /api/v1/beta/directories */
char *url_directory_create(const struct url_ctx *c);
/* POST /api/v1/beta/directories/{id}/files (add a stored file) */
char *url_directory_file_add(const struct url_ctx *c, const char *directory_id);
/* POST /api/v1/beta/directories/{id}/files/upload (multipart: a local file) */
char *url_directory_file_upload(const struct url_ctx *c, const char *directory_id);
/* product_type NULL: every type. */
char *url_config_list(const struct url_ctx *c, const char *product_type, const char *page_token);

/* ---- jobs ---- */

/* GET /api/v2/parse or /api/v2/extract with job_ids repeated for each of ids[0..n). */
char *url_job_list(const struct url_ctx *c, enum job_type type, const char *const *ids, size_t n,
                   const char *page_token);
/* One job with its output: parse adds expand=markdown_full&expand=text_full. */
char *url_job_get(const struct url_ctx *c, enum job_type type, const char *id);
/* One job with its usage and no output: ?expand=usage (the lists carry no usage). */
char *url_job_usage(const struct url_ctx *c, enum job_type type, const char *id);

/* ---- the base URL: is it usable, is it plain text to a remote host, what to show ----
 * The authority is parsed as RFC 3986 and curl do: it ends at the first '/', '?' or '#', and
 * "user:password@" before the host is userinfo, which is never shown or logged. */

/* False (and *cause, caller frees) unless url is http(s)://host[:port][/path] with at most
 * one userinfo '@', no '@' after the host, a numeric port, and no space or control byte. */
bool url_base_valid(const char *url, char **cause);
/* True only for a literal loopback host: localhost, 127.x.y.z written as four decimal
 * octets, or ::1 (bracketed or not). Never resolves: "127.evil.example", "127.0.0.1.nip.io",
 * "localhost.evil", "0x7f.1" and "127.1" are not loopback. */
bool url_host_is_loopback(const char *host);
/* True when url is http:// to a host url_host_is_loopback() refuses (the key goes in clear). */
bool url_cleartext_remote(const char *url);
/* "scheme://host[:port]" of url, without userinfo or path; "?" marks what did not parse. */
char *url_endpoint(const char *url);
/* A copy of text in which the userinfo of every "scheme://user:password@" is "***" (up to
 * the last '@' before a space or quote, so an unencoded '/' in a password is covered too). */
char *url_redact(const char *text);
/* A copy of url with its userinfo removed: everything from after "://" up to and including
 * the last '@' ("https://u:p@host/x" gives "https://host/x"). Like url_redact it takes the
 * last '@' anywhere, so an unencoded '/' in a password cannot leave part of it behind.
 * NULL gives NULL. */
char *url_strip_userinfo(const char *url);

#endif
