/* upload.c -- local files into a directory: hashed a slice at a time, uploaded a few at once. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/strmap.h"
#include "model/xalloc.h"
#include "net/decode.h"
#include "net/errbody.h"
#include "net/internal.h"
#include "net/log.h"
#include "net/url.h"

/*
 * NET_CMD_UPLOAD (net/msg.h) is resubmit.c's state machine with local files for a source:
 * the directory found by name or created (type user or ephemeral), a batch already over it
 * ends the command, then this file's two steps, then the reconciled batch create.
 *
 *   hashing       from the start (while the directory is looked for), one file at a time,
 *                 UP_SLICE bytes per turn of the network loop (upload_tick), between
 *                 transfers: the UI never waits and memory stays flat whatever the sizes.
 *   LIST_FILES    every entry of the directory: by unique_id (present) and by display_name
 *                 (an entry of the same name and another unique_id: the file changed since it
 *                 was uploaded; reported as stale_entry, never deleted).
 *   ADD_FILES     each hashed file the directory lacks, POST .../files/upload as multipart
 *                 (display_name, unique_id, upload_file read from disk by curl as it sends),
 *                 UP_CONCURRENCY at once and at most UP_RATE_MAX started per UP_RATE_MS. The
 *                 bytes sent are hashed again as they go: a file that changed since it was
 *                 hashed is aborted before its last byte ("changed while uploading"), so the
 *                 unique_id sent always is the hash of the body sent. 429 waits as the policy
 *                 says (Retry-After) and holds every upload; 409 means present; 413 and other
 *                 4xx fail that file only; an unknown outcome (5xx, 408, reset, timeout) is
 *                 never resent before the directory is listed again.
 * Each file's end is one NET_MSG_UPLOAD_FILE; the batch is created over what is there (never
 * when nothing is).
 */

#define UP_CONCURRENCY 4    /* uploads in flight: half the 8 connections to the host */
#define UP_RATE_MAX 50      /* uploads started ... */
#define UP_RATE_MS 5000     /* ... per this sliding window */
#define UP_SLICE (1u << 20) /* bytes hashed per turn of the loop */

struct upload {
    /* hashing: one file at a time */
    size_t hash_next;
    int hash_fd; /* -1 when none is open */
    EVP_MD_CTX *hash_ctx;
    int64_t hash_bytes;
    unsigned char *slice; /* UP_SLICE bytes while hashing */
    /* the directory's live entries, from the last listing */
    bool listed;
    struct dir_file *entries;
    size_t n_entries;
    struct strmap by_uid;  /* unique_id -> index + 1 */
    struct strmap by_name; /* display_name -> index + 1 */
    /* the rate window: when the last UP_RATE_MAX uploads started (a ring) */
    int64_t starts[UP_RATE_MAX];
    size_t n_starts, ring;
    int64_t hold_until; /* a 429 asked for a pause: no new upload before */
    int64_t started_ms; /* clock_now_ms() of the first upload's start, 0 before */
    int64_t due;        /* when the window lets the next one start (0: not waiting) */
};

/* What one upload request carries (its seq, not a pointer to the upload). */
struct up_ctx {
    struct net *n;
    uint64_t seq;
    size_t file;
    int fd;
    int64_t size, off;
    char uid[65], *display_name, *filename; /* owned */
    EVP_MD_CTX *md;
    const char *bad; /* why the body was aborted (static text), NULL when it was not */
};

static void up_ctx_free(void *p)
{
    struct up_ctx *c = p;
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    EVP_MD_CTX_free(c->md);
    free(c->display_name);
    free(c->filename);
    free(c);
}

void upload_free(struct upload *u)
{
    if (u == NULL)
        return;
    if (u->hash_fd >= 0)
        close(u->hash_fd);
    EVP_MD_CTX_free(u->hash_ctx);
    free(u->slice);
    for (size_t i = 0; i < u->n_entries; i++)
        dir_file_done(&u->entries[i]);
    free(u->entries);
    strmap_done(&u->by_uid);
    strmap_done(&u->by_name);
    free(u);
}

static void hex(const unsigned char *d, unsigned len, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len && i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * (len < 32 ? len : 32)] = '\0';
}

/* ---- figures and messages ---- */

