/* faults.c -- seeded fault decisions for batchtop-sim (see faults.h). */
#include "config.h"

#include "sim/faults.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "sim/rng.h"

struct faults {
    struct faults_params p;
    pthread_mutex_t lock;
    struct rng rng;
    int64_t window; /* current second */
    long in_window; /* requests seen in it */
    atomic_bool off;
};

struct faults *faults_new(const struct faults_params *p)
{
    struct faults *f = xcalloc(1, sizeof *f);
    f->p = *p;
    pthread_mutex_init(&f->lock, NULL);
    rng_init(&f->rng, p->seed ^ 0xfa017fa017fa017fULL);
    atomic_init(&f->off, false);
    return f;
}

void faults_free(struct faults *f)
{
    if (f == NULL)
        return;
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void faults_off(struct faults *f)
{
    atomic_store(&f->off, true);
}

bool faults_active(const struct faults *f)
{
    if (atomic_load(&((struct faults *)f)->off))
        return false;
    const struct faults_params *p = &f->p;
    return p->fail_rate > 0 || p->rate_limit > 0 || p->latency_ms > 0 || p->reset_rate > 0 ||
           p->malformed_rate > 0 || p->ambiguous_rate > 0;
}

void faults_decide(struct faults *f, bool is_create, bool is_get, int64_t now_ms,
                   struct faults_decision *d)
{
    memset(d, 0, sizeof *d);
    if (atomic_load(&f->off))
        return;
    pthread_mutex_lock(&f->lock);
    /* Every draw happens on every request, so the sequence only depends on the request count. */
    double latency = rng_unit(&f->rng);
    double reset = rng_unit(&f->rng);
    double fail = rng_unit(&f->rng);
    uint64_t which = rng_next(&f->rng);
    double malformed = rng_unit(&f->rng);
    double ambiguous = rng_unit(&f->rng);
    d->garble_seed = rng_next(&f->rng);
    bool limited = false;
    if (f->p.rate_limit > 0) {
        int64_t window = now_ms / 1000;
        if (window != f->window) {
            f->window = window;
            f->in_window = 0;
        }
        limited = ++f->in_window > f->p.rate_limit;
    }
    pthread_mutex_unlock(&f->lock);

    if (f->p.latency_ms > 0)
        d->latency_ms = (int)(latency * (f->p.latency_ms + 1));
    if (limited) {
        d->action = FAULTS_RATE_LIMITED;
    } else if (reset < f->p.reset_rate) {
        d->action = FAULTS_RESET;
    } else if (fail < f->p.fail_rate) {
        static const int codes[] = {500, 502, 503};
        d->action = FAULTS_FAIL;
        d->status = codes[which % 3];
        d->should_retry = (which >> 8) % 2 == 0;
    } else {
        d->malform = is_get && malformed < f->p.malformed_rate;
        d->ambiguous = is_create && ambiguous < f->p.ambiguous_rate;
    }
}

void faults_garble(const struct faults_decision *d, char *body, size_t *len)
{
    if (*len < 2)
        return;
    struct rng r;
    rng_init(&r, d->garble_seed);
    if (rng_chance(&r, 0.5)) { /* truncate somewhere inside */
        *len = 1 + (size_t)rng_below(&r, *len - 1);
        body[*len] = '\0';
        return;
    }
    static const char junk[] = "}{\"\\,:]\x01\xff";
    size_t at = (size_t)rng_below(&r, *len);
    size_t n = 1 + (size_t)rng_below(&r, 8);
    for (size_t k = 0; k < n && at + k < *len; k++)
        body[at + k] = junk[rng_below(&r, sizeof junk - 1)];
    if (body[0] == '{') /* make sure it no longer parses even if the junk landed harmlessly */
        body[0] = '<';
}
