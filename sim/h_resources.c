/* h_resources.c -- directories, directory files, configurations, jobs and /_sim/state. */
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

void h_dir_list(struct server *s, const struct args *a, int64_t now, struct reply *r)
{
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *name = arg_get(a, "name");
    struct picks p = {0};
    for (size_t i = 0; i < w->ndirs; i++) {
        if (dirs_expired(&w->dirs[i], now)) /* an expired directory is gone */
            continue;
        if (name == NULL || name[0] == '\0' || strcmp(w->dirs[i].name, name) == 0)
            picks_add(&p, w->dirs[i].created, w->dirs[i].id, i, 0);
    }
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++)
        json_object_array_add(items, wire_directory(w, &w->dirs[p.v[k].a]));
    reply_set(r, 200, page_object(s, items, next, p.n));
    free(p.v);
}

void h_dir_get(struct server *s, const char *id, int64_t now, struct reply *r)
{
    struct world_dir *d = dirs_find_live(s->world, id, now);
    if (d == NULL)
        reply_detail(r, 404, "Directory not found");
    else
        reply_set(r, 200, wire_directory(s->world, d));
}

void h_file_list(struct server *s, const char *id, const struct args *a, int64_t now,
                 struct reply *r)
{
    struct world_dir *d = dirs_find_live(s->world, id, now);
    if (d == NULL) {
        reply_detail(r, 404, "Directory not found");
        return;
    }
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *name = arg_get(a, "display_name");
    const char *contains = arg_get(a, "display_name_contains");
    const char *file_id = arg_get(a, "file_id");
    bool deleted_too;
    if (!arg_bool(a, "include_deleted", &deleted_too, r))
        return;
    struct picks p = {0};
    for (size_t i = 0; i < d->nfiles; i++) {
        const struct world_file *f = &d->files[i];
        if (!deleted_too && dirs_file_deleted(f, now))
            continue;
        if (name != NULL && name[0] != '\0' && strcmp(f->name, name) != 0)
            continue;
        if (contains != NULL && contains[0] != '\0' && strstr(f->name, contains) == NULL)
            continue;
        if (file_id != NULL && file_id[0] != '\0' && strcmp(f->file_id, file_id) != 0)
            continue;
        picks_add(&p, f->created, f->id, i, 0);
    }
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++)
        json_object_array_add(items, wire_file(s->world, d, &d->files[p.v[k].a], now));
    reply_set(r, 200, page_object(s, items, next, p.n));
    free(p.v);
}

void h_file_get(struct server *s, char *ids, int64_t now, struct reply *r)
{
    char *slash = strchr(ids, '/');
    *slash = '\0';
    struct world_dir *d = dirs_find_live(s->world, ids, now);
    if (d == NULL) {
        reply_detail(r, 404, "Directory not found");
        return;
    }
    for (size_t i = 0; i < d->nfiles; i++) {
        if (strcmp(d->files[i].id, slash + 1) == 0) {
            reply_set(r, 200, wire_file(s->world, d, &d->files[i], now)); /* even deleted */
            return;
        }
    }
    reply_detail(r, 404, "Directory file not found");
}

void h_config_list(struct server *s, const struct args *a, struct reply *r)
{
    static const char *const products[] = {"parse_v2", "extract_v2",     "classify_v2",
                                           "split_v1", "spreadsheet_v1", "unknown"};
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    bool any_product = false;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].key, "product_type") != 0)
            continue;
        bool known = false;
        for (size_t k = 0; k < sizeof products / sizeof products[0]; k++)
            known = known || strcmp(a->v[i].value, products[k]) == 0;
        if (!known) {
            reply_422(r, "query", "product_type",
                      "Input should be 'classify_v2', 'extract_v2', 'parse_v2', 'split_v1', "
                      "'spreadsheet_v1' or 'unknown'",
                      "enum");
            return;
        }
        any_product = true;
    }
    const char *name = arg_get(a, "name");
    struct picks p = {0};
    for (size_t i = 0; i < w->nconfigs; i++) {
        const struct world_config *c = &w->configs[i];
        if (!c->listed)
            continue;
        if (any_product && !arg_has_value(a, "product_type", c->product_type))
            continue;
        if (name != NULL && name[0] != '\0' && strcmp(c->name, name) != 0)
            continue;
        picks_add(&p, c->created, c->id, i, 0);
    }
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++)
        json_object_array_add(items, wire_config(&w->configs[p.v[k].a]));
    reply_set(r, 200, page_object(s, items, next, p.n));
    free(p.v);
}

