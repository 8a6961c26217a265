/* counts.h -- one batch's files done / total / failed, from its results and its jobs' statuses. */
#ifndef MODEL_COUNTS_H
#define MODEL_COUNTS_H

/*
 * The list's FILES, PROGRESS and FAILED columns for a batch that is not open. One result row
 * is one file (API.md): it is done when it has a mapping error or its job is terminal, and
 * failed when it has a mapping error or its job FAILED (a CANCELLED job is done, not failed).
 * Counts are final -- they can never change again -- once the batch is terminal and every
 * file with a job has a terminal job; a file that never got a job then stays not done.
 * Pure: the net thread computes them (net/counts.c), the tests check them.
 */

#include <stdbool.h>

#include "model/objects.h"

struct batch_counts {
    long done;   /* files done; -1 when unknown */
    long total;  /* result rows; -1 when unknown (results null while the batch runs) */
    long failed; /* files failed; -1 when unknown */
    bool final;  /* never changes again: never fetched again */
};

/* The status of one job as known to the caller; JOB_UNKNOWN when it is not known (yet). */
typedef enum job_status counts_status_fn(void *ctx, const char *job_id);

/* Count b's files. b->has_results false means results null: unknown while the batch is
 * active; a terminal batch without results (orchestration failed before any mapping) counts
 * as final with no files. */
void batch_counts_compute(const struct batch *b, counts_status_fn *status_of, void *ctx,
                          struct batch_counts *out);

#endif