void upload_figures(const struct net *n, const struct resubmit *rs,
                    struct net_upload_progress *out)
{
    memset(out, 0, sizeof *out);
    out->files_total = rs->n_files;
    for (size_t i = 0; i < rs->n_files; i++) {
        const struct rs_file *f = &rs->files[i];
        out->bytes_total += f->size;
        out->files_hashed += f->hashed;
        out->files_failed += f->failed;
        if (f->present && f->sends > 0)
            out->files_sent++;
        else if (f->present)
            out->files_present++;
        if (f->present)
            out->bytes_done += f->size;
    }
    for (const struct xfer *x = n->active; x != NULL; x = x->next) {
        const struct up_ctx *c = x->ctx;
        if (x->body_setup != NULL && c != NULL && c->seq == rs->seq)
            out->bytes_done += c->off;
    }
    out->started_ms = rs->up != NULL ? rs->up->started_ms : 0;
}

/* The file's NET_MSG_UPLOAD_FILE (once). entry (borrowed) for SENT / PRESENT; else why. */
static void up_report(struct net *n, struct resubmit *rs, struct rs_file *f,
                      enum net_upload_file_state state, const struct dir_file *entry,
                      const char *why)
{
    if (f->reported)
        return;
    f->reported = true;
    struct net_msg *m = msg_new(NET_MSG_UPLOAD_FILE, rs->req, f->display_name);
    m->upload_state = state;
    m->stale_entry = xstrdup(f->stale);
    if (entry != NULL) {
        m->files = xcalloc(1, sizeof *m->files);
        dir_file_copy(&m->files[0], entry);
        m->n_files = 1;
    }
    if (state == NET_UPLOAD_FAILED) {
        char *name = errbody_sanitize(f->display_name, strlen(f->display_name), 120);
        m->ok = false;
        m->error.message = xasprintf("%s: %s", name, why ? why : "failed");
        free(name);
        log_printf("net", "upload: %s", m->error.message);
    }
    msg_push(n, m);
}

static void up_fail_file(struct net *n, struct resubmit *rs, struct rs_file *f, const char *why)
{
    f->failed = true;
    up_report(n, rs, f, NET_UPLOAD_FAILED, NULL, why);
}

/* ---- the directory's entries ---- */

/* Is f (hashed) in the directory's last listing? Marks it present and reports it; notes a
 * stale entry of its name otherwise. */
static bool up_check_listed(struct net *n, struct resubmit *rs, struct rs_file *f)
{
    struct upload *u = rs->up;
    if (!u->listed)
        return false;
    void *v = strmap_get(&u->by_uid, f->uid);
    if (v != NULL) {
        f->present = true;
        f->unknown = false;
        up_report(n, rs, f, f->sends > 0 ? NET_UPLOAD_SENT : NET_UPLOAD_PRESENT,
                  &u->entries[(uintptr_t)v - 1], NULL);
        return true;
    }
    v = strmap_get(&u->by_name, f->display_name);
    if (v != NULL && f->stale == NULL)
        f->stale = xstrdup(u->entries[(uintptr_t)v - 1].id);
    return false;
}

static void up_pump(struct net *n, struct resubmit *rs);

