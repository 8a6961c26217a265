/* snapshot.c -- the batch-list cache file: JSON (json-c) encode/decode, name, atomic I/O. */
#include "config.h"

#include "net/encode.h"
#include "net/jsonexact.h"
#include "net/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/strmap.h"
#include "model/xalloc.h"
#include "net/decode.h"
#include "net/url.h"

static void entry_strings_done(struct snapshot_entry *e)
{
    free(e->directory_name);
    free(e->resubmit_of);
    free(e->resubmitted_as);
    e->directory_name = e->resubmit_of = e->resubmitted_as = NULL;
}

void snapshot_done(struct snapshot *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        batch_done(&s->entries[i].batch);
        entry_strings_done(&s->entries[i]);
    }
    free(s->entries);
    free(s->endpoint);
    free(s->project_id);
    free(s->organization_id);
    for (size_t i = 0; i < s->n_seed; i++)
        batch_done(&s->seed[i]);
    free(s->seed);
    memset(s, 0, sizeof *s);
}

/* ---- identity ---- */

/* The endpoint as stored and compared: no userinfo, no trailing '/'. Fresh string. */
static char *endpoint_key(const char *endpoint)
{
    char *e = url_strip_userinfo(endpoint != NULL ? endpoint : "");
    size_t n = strlen(e);
    while (n > 0 && e[n - 1] == '/')
        e[--n] = '\0';
    return e;
}

/* "" is the same "none" as NULL. */
static const char *none(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

char *snapshot_path(const char *endpoint, const char *project_id, const char *organization_id)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *e = endpoint_key(endpoint);
    const char *p = none(project_id) ? project_id : "",
               *o = none(organization_id) ? organization_id : "";
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a(h, e, strlen(e) + 1); /* each with its NUL, so the parts cannot run together */
    h = fnv1a(h, p, strlen(p) + 1);
    h = fnv1a(h, o, strlen(o) + 1);
    free(e);
    if (xdg != NULL && xdg[0] == '/')
        return xasprintf("%s/batchtop/%016llx.json", xdg, (unsigned long long)h);
    if (home != NULL && home[0] != '\0')
        return xasprintf("%s/.cache/batchtop/%016llx.json", home, (unsigned long long)h);
    return NULL;
}

bool snapshot_matches(const struct snapshot *s, const char *endpoint, const char *project_id,
                      const char *organization_id)
{
    char *a = endpoint_key(s->endpoint), *b = endpoint_key(endpoint);
    bool same = strcmp(a, b) == 0 && xstreq(none(s->project_id), none(project_id)) &&
                xstreq(none(s->organization_id), none(organization_id));
    free(a);
    free(b);
    return same;
}

/* ---- encoding ---- */

static struct json_object *entry_json(const struct snapshot_entry *e)
{
    struct json_object *o = encode_batch(&e->batch, false), *ext;
    ext = encode_need(json_object_new_object());
    encode_put(ext, "directory_name", encode_str(e->directory_name));
    encode_put(ext, "files_done", encode_count(e->files_done));
    encode_put(ext, "files_total", encode_count(e->files_total));
    bool credits =
        e->credits_known && isfinite(e->credits) && e->credits >= 0 && e->credits < 1e15;
    encode_put(ext, "credits", credits ? encode_need(json_object_new_double(e->credits)) : NULL);
    encode_put(ext, "credits_partial",
               encode_need(json_object_new_boolean(credits && e->credits_partial)));
    if (e->resubmit_of)
        encode_put(ext, "resubmit_of", encode_str(e->resubmit_of));
    if (e->resubmitted_as)
        encode_put(ext, "resubmitted_as", encode_str(e->resubmitted_as));
    encode_put(o, "batchtop", ext);
    return o;
}

/* Newest created_at first; unparsable times (-1) last; ties in the caller's order. */
struct age {
    int64_t ms;
    size_t i;
};

