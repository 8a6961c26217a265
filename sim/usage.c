/* usage.c -- credits, billed pages and failed pages of simulated jobs (issue 12). */
#include "config.h"

#include "sim/usage.h"

#include <string.h>

/*
 * Credits per page. Extract rates are the SDK's own words (ExtractV2Parameters.tier:
 * cost_effective 5, agentic 15, agentic_plus 50, turbo 35); parse rates are the simulator's
 * guess (fast 1, cost_effective 3, agentic 10, agentic_plus 45).
 */
static int parse_rate(const char *tier)
{
    static const struct {
        const char *tier;
        int rate;
    } t[] = {{"fast", 1}, {"cost_effective", 3}, {"agentic", 10}, {"agentic_plus", 45}};
    for (size_t i = 0; tier != NULL && i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].tier, tier) == 0)
            return t[i].rate;
    return 10; /* cfg-PARSE_AGENTIC and anything unknown: agentic */
}

static int extract_rate(const char *tier)
{
    static const struct {
        const char *tier;
        int rate;
    } t[] = {{"cost_effective", 5}, {"agentic", 15}, {"agentic_plus", 50}, {"turbo", 35}};
    for (size_t i = 0; tier != NULL && i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].tier, tier) == 0)
            return t[i].rate;
    return 15;
}

/* The failed-page mask of item i: bit p-1 set when page p failed. */
static unsigned failed_mask(const struct world *w, const struct world_batch *b, size_t i)
{
    double share = w->params.failed_pages;
    if (share <= 0 || b->type != JOB_TYPE_PARSE)
        return 0;
    struct rng r;
    rng_init(&r, b->items[i].seed ^ 0xfa11edfa11edULL);
    unsigned mask = 0;
    for (int p = 0; p < USAGE_PAGES; p++)
        if (rng_chance(&r, share))
            mask |= 1u << p;
    /* so that a small share still shows: every eighth job (second of each batch) loses its
     * last page */
    if (i % 8 == 1)
        mask |= 1u << (USAGE_PAGES - 1);
    /* a job whose every page failed would be FAILED: a COMPLETED one keeps its first page */
    if (mask == (1u << USAGE_PAGES) - 1)
        mask &= ~1u;
    return mask;
}

bool usage_page_failed(const struct world *w, const struct world_batch *b, size_t i, int page)
{
    return page >= 1 && page <= USAGE_PAGES && (failed_mask(w, b, i) >> (page - 1) & 1u) != 0;
}

int usage_pages_ok(const struct world *w, const struct world_batch *b, size_t i)
{
    unsigned mask = failed_mask(w, b, i);
    int ok = USAGE_PAGES;
    for (int p = 0; p < USAGE_PAGES; p++)
        ok -= (int)(mask >> p & 1u);
    return ok;
}

const char *usage_page_error(const struct world_batch *b, size_t i, int page)
{
    static const char *const errors[] = {
        "Page could not be parsed: the model timed out",
        "Page could not be parsed: the page image is corrupt",
        "Page could not be parsed: content filtered",
    };
    return errors[(b->items[i].seed >> 8 ^ (uint64_t)page) % 3];
}

/* Has billing recorded the job at now? Terminal, and --billing-delay (speed applied) later. */
static bool billed(const struct world *w, const struct world_item_state *st, int64_t now)
{
    if (st->status != JOB_COMPLETED && st->status != JOB_FAILED && st->status != JOB_CANCELLED)
        return false;
    int64_t delay = (int64_t)((double)w->params.billing_delay_ms / w->params.speed);
    return now >= st->updated + delay;
}

static json_object *num_or_null(bool known, int64_t v)
{
    return known ? json_object_new_int64(v) : NULL;
}

/* FAILED and CANCELLED jobs are billed 0 (a number, once billing lands): the simulator's
 * choice; only pages that succeeded are billed. */
json_object *usage_parse(const struct world *w, const struct world_batch *b, size_t i,
                         const struct world_item_state *st, int64_t now)
{
    bool known = billed(w, st, now);
    int64_t credits = 0;
    if (st->status == JOB_COMPLETED)
        credits = (int64_t)usage_pages_ok(w, b, i) * parse_rate(w->configs[b->config].tier);
    json_object *u = json_object_new_object();
    json_object_object_add(u, "credits", num_or_null(known, credits));
    return u;
}

void usage_extract(json_object *job, const struct world *w, const struct world_batch *b, size_t i,
                   const struct world_item_state *st, int64_t now)
{
    (void)i;
    bool known = billed(w, st, now);
    bool done = st->status == JOB_COMPLETED;
    const char *tier = w->configs[b->config].tier;
    int64_t pages = done ? USAGE_PAGES : 0;
    /* parse tier defaults to the extract tier (SDK); turbo runs no parse job */
    int64_t parse = tier != NULL && strcmp(tier, "turbo") == 0 ? 0 : pages * parse_rate(tier);
    int64_t extract = pages * extract_rate(tier);
    json_object *u = json_object_new_object();
    json_object_object_add(u, "credits", num_or_null(known, parse + extract));
    json_object_object_add(u, "extract_credits", num_or_null(known, extract));
    json_object_object_add(u, "parse_credits", num_or_null(known, parse));
    json_object_object_add(job, "usage", u);
    json_object *mu = json_object_new_object();
    json_object_object_add(mu, "num_pages_billed", num_or_null(known, pages));
    json_object_object_add(mu, "num_pages_extracted", num_or_null(known, pages));
    json_object *m = json_object_new_object();
    json_object_object_add(m, "usage", mu);
    json_object_object_add(job, "metadata", m);
}
