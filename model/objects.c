/* objects.c -- deep copies and clean-up of the API structs in objects.h. */
#include "config.h"

#include "model/objects.h"

#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

void batch_result_copy(struct batch_result *dst, const struct batch_result *src)
{
    dst->file_id = xstrdup(src->file_id);
    dst->job_id = xstrdup(src->job_id);
    dst->job_type = src->job_type;
    dst->job_type_text = xstrdup(src->job_type_text);
    dst->error_message = xstrdup(src->error_message);
}

void batch_result_done(struct batch_result *r)
{
    free(r->file_id);
    free(r->job_id);
    free(r->job_type_text);
    free(r->error_message);
    memset(r, 0, sizeof *r);
}

void batch_copy_without_results(struct batch *dst, const struct batch *src)
{
    dst->id = xstrdup(src->id);
    dst->project_id = xstrdup(src->project_id);
    dst->source_directory_id = xstrdup(src->source_directory_id);
    dst->job_type = src->job_type;
    dst->job_type_text = xstrdup(src->job_type_text);
    dst->configuration_id = xstrdup(src->configuration_id);
    dst->status = src->status;
    dst->status_text = xstrdup(src->status_text);
    dst->created_at = xstrdup(src->created_at);
    dst->created_ms = src->created_ms;
    dst->updated_at = xstrdup(src->updated_at);
    dst->updated_ms = src->updated_ms;
    dst->has_results = false;
    dst->results = NULL;
    dst->n_results = 0;
}

void batch_copy(struct batch *dst, const struct batch *src)
{
    batch_copy_without_results(dst, src);
    dst->has_results = src->has_results;
    if (src->results != NULL && src->n_results > 0) {
        dst->results = xcalloc(src->n_results, sizeof *dst->results);
        for (size_t i = 0; i < src->n_results; i++)
            batch_result_copy(&dst->results[i], &src->results[i]);
        dst->n_results = src->n_results;
    }
}

void batch_done(struct batch *b)
{
    free(b->id);
    free(b->project_id);
    free(b->source_directory_id);
    free(b->job_type_text);
    free(b->configuration_id);
    free(b->status_text);
    free(b->created_at);
    free(b->updated_at);
    for (size_t i = 0; i < b->n_results; i++)
        batch_result_done(&b->results[i]);
    free(b->results);
    memset(b, 0, sizeof *b);
}

void job_copy(struct job *dst, const struct job *src)
{
    dst->id = xstrdup(src->id);
    dst->type = src->type;
    dst->status = src->status;
    dst->status_text = xstrdup(src->status_text);
    dst->error_message = xstrdup(src->error_message);
    dst->name = xstrdup(src->name);
    dst->tier = xstrdup(src->tier);
    dst->created_at = xstrdup(src->created_at);
    dst->created_ms = src->created_ms;
    dst->updated_at = xstrdup(src->updated_at);
    dst->updated_ms = src->updated_ms;
    dst->has_credits = src->has_credits;
    dst->credits = src->credits;
    dst->has_pages = src->has_pages;
    dst->pages_billed = src->pages_billed;
    dst->unbilled = src->unbilled;
}

void job_done(struct job *j)
{
    free(j->id);
    free(j->status_text);
    free(j->error_message);
    free(j->name);
    free(j->tier);
    free(j->created_at);
    free(j->updated_at);
    memset(j, 0, sizeof *j);
}

void job_output_done(struct job_output *o)
{
    free(o->job_id);
    free(o->markdown);
    free(o->text);
    free(o->json);
    free(o->failed_pages);
    memset(o, 0, sizeof *o);
}

void directory_copy(struct directory *dst, const struct directory *src)
{
    dst->id = xstrdup(src->id);
    dst->name = xstrdup(src->name);
    dst->type = xstrdup(src->type);
    dst->description = xstrdup(src->description);
    dst->project_id = xstrdup(src->project_id);
    dst->created_at = xstrdup(src->created_at);
    dst->updated_at = xstrdup(src->updated_at);
    dst->expires_at = xstrdup(src->expires_at);
    dst->expires_ms = src->expires_ms;
}

void directory_done(struct directory *d)
{
    free(d->expires_at);
    free(d->id);
    free(d->name);
    free(d->type);
    free(d->description);
    free(d->project_id);
    free(d->created_at);
    free(d->updated_at);
    memset(d, 0, sizeof *d);
}

void dir_file_copy(struct dir_file *dst, const struct dir_file *src)
{
    dst->id = xstrdup(src->id);
    dst->directory_id = xstrdup(src->directory_id);
    dst->display_name = xstrdup(src->display_name);
    dst->file_id = xstrdup(src->file_id);
    dst->unique_id = xstrdup(src->unique_id);
    dst->created_at = xstrdup(src->created_at);
    dst->updated_at = xstrdup(src->updated_at);
    dst->deleted_at = xstrdup(src->deleted_at);
}

void dir_file_done(struct dir_file *f)
{
    free(f->deleted_at);
    free(f->id);
    free(f->directory_id);
    free(f->display_name);
    free(f->file_id);
    free(f->unique_id);
    free(f->created_at);
    free(f->updated_at);
    memset(f, 0, sizeof *f);
}

void config_copy(struct config *dst, const struct config *src)
{
    dst->id = xstrdup(src->id);
    dst->name = xstrdup(src->name);
    dst->product_type = xstrdup(src->product_type);
    dst->tier = xstrdup(src->tier);
    dst->version = xstrdup(src->version);
    dst->created_at = xstrdup(src->created_at);
    dst->updated_at = xstrdup(src->updated_at);
}

void config_done(struct config *c)
{
    free(c->id);
    free(c->name);
    free(c->product_type);
    free(c->tier);
    free(c->version);
    free(c->created_at);
    free(c->updated_at);
    memset(c, 0, sizeof *c);
}

const char *batch_status_text(const struct batch *b)
{
    if (b->status_text != NULL)
        return b->status_text;
    return batch_status_name(b->status);
}
