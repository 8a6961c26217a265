/* retry.h -- the retry policy: one failed answer in, "wait N ms" or "give up" out. */
#ifndef NET_RETRY_H
#define NET_RETRY_H

/*
 * What the official SDKs do (API.md "Errors, rate limits, retries"): an `x-should-retry` header
 * decides first; otherwise connection errors, 408, 409, 429 and >= 500 are retried. The wait is
 * `retry-after-ms`, else `Retry-After` (seconds or an HTTP date), capped at 10 minutes (the
 * SDKs ignore one of 60 s or more; a server that asks for longer means it); else 0.5 s *
 * 2^attempt capped at 8 s, minus up to 25 % jitter. No clock and no randomness
 * inside: the caller passes "now" and the jitter draw, so every case is unit-tested.
 */

#include <stdbool.h>
#include <stdint.h>

/* One failed try, as the caller saw it. Header values are borrowed, NULL when absent. */
struct retry_answer {
    long http_status;           /* 0: no HTTP answer at all */
    bool transport_error;       /* connect/timeout/reset/garbled: retryable when no status */
    const char *x_should_retry; /* "true" / "false" */
    const char *retry_after_ms;
    const char *retry_after;
    bool no_retry_on_409; /* cancel: 409 means "already finished", never retried */
};

/* Whether the answer may be retried at all (ignoring how many tries were made). */
bool retry_should(const struct retry_answer *a);
/* The wait before retry number attempt+1 (attempt 0 = the first retry), or -1 to give up
 * (not retryable, or attempt >= max_retries). now_ms: wall clock for HTTP dates; jitter in
 * [0, 1) scales the 25 % reduction of the computed backoff. */
int64_t retry_delay_ms(const struct retry_answer *a, int attempt, int max_retries, int64_t now_ms,
                       double jitter);
/* The default backoff alone: min(500 * 2^attempt, 8000) * (1 - 0.25 * jitter). */
int64_t retry_backoff_ms(int attempt, double jitter);
/* Parse an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into epoch ms. */
bool retry_parse_http_date(const char *text, int64_t *ms);

/* Tests only: retry_delay_ms multiplies the computed backoff (never a server's Retry-After,
 * which a test may check is honoured) by scale, in (0, 1]; anything else restores 1, the
 * policy above. Process-wide, like the refresh_ms_for_tests of struct net_config; set it before
 * net_start. Lets the fault tests wait out their retries in milliseconds instead of seconds.
 * batchtop itself never calls it. */
void retry_scale_for_tests(double scale);

#endif
