/* test_snapshot.c -- the snapshot cache: format round trip, refusals, truncation, files. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "net/decode.h"
#include "net/snapshot.h"
#include "net/url.h"

#define SAVED_MS 1795000000123LL

/* One entry from a batch in API JSON, so the batch is exactly what decode.c makes. */
static void entry_from_json(struct snapshot_entry *e, const char *json)
{
    char *cause = NULL;
    memset(e, 0, sizeof *e);
    ck_assert_msg(decode_batch(json, strlen(json), &e->batch, &cause), "%s", cause);
    e->files_done = e->files_total = -1;
}

/* Three batches: every field set (a unicode directory name), an UNKNOWN status and job type
 * kept as their wire text, and every nullable field null. */
static void sample(struct snapshot *s, const char *endpoint)
{
    memset(s, 0, sizeof *s);
    s->endpoint = xstrdup(endpoint);
    s->project_id = xstrdup("prj-1");
    s->saved_ms = SAVED_MS;
    s->n = 3;
    s->entries = xcalloc(3, sizeof *s->entries);
    entry_from_json(&s->entries[0],
                    "{\"id\":\"bat-1\",\"project_id\":\"prj-1\",\"source_directory_id\":\"dir-1\","
                    "\"status\":\"COMPLETED\",\"created_at\":\"2026-11-28T14:02:07.117Z\","
                    "\"updated_at\":\"2026-11-28T14:05:00Z\",\"config\":{\"job\":{\"type\":"
                    "\"parse_v2\",\"configuration_id\":\"cfg-1\"}}}");
    s->entries[0].directory_name = xstrdup("Факту\xcc\x81ры \xf0\x9f\x93\x84 \"inv\"\\/\t");
    s->entries[0].files_done = 20;
    s->entries[0].files_total = 20;
    s->entries[0].credits_known = true;
    s->entries[0].credits = 120.5;
    s->entries[0].resubmitted_as = xstrdup("bat-2");
    entry_from_json(&s->entries[1],
                    "{\"id\":\"bat-2\",\"status\":\"PAUSED_BY_ADMIN\",\"created_at\":"
                    "\"2026-11-29T00:00:00+02:00\",\"config\":{\"job\":{\"type\":\"weird_v9\"}}}");
    s->entries[1].directory_name = xstrdup("bad \xff\xfe utf-8, \x1b[31mescape\x7f");
    s->entries[1].files_done = 3;
    s->entries[1].credits_known = true;
    s->entries[1].credits_partial = true;
    s->entries[1].credits = 0.1;
    s->entries[1].resubmit_of = xstrdup("bat-1");
    entry_from_json(&s->entries[2], "{\"id\":\"bat-3\",\"status\":\"RUNNING\",\"project_id\":null,"
                                    "\"created_at\":null,\"config\":null}");
}

static void same_str(const char *a, const char *b)
{
    ck_assert_msg(xstreq(a, b), "\"%s\" != \"%s\"", a ? a : "(null)", b ? b : "(null)");
}

static void same_entries(const struct snapshot *a, const struct snapshot *b)
{
    ck_assert_uint_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct snapshot_entry *x = &a->entries[i], *y = &b->entries[i];
        same_str(x->batch.id, y->batch.id);
        same_str(x->batch.project_id, y->batch.project_id);
        same_str(x->batch.source_directory_id, y->batch.source_directory_id);
        ck_assert_int_eq(x->batch.job_type, y->batch.job_type);
        same_str(x->batch.job_type_text, y->batch.job_type_text);
        same_str(x->batch.configuration_id, y->batch.configuration_id);
        ck_assert_int_eq(x->batch.status, y->batch.status);
        same_str(x->batch.status_text, y->batch.status_text);
        same_str(x->batch.created_at, y->batch.created_at);
        ck_assert_int_eq(x->batch.created_ms, y->batch.created_ms);
        same_str(x->batch.updated_at, y->batch.updated_at);
        ck_assert_int_eq(x->batch.updated_ms, y->batch.updated_ms);
        ck_assert(!y->batch.has_results && y->batch.n_results == 0);
        same_str(x->directory_name, y->directory_name);
        ck_assert_int_eq(x->files_done, y->files_done);
        ck_assert_int_eq(x->files_total, y->files_total);
        ck_assert_int_eq(x->credits_known, y->credits_known);
        ck_assert_int_eq(x->credits_partial, y->credits_partial);
        ck_assert(x->credits == y->credits);
        same_str(x->resubmit_of, y->resubmit_of);
        same_str(x->resubmitted_as, y->resubmitted_as);
    }
}