void upload_files_listed(struct net *n, struct resubmit *rs, const struct dir_file *items,
                         size_t count)
{
    struct upload *u = rs->up;
    for (size_t i = 0; i < u->n_entries; i++)
        dir_file_done(&u->entries[i]);
    free(u->entries);
    strmap_clear(&u->by_uid);
    strmap_clear(&u->by_name);
    u->entries = xcalloc(count ? count : 1, sizeof *u->entries);
    u->n_entries = 0;
    for (size_t i = 0; i < count; i++) {
        if (items[i].deleted_at != NULL || items[i].id == NULL)
            continue; /* a deleted entry is not in a batch */
        dir_file_copy(&u->entries[u->n_entries], &items[i]);
        const struct dir_file *e = &u->entries[u->n_entries++];
        if (e->unique_id != NULL && !strmap_has(&u->by_uid, e->unique_id))
            strmap_put(&u->by_uid, e->unique_id, (void *)(uintptr_t)u->n_entries);
        if (e->display_name != NULL)
            strmap_put(&u->by_name, e->display_name, (void *)(uintptr_t)u->n_entries);
    }
    if (!u->listed) {
        /* entries of files the folder does not hold (deleted or renamed here since, or put
         * there by someone else): a batch over the directory runs them too. Said once. */
        struct strmap mine;
        strmap_init(&mine, NULL);
        for (size_t i = 0; i < rs->n_files; i++)
            strmap_put(&mine, rs->files[i].display_name, NULL);
        size_t others = 0;
        for (size_t i = 0; i < u->n_entries; i++)
            others += !strmap_has(&mine, u->entries[i].display_name);
        strmap_done(&mine);
        if (others > 0) {
            struct net_msg *m = msg_new(NET_MSG_NOTICE, rs->req, NULL);
            m->ok = false;
            m->error.message = xasprintf("the directory already holds %zu entr%s of files not in "
                                         "the folder; a batch over it runs them too",
                                         others, others == 1 ? "y" : "ies");
            msg_push(n, m);
        }
    }
    u->listed = true;
    for (size_t i = 0; i < rs->n_files; i++) {
        struct rs_file *f = &rs->files[i];
        bool was_unknown = f->unknown;
        f->unknown = false; /* the list says what each one is now */
        if (f->hashed && !f->present && !f->failed && !up_check_listed(n, rs, f) && was_unknown)
            log_printf("net", "upload: %s is not there after an unknown outcome; sending again",
                       f->display_name);
    }
    rs->relist = false;
    rs->cursor = 0;
    rs->phase = NET_RESUBMIT_ADD_FILES;
    resubmit_progress(n, rs, true);
    up_pump(n, rs);
}

/* ---- one upload ---- */

static size_t up_read(char *buf, size_t size, size_t nitems, void *arg)
{
    struct up_ctx *c = arg;
    size_t want = size * nitems;
    int64_t left = c->size - c->off;
    if ((int64_t)want > left)
        want = (size_t)left;
    if (want == 0)
        return 0;
    ssize_t got;
    do
        got = read(c->fd, buf, want);
    while (got < 0 && errno == EINTR);
    if (got <= 0) {
        c->bad = got < 0 ? "cannot be read any more" : "changed while uploading (it shrank)";
        return CURL_READFUNC_ABORT;
    }
    EVP_DigestUpdate(c->md, buf, (size_t)got);
    c->off += got;
    if (c->off == c->size) {
        /* the last bytes go only if the body is what was hashed */
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        char h[65];
        struct stat st;
        EVP_DigestFinal_ex(c->md, d, &len);
        hex(d, len, h);
        if (strcmp(h, c->uid) != 0 || fstat(c->fd, &st) != 0 || st.st_size != c->size) {
            c->bad = "changed while uploading";
            return CURL_READFUNC_ABORT;
        }
    }
    return (size_t)got;
}

static int up_seek(void *arg, curl_off_t offset, int origin)
{
    struct up_ctx *c = arg;
    if (origin != SEEK_SET || offset != 0 || lseek(c->fd, 0, SEEK_SET) != 0)
        return CURL_SEEKFUNC_CANTSEEK;
    c->off = 0;
    EVP_DigestInit_ex(c->md, EVP_sha256(), NULL);
    return CURL_SEEKFUNC_OK;
}

/* n->headers without Content-Type: curl writes multipart's, with its boundary. */
static struct curl_slist *up_headers(struct net *n)
{
    if (n->upload_headers != NULL)
        return n->upload_headers;
    struct curl_slist *h = NULL;
    for (struct curl_slist *l = n->headers; l != NULL; l = l->next)
        if (strncasecmp(l->data, "content-type:", 13) != 0)
            h = curl_slist_append(h, l->data);
    n->upload_headers = h;
    return h;
}

