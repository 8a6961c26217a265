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

char *url_directory_list(const struct url_ctx *c, const char *page_token);
char *url_directory_files(const struct url_ctx *c, const char *directory_id,
                          const char *page_token);
/* product_type NULL: every type. */
char *url_config_list(const struct url_ctx *c, const char *product_type, const char *page_token);

/* ---- jobs ---- */

/* GET /api/v2/parse or /api/v2/extract with job_ids repeated for each of ids[0..n). */
char *url_job_list(const struct url_ctx *c, enum job_type type, const char *const *ids, size_t n,
                   const char *page_token);
/* One job with its output: parse adds expand=markdown_full&expand=text_full. */
char *url_job_get(const struct url_ctx *c, enum job_type type, const char *id);

#endif