START_TEST(round_trip)
{
    struct snapshot s, d;
    char *why = NULL;
    size_t len, len2;
    sample(&s, "https://user:llx-secret@api.example.com/");
    char *text = snapshot_encode(&s, &len);
    ck_assert_uint_eq(strlen(text), len);
    ck_assert_msg(snapshot_decode(text, len, &d, &why), "%s", why);
    ck_assert_ptr_null(why);
    same_str(d.endpoint, "https://api.example.com");
    same_str(d.project_id, "prj-1");
    ck_assert_ptr_null(d.organization_id);
    ck_assert_int_eq(d.saved_ms, SAVED_MS);
    same_entries(&s, &d);
    ck_assert_int_eq(d.entries[1].batch.status, BATCH_UNKNOWN);
    same_str(d.entries[1].batch.status_text, "PAUSED_BY_ADMIN");
    ck_assert_int_eq(d.entries[1].batch.job_type, JOB_TYPE_UNKNOWN);
    same_str(d.entries[1].batch.job_type_text, "weird_v9");
    /* and once more: the same bytes */
    char *again = snapshot_encode(&d, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert_mem_eq(text, again, len);
    free(again);
    free(text);
    snapshot_done(&d);
    snapshot_done(&d); /* harmless twice */
    snapshot_done(&s);
}
END_TEST

START_TEST(matches_and_path)
{
    struct snapshot s;
    sample(&s, "https://api.example.com");
    ck_assert(snapshot_matches(&s, "https://api.example.com", "prj-1", NULL));
    ck_assert(snapshot_matches(&s, "https://u:p@api.example.com/", "prj-1", ""));
    ck_assert(!snapshot_matches(&s, "https://api.example.com", "prj-2", NULL));
    ck_assert(!snapshot_matches(&s, "https://api.example.com", NULL, NULL));
    ck_assert(!snapshot_matches(&s, "https://api.example.com", "prj-1", "org-1"));
    ck_assert(!snapshot_matches(&s, "https://api.cloud.eu.llamaindex.ai", "prj-1", NULL));
    ck_assert(!snapshot_matches(&s, "http://api.example.com", "prj-1", NULL));
    snapshot_done(&s);

    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    setenv("HOME", "/home/u", 1);
    char *a = snapshot_path("https://api.example.com", "prj-1", NULL);
    char *b = snapshot_path("https://u:llx-secret@api.example.com/", "prj-1", "");
    char *c = snapshot_path("https://api.example.com", "prj-2", NULL);
    char *d = snapshot_path("https://api.example.com", "prj-", "1");
    ck_assert_int_eq(strlen(a), strlen("/x/cache/batchtop/") + 16 + strlen(".json"));
    ck_assert(strncmp(a, "/x/cache/batchtop/", 18) == 0);
    ck_assert_str_eq(a + strlen(a) - 5, ".json");
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, d);
    setenv("XDG_CACHE_HOME", "relative/cache", 1); /* not absolute: ignored (XDG spec) */
    char *e = snapshot_path("https://api.example.com", "prj-1", NULL);
    ck_assert(strncmp(e, "/home/u/.cache/batchtop/", 24) == 0);
    ck_assert_str_eq(e + 24, a + 18);
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    ck_assert_ptr_null(snapshot_path("https://api.example.com", "prj-1", NULL));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);

    char *u = url_strip_userinfo("https://user:pw@api.example.com:8443/base?x=1");
    ck_assert_str_eq(u, "https://api.example.com:8443/base?x=1");
    free(u);
    u = url_strip_userinfo("https://user:pa/ss@host");
    ck_assert_str_eq(u, "https://host");
    free(u);
    u = url_strip_userinfo("http://host/");
    ck_assert_str_eq(u, "http://host/");
    free(u);
    ck_assert_ptr_null(url_strip_userinfo(NULL));
}
END_TEST