/* Each try: the body from its first byte, counted in the rate window. */
static void up_body_setup(struct net *n, struct xfer *x, CURL *easy)
{
    struct up_ctx *c = x->ctx;
    struct resubmit *rs = resubmit_find(n, c->seq);
    if (rs != NULL && rs->up != NULL) {
        struct upload *u = rs->up;
        if (u->started_ms == 0)
            u->started_ms = clock_now_ms();
        u->starts[u->ring] = clock_mono_ms();
        u->ring = (u->ring + 1) % UP_RATE_MAX;
        if (u->n_starts < UP_RATE_MAX)
            u->n_starts++;
    }
    lseek(c->fd, 0, SEEK_SET);
    c->off = 0;
    c->bad = NULL;
    EVP_DigestInit_ex(c->md, EVP_sha256(), NULL);
    curl_mime *mime = curl_mime_init(easy);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, "display_name");
    curl_mime_data(part, c->display_name, CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "unique_id");
    curl_mime_data(part, c->uid, CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "upload_file");
    curl_mime_filename(part, c->filename);
    curl_mime_type(part, "application/octet-stream");
    curl_mime_data_cb(part, (curl_off_t)c->size, up_read, up_seek, NULL, c);
    curl_easy_setopt(easy, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, up_headers(n));
    /* a big file on a slow link: the low-speed limit ends a stalled one, not a clock */
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 0L);
    x->mime = mime;
}

static void up_done(struct net *n, struct xfer *x)
{
    struct up_ctx *c = x->ctx;
    struct resubmit *rs = resubmit_find(n, c->seq);
    if (rs == NULL || c->file >= rs->n_files)
        return;
    struct rs_file *f = &rs->files[c->file];
    if (c->bad == NULL && xfer_requeue_unsent(n, x, &f->sends, RS_MAX_SENDS)) {
        /* 429 or never connected: provably not stored; again after the policy's wait, and
         * no other upload starts before then */
        int64_t due = x->due;
        if (due > rs->up->hold_until)
            rs->up->hold_until = due;
        return;
    }
    f->in_flight = false;
    rs->in_flight--;
    struct net_error err = {0};
    if (c->bad != NULL) {
        /* our own abort: the server had an incomplete body, which it cannot have stored */
        up_fail_file(n, rs, f, c->bad);
    } else if (xfer_ok(x)) {
        struct dir_file got;
        char *cause = NULL;
        if (decode_dir_file(x->buf, x->len, &got, &cause) &&
            (got.unique_id == NULL || xstreq(got.unique_id, f->uid))) {
            f->present = true;
            up_report(n, rs, f, NET_UPLOAD_SENT, &got, NULL);
        } else {
            f->unknown = true; /* it answered 2xx, but with what? look */
            rs->relist = true;
        }
        dir_file_done(&got);
        free(cause);
    } else if (x->code == CURLE_OK && x->status == 409) {
        /* "that unique_id is there already": present */
        struct dir_file got;
        char *cause = NULL;
        bool have = decode_dir_file(x->buf, x->len, &got, &cause) && got.id != NULL;
        f->present = true;
        up_report(n, rs, f, f->sends > 1 ? NET_UPLOAD_SENT : NET_UPLOAD_PRESENT,
                  have ? &got : NULL, NULL);
        dir_file_done(&got);
        free(cause);
    } else {
        xfer_error(n, x, &err);
        if (resubmit_refused(x) || xfer_unsent(x)) {
            /* 413, a bad name, or 429s past every retry: that file only */
            const char *msg = err.message ? err.message : "refused";
            char *why = err.http_status > 0 && strstr(msg, "HTTP ") == NULL
                            ? xasprintf("%d %s", err.http_status, msg)
                            : xstrdup(msg);
            up_fail_file(n, rs, f, why);
            free(why);
        } else {
            /* 5xx, 408, a reset or a timeout after the body went out: it may be there */
            f->unknown = true;
            rs->relist = true;
            if (rs->err.message == NULL)
                error_copy(&rs->err, &err);
        }
        net_error_done(&err);
    }
    resubmit_progress(n, rs, false);
    up_pump(n, rs);
}

static void up_send(struct net *n, struct resubmit *rs, struct rs_file *f)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        char why[160];
        snprintf(why, sizeof why, "cannot be read: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        up_fail_file(n, rs, f, why);
        return;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != f->size) {
        close(fd);
        up_fail_file(n, rs, f, "changed while uploading");
        return;
    }
    struct up_ctx *c = xcalloc(1, sizeof *c);
    c->n = n;
    c->seq = rs->seq;
    c->file = (size_t)(f - rs->files);
    c->fd = fd;
    c->size = f->size;
    memcpy(c->uid, f->uid, sizeof c->uid);
    c->display_name = xstrdup(f->display_name);
    const char *slash = strrchr(f->display_name, '/');
    c->filename = xstrdup(slash != NULL ? slash + 1 : f->display_name);
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    f->sends++;
    f->in_flight = true;
    rs->in_flight++;
    struct xfer *x =
        xfer_new(url_directory_file_upload(&n->uctx, rs->dir.id), up_done, c, up_ctx_free);
    x->body_setup = up_body_setup;
    x->manual = true; /* a write: done() sees every outcome */
    xfer_send(n, x);
}

