/* objects.h -- plain structs for every API object batchtop shows; they cross threads by value. */
#ifndef MODEL_OBJECTS_H
#define MODEL_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/status.h"

/*
 * Ownership: every char * in these structs is owned by the struct (heap, freed by the
 * matching *_done). NULL means the field was null or absent on the wire. Time fields keep
 * the server's text and its parsed value in epoch ms (-1 when null or unparsable).
 * *_copy makes a deep copy into an uninitialised destination; *_done frees the contents
 * (not the struct itself) and leaves it zeroed, so calling it twice is harmless.
 */

/* One entry of a batch's `results`: a directory file and the job made for it. */
struct batch_result {
    char *file_id;             /* source_directory_file_id, "dfl-…" (required) */
    char *job_id;              /* job_reference.id, NULL while no job yet */
    enum job_type job_type;    /* job_reference.type */
    char *job_type_text;       /* the wire text of job_reference.type, NULL when no job */
    char *error_message;       /* mapping error, NULL when none */
};

struct batch {
    char *id;                  /* "bat-…" */
    char *project_id;
    char *source_directory_id; /* "dir-…" */
    enum job_type job_type;    /* config.job.type */
    char *job_type_text;       /* wire text, kept for UNKNOWN */
    char *configuration_id;    /* config.job.configuration_id */
    enum batch_status status;
    char *status_text;         /* wire text, kept for UNKNOWN */
    char *created_at;
    int64_t created_ms;
    char *updated_at;
    int64_t updated_ms;
    bool has_results;          /* results was a (possibly empty) array, not null/absent */
    struct batch_result *results;
    size_t n_results;
};

/* A parse or extract job (status and error; the output is separate, see job_output). */
struct job {
    char *id;
    enum job_type type;
    enum job_status status;
    char *status_text;
    char *error_message;
    char *name;                /* parse: job name; extract: NULL */
    char *tier;                /* parse only */
    char *created_at;
    int64_t created_ms;
    char *updated_at;
    int64_t updated_ms;
    /* usage (expand=usage): credits billed, and pages billed (extract: metadata.usage). Both
     * are null on the wire until billing records them; has_* says whether a number came. */
    bool has_credits;
    double credits;
    bool has_pages;
    int64_t pages_billed;
    bool unbilled;             /* usage came with credits null: billing has not recorded it */
};

/* A job's output, fetched on demand for the File screen. */
struct job_output {
    char *job_id;
    enum job_type type;
    char *markdown;            /* parse: markdown_full, else the markdown pages joined */
    char *text;                /* parse: text_full, else the text pages joined */
    char *json;                /* extract: extract_result as sent, re-indented (2 spaces) */
    size_t pages;              /* parse: pages listed (0 when only the full fields came) */
    size_t pages_failed;       /* parse: pages with success:false */
    char *failed_pages;        /* "3: error, 7: error" (NULL when none failed) */
};

struct directory {
    char *id;                  /* "dir-…" */
    char *name;
    char *type;                /* user | index | ephemeral (text as sent) */
    char *description;
    char *project_id;
    char *created_at;
    char *updated_at;
    char *expires_at;          /* ephemeral directories: when it goes away (NULL: never) */
    int64_t expires_ms;
};

struct dir_file {
    char *id;                  /* "dfl-…" = batch_result.file_id */
    char *directory_id;
    char *display_name;
    char *file_id;
    char *unique_id;
    char *created_at;
    char *updated_at;
    char *deleted_at;          /* set for a deleted file (seen with include_deleted=true) */
};

struct config {
    char *id;                  /* "cfg-…" */
    char *name;
    char *product_type;        /* parse_v2, extract_v2, … (text as sent) */
    char *tier;                /* parameters.tier when present */
    char *version;
    char *created_at;
    char *updated_at;
};

void batch_result_copy(struct batch_result *dst, const struct batch_result *src);
void batch_result_done(struct batch_result *r);
void batch_copy(struct batch *dst, const struct batch *src);
void batch_done(struct batch *b);
/* batch_copy_without_results: like batch_copy, but has_results=false and no rows. */
void batch_copy_without_results(struct batch *dst, const struct batch *src);
void job_copy(struct job *dst, const struct job *src);
void job_done(struct job *j);
void job_output_done(struct job_output *o);
void directory_copy(struct directory *dst, const struct directory *src);
void directory_done(struct directory *d);
void dir_file_copy(struct dir_file *dst, const struct dir_file *src);
void dir_file_done(struct dir_file *f);
void config_copy(struct config *dst, const struct config *src);
void config_done(struct config *c);

/* The display text of a batch's status: the wire text, so UNKNOWN shows what was sent. */
const char *batch_status_text(const struct batch *b);

#endif
