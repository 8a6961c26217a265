/* status.h -- batch status, job status and job type enums, with their wire names. */
#ifndef MODEL_STATUS_H
#define MODEL_STATUS_H

#include <stdbool.h>

/* Batch statuses in display order; BATCH_UNKNOWN keeps a value the API may add later. */
#define BATCH_STATUS_LIST(X) \
    X(BATCH_PENDING, "PENDING") \
    X(BATCH_THROTTLED, "THROTTLED") \
    X(BATCH_RUNNING, "RUNNING") \
    X(BATCH_COMPLETED, "COMPLETED") \
    X(BATCH_FAILED, "FAILED") \
    X(BATCH_CANCELLED, "CANCELLED") \
    X(BATCH_UNKNOWN, "UNKNOWN")

/* THROTTLED: extract jobs may report it (the SDK's extract status is a string and its list
 * filter accepts THROTTLED); parse jobs never do. */
#define JOB_STATUS_LIST(X) \
    X(JOB_PENDING, "PENDING") \
    X(JOB_THROTTLED, "THROTTLED") \
    X(JOB_RUNNING, "RUNNING") \
    X(JOB_COMPLETED, "COMPLETED") \
    X(JOB_FAILED, "FAILED") \
    X(JOB_CANCELLED, "CANCELLED") \
    X(JOB_UNKNOWN, "UNKNOWN")

#define JOB_TYPE_LIST(X) \
    X(JOB_TYPE_PARSE, "parse_v2") \
    X(JOB_TYPE_EXTRACT, "extract_v2") \
    X(JOB_TYPE_UNKNOWN, "unknown")

#define STATUS_ENUM_ITEM(id, name) id,
enum batch_status { BATCH_STATUS_LIST(STATUS_ENUM_ITEM) BATCH_STATUS_COUNT };
enum job_status { JOB_STATUS_LIST(STATUS_ENUM_ITEM) JOB_STATUS_COUNT };
enum job_type { JOB_TYPE_LIST(STATUS_ENUM_ITEM) JOB_TYPE_COUNT };

/* Wire name ("RUNNING"); static storage. UNKNOWN gives "UNKNOWN". */
const char *batch_status_name(enum batch_status s);
/* Parse a wire name, exact match; anything else (or NULL) is BATCH_UNKNOWN. */
enum batch_status batch_status_parse(const char *text);
/* COMPLETED, FAILED, CANCELLED. UNKNOWN is not terminal (keep watching it). */
bool batch_status_is_terminal(enum batch_status s);

const char *job_status_name(enum job_status s);
enum job_status job_status_parse(const char *text);
bool job_status_is_terminal(enum job_status s);

const char *job_type_name(enum job_type t);
enum job_type job_type_parse(const char *text);

#endif