static int newest_first(const void *a, const void *b)
{
    const struct age *x = a, *y = b;
    if (x->ms != y->ms)
        return x->ms > y->ms ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* o as JSON text, fresh string of *len bytes; drops o. */
static char *json_text(struct json_object *o, size_t *len)
{
    const char *t = json_object_to_json_string_length(o, JSON_FLAGS, len);
    if (t == NULL)
        encode_need(NULL); /* json-c is out of memory */
    char *copy = xstrndup(t, *len);
    json_object_put(o);
    return copy;
}

static const char batches_key[] = ",\"batches\":[";

/* Entries are serialized one at a time, newest first, until the count or the byte bound is
 * reached (so a big list never becomes one big json-c tree), then written in the caller's
 * order after the header's members. */
char *snapshot_encode(const struct snapshot *s, size_t *len)
{
    size_t n = s->n, hlen, total, count = 0;
    struct age *order = xcalloc(n ? n : 1, sizeof *order);
    char **texts = xcalloc(n ? n : 1, sizeof *texts);
    size_t *lens = xcalloc(n ? n : 1, sizeof *lens);
    for (size_t i = 0; i < n; i++)
        order[i] = (struct age){s->entries[i].batch.created_ms, i};
    qsort(order, n, sizeof *order, newest_first);

    char saved[40], *endpoint = endpoint_key(s->endpoint);
    clock_format_iso8601(s->saved_ms, saved, sizeof saved);
    struct json_object *root = encode_need(json_object_new_object());
    encode_put(root, "format", encode_need(json_object_new_string(SNAPSHOT_FORMAT)));
    encode_put(root, "version", encode_need(json_object_new_int(SNAPSHOT_VERSION)));
    encode_put(root, "endpoint", encode_need(json_object_new_string(endpoint)));
    encode_put(root, "project_id", encode_str(none(s->project_id)));
    encode_put(root, "organization_id", encode_str(none(s->organization_id)));
    encode_put(root, "saved_at", encode_need(json_object_new_string(saved)));
    /* what a delta refresh starts from, ahead of the batches so a start can send it before
     * decoding them (snapshot_peek): every batch written that can still change, and the
     * newest; counted as they are chosen below, so both lists hold the same batches */
    struct json_object *seed = encode_need(json_object_new_array());
    size_t seed_bytes = 0;
    for (size_t r = 0; r < n && r < SNAPSHOT_MAX_BATCHES; r++) {
        const struct batch *b = &s->entries[order[r].i].batch;
        if (r > 0 && batch_status_is_terminal(b->status))
            continue;
        if (seed_bytes > SNAPSHOT_MAX_BYTES / 4)
            break; /* a seed that big would not be worth sending early; the rest is decoded */
        struct json_object *o = encode_batch(b, false);
        size_t olen = 0;
        json_object_to_json_string_length(o, JSON_FLAGS, &olen);
        seed_bytes += olen + 1;
        json_object_array_add(seed, o);
    }
    encode_put(root, "seed", seed);
    char *head = json_text(root, &hlen); /* {…} : its '}' gives way to the batches */
    total = hlen - 1 + strlen(batches_key) + 2;
    for (size_t r = 0; r < n && count < SNAPSHOT_MAX_BATCHES; r++) {
        size_t i = order[r].i;
        texts[i] = json_text(entry_json(&s->entries[i]), &lens[i]);
        if (total + lens[i] + (count > 0) > SNAPSHOT_MAX_BYTES) {
            free(texts[i]);
            texts[i] = NULL;
            break;
        }
        total += lens[i] + (count > 0);
        count++;
    }
    char *out = xmalloc(total + 1), *o = out;
    memcpy(o, head, hlen - 1);
    o += hlen - 1;
    memcpy(o, batches_key, strlen(batches_key));
    o += strlen(batches_key);
    for (size_t i = 0, k = 0; i < n; i++) {
        if (texts[i] == NULL)
            continue;
        if (k++ > 0)
            *o++ = ',';
        memcpy(o, texts[i], lens[i]);
        o += lens[i];
        free(texts[i]);
    }
    memcpy(o, "]}", 3);
    *len = total;
    free(head);
    free(endpoint);
    free(order);
    free(texts);
    free(lens);
    return out;
}

/* ---- decoding ---- */

static bool refuse(char **why, char *text)
{
    if (why != NULL)
        *why = text;
    else
        free(text);
    return false;
}

static struct json_object *member(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL; /* NULL also for a JSON null */
}

/* A string member or null/absent (*out NULL); never one holding a NUL (the file is ours, and
 * we never write one). */
static bool get_text(struct json_object *o, const char *path, const char *key, char **out,
                     char **why)
{
    struct json_object *v = member(o, key);
    *out = NULL;
    if (v == NULL)
        return true;
    if (!json_object_is_type(v, json_type_string) ||
        memchr(json_object_get_string(v), '\0', (size_t)json_object_get_string_len(v)) != NULL)
        return refuse(why, xasprintf("%s%s: expected a string", path, key));
    *out = xstrdup(json_object_get_string(v));
    return true;
}

/* A count: null/absent is -1 (unknown), else an integer in 0..2^31. */
static bool get_count(struct json_object *o, const char *path, const char *key, long *out,
                      char **why)
{
    struct json_object *v = member(o, key);
    *out = -1;
    if (v == NULL)
        return true;
    int64_t n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
    if (n < 0 || n > INT32_MAX)
        return refuse(why, xasprintf("%s%s: expected a count", path, key));
    *out = (long)n;
    return true;
}

/* The "batchtop" member of batches[i] (absent: nothing known). */
static bool ext_from(struct json_object *o, const char *path, struct snapshot_entry *e, char **why)
{
    struct json_object *x = member(o, "batchtop"), *c, *p;
    e->files_done = e->files_total = -1;
    if (x == NULL)
        return true;
    char sub[64];
    snprintf(sub, sizeof sub, "%s.batchtop.", path);
    if (!json_object_is_type(x, json_type_object))
        return refuse(why, xasprintf("%s.batchtop: expected an object", path));
    if (!get_text(x, sub, "directory_name", &e->directory_name, why) ||
        !get_count(x, sub, "files_done", &e->files_done, why) ||
        !get_count(x, sub, "files_total", &e->files_total, why) ||
        !get_text(x, sub, "resubmit_of", &e->resubmit_of, why) ||
        !get_text(x, sub, "resubmitted_as", &e->resubmitted_as, why))
        return false;
    c = member(x, "credits");
    if (c != NULL) {
        double v = json_object_is_type(c, json_type_int)      ? (double)json_object_get_int64(c)
                   : json_object_is_type(c, json_type_double) ? json_object_get_double(c)
                                                              : -1;
        if (!(v >= 0 && v < 1e15))
            return refuse(why, xasprintf("%scredits: expected a number", sub));
        e->credits_known = true;
        e->credits = v;
    }
    p = member(x, "credits_partial");
    if (p != NULL && !json_object_is_type(p, json_type_boolean))
        return refuse(why, xasprintf("%scredits_partial: expected true or false", sub));
    e->credits_partial = e->credits_known && p != NULL && json_object_get_boolean(p);
    return true;
}

/* The header fields of the document (everything but the batches). */
static bool header_from(struct json_object *root, struct snapshot *out, char **why)
{
    struct json_object *f = member(root, "format"), *v = member(root, "version");
    struct json_object *saved = member(root, "saved_at");
    if (!json_object_is_type(root, json_type_object) || f == NULL ||
        !json_object_is_type(f, json_type_string) ||
        strcmp(json_object_get_string(f), SNAPSHOT_FORMAT) != 0)
        return refuse(why, xstrdup("not a batchtop snapshot"));
    if (v == NULL || !json_object_is_type(v, json_type_int))
        return refuse(why, xstrdup("format version missing or not a number"));
    if (json_object_get_int64(v) != SNAPSHOT_VERSION)
        return refuse(why, xasprintf("format version %lld, expected %d",
                                     (long long)json_object_get_int64(v), SNAPSHOT_VERSION));
    if (!get_text(root, "", "endpoint", &out->endpoint, why) ||
        !get_text(root, "", "project_id", &out->project_id, why) ||
        !get_text(root, "", "organization_id", &out->organization_id, why))
        return false;
    if (out->endpoint == NULL || out->endpoint[0] == '\0')
        return refuse(why, xstrdup("endpoint: missing"));
    if (saved == NULL || !json_object_is_type(saved, json_type_string) ||
        !clock_parse_iso8601(json_object_get_string(saved), &out->saved_ms))
        return refuse(why, xstrdup("saved_at: missing or not a time"));
    struct json_object *seed = member(root, "seed");
    if (seed == NULL)
        return true; /* an older file: the batches say it all */
    if (!json_object_is_type(seed, json_type_array))
        return refuse(why, xstrdup("seed: expected an array"));
    size_t n = json_object_array_length(seed);
    if (n > SNAPSHOT_MAX_BATCHES)
        return refuse(why, xasprintf("seed: %zu batches, at most %d", n, SNAPSHOT_MAX_BATCHES));
    out->seed = xcalloc(n ? n : 1, sizeof *out->seed);
    out->has_seed = true;
    for (size_t i = 0; i < n; i++) {
        char path[40];
        snprintf(path, sizeof path, "seed[%zu]", i);
        if (!decode_batch_object(json_object_array_get_idx(seed, i), path, &out->seed[i], why))
            return false;
        out->n_seed = i + 1;
        if (out->seed[i].has_results)
            return refuse(why, xasprintf("%s.results: not expected in a snapshot", path));
    }
    return true;
}

bool snapshot_peek(const char *buf, size_t len, struct snapshot *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (why != NULL)
        *why = NULL;
    /* the encoder writes the header's members first; a raw `,"batches":[` cannot be inside a
     * string (its quotes would end it), so the first one is where the batches begin */
    static const char key[] = ",\"batches\":[";
    const char *at = memmem(buf, len, key, strlen(key));
    if (at == NULL)
        return refuse(why, xstrdup("no header before the batches"));
    size_t hlen = (size_t)(at - buf);
    char *head = xmalloc(hlen + 2);
    memcpy(head, buf, hlen);
    memcpy(head + hlen, "}", 2);
    char *cause = NULL;
    struct json_object *root = decode_json(head, hlen + 1, &cause);
    free(head);
    if (root == NULL) {
        refuse(why, xstrdup("header: not JSON"));
        free(cause);
        return false;
    }
    bool ok = header_from(root, out, why);
    json_object_put(root);
    if (!ok)
        snapshot_done(out);
    return ok;
}

/* One entry of the batches array, parsed on its own (a small tree, freed at once). */
static bool entry_from(struct json_tokener *tok, const char *text, size_t len, size_t i,
                       struct snapshot_entry *e, char **why)
{
    char path[40];
    snprintf(path, sizeof path, "batches[%zu]", i);
    json_tokener_reset(tok);
    struct json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        (size_t)json_tokener_get_parse_end(tok) != len) {
        json_object_put(o);
        return refuse(why, xasprintf("%s: not a JSON value json-c accepts", path));
    }
    bool ok = decode_batch_object(o, path, &e->batch, why);
    if (ok && e->batch.has_results)
        ok = refuse(why, xasprintf("%s.results: not expected in a snapshot", path));
    if (ok)
        ok = ext_from(o, path, e, why);
    json_object_put(o);
    return ok;
}

