/* upload.c -- the multipart form reader (size + SHA-256, never the bytes) and the upload rate. */
#include "config.h"

#include "sim/upload.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/xalloc.h"

#define PP_BUFFER (32 * 1024) /* the post processor's own buffer */

/* The text fields an upload knows; others are read and dropped. */
static const char *const field_names[] = {"display_name", "unique_id", "external_file_id",
                                          "metadata"};
#define NFIELDS (sizeof field_names / sizeof field_names[0])

struct field {
    char *value; /* owned, NUL-terminated; NULL: absent */
    size_t len;
    bool truncated;
};

struct upload_form {
    struct MHD_PostProcessor *pp;
    uint64_t max_body, body; /* body: bytes fed so far */
    bool too_big, malformed;
    char *filename; /* owned; the last file part's */
    bool file_is_text;
    uint64_t size;
    EVP_MD_CTX *sha;
    bool sha_done;
    unsigned char digest[EVP_MAX_MD_SIZE];
    struct field fields[NFIELDS];
};

static void field_put(struct field *f, const char *data, uint64_t off, size_t size)
{
    if (off == 0) { /* a new part with this name: the last one counts */
        free(f->value);
        f->value = xstrdup("");
        f->len = 0;
        f->truncated = false;
    }
    size_t room = UPLOAD_FIELD_MAX - f->len;
    size_t n = size < room ? size : room;
    f->truncated = f->truncated || n < size;
    if (n == 0)
        return;
    f->value = xrealloc(f->value, f->len + n + 1);
    memcpy(f->value + f->len, data, n);
    f->len += n;
    f->value[f->len] = '\0';
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    struct upload_form *u = cls;
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (key == NULL)
        return MHD_YES;
    if (strcmp(key, "upload_file") == 0) {
        if (filename == NULL) { /* a plain field of that name is not a file (FastAPI: 422) */
            u->file_is_text = u->filename == NULL;
            return MHD_YES;
        }
        if (off == 0) { /* a new file part: the last one counts */
            free(u->filename);
            u->filename = xstrdup(filename);
            u->file_is_text = false;
            u->size = 0;
            EVP_DigestInit_ex(u->sha, EVP_sha256(), NULL);
        }
        if (size > 0)
            EVP_DigestUpdate(u->sha, data, size);
        u->size += size;
        return MHD_YES;
    }
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(key, field_names[i]) == 0)
            field_put(&u->fields[i], data, off, size);
    return MHD_YES;
}

struct upload_form *upload_form_new(struct MHD_Connection *c, uint64_t max_body)
{
    const char *type =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    static const char multipart[] = "multipart/form-data";
    if (type == NULL || strncasecmp(type, multipart, sizeof multipart - 1) != 0)
        return NULL;
    struct upload_form *u = xcalloc(1, sizeof *u);
    u->pp = MHD_create_post_processor(c, PP_BUFFER, on_part, u);
    if (u->pp == NULL) { /* no boundary */
        free(u);
        return NULL;
    }
    u->max_body = max_body;
    u->sha = EVP_MD_CTX_new();
    if (u->sha == NULL || EVP_DigestInit_ex(u->sha, EVP_sha256(), NULL) != 1) {
        fprintf(stderr, "batchtop-sim: cannot set up SHA-256 (OpenSSL)\n");
        abort();
    }
    return u;
}

void upload_form_free(struct upload_form *u)
{
    if (u == NULL)
        return;
    if (u->pp != NULL)
        MHD_destroy_post_processor(u->pp);
    EVP_MD_CTX_free(u->sha);
    free(u->filename);
    for (size_t i = 0; i < NFIELDS; i++)
        free(u->fields[i].value);
    free(u);
}

bool upload_form_feed(struct upload_form *u, const char *data, size_t len)
{
    u->body += len;
    if (u->body > u->max_body)
        u->too_big = true;
    if (u->too_big || u->malformed)
        return false;
    if (MHD_post_process(u->pp, data, len) != MHD_YES)
        u->malformed = true;
    return !u->malformed;
}

bool upload_form_too_big(const struct upload_form *u)
{
    return u->too_big;
}

bool upload_form_malformed(const struct upload_form *u)
{
    return u->malformed;
}

const char *upload_form_filename(const struct upload_form *u)
{
    return u->filename;
}

bool upload_form_file_is_text(const struct upload_form *u)
{
    return u->filename == NULL && u->file_is_text;
}

uint64_t upload_form_size(const struct upload_form *u)
{
    return u->size;
}

void upload_form_sha256(struct upload_form *u, char hex[65])
{
    if (!u->sha_done) {
        unsigned int n = 0;
        EVP_DigestFinal_ex(u->sha, u->digest, &n);
        u->sha_done = true;
    }
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", u->digest[i]);
}

const char *upload_form_field(const struct upload_form *u, const char *name, bool *truncated)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        if (strcmp(name, field_names[i]) == 0) {
            if (truncated != NULL)
                *truncated = u->fields[i].truncated;
            return u->fields[i].value;
        }
    }
    if (truncated != NULL)
        *truncated = false;
    return NULL;
}

/* ---- the rate: a ring of the last n upload times ---- */

struct upload_rate {
    pthread_mutex_t lock;
    long n;
    int64_t window_ms;
    int64_t *at; /* n times, oldest at head */
    long head, count;
};

struct upload_rate *upload_rate_new(long n, int64_t window_ms)
{
    struct upload_rate *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->n = n;
    r->window_ms = window_ms;
    r->at = n > 0 ? xcalloc((size_t)n, sizeof *r->at) : NULL;
    return r;
}

void upload_rate_free(struct upload_rate *r)
{
    if (r == NULL)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r->at);
    free(r);
}

bool upload_rate_take(struct upload_rate *r, int64_t now, long *retry_after_s)
{
    if (r->n <= 0)
        return true;
    bool ok = true;
    pthread_mutex_lock(&r->lock);
    if (r->count < r->n) {
        r->at[(r->head + r->count) % r->n] = now;
        r->count++;
    } else if (now - r->at[r->head] >= r->window_ms) { /* the oldest left the window */
        r->at[r->head] = now;
        r->head = (r->head + 1) % r->n;
    } else {
        int64_t wait = r->at[r->head] + r->window_ms - now;
        long s = (long)((wait + 999) / 1000);
        *retry_after_s = s < 1 ? 1 : s;
        ok = false;
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}
