/* msg.c -- allocation and release of the commands and messages that cross threads. */
#include "config.h"

#include "net/msg.h"

#include <stdlib.h>

#include "model/xalloc.h"

struct net_cmd *net_cmd_new(enum net_cmd_type type)
{
    struct net_cmd *c = xcalloc(1, sizeof *c);
    c->type = type;
    return c;
}

void net_cmd_free(struct net_cmd *c)
{
    if (c == NULL)
        return;
    free(c->id);
    free(c->source_directory_id);
    free(c->configuration_id);
    free(c->since);
    free(c->name);
    for (size_t i = 0; i < c->n_files; i++)
        dir_file_done(&c->files[i]);
    free(c->files);
    for (size_t i = 0; i < c->n_batches; i++)
        batch_done(&c->batches[i]);
    free(c->batches);
    for (size_t i = 0; i < c->n_ids; i++)
        free(c->ids[i]);
    free(c->ids);
    for (size_t i = 0; i < c->n_locals; i++)
        local_file_done(&c->locals[i]);
    free(c->locals);
    free(c);
}

struct net_msg *net_msg_new(enum net_msg_type type)
{
    struct net_msg *m = xcalloc(1, sizeof *m);
    m->type = type;
    m->ok = true;
    return m;
}

void net_error_done(struct net_error *e)
{
    if (e == NULL)
        return;
    free(e->message);
    free(e->field);
    e->message = NULL;
    e->field = NULL;
    e->http_status = 0;
}

void net_msg_free(struct net_msg *m)
{
    if (m == NULL)
        return;
    net_error_done(&m->error);
    free(m->id);
    for (size_t i = 0; m->strings == NULL && i < m->n_batches; i++)
        batch_done(&m->batches[i]);
    free(m->batches);
    free(m->strings);
    for (size_t i = 0; i < m->n_jobs; i++)
        job_done(&m->jobs[i]);
    free(m->jobs);
    for (size_t i = 0; i < m->n_files; i++)
        dir_file_done(&m->files[i]);
    free(m->files);
    for (size_t i = 0; i < m->n_directories; i++)
        directory_done(&m->directories[i]);
    free(m->directories);
    for (size_t i = 0; i < m->n_configs; i++)
        config_done(&m->configs[i]);
    free(m->configs);
    job_output_done(&m->output);
    free(m->since);
    free(m->stale_entry);
    free(m);
}

const char *net_resubmit_phase_name(enum net_resubmit_phase phase)
{
    switch (phase) {
    case NET_RESUBMIT_FIND_DIR:
        return "looking for the directory";
    case NET_RESUBMIT_CREATE_DIR:
        return "creating the directory";
    case NET_RESUBMIT_LIST_FILES:
        return "listing the directory's files";
    case NET_RESUBMIT_ADD_FILES:
        return "adding files";
    case NET_RESUBMIT_CREATE_BATCH:
        return "creating the batch";
    case NET_RESUBMIT_DONE:
        break;
    }
    return "done";
}