/*
 * The batches array, element by element: jsonexact's strict lexer finds each one and json-c
 * parses only that one. One json-c tree of the whole file was ~5 KB a batch and most of the
 * time of a warm start (page faults and malloc for 50 MB at 10,000 batches); this way the
 * memory is one entry's tree, reused.
 */
static bool entries_from(const char *text, size_t len, struct snapshot *out, char **why)
{
    size_t pos = 0, start, end, cap = 0;
    bool bad = false, ok = true;
    struct strmap ids;
    strmap_init(&ids, NULL);
    struct json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        encode_need(NULL); /* out of memory */
    while (ok && json_array_next(text, len, &pos, &start, &end, &bad)) {
        if (out->n == SNAPSHOT_MAX_BATCHES) {
            ok = refuse(why, xasprintf("more than %d batches", SNAPSHOT_MAX_BATCHES));
            break;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 256;
            out->entries = xreallocarray(out->entries, cap, sizeof *out->entries);
        }
        struct snapshot_entry *e = &out->entries[out->n];
        memset(e, 0, sizeof *e);
        if (!entry_from(tok, text + start, end - start, out->n, e, why)) {
            batch_done(&e->batch);
            entry_strings_done(e);
            ok = false;
            break;
        }
        out->n++;
        if (strmap_has(&ids, e->batch.id))
            ok = refuse(why, xasprintf("batches[%zu].id: duplicate", out->n - 1));
        strmap_put_index(&ids, e->batch.id, out->n - 1);
    }
    if (ok && bad)
        ok = refuse(why, xstrdup("batches: not a valid JSON array"));
    if (ok && out->entries == NULL)
        out->entries = xcalloc(1, sizeof *out->entries);
    json_tokener_free(tok);
    strmap_done(&ids);
    return ok;
}