/* decode must refuse text with a why containing want, and leave out empty. */
static void refused(const char *text, const char *want)
{
    struct snapshot out;
    char *why = NULL;
    ck_assert_msg(!snapshot_decode(text, strlen(text), &out, &why), "accepted: %s", text);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(why, want) != NULL, "why \"%s\" lacks \"%s\"", why, want);
    ck_assert_msg(strchr(why, '\n') == NULL, "why is one line");
    ck_assert(out.n == 0 && out.entries == NULL && out.endpoint == NULL);
    free(why);
}

#define HEAD                                                                                      \
    "{\"format\":\"batchtop-snapshot\",\"version\":1,\"endpoint\":\"https://h\","                 \
    "\"project_id\":null,\"organization_id\":null,\"saved_at\":\"2026-11-28T14:02:07.117Z\","

START_TEST(refusals)
{
    refused("{\"format\":\"batchtop-snapshot\",\"version\":7,\"batches\":[]}",
            "format version 7, expected 1");
    refused("{\"format\":\"other\",\"version\":1,\"batches\":[]}", "not a batchtop snapshot");
    refused("{\"version\":1,\"batches\":[]}", "not a batchtop snapshot");
    refused("[1,2]", "not a batchtop snapshot");
    refused("{\"format\":\"batchtop-snapshot\",\"version\":\"1\"}", "format version");
    refused("hello", "invalid JSON");
    refused("", "empty");
    refused(HEAD "\"batches\":[]} x", "invalid JSON");
    refused(HEAD "\"batches\":{}}", "batches: missing or not an array");
    refused("{\"format\":\"batchtop-snapshot\",\"version\":1,\"endpoint\":\"\",\"saved_at\":"
            "\"2026-11-28T14:02:07Z\",\"batches\":[]}",
            "endpoint: missing");
    refused(HEAD "\"saved_at\":\"yesterday\",\"batches\":[]}", "saved_at");
    /* a batch that fails decode.c's checks: the whole file goes */
    refused(HEAD "\"batches\":[{\"id\":\"bat-1\",\"status\":\"RUNNING\"},{\"id\":\"bat-2\"}]}",
            "batches[1].status: missing");
    refused(HEAD "\"batches\":[{\"id\":\"\",\"status\":\"RUNNING\"}]}", "batches[0].id: empty");
    refused(HEAD "\"batches\":[{\"id\":\"bat-1\",\"status\":\"RUNNING\",\"config\":7}]}",
            "batches[0].config: expected an object");
    refused(HEAD "\"batches\":[{\"id\":\"b\",\"status\":\"RUNNING\"},{\"id\":\"b\",\"status\":"
                 "\"FAILED\"}]}",
            "batches[1].id: duplicate");
    refused(HEAD "\"batches\":[{\"id\":\"b\",\"status\":\"RUNNING\",\"results\":[]}]}",
            "batches[0].results");
    refused(HEAD "\"batches\":[{\"id\":\"b\",\"status\":\"RUNNING\",\"batchtop\":"
                 "{\"files_done\":-3}}]}",
            "batches[0].batchtop.files_done");
    refused(HEAD "\"batches\":[{\"id\":\"b\",\"status\":\"RUNNING\",\"batchtop\":"
                 "{\"credits\":\"lots\"}}]}",
            "batches[0].batchtop.credits");
    refused(HEAD "\"batches\":[{\"id\":\"b\",\"status\":\"RUNNING\",\"batchtop\":"
                 "{\"directory_name\":\"a\\u0000b\"}}]}",
            "batches[0].batchtop.directory_name");
    refused(HEAD "\"batches\":[{\"id\":\"b\",\"status\":\"RUNNING\",\"batchtop\":[]}]}",
            "batches[0].batchtop: expected an object");

    /* and the minimal valid one is accepted, unknown fields ignored */
    const char *ok = HEAD "\"future\":1,\"batches\":[{\"id\":\"b\",\"status\":\"RUNNING\"}]}";
    struct snapshot out;
    char *why = NULL;
    ck_assert_msg(snapshot_decode(ok, strlen(ok), &out, &why), "%s", why);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_int_eq(out.entries[0].files_done, -1);
    ck_assert_int_eq(out.entries[0].files_total, -1);
    ck_assert(!out.entries[0].credits_known);
    snapshot_done(&out);
}
END_TEST

/* ---- files ---- */

/* One directory per test case, made and removed in the parent process (an unchecked fixture),
 * so it goes even when a test fails; the tests in a case use different names in it. */