void h_config_get(struct server *s, const char *id, struct reply *r)
{
    struct world_config *c = world_find_config(s->world, id);
    if (c == NULL)
        reply_detail(r, 404, "Configuration not found");
    else
        reply_set(r, 200, wire_config(c));
}

/* Job lookup that hides jobs of the other type and jobs not created yet. */
static struct world_batch *find_job(struct server *s, const char *id, enum job_type type,
                                    int64_t now, size_t *item, struct world_item_state *st)
{
    struct world_batch *b = world_find_job(s->world, id, item);
    if (b == NULL || b->type != type)
        return NULL;
    world_item_state(s->world, b, *item, now, st);
    return st->has_job ? b : NULL;
}

void h_job_list(struct server *s, enum job_type type, const struct args *a, int64_t now,
                struct reply *r)
{
    struct world *w = s->world;
    struct paging pg;
    if (!paging_read(s, a, &pg, r))
        return;
    const char *st_text = arg_get(a, "status");
    enum job_status want = JOB_UNKNOWN;
    if (st_text != NULL && st_text[0] != '\0') {
        want = job_status_parse(st_text);
        /* Parse statuses are an enum without THROTTLED; extract's filter accepts it. */
        if (want == JOB_UNKNOWN || (want == JOB_THROTTLED && type != JOB_TYPE_EXTRACT)) {
            reply_422(r, "query", "status",
                      type == JOB_TYPE_EXTRACT ? "Input should be 'PENDING', 'THROTTLED', "
                                                 "'RUNNING', 'COMPLETED', 'FAILED' or 'CANCELLED'"
                                               : "Input should be 'PENDING', 'RUNNING', "
                                                 "'COMPLETED', 'FAILED' or 'CANCELLED'",
                      "enum");
            return;
        }
    }
    int64_t after = INT64_MIN, before = INT64_MAX;
    const char *t1 = arg_get(a, "created_at_on_or_after");
    const char *t2 = arg_get(a, "created_at_on_or_before");
    bool bad1 = t1 != NULL && t1[0] != '\0' && !rng_parse_time(t1, &after);
    bool bad2 = t2 != NULL && t2[0] != '\0' && !rng_parse_time(t2, &before);
    if (bad1 || bad2) {
        reply_422(r, "query", bad1 ? "created_at_on_or_after" : "created_at_on_or_before",
                  "Input should be a valid datetime", "datetime_from_date_parsing");
        return;
    }
    /* repeated keys only: args_check_arrays refused commas and job_ids[] already */
    bool by_id = arg_get(a, "job_ids") != NULL;
    struct picks p = {0};
    struct world_item_state st;
    if (by_id) {
        for (size_t k = 0; k < a->n; k++) {
            if (strcmp(a->v[k].key, "job_ids") != 0)
                continue;
            size_t item;
            struct world_batch *b = find_job(s, a->v[k].value, type, now, &item, &st);
            bool dup = false;
            for (size_t q = 0; b != NULL && q < p.n; q++)
                dup = dup || strcmp(p.v[q].id, b->items[item].job_id) == 0;
            if (b != NULL && !dup)
                picks_add(&p, st.created, b->items[item].job_id,
                          world_batch_lower_bound(w, b->created), item);
        }
    } else {
        for (size_t bi = 0; bi < w->nbatches; bi++) {
            const struct world_batch *b = w->batches[bi];
            if (b->type != type)
                continue;
            size_t mapped = world_mapped_count(b, now);
            for (size_t i = 0; i < mapped; i++)
                if (b->items[i].kind != WORLD_ITEM_MAP_ERROR)
                    picks_add(&p, b->run_start + b->items[i].map_off, b->items[i].job_id, bi, i);
        }
    }
    /* Filters on state and time, applied to the candidates. */
    size_t keep = 0;
    for (size_t k = 0; k < p.n; k++) {
        const struct world_batch *b = w->batches[p.v[k].a];
        world_item_state(w, b, p.v[k].b, now, &st);
        if (want != JOB_UNKNOWN && st.status != want)
            continue;
        if (st.created < after || st.created > before)
            continue;
        p.v[keep++] = p.v[k];
    }
    p.n = keep;
    size_t first, count;
    char *next;
    picks_page(&p, &pg, &first, &count, &next);
    /* The extract list documents expand=configuration and extract_metadata (not usage); the
     * parse list documents no expand at all, so its items never carry usage. */
    unsigned expand =
        arg_has_value(a, "expand", "extract_metadata") ? WIRE_EXPAND_EXTRACT_METADATA : 0;
    json_object *items = json_object_new_array();
    for (size_t k = first; k < first + count; k++) {
        const struct world_batch *b = w->batches[p.v[k].a];
        world_item_state(w, b, p.v[k].b, now, &st);
        json_object_array_add(items, type == JOB_TYPE_PARSE
                                         ? wire_parse_job(w, b, p.v[k].b, &st)
                                         : wire_extract_job(w, b, p.v[k].b, &st, expand, now));
    }
    reply_set(r, 200, page_object(s, items, next, p.n));
    free(p.v);
}