bool snapshot_decode(const char *buf, size_t len, struct snapshot *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (why != NULL)
        *why = NULL;
    if (len > SNAPSHOT_MAX_BYTES)
        return refuse(why, xasprintf("%zu bytes, at most %u", len, SNAPSHOT_MAX_BYTES));
    /* the whole document checked once by the strict lexer, and where its batches are */
    size_t bs = 0, be = 0;
    bool have_batches = json_member_span(buf, len, "batches", &bs, &be) && buf[bs] == '[';
    /* the header: the document with its batches left out, parsed by json-c as before */
    char *head = NULL;
    size_t hlen = len;
    if (have_batches) {
        hlen = bs + 2 + (len - be);
        head = xmalloc(hlen + 1);
        memcpy(head, buf, bs);
        memcpy(head + bs, "[]", 2);
        memcpy(head + bs + 2, buf + be, len - be);
        head[hlen] = '\0';
    }
    char *cause = NULL;
    struct json_object *root = decode_json(head ? head : buf, hlen, &cause), *arr;
    free(head);
    if (root == NULL) {
        const char *c = cause != NULL ? cause : "invalid JSON";
        refuse(why, xstrdup(strncmp(c, "body: ", 6) == 0 ? c + 6 : c));
        free(cause);
        return false;
    }
    bool ok = header_from(root, out, why);
    if (ok) {
        arr = member(root, "batches");
        if (!have_batches || arr == NULL || !json_object_is_type(arr, json_type_array))
            ok = refuse(why, xstrdup("batches: missing or not an array"));
        else
            ok = entries_from(buf + bs, be - bs, out, why);
    }
    json_object_put(root);
    if (!ok)
        snapshot_done(out);
    return ok;
}