static char tmpdir[4096];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void tmp_setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/snapshot-XXXXXX", t && t[0] ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *in_tmp(const char *rel)
{
    return xasprintf("%s/%s", tmpdir, rel);
}

static void write_file(const char *path, const char *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    close(fd);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = xmalloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

START_TEST(truncated_everywhere)
{
    struct snapshot s, out;
    size_t len;
    sample(&s, "https://api.example.com");
    char *text = snapshot_encode(&s, &len);
    char *path = in_tmp("t.json");
    for (size_t cut = 0; cut < len; cut++) {
        char *why = NULL;
        char *copy = xmalloc(cut + 1); /* exactly cut bytes, so a read past them is caught */
        memcpy(copy, text, cut);
        ck_assert_msg(!snapshot_decode(copy, cut, &out, &why), "prefix %zu accepted", cut);
        ck_assert_ptr_nonnull(why);
        ck_assert(out.n == 0 && out.entries == NULL);
        free(why);
        free(copy);
        if (cut % 7 == 0 || cut + 16 > len) { /* and through the file path */
            write_file(path, text, cut, 0600);
            ck_assert(!snapshot_load(path, &out, &why));
            ck_assert_ptr_nonnull(why);
            ck_assert(out.n == 0 && out.entries == NULL);
            free(why);
        }
    }
    write_file(path, text, len, 0600);
    char *why = NULL;
    ck_assert_msg(snapshot_load(path, &out, &why), "%s", why);
    same_entries(&s, &out);
    snapshot_done(&out);
    free(path);
    free(text);
    snapshot_done(&s);
}
END_TEST

static bool has_tmp_file(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    bool found = false;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        found |= strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return found;
}

START_TEST(save_and_load)
{
    struct snapshot s, out;
    struct stat st;
    char *why = NULL;
    char *dir = in_tmp("cache/batchtop"), *path = in_tmp("cache/batchtop/x.json");
    sample(&s, "https://api.example.com");
    ck_assert_msg(snapshot_save(path, &s, &why), "%s", why);
    ck_assert_int_eq(lstat(dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert(!has_tmp_file(dir));
    ck_assert_msg(snapshot_load(path, &out, &why), "%s", why);
    same_entries(&s, &out);
    snapshot_done(&out);

    /* atomic replace: the second save is what loads */
    batch_done(&s.entries[2].batch);
    free(s.entries[2].directory_name);
    s.n = 2;
    s.entries[0].files_done = 7;
    s.saved_ms += 1000;
    ck_assert_msg(snapshot_save(path, &s, &why), "%s", why);
    ck_assert(!has_tmp_file(dir));
    ck_assert_msg(snapshot_load(path, &out, &why), "%s", why);
    same_entries(&s, &out);
    ck_assert_int_eq(out.saved_ms, s.saved_ms);
    snapshot_done(&out);

    /* a directory others could read is tightened */
    ck_assert_int_eq(chmod(dir, 0755), 0);
    ck_assert_msg(snapshot_save(path, &s, &why), "%s", why);
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);

    /* a file others may write is refused */
    ck_assert_int_eq(chmod(path, 0666), 0);
    ck_assert(!snapshot_load(path, &out, &why));
    ck_assert_ptr_nonnull(strstr(why, "writable"));
    free(why);

    /* no file: errno says so, for a quiet cold start */
    char *none = in_tmp("cache/batchtop/none.json");
    ck_assert(!snapshot_load(none, &out, &why));
    ck_assert_int_eq(errno, ENOENT);
    free(why);
    free(none);
    free(dir);
    free(path);
    snapshot_done(&s);
}
END_TEST

START_TEST(symlinks_refused)
{
    struct snapshot s, out;
    char *why = NULL;
    char *target = in_tmp("target"), *link = in_tmp("link.json");
    char *real = in_tmp("real"), *linkdir = in_tmp("linkdir"), *via = in_tmp("linkdir/x.json");
    sample(&s, "https://api.example.com");
    write_file(target, "keep", 4, 0600);
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert(!snapshot_load(link, &out, &why));
    ck_assert_ptr_nonnull(strstr(why, "symbolic link"));
    free(why);
    ck_assert(!snapshot_save(link, &s, &why));
    ck_assert_ptr_nonnull(strstr(why, "symbolic link"));
    free(why);
    size_t len;
    char *kept = read_all(target, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_mem_eq(kept, "keep", 4);
    free(kept);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert(!has_tmp_file(tmpdir));

    /* the cache directory itself a symlink: refused, nothing written through it */
    ck_assert_int_eq(mkdir(real, 0700), 0);
    ck_assert_int_eq(symlink(real, linkdir), 0);
    ck_assert(!snapshot_save(via, &s, &why));
    ck_assert_ptr_nonnull(why);
    free(why);
    DIR *d = opendir(real);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(entries, 0);
    free(target);
    free(link);
    free(real);
    free(linkdir);
    free(via);
    snapshot_done(&s);
}
END_TEST

START_TEST(oversize_refused)
{
    struct snapshot out;
    char *why = NULL;
    char *path = in_tmp("big.json");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)SNAPSHOT_MAX_BYTES + 1), 0); /* sparse */
    close(fd);
    ck_assert(!snapshot_load(path, &out, &why));
    ck_assert_ptr_nonnull(strstr(why, "at most"));
    free(why);
    ck_assert(!snapshot_decode("{}", (size_t)SNAPSHOT_MAX_BYTES + 1, &out, &why));
    ck_assert_ptr_nonnull(strstr(why, "at most"));
    free(why);
    free(path);
}
END_TEST