void h_job_get(struct server *s, enum job_type type, const char *id, const struct args *a,
               int64_t now, struct reply *r)
{
    size_t item;
    struct world_item_state st;
    struct world_batch *b = find_job(s, id, type, now, &item, &st);
    if (b == NULL) {
        reply_detail(r, 404, "Job not found");
        return;
    }
    /* expand values as the SDK lists them; unknown ones are ignored */
    static const struct {
        const char *name;
        unsigned flag;
        enum job_type type; /* JOB_TYPE_UNKNOWN: both */
    } known[] = {
        {"markdown_full", WIRE_EXPAND_MARKDOWN_FULL, JOB_TYPE_PARSE},
        {"text_full", WIRE_EXPAND_TEXT_FULL, JOB_TYPE_PARSE},
        {"markdown", WIRE_EXPAND_MARKDOWN, JOB_TYPE_PARSE},
        {"text", WIRE_EXPAND_TEXT, JOB_TYPE_PARSE},
        {"job_metadata", WIRE_EXPAND_JOB_METADATA, JOB_TYPE_PARSE},
        {"usage", WIRE_EXPAND_USAGE, JOB_TYPE_UNKNOWN},
        {"extract_metadata", WIRE_EXPAND_EXTRACT_METADATA, JOB_TYPE_EXTRACT},
    };
    unsigned expand = 0;
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if ((known[k].type == JOB_TYPE_UNKNOWN || known[k].type == type) &&
            arg_has_value(a, "expand", known[k].name))
            expand |= known[k].flag;
    if (type == JOB_TYPE_EXTRACT)
        reply_set(r, 200, wire_extract_job(s->world, b, item, &st, expand, now));
    else
        reply_set(r, 200, wire_parse_get(s->world, b, item, &st, expand, now));
}

void h_state(struct server *s, int64_t now, struct reply *r)
{
    struct world *w = s->world;
    json_object *arr = json_object_new_array_ext((int)w->nbatches);
    for (size_t i = w->nbatches; i > 0; i--) {
        const struct world_batch *b = w->batches[i - 1];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(b->id));
        json_object_object_add(o, "status", json_object_new_string(batch_status_name(b->status)));
        json_object_array_add(arr, o);
    }
    /* every entry made by an upload, in directory order, deleted ones too */
    json_object *uploads = json_object_new_array();
    for (size_t i = 0; i < w->ndirs; i++) {
        const struct world_dir *d = &w->dirs[i];
        for (size_t j = 0; j < d->nfiles; j++) {
            const struct world_file *f = &d->files[j];
            if (f->upload == NULL)
                continue;
            json_object *o = wire_file(w, d, f, now);
            json_object_object_add(o, "size", json_object_new_int64((int64_t)f->upload->size));
            json_object_object_add(o, "sha256", json_object_new_string(f->upload->sha256));
            json_object_object_add(o, "directory_expired",
                                   json_object_new_boolean(dirs_expired(d, now)));
            json_object_array_add(uploads, o);
        }
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "batches", arr);
    json_object_object_add(o, "uploads", uploads);
    json_object_object_add(o, "project_id", json_object_new_string(w->project_id));
    json_object_object_add(o, "faults_active", json_object_new_boolean(faults_active(s->faults)));
    reply_set(r, 200, o);
}

/* ---- directory create, add a file (the simulator's choices, [S] in API.md) ---- */

#define NAME_MAX_LEN 255 /* a directory name, display name or unique_id, in bytes [S] */

/* An optional string member: true with *out (NULL when absent or null); false with r filled
 * (422) when it is not a string or is longer than NAME_MAX_LEN. */
