/* cli_results.h -- a batch's file rows as `batchtop results` prints them, for the CLI and TUI. */
#ifndef TUI_CLI_RESULTS_H
#define TUI_CLI_RESULTS_H

/*
 * One writer for the file table of a batch, so that `batchtop results --csv/--json` and the
 * Batch screen's export (E) write the same columns and the same objects. Cells: FILE, FILE_ID,
 * JOB_ID, JOB_STATUS, ERROR (the mapping error, else the job's error). A JSON row is the API's
 * result entry (source_directory_file_id, job_reference, error_message) plus what batchtop
 * joined to it: file_name, job_status (null until known) and job_error_message. Strings are the
 * server's, exact, in every format but the terminal table (see cli_out.h).
 */

#include <stdbool.h>
#include <stdio.h>

#include "model/detail.h"
#include "model/objects.h"
#include "tui/cli_out.h"

struct results_out;

/* A writer on f (see out_new). b: the batch the rows came from (borrowed until
 * results_out_end; NULL allowed), whose result entries the JSON rows are made of. */
struct results_out *results_out_new(FILE *f, enum out_format fmt, bool tty, bool color,
                                    const struct batch *b);
/* One row (borrowed for the call). */
void results_out_row(struct results_out *w, const struct detail_row *r);
/* Rows written so far. */
size_t results_out_rows(const struct results_out *w);
/* Finish and free w; false when writing failed (see out_end). */
bool results_out_end(struct results_out *w);

/* The JOB_STATUS cell: NONE (no job), UNKNOWN (not known yet), else the status's wire text. */
const char *results_row_status(const struct detail_row *r);

#endif