START_TEST(never_the_key)
{
    struct snapshot s;
    size_t len;
    const char *endpoints[] = {"https://user:llx-secret@api.example.com",
                               "https://llx-secret@api.example.com/",
                               "https://user:llx/x/llx-secret@api.example.com"};
    for (size_t i = 0; i < sizeof endpoints / sizeof *endpoints; i++) {
        sample(&s, endpoints[i]);
        char *text = snapshot_encode(&s, &len);
        ck_assert_ptr_null(memmem(text, len, "llx-secret", 10));
        ck_assert_ptr_null(memmem(text, len, "@", 1));
        free(text);
        char *why = NULL, *path = in_tmp("k.json");
        ck_assert_msg(snapshot_save(path, &s, &why), "%s", why);
        text = read_all(path, &len);
        ck_assert_ptr_nonnull(memmem(text, len, "api.example.com", 15));
        ck_assert_ptr_null(memmem(text, len, "llx-secret", 10));
        free(text);
        free(path);
        snapshot_done(&s);
    }
}
END_TEST

/* More than SNAPSHOT_MAX_BATCHES: the newest are kept, in the caller's order. */
START_TEST(bounded_by_count)
{
    struct snapshot s = {0}, out;
    size_t n = SNAPSHOT_MAX_BATCHES + 2, len;
    s.endpoint = xstrdup("https://h");
    s.entries = xcalloc(n, sizeof *s.entries);
    s.n = n;
    for (size_t i = 0; i < n; i++) {
        struct batch *b = &s.entries[i].batch;
        b->id = xasprintf("bat-%06zu", i);
        b->status = BATCH_COMPLETED;
        /* entry 1 is the oldest, entry 0 has no time: both go */
        b->created_ms = i == 0 ? -1 : 1700000000000LL + (int64_t)i * 1000;
        if (i > 0)
            b->created_at = xasprintf("%lld", (long long)b->created_ms); /* not ISO: text only */
        s.entries[i].files_done = s.entries[i].files_total = -1;
    }
    char *text = snapshot_encode(&s, &len), *why = NULL;
    ck_assert_msg(snapshot_decode(text, len, &out, &why), "%s", why);
    ck_assert_uint_eq(out.n, SNAPSHOT_MAX_BATCHES);
    ck_assert_str_eq(out.entries[0].batch.id, "bat-000002");
    char *last = xasprintf("bat-%06zu", n - 1);
    ck_assert_str_eq(out.entries[out.n - 1].batch.id, last);
    free(last);
    snapshot_done(&out);
    free(text);
    snapshot_done(&s);
}
END_TEST