static bool optional_string(json_object *body, const char *key, const char **out, struct reply *r)
{
    bool present;
    *out = body_string(body, key, &present);
    const char *loc[] = {"body", key, NULL};
    if (present && *out == NULL) {
        reply_set(r, 422, wire_validation(loc, "Input should be a valid string", "string_type"));
        return false;
    }
    if (*out != NULL && strlen(*out) > NAME_MAX_LEN) {
        reply_set(
            r, 422,
            wire_validation(loc, "String should have at most 255 characters", "string_too_long"));
        return false;
    }
    return true;
}

/* A required, non-empty string member; false with r filled (422). */
static bool required_string(json_object *body, const char *key, const char **out, struct reply *r)
{
    bool present;
    body_string(body, key, &present);
    const char *loc[] = {"body", key, NULL};
    if (!present) {
        reply_set(r, 422, wire_validation(loc, "Field required", "missing"));
        return false;
    }
    if (!optional_string(body, key, out, r))
        return false;
    if ((*out)[0] == '\0') {
        reply_set(
            r, 422,
            wire_validation(loc, "String should have at least 1 character", "string_too_short"));
        return false;
    }
    return true;
}

void h_dir_create(struct server *s, const struct request *rq, int64_t now, struct reply *r,
                  bool *created)
{
    struct world *w = s->world;
    *created = false;
    json_object *body = body_object(rq, r);
    if (body == NULL)
        return;
    const char *name, *description, *type;
    if (!required_string(body, "name", &name, r) ||
        !optional_string(body, "description", &description, r) ||
        !optional_string(body, "type", &type, r)) {
        json_object_put(body);
        return;
    }
    /* 2.16.0 DirectoryCreateParams.type: 'ephemeral' | 'user' (an index directory is not
     * made here) */
    if (type != NULL && strcmp(type, "user") != 0 && strcmp(type, "ephemeral") != 0) {
        const char *loc[] = {"body", "type", NULL};
        reply_set(r, 422,
                  wire_validation(loc, "Input should be 'ephemeral' or 'user'", "literal_error"));
        json_object_put(body);
        return;
    }
    /* A name is unique among the project's live directories: a second create with it is
     * 409, so a client that lost an answer finds the first by name instead of making two. */
    struct world_dir *same = dirs_find_name(w, name, now);
    if (same != NULL) {
        char *msg =
            xasprintf("A directory with this name already exists in the project (%s)", same->id);
        reply_detail(r, 409, msg);
        free(msg);
    } else {
        bool ephemeral = type != NULL && strcmp(type, "ephemeral") == 0;
        struct world_dir *d = dirs_create(w, name, description, ephemeral, now);
        reply_set(r, 201, wire_directory(w, d));
        *created = true;
    }
    json_object_put(body);
}

void h_file_add(struct server *s, const char *id, const struct request *rq, int64_t now,
                struct reply *r, bool *created)
{
    struct world *w = s->world;
    *created = false;
    json_object *body = body_object(rq, r);
    if (body == NULL)
        return;
    const char *file_id, *display_name, *unique_id;
    json_object *meta = NULL;
    json_object_object_get_ex(body, "metadata", &meta);
    if (!required_string(body, "file_id", &file_id, r) ||
        !optional_string(body, "display_name", &display_name, r) ||
        !optional_string(body, "unique_id", &unique_id, r)) {
        json_object_put(body);
        return;
    }
    if (meta != NULL && !json_object_is_type(meta, json_type_object)) {
        const char *loc[] = {"body", "metadata", NULL};
        reply_set(r, 422, wire_validation(loc, "Input should be a valid dictionary", "dict_type"));
        json_object_put(body);
        return;
    }
    struct world_dir *d = dirs_find_live(w, id, now);
    const struct world_file *stored = d != NULL ? dirs_find_file_id(w, file_id) : NULL;
    const char *uid = unique_id != NULL ? unique_id : file_id;
    struct world_file *same = stored != NULL ? dirs_find_unique(d, uid, now) : NULL;
    if (d == NULL) {
        reply_detail(r, 404, "Directory not found");
    } else if (stored == NULL) {
        reply_detail(r, 404, "File not found");
    } else if (same != NULL) {
        /* unique_id is "unique identifier for the file in the directory" (SDK 2.16.0) and
         * defaults to the file's own: adding the same file again is a conflict, never a
         * second entry */
        char *msg =
            xasprintf("A file with this unique_id already exists in the directory (%s)", same->id);
        reply_detail(r, 409, msg);
        free(msg);
    } else {
        /* "If not provided, will use the file's name" */
        char *name = xstrdup(display_name != NULL ? display_name : stored->name);
        const char *meta_text =
            meta != NULL ? json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN) : NULL;
        struct world_file *f = dirs_add_file(w, d, file_id, name, unique_id, meta_text, now);
        free(name);
        reply_set(r, 201, wire_file(w, d, f, now));
        *created = true;
    }
    json_object_put(body);
}

