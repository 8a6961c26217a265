/* errbody.h -- an HTTP error answer turned into one readable, sanitized line. */
#ifndef NET_ERRBODY_H
#define NET_ERRBODY_H

/*
 * A 422 FastAPI body {"detail":[{"loc":["body","config","job","type"],"msg":"…"}]} becomes
 * "config.job.type: …" with field "config.job.type" (the leading "body" dropped; several
 * entries are joined with "; ", field from the first); {"detail":"text"} becomes the text;
 * 401 becomes "unauthorized — check LLAMA_CLOUD_API_KEY"; anything else "HTTP 503: " plus at
 * most 200 bytes of the body. Control characters are replaced by '?' in every output and
 * messages are cut at ERRBODY_MAX bytes on a UTF-8 boundary. Pure: safe to fuzz.
 */

#include <stddef.h>

#include "net/msg.h"

#define ERRBODY_RAW_MAX 200
#define ERRBODY_MAX 500

/* Fill e (overwritten, not freed first) from an HTTP answer with this status and body. */
void errbody_format(long http_status, const char *body, size_t len, struct net_error *e);
/* A copy of s[0..len) with control characters (C0, DEL, C1 as UTF-8) replaced by '?' and cut
 * to at most max bytes without splitting a UTF-8 sequence. Caller frees. */
char *errbody_sanitize(const char *s, size_t len, size_t max);

#endif
