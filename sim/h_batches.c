/* h_batches.c -- the batch endpoints: list, get, cancel, create. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "model/xalloc.h"
#include "sim/dirs.h"
#include "sim/handlers.h"
#include "sim/server.h"
#include "sim/wire.h"

void h_batch_list(struct server *s, const struct args *a, int64_t now, struct reply *r)
{
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *st = arg_get(a, "status");
    enum batch_status want = BATCH_UNKNOWN;
    if (st != NULL && st[0] != '\0') {
        want = batch_status_parse(st);
        if (want == BATCH_UNKNOWN) {
            reply_422(r, "query", "status",
                      "Input should be 'PENDING', 'THROTTLED', 'RUNNING', 'COMPLETED', "
                      "'FAILED' or 'CANCELLED'",
                      "enum");
            return;
        }
    }
    const char *dir = arg_get(a, "source_directory_id");
    if (dir != NULL && dir[0] == '\0')
        dir = NULL;
    int64_t after = INT64_MIN, before = INT64_MAX;
    const char *t1 = arg_get(a, "created_at_on_or_after");
    const char *t2 = arg_get(a, "created_at_on_or_before");
    if (t1 != NULL && t1[0] != '\0' && !rng_parse_time(t1, &after)) {
        reply_422(r, "query", "created_at_on_or_after", "Input should be a valid datetime",
                  "datetime_from_date_parsing");
        return;
    }
    if (t2 != NULL && t2[0] != '\0' && !rng_parse_time(t2, &before)) {
        reply_422(r, "query", "created_at_on_or_before", "Input should be a valid datetime",
                  "datetime_from_date_parsing");
        return;
    }
    /*
     * Batches are stored oldest first with strictly increasing created. Newest first (the
     * default) walks backwards from the end; --sort oldest walks forwards. A token holds the
     * created of the last batch sent, so the next page starts strictly past it either way.
     */
    size_t hi = world_batch_lower_bound(w, before == INT64_MAX ? INT64_MAX : before + 1);
    size_t lo = world_batch_lower_bound(w, after);
    bool oldest = s->p.sort_oldest;
    size_t from = oldest ? lo : hi; /* the page starts there (exclusive bound when newest) */
    if (pg.has_token) {
        size_t tpos = world_batch_lower_bound(w, oldest ? pg.after_created + 1 : pg.after_created);
        if (oldest ? tpos > from : tpos < from)
            from = tpos;
    }
    json_object *items = json_object_new_array();
    size_t total = 0, count = 0;
    const struct world_batch *last = NULL;
    bool more = false;
    for (size_t k = lo; k < hi; k++) {
        size_t i = oldest ? k : hi - 1 - (k - lo);
        const struct world_batch *b = w->batches[i];
        if (want != BATCH_UNKNOWN && b->status != want)
            continue;
        if (dir != NULL && strcmp(w->dirs[b->dir].id, dir) != 0)
            continue;
        total++;
        if (oldest ? i < from : i >= from)
            continue;
        if (count < pg.size) {
            json_object_array_add(items, wire_batch(w, b, now, false));
            last = b;
            count++;
        } else {
            more = true;
        }
    }
    char *next = more && last != NULL ? token_make(last->created, last->id, pg.hash) : NULL;
    reply_set(r, 200, page_object(s, items, next, total));
}

void h_batch_get(struct server *s, const char *id, const struct args *a, int64_t now,
                 struct reply *r)
{
    struct world_batch *b = world_find_batch(s->world, id);
    if (b == NULL) {
        reply_detail(r, 404, "Batch not found");
        return;
    }
    reply_set(r, 200, wire_batch(s->world, b, now, arg_has_value(a, "expand", "results")));
}

void h_batch_cancel(struct server *s, const char *id, int64_t now, struct reply *r)
{
    struct world_batch *b = world_find_batch(s->world, id);
    if (b == NULL) {
        reply_detail(r, 404, "Batch not found");
        return;
    }
    if (!world_cancel_batch(s->world, b, now)) {
        char *msg = xasprintf("Batch %s is %s and cannot be cancelled", b->id,
                              batch_status_name(b->status));
        reply_detail(r, 409, msg);
        free(msg);
        return;
    }
    reply_set(r, 200, wire_batch(s->world, b, now, false));
}

