/* status.c -- wire names of batch statuses, job statuses and job types. */
#include "config.h"

#include "model/status.h"

#include <string.h>

#define STATUS_NAME_ITEM(id, name) name,
static const char *const batch_names[] = {BATCH_STATUS_LIST(STATUS_NAME_ITEM)};
static const char *const job_names[] = {JOB_STATUS_LIST(STATUS_NAME_ITEM)};
static const char *const type_names[] = {JOB_TYPE_LIST(STATUS_NAME_ITEM)};

/* Index of text among the first count names, else fallback. */
static int lookup(const char *const *names, int count, const char *text, int fallback)
{
    if (text == NULL)
        return fallback;
    for (int i = 0; i < count; i++)
        if (i != fallback && strcmp(names[i], text) == 0)
            return i;
    return fallback;
}

const char *batch_status_name(enum batch_status s)
{
    return (unsigned)s < BATCH_STATUS_COUNT ? batch_names[s] : batch_names[BATCH_UNKNOWN];
}

enum batch_status batch_status_parse(const char *text)
{
    return (enum batch_status)lookup(batch_names, BATCH_STATUS_COUNT, text, BATCH_UNKNOWN);
}

bool batch_status_is_terminal(enum batch_status s)
{
    return s == BATCH_COMPLETED || s == BATCH_FAILED || s == BATCH_CANCELLED;
}

const char *job_status_name(enum job_status s)
{
    return (unsigned)s < JOB_STATUS_COUNT ? job_names[s] : job_names[JOB_UNKNOWN];
}

enum job_status job_status_parse(const char *text)
{
    return (enum job_status)lookup(job_names, JOB_STATUS_COUNT, text, JOB_UNKNOWN);
}

bool job_status_is_terminal(enum job_status s)
{
    return s == JOB_COMPLETED || s == JOB_FAILED || s == JOB_CANCELLED;
}

const char *job_type_name(enum job_type t)
{
    return (unsigned)t < JOB_TYPE_COUNT ? type_names[t] : type_names[JOB_TYPE_UNKNOWN];
}

enum job_type job_type_parse(const char *text)
{
    return (enum job_type)lookup(type_names, JOB_TYPE_COUNT, text, JOB_TYPE_UNKNOWN);
}
