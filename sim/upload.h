/* upload.h -- multipart uploads: a streaming form reader and the per-project upload rate. */
#ifndef SIM_UPLOAD_H
#define SIM_UPLOAD_H

/*
 * POST /api/v1/beta/directories/{id}/files/upload sends a multipart/form-data body: a file
 * part upload_file and short text fields. The simulator never holds the file: an upload_form
 * reads the body as it arrives (libmicrohttpd's post processor) and keeps only the part's
 * filename, its size and a SHA-256 of its bytes (OpenSSL EVP), plus the text fields it knows
 * (display_name, unique_id, external_file_id, metadata), each capped. When a field repeats,
 * the last one counts (as Starlette's form does). One form belongs to one connection thread.
 *
 * The upload rate is a sliding window: at most n uploads in any window_ms, shared by every
 * connection (it has its own lock).
 */

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#define UPLOAD_FIELD_MAX (64 * 1024) /* a text field's longest value kept, in bytes */

/* ---- the form ---- */

struct upload_form;

/* A reader for the body of c, or NULL when its Content-Type is not multipart/form-data
 * (with a boundary). max_body: the most body bytes accepted (then the form is too big and
 * reads no more). */
struct upload_form *upload_form_new(struct MHD_Connection *c, uint64_t max_body);
void upload_form_free(struct upload_form *u);
/* Feed the next body bytes; false once the body is too big or not valid multipart (the bytes
 * are then counted and dropped). */
bool upload_form_feed(struct upload_form *u, const char *data, size_t len);
/* Did the body pass max_body? */
bool upload_form_too_big(const struct upload_form *u);
/* Was the body not valid multipart (the post processor refused it)? */
bool upload_form_malformed(const struct upload_form *u);

/* After the body: the file part's filename, or NULL when no upload_file part with a filename
 * came (borrowed, valid until upload_form_free). */
const char *upload_form_filename(const struct upload_form *u);
/* Did upload_file come as a plain text field (no filename), and no file part? */
bool upload_form_file_is_text(const struct upload_form *u);
/* Size of the file part, in bytes. */
uint64_t upload_form_size(const struct upload_form *u);
/* The lowercase hex SHA-256 of the file part into hex (65 bytes with the NUL). */
void upload_form_sha256(struct upload_form *u, char hex[65]);
/* A known text field's value (display_name, unique_id, external_file_id, metadata), or NULL
 * when absent; *truncated says it was longer than UPLOAD_FIELD_MAX (then only that much is
 * kept). Borrowed, valid until upload_form_free. */
const char *upload_form_field(const struct upload_form *u, const char *name, bool *truncated);

/* ---- the rate ---- */

struct upload_rate;

/* At most n uploads in any window_ms; n == 0 means unlimited. */
struct upload_rate *upload_rate_new(long n, int64_t window_ms);
void upload_rate_free(struct upload_rate *r);
/* Take a slot at now (epoch ms); false when all n are taken within the window, with
 * *retry_after_s the whole seconds until the oldest frees (at least 1). Thread-safe. */
bool upload_rate_take(struct upload_rate *r, int64_t now, long *retry_after_s);

#endif