/* A document over SNAPSHOT_MAX_BYTES keeps as many of the newest as fit. */
START_TEST(bounded_by_size)
{
    struct snapshot s = {0}, out;
    size_t n = 9, len, big = SNAPSHOT_MAX_BYTES / 8;
    s.endpoint = xstrdup("https://h");
    s.entries = xcalloc(n, sizeof *s.entries);
    s.n = n;
    for (size_t i = 0; i < n; i++) {
        struct snapshot_entry *e = &s.entries[i];
        e->batch.id = xasprintf("bat-%zu", i);
        e->batch.status = BATCH_COMPLETED;
        e->batch.created_ms = (int64_t)(n - i); /* newest first */
        e->directory_name = xmalloc(big + 1);
        memset(e->directory_name, 'a', big);
        e->directory_name[big] = '\0';
        e->files_done = e->files_total = -1;
    }
    char *text = snapshot_encode(&s, &len), *why = NULL;
    ck_assert_uint_le(len, SNAPSHOT_MAX_BYTES);
    ck_assert_msg(snapshot_decode(text, len, &out, &why), "%s", why);
    ck_assert_uint_eq(out.n, 7); /* 7 eighths and a little fit, 8 do not */
    ck_assert_str_eq(out.entries[0].batch.id, "bat-0");
    ck_assert_str_eq(out.entries[6].batch.id, "bat-6");
    snapshot_done(&out);
    free(text);
    snapshot_done(&s);
}
END_TEST

/* The header's seed: what a warm start sends before the batches are decoded. */
START_TEST(peek_gives_the_seed)
{
    struct snapshot s, h, d;
    char *why = NULL;
    size_t len;
    sample(&s, "https://api.example.com");
    char *text = snapshot_encode(&s, &len);
    ck_assert_msg(snapshot_peek(text, len, &h, &why), "%s", why);
    same_str(h.endpoint, "https://api.example.com");
    same_str(h.project_id, "prj-1");
    ck_assert_int_eq(h.saved_ms, SAVED_MS);
    ck_assert_uint_eq(h.n, 0); /* no entries from a peek */
    /* the newest (bat-2, 22:00Z on the 28th) and every batch that can change (bat-3
     * RUNNING); bat-1 is COMPLETED and older, so not in it */
    ck_assert(h.has_seed);
    ck_assert_uint_eq(h.n_seed, 2);
    same_str(h.seed[0].id, "bat-2");
    same_str(h.seed[1].id, "bat-3");
    ck_assert_int_eq(h.seed[1].status, BATCH_RUNNING);
    /* the whole decode agrees */
    ck_assert(snapshot_decode(text, len, &d, &why));
    ck_assert_uint_eq(d.n_seed, 2);
    same_str(d.seed[0].id, "bat-2");
    snapshot_done(&d);
    /* a file cut inside the batches: the header still peeks, the decode refuses it (the
     * caller then starts over with a full list) */
    const char *batches = strstr(text, ",\"batches\":[");
    ck_assert_ptr_nonnull(batches);
    size_t cut = (size_t)(batches - text) + 20;
    snapshot_done(&h);
    ck_assert(snapshot_peek(text, cut, &h, NULL));
    ck_assert(!snapshot_decode(text, cut, &d, &why));
    free(why);
    snapshot_done(&h);
    /* an older file without a seed decodes, and says it has none */
    char *old = xstrdup(text);
    char *seed = strstr(old, ",\"seed\":[");
    ck_assert_ptr_nonnull(seed);
    memmove(seed, batches - text + old, strlen(batches - text + old) + 1);
    ck_assert_msg(snapshot_decode(old, strlen(old), &d, &why), "%s", why);
    ck_assert(!d.has_seed);
    ck_assert_uint_eq(d.n, 3);
    snapshot_done(&d);
    /* not our header: refused */
    const char *foreign = "{\"format\":\"x\",\"batches\":[]}";
    ck_assert(!snapshot_peek(foreign, strlen(foreign), &h, &why));
    free(why);
    free(old);
    free(text);
    snapshot_done(&s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *t = tcase_create("format");
    tcase_add_test(t, round_trip);
    tcase_add_test(t, peek_gives_the_seed);
    tcase_add_test(t, matches_and_path);
    tcase_add_test(t, refusals);
    tcase_add_test(t, never_the_key);
    tcase_add_unchecked_fixture(t, tmp_setup, tmp_teardown);
    suite_add_tcase(s, t);
    t = tcase_create("files");
    tcase_add_unchecked_fixture(t, tmp_setup, tmp_teardown);
    tcase_add_test(t, truncated_everywhere);
    tcase_add_test(t, save_and_load);
    tcase_add_test(t, symlinks_refused);
    tcase_add_test(t, oversize_refused);
    suite_add_tcase(s, t);
    t = tcase_create("bounds");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, bounded_by_count);
    tcase_add_test(t, bounded_by_size);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
