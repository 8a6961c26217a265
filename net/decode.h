/* decode.h -- JSON answers (json-c) into model structs, and the create request body. */
#ifndef NET_DECODE_H
#define NET_DECODE_H

/*
 * Every decoder takes the raw body (any bytes, not necessarily NUL-terminated) and returns
 * true with its outputs filled, or false with *cause set (caller frees; cause may be NULL) and
 * its outputs left empty. A cause names the path of the problem: "items[3].status: expected a
 * string". Required fields missing or of the wrong type are errors; unknown fields are
 * ignored; nulls are accepted where the API allows them (strings stay NULL, times -1); an
 * unknown status or job type survives as UNKNOWN with its wire text. Nesting deeper than
 * DECODE_MAX_DEPTH and bodies over DECODE_MAX_BODY are refused. No global state: safe to fuzz.
 * Output ownership: the caller owns everything written (free items with the model *_done
 * functions, then free the array; free next_token).
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/objects.h"

#define DECODE_MAX_DEPTH 64
#define DECODE_MAX_BODY (64u * 1024 * 1024)
/* Objects and arrays in one answer: json-c spends ~260 bytes on each, so 10 KB of gzip that
 * inflates to {"items":[{},{},…]} would take gigabytes. Counted before parsing and refused
 * above this (a 1,000-result batch has about 2,000; a page of 100 batches about 300). */
#define DECODE_MAX_CONTAINERS 250000

struct json_object;

/* Parse body into a json-c tree (caller json_object_put()s it), or NULL and *cause. */
struct json_object *decode_json(const char *body, size_t len, char **cause);

/* ---- single objects ---- */

/* A Batch (get, create, cancel); results are filled when the body carries them. */
bool decode_batch(const char *body, size_t len, struct batch *out, char **cause);
/* GET /api/v2/parse/{id}: {"job": {...}, "markdown_full": "...", "text_full": "..."}. */
bool decode_parse_job(const char *body, size_t len, struct job *job, struct job_output *out,
                      char **cause);
/* GET /api/v2/extract/{id}: a flat job; extract_result re-indented (2-space indent) with every
 * token, key order and duplicate key exactly as sent (net/jsonexact.h). */
bool decode_extract_job(const char *body, size_t len, struct job *job, struct job_output *out,
                        char **cause);

/* A Batch (get ?expand=results) decoded as its body arrives: the same checks and outcome as
 * decode_batch, without ever holding the body or a tree of the results (each result is
 * parsed alone as soon as it ends; see decode.c). Feed every chunk in order; feed returns
 * false once the answer is refused (the rest need not be fed, nor read). end gives the batch
 * or *cause (for an answer broken in two ways the cause may name a different one of them
 * than decode_batch does). The stream is freed with decode_batch_stream_free. */
struct decode_batch_stream;
struct decode_batch_stream *decode_batch_stream_new(void);
bool decode_batch_stream_feed(struct decode_batch_stream *s, const char *chunk, size_t len);
bool decode_batch_stream_end(struct decode_batch_stream *s, struct batch *out, char **cause);
void decode_batch_stream_free(struct decode_batch_stream *s);

/* A Directory (create answer) and a DirectoryFile (add-file answer). */
bool decode_directory(const char *body, size_t len, struct directory *out, char **cause);
bool decode_dir_file(const char *body, size_t len, struct dir_file *out, char **cause);

/* A Batch already parsed into o (e.g. one element of a cache file), with exactly the checks
 * of decode_batch; path ("batches[3]") starts the cause. o is borrowed. */
bool decode_batch_object(struct json_object *o, const char *path, struct batch *out, char **cause);

/* ---- list pages: {"items": [...], "next_page_token": "..."|null} ---- */

/* *next_token is NULL on the last page (absent, null or empty token). */
bool decode_batch_page(const char *body, size_t len, struct batch **items, size_t *n,
                       char **next_token, char **cause);
bool decode_directory_page(const char *body, size_t len, struct directory **items, size_t *n,
                           char **next_token, char **cause);
bool decode_dir_file_page(const char *body, size_t len, struct dir_file **items, size_t *n,
                          char **next_token, char **cause);
bool decode_config_page(const char *body, size_t len, struct config **items, size_t *n,
                        char **next_token, char **cause);
/* Flat job items of /api/v2/parse or /api/v2/extract; type is stored in each job. */
bool decode_job_page(const char *body, size_t len, enum job_type type, struct job **items,
                     size_t *n, char **next_token, char **cause);

/* ---- list pages in two steps ----
 * decode_page_begin parses the body and checks the envelope (the same checks and causes as
 * the decoders above) and hands out next_page_token first, so the next page can be requested
 * while this one's items are converted; one decode_page_* call then converts the items
 * exactly as the matching decode_*_page would, and frees pg whatever it returns. A pg that
 * is not converted is freed with decode_page_free. */

struct decode_page;

/* Longest token decode_page_token_hint hands out. */
#define DECODE_TOKEN_HINT_MAX 1024

/* A guess at next_page_token from the raw bytes, before any parsing: the string after the
 * last "next_page_token" key, when it is plain (letters, digits, -_.~=+/; at most
 * DECODE_TOKEN_HINT_MAX bytes). Fresh string or NULL (null, absent, escaped or odd tokens).
 * Only a hint: it is what a well-formed page says, but a body may fool it, so a caller must
 * confirm it against decode_page_begin's *next_token before trusting anything it fetched. */
char *decode_page_token_hint(const char *body, size_t len);

/* NULL and *cause when the body is not a list page; *next_token as for the decoders above. */
struct decode_page *decode_page_begin(const char *body, size_t len, char **next_token,
                                      char **cause);
void decode_page_free(struct decode_page *pg);
/* The page's total_size when it is a non-negative integer, else -1 (the SDK's cursor type has
 * no total_size; "may be an estimate": a hint for progress, never for correctness). */
long decode_page_total(const struct decode_page *pg);
/* How many items the page holds (before they are converted). */
size_t decode_page_count(const struct decode_page *pg);
bool decode_page_batches(struct decode_page *pg, struct batch **items, size_t *n, char **cause);
bool decode_page_directories(struct decode_page *pg, struct directory **items, size_t *n,
                             char **cause);
bool decode_page_dir_files(struct decode_page *pg, struct dir_file **items, size_t *n,
                           char **cause);
bool decode_page_configs(struct decode_page *pg, struct config **items, size_t *n, char **cause);
bool decode_page_jobs(struct decode_page *pg, enum job_type type, struct job **items, size_t *n,
                      char **cause);

/* ---- encoding ---- */

/* The create body {"source_directory_id":…, "config":{"job":{"type":…,"configuration_id":…}}}.
 * Fresh string, caller frees. */
char *decode_create_body(const char *source_directory_id, enum job_type type,
                         const char *configuration_id);

/* The directory create body {"name":…, "type":"user"} ("ephemeral" when asked). Fresh string,
 * caller frees. */
char *decode_directory_create_body(const char *name, bool ephemeral);
/* The add-file body {"file_id":…, "display_name":…} (display_name omitted when NULL). Fresh
 * string, caller frees. */
char *decode_file_add_body(const char *file_id, const char *display_name);

#endif
