/* faults.h -- seeded fault injection: 5xx, 429 budget, latency, resets, garbled bodies. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

/*
 * For the client's tests. Each request asks faults_decide() what to do before it touches the
 * world, so a request that fails never changed state (except the ambiguous create, which is
 * answered 500 after the batch was made). Draws come from one seeded generator under a lock,
 * so a sequential client sees the same faults for the same --seed. faults_off() (SIGUSR1 or
 * POST /_sim/faults/off) turns every fault off for good; it is async-signal-safe to read.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct faults_params {
    uint64_t seed;
    double fail_rate;      /* share of 500/502/503 answers */
    long rate_limit;       /* requests per second before 429; 0 = unlimited */
    int latency_ms;        /* added latency, uniform 0..latency_ms */
    double reset_rate;     /* share of connections dropped without an answer */
    double malformed_rate; /* share of 200 GET bodies truncated or garbled */
    double ambiguous_rate; /* share of creates that succeed but answer 500 */
};

enum faults_action {
    FAULTS_NONE,
    FAULTS_RATE_LIMITED, /* answer 429 + Retry-After: 1 */
    FAULTS_RESET,        /* drop the connection */
    FAULTS_FAIL,         /* answer status (500/502/503) */
};

struct faults_decision {
    enum faults_action action;
    int status;        /* for FAULTS_FAIL */
    bool should_retry; /* send x-should-retry: true */
    int latency_ms;    /* sleep this long before answering */
    bool malform;      /* garble the 200 body */
    bool ambiguous;    /* create, then answer 500 */
    uint64_t garble_seed;
};

struct faults;

struct faults *faults_new(const struct faults_params *p);
void faults_free(struct faults *f);
/* What to do with one API request (never called for /_sim/ control routes). */
void faults_decide(struct faults *f, bool is_create, bool is_get, int64_t now_ms,
                   struct faults_decision *d);
/* Turn every fault off (idempotent, thread-safe). */
void faults_off(struct faults *f);
bool faults_active(const struct faults *f);
/* Truncate or garble body in place (*len updated; body stays NUL-terminated). */
void faults_garble(const struct faults_decision *d, char *body, size_t *len);

#endif
