/* counts.c -- one batch's files done / total / failed (see counts.h for the rules). */
#include "config.h"

#include "model/counts.h"

#include "model/status.h"

void batch_counts_compute(const struct batch *b, counts_status_fn *status_of, void *ctx,
                          struct batch_counts *out)
{
    bool terminal = batch_status_is_terminal(b->status);
    out->done = out->total = out->failed = -1;
    out->final = false;
    if (!b->has_results) {
        if (terminal) {
            out->done = out->total = out->failed = 0;
            out->final = true;
        }
        return;
    }
    long done = 0, failed = 0;
    bool settled = true; /* every file with a job has a terminal job */
    for (size_t i = 0; i < b->n_results; i++) {
        const struct batch_result *r = &b->results[i];
        if (r->error_message != NULL) {
            done++;
            failed++;
            continue;
        }
        if (r->job_id == NULL)
            continue; /* not mapped yet (or never, in a terminal batch) */
        enum job_status st = status_of != NULL ? status_of(ctx, r->job_id) : JOB_UNKNOWN;
        if (job_status_is_terminal(st)) {
            done++;
            if (st == JOB_FAILED)
                failed++;
        } else {
            settled = false;
        }
    }
    out->done = done;
    out->total = (long)b->n_results;
    out->failed = failed;
    out->final = terminal && settled;
}