void h_batch_create(struct server *s, const struct request *rq, int64_t now, struct reply *r,
                    bool *created)
{
    struct world *w = s->world;
    *created = false;
    json_object *body = body_object(rq, r);
    if (body == NULL)
        return;
    bool present;
    const char *dir_id = body_string(body, "source_directory_id", &present);
    json_object *config = NULL, *job = NULL;
    json_object_object_get_ex(body, "config", &config);
    if (config != NULL)
        json_object_object_get_ex(config, "job", &job);
    const char *const loc_dir[] = {"body", "source_directory_id", NULL};
    const char *const loc_config[] = {"body", "config", NULL};
    const char *const loc_job[] = {"body", "config", "job", NULL};
    const char *const loc_type[] = {"body", "config", "job", "type", NULL};
    const char *const loc_cfg[] = {"body", "config", "job", "configuration_id", NULL};
    if (dir_id == NULL) {
        reply_set(r, 422,
                  wire_validation(loc_dir,
                                  present ? "Input should be a valid string" : "Field required",
                                  present ? "string_type" : "missing"));
    } else if (config == NULL || !json_object_is_type(config, json_type_object)) {
        reply_set(r, 422, wire_validation(loc_config, "Field required", "missing"));
    } else if (job == NULL || !json_object_is_type(job, json_type_object)) {
        reply_set(r, 422, wire_validation(loc_job, "Field required", "missing"));
    } else {
        const char *type = body_string(job, "type", &present);
        bool cpresent;
        const char *cfg_id = body_string(job, "configuration_id", &cpresent);
        enum job_type jt = job_type_parse(type);
        if (type == NULL && !present) {
            reply_set(r, 422, wire_validation(loc_type, "Field required", "missing"));
        } else if (jt != JOB_TYPE_PARSE && jt != JOB_TYPE_EXTRACT) {
            reply_set(r, 422,
                      wire_validation(loc_type,
                                      "Input should be 'parse_v2' or "
                                      "'extract_v2'",
                                      "literal_error"));
        } else if (cfg_id == NULL) {
            reply_set(r, 422,
                      wire_validation(loc_cfg,
                                      cpresent ? "Input should be a valid "
                                                 "string"
                                               : "Field required",
                                      cpresent ? "string_type" : "missing"));
        } else {
            struct world_config *c = world_find_config(w, cfg_id);
            /* an expired ephemeral directory is gone: 404 as for an unknown one */
            struct world_dir *d = dirs_find_live(w, dir_id, now);
            if (c == NULL) {
                reply_set(r, 422,
                          wire_validation(loc_cfg, "Configuration not found", "value_error"));
            } else if (c->type != jt) {
                char *msg =
                    xasprintf("Configuration %s is a %s configuration; %s needs a %s "
                              "configuration",
                              c->id, c->product_type, job_type_name(jt), job_type_name(jt));
                reply_set(r, 422, wire_validation(loc_cfg, msg, "value_error"));
                free(msg);
            } else if (d == NULL) {
                reply_detail(r, 404, "Directory not found");
            } else if (d->nfiles > w->params.max_files) {
                char *msg = w->params.max_files == WORLD_MAX_FILES
                                ? xasprintf("Directory %s has %zu files; a batch can process "
                                            "at most 1,000 files",
                                            d->id, d->nfiles)
                                : xasprintf("Directory %s has %zu files; a batch can process "
                                            "at most %zu files (--max-files)",
                                            d->id, d->nfiles, w->params.max_files);
                reply_detail(r, 400, msg);
                free(msg);
            } else {
                struct world_batch *b =
                    world_create_batch(w, (size_t)(d - w->dirs), (size_t)(c - w->configs), now);
                reply_set(r, 201, wire_batch(w, b, now, false));
                *created = true;
                /* --delete-files N: the directory's first N files vanish a second later
                 * (speed applied), while this batch runs */
                if (w->params.delete_files > 0)
                    dirs_delete_first(d, w->params.delete_files,
                                      now + (int64_t)(1000.0 / w->params.speed));
            }
        }
    }
    json_object_put(body);
}
