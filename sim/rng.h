/* rng.h -- the simulator's seeded random numbers, UUIDs, hashes and wall-clock times. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

/*
 * Everything random in batchtop-sim comes from one of these generators (splitmix64), so a
 * --seed reproduces the world exactly. Also here: FNV-1a hashing (IDs, page-token filters) and
 * the ISO-8601 millisecond times the API writes and accepts.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t state;
};

/* ---- random numbers ---- */

void rng_init(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); 0 when n == 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
/* True with probability p. */
bool rng_chance(struct rng *r, double p);
/* Writes "prefix" + a lower-case 8-4-4-4-12 v4 UUID into out (size >= strlen(prefix) + 37). */
void rng_uuid(struct rng *r, const char *prefix, char *out, size_t size);

/* ---- hashing ---- */

/* 64-bit FNV-1a of len bytes, continuing from h (start with RNG_FNV_INIT). */
#define RNG_FNV_INIT 0xcbf29ce484222325ULL
uint64_t rng_fnv(uint64_t h, const void *data, size_t len);

/* ---- times ---- */

/* Milliseconds since the Unix epoch, from the real wall clock. */
int64_t rng_now_ms(void);
/* "2026-11-28T18:11:19.117Z" into out (size >= 32). */
void rng_format_time(int64_t ms, char *out, size_t size);
/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.fff…][Z|+HH:MM|-HH:MM]" (a space instead of T is accepted; no
 * zone means UTC) into *ms. Returns false for anything else.
 */
bool rng_parse_time(const char *text, int64_t *ms);

#endif