/* ---- files ---- */

static bool sys_fail(char **why, const char *what, const char *name)
{
    return refuse(why, xasprintf("%s %s: %s", what, name, strerror(errno)));
}

/* mkdir -p with mode 0700 for every directory it creates. */
static void make_dirs(const char *dir)
{
    char *p = xstrdup(dir);
    for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
        if (s != NULL)
            *s = '\0';
        if (p[0] != '\0')
            (void)mkdir(p, 0700);
        if (s == NULL)
            break;
        *s = '/';
    }
    free(p);
}

/* Everything after the directory is open: refuse what is at base, write tmp, rename. */
static bool save_in(int dfd, const char *base, const char *text, size_t len, char **why)
{
    struct stat st;
    if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode))
            return refuse(why, xasprintf("%s is a symbolic link; not replaced", base));
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
            return refuse(why, xasprintf("%s is not the user's regular file", base));
    }
    char *tmp = xasprintf("%s.tmp.%ld", base, (long)getpid());
    (void)unlinkat(dfd, tmp, 0); /* a leftover of an earlier process with our pid */
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = fd >= 0 || sys_fail(why, "create", tmp);
    ok = ok && (fchmod(fd, 0600) == 0 || sys_fail(why, "chmod", tmp));
    for (size_t off = 0; ok && off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && errno != EINTR)
            ok = sys_fail(why, "write", tmp);
    }
    ok = ok && (fsync(fd) == 0 || sys_fail(why, "fsync", tmp));
    if (fd >= 0 && close(fd) != 0 && ok)
        ok = sys_fail(why, "close", tmp);
    ok = ok && (renameat(dfd, tmp, dfd, base) == 0 || sys_fail(why, "rename", tmp));
    if (!ok && fd >= 0)
        (void)unlinkat(dfd, tmp, 0);
    ok = ok && (fsync(dfd) == 0 || sys_fail(why, "fsync directory of", base));
    free(tmp);
    return ok;
}