/* A text field of an upload: NULL when absent or empty; false with r filled (422) when it is
 * longer than max bytes. */
static bool upload_field(struct upload_form *u, const char *key, size_t max, const char **out,
                         struct reply *r)
{
    bool truncated;
    *out = upload_form_field(u, key, &truncated);
    if (truncated || (*out != NULL && strlen(*out) > max)) {
        const char *loc[] = {"body", key, NULL};
        char msg[64];
        snprintf(msg, sizeof msg, "String should have at most %zu characters", max);
        reply_set(r, 422, wire_validation(loc, msg, "string_too_long"));
        return false;
    }
    if (*out != NULL && (*out)[0] == '\0')
        *out = NULL;
    return true;
}

void h_file_upload(struct server *s, const char *id, struct upload_form *u, int64_t now,
                   struct reply *r, bool *created)
{
    struct world *w = s->world;
    *created = false;
    const char *file_loc[] = {"body", "upload_file", NULL};
    const char *filename = upload_form_filename(u);
    if (filename == NULL) {
        if (upload_form_file_is_text(u))
            reply_set(r, 422,
                      wire_validation(file_loc, "Expected UploadFile, received: <class 'str'>",
                                      "value_error"));
        else
            reply_set(r, 422, wire_validation(file_loc, "Field required", "missing"));
        return;
    }
    const char *display_name, *unique_id, *external_id, *metadata;
    if (!upload_field(u, "display_name", NAME_MAX_LEN, &display_name, r) ||
        !upload_field(u, "unique_id", NAME_MAX_LEN, &unique_id, r) ||
        !upload_field(u, "external_file_id", NAME_MAX_LEN, &external_id, r) ||
        !upload_field(u, "metadata", UPLOAD_FIELD_MAX - 1, &metadata, r))
        return;
    /* metadata is "User metadata as a JSON object string" (SDK 2.16.0) */
    json_object *meta = NULL;
    if (metadata != NULL) {
        json_tokener *tok = json_tokener_new();
        meta = json_tokener_parse_ex(tok, metadata, (int)strlen(metadata));
        bool complete = meta != NULL && json_tokener_get_error(tok) == json_tokener_success &&
                        (size_t)json_tokener_get_parse_end(tok) == strlen(metadata);
        json_tokener_free(tok);
        if (!complete || !json_object_is_type(meta, json_type_object)) {
            const char *loc[] = {"body", "metadata", NULL};
            reply_set(r, 422,
                      complete
                          ? wire_validation(loc, "Input should be a valid dictionary", "dict_type")
                          : wire_validation(loc, "Invalid JSON", "json_invalid"));
            json_object_put(meta);
            return;
        }
    }
    /* "unique_id / display_name default to values derived from file metadata": the name a
     * client gave, else the part's filename; the unique_id, else external_file_id, else the
     * new file's file_id (as an add defaults to the file_id) */
    const char *name = display_name != NULL ? display_name : filename;
    const char *uid = unique_id != NULL ? unique_id : external_id;
    struct world_dir *d = dirs_find_live(w, id, now);
    struct world_file *same = d != NULL && uid != NULL ? dirs_find_unique(d, uid, now) : NULL;
    if (d == NULL) {
        reply_detail(r, 404, "Directory not found");
    } else if (name[0] == '\0' || strlen(name) > NAME_MAX_LEN) {
        reply_set(r, 422,
                  wire_validation(file_loc,
                                  name[0] == '\0' ? "The file needs a filename (or display_name)"
                                                  : "The filename is longer than 255 bytes "
                                                    "(give a display_name)",
                                  "value_error"));
    } else if (same != NULL) {
        char *msg =
            xasprintf("A file with this unique_id already exists in the directory (%s)", same->id);
        reply_detail(r, 409, msg);
        free(msg);
    } else {
        char sha[65];
        upload_form_sha256(u, sha);
        const char *meta_text =
            meta != NULL ? json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN) : NULL;
        struct world_file *f =
            dirs_upload_file(w, d, name, uid, meta_text, upload_form_size(u), sha, now);
        reply_set(r, 201, wire_file(w, d, f, now));
        *created = true;
    }
    json_object_put(meta);
}