/* How long before the window lets another upload start (0: now). The server counts an upload
 * when it arrives, up to a round trip after it started here: the window ends that much later
 * (the last latency seen, at most a second), or the 51st would be early and answered 429. */
static int64_t up_window_wait(const struct net *n, const struct upload *u, int64_t now)
{
    int64_t wait = u->hold_until > now ? u->hold_until - now : 0;
    if (u->n_starts == UP_RATE_MAX) {
        int64_t oldest = u->starts[u->ring]; /* the next slot to be overwritten */
        int64_t margin = n->latency_ms < 1000 ? n->latency_ms : 1000;
        if (oldest + UP_RATE_MS + margin > now + wait)
            wait = oldest + UP_RATE_MS + margin - now;
    }
    return wait;
}

/* Nothing in flight and nothing more to send: list again, or the batch, or the end. */
static void up_settle(struct net *n, struct resubmit *rs)
{
    if (resubmit_relist(n, rs))
        return;
    size_t there = 0;
    for (size_t i = 0; i < rs->n_files; i++)
        there += rs->files[i].present;
    resubmit_progress(n, rs, true);
    if (rs->no_batch) {
        if (there == 0)
            resubmit_fail(n, rs, "no file could be uploaded");
        else
            resubmit_end(n, rs, true, NULL, NULL);
    } else if (there == 0) {
        resubmit_fail(n, rs, "no file could be uploaded: no batch was created");
    } else {
        resubmit_create_batch(n, rs);
    }
}

/* Start what the concurrency, the rate window and the hashing allow; settle when all ended. */
static void up_pump(struct net *n, struct resubmit *rs)
{
    if (rs->phase != NET_RESUBMIT_ADD_FILES)
        return;
    struct upload *u = rs->up;
    int64_t now = clock_mono_ms();
    u->due = 0;
    while (rs->in_flight < UP_CONCURRENCY && rs->cursor < rs->n_files) {
        struct rs_file *f = &rs->files[rs->cursor];
        if (f->present || f->failed || f->in_flight || f->unknown) {
            rs->cursor++;
            continue;
        }
        if (!f->hashed)
            return; /* upload_tick hashes it, then comes back */
        if (up_check_listed(n, rs, f)) {
            rs->cursor++;
            continue;
        }
        if (f->sends >= RS_MAX_SENDS) {
            up_fail_file(n, rs, f, "not uploaded after 10 tries");
            rs->cursor++;
            continue;
        }
        int64_t wait = up_window_wait(n, u, now);
        if (wait > 0) {
            u->due = now + wait;
            return;
        }
        rs->cursor++;
        up_send(n, rs, f);
    }
    resubmit_progress(n, rs, false);
    if (rs->in_flight == 0 && rs->cursor >= rs->n_files)
        up_settle(n, rs);
}

/* ---- hashing ---- */