bool snapshot_save(const char *path, const struct snapshot *s, char **why)
{
    if (why != NULL)
        *why = NULL;
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    if (slash == NULL || slash[1] == '\0')
        return refuse(why, xasprintf("not a file path: %s", path ? path : "(none)"));
    char *dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && errno == ENOENT) {
        make_dirs(dir);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    struct stat st;
    bool ok = dfd >= 0 || sys_fail(why, "open directory", dir);
    ok = ok && (fstat(dfd, &st) == 0 || sys_fail(why, "stat", dir));
    if (ok && st.st_uid != geteuid())
        ok = refuse(why, xasprintf("directory %s belongs to another user", dir));
    if (ok && (st.st_mode & 077) != 0 && fchmod(dfd, 0700) != 0)
        ok = sys_fail(why, "chmod 0700", dir);
    if (ok) {
        size_t len;
        char *text = snapshot_encode(s, &len);
        ok = save_in(dfd, slash + 1, text, len, why);
        free(text);
    }
    if (dfd >= 0)
        close(dfd);
    free(dir);
    return ok;
}

bool snapshot_read(const char *path, char **text, size_t *len, char **why)
{
    *text = NULL;
    *len = 0;
    if (why != NULL)
        *why = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP)
            refuse(why, xstrdup("is a symbolic link"));
        else
            refuse(why, xstrdup(strerror(e)));
        errno = e;
        return false;
    }
    struct stat st;
    char *buf = NULL, *bad = NULL;
    size_t got = 0;
    if (fstat(fd, &st) != 0)
        bad = xasprintf("stat: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        bad = xstrdup("not a regular file");
    else if (st.st_uid != geteuid())
        bad = xstrdup("owned by another user");
    else if ((st.st_mode & 022) != 0)
        bad = xstrdup("writable by others");
    else if ((uintmax_t)st.st_size > SNAPSHOT_MAX_BYTES)
        bad = xasprintf("%jd bytes, at most %u", (intmax_t)st.st_size, SNAPSHOT_MAX_BYTES);
    if (bad == NULL) {
        size_t cap = (size_t)st.st_size + 1; /* one more byte says it grew */
        buf = xmalloc(cap);
        while (got < cap && bad == NULL) {
            ssize_t r = read(fd, buf + got, cap - got);
            if (r == 0)
                break;
            if (r > 0)
                got += (size_t)r;
            else if (errno != EINTR)
                bad = xasprintf("read: %s", strerror(errno));
        }
        if (bad == NULL && got == cap)
            bad = xstrdup("changed while being read");
    }
    close(fd);
    if (bad != NULL) {
        free(buf);
        errno = 0;
        return refuse(why, bad);
    }
    *text = buf;
    *len = got;
    errno = 0;
    return true;
}

bool snapshot_load(const char *path, struct snapshot *out, char **why)
{
    char *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    if (!snapshot_read(path, &buf, &len, why))
        return false; /* errno kept: ENOENT for no file */
    bool ok = snapshot_decode(buf, len, out, why);
    free(buf);
    errno = 0;
    return ok;
}
