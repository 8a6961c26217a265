/* cli_results.c -- a batch's file rows as `batchtop results` prints them, for the CLI and TUI. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model/strmap.h"
#include "model/xalloc.h"
#include "net/encode.h"
#include "tui/cli_results.h"

struct results_out {
    struct out *o;
    const struct batch *b;
    bool json;
    struct strmap result_of; /* JSON: file ID -> index of its first entry in b->results */
};

static const char *const heads[] = {"FILE", "FILE_ID", "JOB_ID", "JOB_STATUS", "ERROR"};

const char *results_row_status(const struct detail_row *r)
{
    if (r->job_id == NULL)
        return "NONE";
    if (!r->job_known)
        return "UNKNOWN";
    return r->job_status_text ? r->job_status_text : job_status_name(r->job_status);
}

struct results_out *results_out_new(FILE *f, enum out_format fmt, bool tty, bool color,
                                    const struct batch *b)
{
    struct results_out *w = xcalloc(1, sizeof *w);
    w->o = out_new(f, fmt, tty, color, heads, sizeof heads / sizeof heads[0]);
    w->b = b;
    w->json = fmt == OUT_JSON || fmt == OUT_JSONL;
    strmap_init(&w->result_of, NULL);
    /* one pass to index the entries: a row's entry is found in constant time (a batch may have
     * 100,000 rows; searching the results for each was quadratic) */
    for (size_t i = 0; w->json && b != NULL && i < b->n_results; i++)
        if (b->results[i].file_id && !strmap_has(&w->result_of, b->results[i].file_id))
            strmap_put_index(&w->result_of, b->results[i].file_id, i);
    return w;
}

void results_out_row(struct results_out *w, const struct detail_row *r)
{
    const char *error = r->mapping_error ? r->mapping_error : r->job_error;
    const char *cells[] = {r->display_name, r->file_id, r->job_id, results_row_status(r), error};
    struct json_object *obj = NULL;
    if (w->json) {
        /* the API's result entry, plus what batchtop joined to it */
        size_t k;
        if (w->b != NULL && strmap_get_index(&w->result_of, r->file_id, &k)) {
            obj = encode_batch_result(&w->b->results[k]);
        } else {
            struct batch_result tmp = {.file_id = r->file_id,
                                       .job_id = r->job_id,
                                       .job_type = r->job_type,
                                       .error_message = r->mapping_error};
            obj = encode_batch_result(&tmp);
        }
        json_object_object_add(obj, "file_name", encode_str(r->display_name));
        json_object_object_add(obj, "job_status",
                               r->job_known ? encode_str(results_row_status(r)) : NULL);
        json_object_object_add(obj, "job_error_message", encode_str(r->job_error));
    }
    out_row(w->o, cells, obj);
}

size_t results_out_rows(const struct results_out *w)
{
    return out_rows(w->o);
}

bool results_out_end(struct results_out *w)
{
    bool ok = out_end(w->o);
    strmap_done(&w->result_of);
    free(w);
    return ok;
}
