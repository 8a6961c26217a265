/* handlers.h -- private to sim/: server state, request plumbing, the route handlers. */
#ifndef SIM_HANDLERS_H
#define SIM_HANDLERS_H

/*
 * server.c routes a request to one handler of h_batches.c or h_resources.c; every handler runs
 * with the world locked and advanced to now, reads its arguments through request.c and fills
 * a struct reply, which server.c sends (after any fault injection). Not for main.c.
 */

#include <json-c/json.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sim/faults.h"
#include "sim/server.h"
#include "sim/upload.h"
#include "sim/world.h"

#define BODY_MAX (1024 * 1024)
#define PAGE_SIZE_DEFAULT 50
#define MAX_ARGS 512

struct server {
    struct MHD_Daemon *daemon;
    struct world *world;
    struct faults *faults;
    struct server_params p;
    int port;
    struct upload_rate *upload_rate; /* owned; --upload-rate per UPLOAD_WINDOW_MS */
};

#define UPLOAD_WINDOW_MS 5000 /* the upload rate's sliding window */

/* What a handler answers. */
struct reply {
    int status;
    json_object *json; /* owned */
    const char *allow; /* Allow header for 405 */
    long retry_after;  /* Retry-After seconds of a 429 (0: 1) */
};

/* One request, from the URI log callback to the completion callback. */
struct request {
    char *uri; /* raw path?query as received */
    struct timespec start;
    bool started;
    char *body;
    size_t len;
    bool too_big;
    /* an upload (POST .../files/upload) streams its body into form instead of body */
    bool upload;
    bool answered;             /* answered before its body was read (see upload_begin) */
    bool refused;              /* refusal is the answer, once the body was read and dropped */
    struct reply refusal;      /* owns its json */
    struct upload_form *form;  /* owned; NULL until the headers were accepted */
    char dir[256];             /* the directory ID of the path */
    struct faults_decision fd; /* drawn when the headers came */
};

struct arg {
    const char *key, *value;
};

struct args {
    struct arg v[MAX_ARGS];
    size_t n;
};

struct paging {
    size_t size;
    bool has_token;
    int64_t after_created;
    char after_id[WORLD_ID_SIZE];
    uint64_t hash;
};

/* A generic candidate for sorted paging (newest first, ties by id). */
struct pick {
    int64_t created;
    const char *id;
    size_t a, b;
};

struct picks {
    struct pick *v;
    size_t n, cap;
};

/* ---- request.c ---- */

/* Gather the query arguments of c into a (borrowed strings, valid for the request). */
void args_collect(struct MHD_Connection *c, struct args *a);
const char *arg_get(const struct args *a, const char *key);
/* Does a repeated key hold value (exactly)? */
bool arg_has_value(const struct args *a, const char *key, const char *value);
/* A boolean query argument (absent = false); false with r filled (422) when not a boolean. */
bool arg_bool(const struct args *a, const char *key, bool *out, struct reply *r);
/* The SDK repeats array keys (job_ids=a&job_ids=b): a comma in an array parameter's value or a
 * "key[]" is a client encoding bug, answered 422 so it fails loudly. False with r filled. */
bool args_check_arrays(const struct args *a, struct reply *r);
void reply_set(struct reply *r, int status, json_object *j);
void reply_detail(struct reply *r, int status, const char *msg);
void reply_422(struct reply *r, const char *where, const char *field, const char *msg,
               const char *type);
/* The request body as a JSON object (caller puts it), or NULL with r filled (FastAPI 422:
 * json_invalid, or dict_type when it is not an object). */
json_object *body_object(const struct request *rq, struct reply *r);
/* A string member of o, or NULL (*present says whether it is there with a non-null value). */
const char *body_string(json_object *o, const char *key, bool *present);
char *token_make(int64_t created, const char *id, uint64_t hash);
/* Read page_size and page_token; false with r filled on error. */
bool paging_read(const struct server *s, const struct args *a, struct paging *pg, struct reply *r);
/* {"items", "next_page_token"} (+ "total_size" with --total-size); frees next. */
json_object *page_object(const struct server *s, json_object *items, char *next, size_t total);
void picks_add(struct picks *p, int64_t created, const char *id, size_t a, size_t b);
/* Sort, then return [*first, *first + *count) of the page; *next a fresh token or NULL. */
void picks_page(struct picks *p, const struct paging *pg, size_t *first, size_t *count,
                char **next);

/* ---- h_batches.c ---- */

void h_batch_list(struct server *s, const struct args *a, int64_t now, struct reply *r);
void h_batch_get(struct server *s, const char *id, const struct args *a, int64_t now,
                 struct reply *r);
void h_batch_cancel(struct server *s, const char *id, int64_t now, struct reply *r);
void h_batch_create(struct server *s, const struct request *rq, int64_t now, struct reply *r,
                    bool *created);

/* ---- h_resources.c ---- */

void h_dir_list(struct server *s, const struct args *a, int64_t now, struct reply *r);
void h_dir_get(struct server *s, const char *id, int64_t now, struct reply *r);
void h_file_list(struct server *s, const char *id, const struct args *a, int64_t now,
                 struct reply *r);
void h_file_get(struct server *s, char *ids, int64_t now, struct reply *r);
/* POST /api/v1/beta/directories: 201 + the directory; 409 when a live directory has the
 * name. *created when the world changed (an ambiguous fault then answers 500). */
void h_dir_create(struct server *s, const struct request *rq, int64_t now, struct reply *r,
                  bool *created);
/* POST /api/v1/beta/directories/{id}/files: 201 + the new entry; 404 for an unknown
 * directory or file_id; 409 when the directory has a live entry with that unique_id. */
void h_file_add(struct server *s, const char *id, const struct request *rq, int64_t now,
                struct reply *r, bool *created);
/* POST /api/v1/beta/directories/{id}/files/upload, once the whole form was read: 201 + a new
 * entry over a new stored file; 404 for an unknown directory; 409 when the directory has a
 * live entry with the unique_id; 422 for a missing upload_file or a bad field. */
void h_file_upload(struct server *s, const char *id, struct upload_form *u, int64_t now,
                   struct reply *r, bool *created);
void h_config_list(struct server *s, const struct args *a, struct reply *r);
void h_config_get(struct server *s, const char *id, struct reply *r);
void h_job_list(struct server *s, enum job_type type, const struct args *a, int64_t now,
                struct reply *r);
void h_job_get(struct server *s, enum job_type type, const char *id, const struct args *a,
               int64_t now, struct reply *r);
/* GET /_sim/state: every batch's id and status, every uploaded entry with its size and
 * SHA-256. */
void h_state(struct server *s, int64_t now, struct reply *r);

#endif
