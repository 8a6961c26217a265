/* errbody.h -- an HTTP error answer turned into one readable, sanitized line. */
#ifndef NET_ERRBODY_H
#define NET_ERRBODY_H

/*
 * A 422 FastAPI body {"detail":[{"loc":["body","config","job","type"],"msg":"…"}]} becomes
 * "config.job.type: …" with field "config.job.type" (the leading "body" dropped; several
 * entries are joined with "; ", field from the first); {"detail":"text"} becomes the text;
 * 401 becomes "unauthorized — check LLAMA_CLOUD_API_KEY"; anything else "HTTP 503: " plus at
 * most 200 bytes of the body. Control characters are replaced by '?' in every output and
 * messages are cut at ERRBODY_MAX bytes on a UTF-8 boundary. The API key registered with
 * log_set_secret() (log.h) is masked with '*' wherever it occurs, before anything is cut,
 * and a cut never leaves a key prefix of ERRBODY_PREFIX_MIN bytes or more at the end.
 * Otherwise pure: safe to fuzz.
 */

#include <stddef.h>

#include "net/msg.h"

#define ERRBODY_RAW_MAX 200
#define ERRBODY_MAX 500
/* Error bodies longer than this are not parsed as JSON (an error is a line, not megabytes). */
#define ERRBODY_PARSE_MAX (64u * 1024)
#define ERRBODY_PREFIX_MIN 4

/* Fill e (overwritten, not freed first) from an HTTP answer with this status and body. */
void errbody_format(long http_status, const char *body, size_t len, struct net_error *e);
/* A copy of s[0..len) with the registered key masked, then control characters (C0, DEL, C1
 * as UTF-8) replaced by '?', then cut to at most max bytes without splitting a UTF-8
 * sequence (a key prefix left at the cut is masked too). Caller frees. */
char *errbody_sanitize(const char *s, size_t len, size_t max);
/* Overwrite every occurrence of secret in s[0..len) (NUL bytes allowed) with '*', in place;
 * a NULL or empty secret does nothing. */
void errbody_scrub(char *s, size_t len, const char *secret);

#endif