/* One slice of the file being hashed; false when every file is hashed (or failed). */
static bool up_hash_slice(struct net *n, struct resubmit *rs)
{
    struct upload *u = rs->up;
    while (u->hash_next < rs->n_files && rs->files[u->hash_next].failed)
        u->hash_next++;
    if (u->hash_next >= rs->n_files) {
        free(u->slice);
        u->slice = NULL;
        return false;
    }
    struct rs_file *f = &rs->files[u->hash_next];
    char why[160];
    if (u->hash_fd < 0) {
        u->hash_fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;
        if (u->hash_fd >= 0 && (fstat(u->hash_fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            close(u->hash_fd);
            u->hash_fd = -1;
            errno = EINVAL;
        }
        if (u->hash_fd < 0) {
            snprintf(why, sizeof why, "cannot be read: %s",
                     errno == EINVAL ? "not a regular file" : strerror(errno));
            u->hash_next++;
            up_fail_file(n, rs, f, why);
            up_pump(n, rs);
            return true;
        }
        EVP_DigestInit_ex(u->hash_ctx, EVP_sha256(), NULL);
        u->hash_bytes = 0;
        if (u->slice == NULL)
            u->slice = xmalloc(UP_SLICE);
    }
    ssize_t got;
    do
        got = read(u->hash_fd, u->slice, UP_SLICE);
    while (got < 0 && errno == EINTR);
    if (got > 0) {
        EVP_DigestUpdate(u->hash_ctx, u->slice, (size_t)got);
        u->hash_bytes += got;
        if (u->hash_bytes <= LOCALSRC_MAX_FILE_BYTES)
            return true;
    }
    close(u->hash_fd);
    u->hash_fd = -1;
    u->hash_next++;
    if (got != 0) {
        if (got < 0)
            snprintf(why, sizeof why, "cannot be read: %s", strerror(errno));
        else
            snprintf(why, sizeof why, "grew past 100 MiB while it was read");
        up_fail_file(n, rs, f, why);
        up_pump(n, rs);
        return true;
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(u->hash_ctx, d, &len);
    hex(d, len, f->uid);
    f->size = u->hash_bytes; /* what will be sent, and checked again as it goes */
    f->hashed = true;
    up_pump(n, rs);
    return true;
}

int64_t upload_tick(struct net *n)
{
    int64_t wake = -1, now = clock_mono_ms();
    bool hashed = false;
    for (struct resubmit *rs = n->resubmits, *next; rs != NULL; rs = next) {
        next = rs->next; /* up_pump may end (and free) rs */
        if (rs->kind != RS_UPLOAD)
            continue;
        struct upload *u = rs->up;
        if (!hashed && u->hash_next < rs->n_files) {
            hashed = true; /* one slice per turn, whichever upload it is for */
            uint64_t seq = rs->seq;
            bool more = up_hash_slice(n, rs);
            if (resubmit_find(n, seq) == NULL)
                continue;
            resubmit_progress(n, rs, false);
            if (more)
                wake = 0;
        }
        if (u->due > 0 && u->due <= now)
            up_pump(n, rs);
        else if (u->due > 0 && (wake < 0 || u->due - now < wake))
            wake = u->due - now;
    }
    return wake;
}

/* ---- the command ---- */

void upload_start(struct net *n, const struct net_cmd *cmd)
{
    struct resubmit *rs = resubmit_new(n, cmd, RS_UPLOAD);
    rs->ephemeral = cmd->ephemeral;
    rs->no_batch = cmd->no_batch;
    struct upload *u = xcalloc(1, sizeof *u);
    rs->up = u;
    u->hash_fd = -1;
    u->hash_ctx = EVP_MD_CTX_new();
    if (u->hash_ctx == NULL) {
        fputs("batchtop: out of memory\n", stderr);
        abort();
    }
    strmap_init(&u->by_uid, NULL);
    strmap_init(&u->by_name, NULL);
    rs->files = xcalloc(cmd->n_locals ? cmd->n_locals : 1, sizeof *rs->files);
    bool no_path = false;
    for (size_t i = 0; i < cmd->n_locals; i++) {
        const struct local_file *l = &cmd->locals[i];
        if (l->path == NULL || l->display_name == NULL || l->display_name[0] == '\0') {
            no_path = true;
            continue;
        }
        struct rs_file *f = &rs->files[rs->n_files++];
        f->path = xstrdup(l->path);
        f->display_name = xstrdup(l->display_name);
        f->size = l->size;
    }
    if (rs->name == NULL || rs->name[0] == '\0')
        resubmit_fail(n, rs, "no directory name given");
    else if (no_path)
        resubmit_fail(n, rs, "a local file has no path or display name");
    else if (rs->n_files == 0)
        resubmit_fail(n, rs, "no files to upload");
    else if (!rs->no_batch && (rs->cfg == NULL || rs->cfg[0] == '\0'))
        resubmit_fail(n, rs, "no configuration given");
    else if (!rs->no_batch && rs->type != JOB_TYPE_PARSE && rs->type != JOB_TYPE_EXTRACT)
        resubmit_fail(n, rs, "the job type must be parse_v2 or extract_v2");
    else
        resubmit_find_dir(n, rs);
}
