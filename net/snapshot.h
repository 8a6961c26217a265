/* snapshot.h -- the batch-list cache file: its format, its name, and safe load and save. */
#ifndef NET_SNAPSHOT_H
#define NET_SNAPSHOT_H

/*
 * At start the batch list is drawn from the last snapshot of the same endpoint + project +
 * organization, marked "cached HH:MM", until the first answer replaces it (DESIGN.md, issue
 * 13). A file is one JSON document (no trailing newline, so no proper prefix is valid):
 *
 *   {"format":"batchtop-snapshot","version":1,
 *    "endpoint":"https://api.cloud.llamaindex.ai","project_id":"prj-1","organization_id":null,
 *    "saved_at":"2026-11-28T14:02:07.117Z",
 *    "seed":[{"id":"bat-9",...,"status":"RUNNING",...}],
 *    "batches":[{"id":"bat-1","project_id":"prj-1","source_directory_id":"dir-1",
 *                "status":"COMPLETED","created_at":"…","updated_at":"…",
 *                "config":{"job":{"type":"parse_v2","configuration_id":"cfg-1"}},
 *                "batchtop":{"directory_name":"invoices","files_done":20,"files_total":20,
 *                            "credits":120.5,"credits_partial":false,
 *                            "resubmit_of":null,"resubmitted_as":"bat-7"}}]}
 *
 * Batches use the API's field names and are checked by decode.c's own batch decoder; a null
 * in "batchtop" means unknown. The key is never written: the struct has no field for it and
 * the endpoint is stored without any "user:password@". Anything wrong -- not JSON, truncated,
 * another format or version, a batch that fails the API checks -- refuses the whole file with
 * one line in *why, so the caller shows nothing from it rather than a wrong list; the caller
 * also refuses a file saved for another endpoint/project/organization (snapshot_matches).
 *
 * Bounds: a file is at most SNAPSHOT_MAX_BYTES and holds at most SNAPSHOT_MAX_BATCHES
 * batches. snapshot_encode keeps the newest batches by created_at (unparsable times count as
 * oldest): at most SNAPSHOT_MAX_BATCHES of them, and only as many as fit in
 * SNAPSHOT_MAX_BYTES; the decoder refuses anything bigger. Why these numbers: the file only
 * fills the screen until the first answer (the full list is fetched anyway), 20,000 batches
 * are a 9 MB file, and the decoded entries take about 1 KB a batch. Decoding checks the whole
 * document with jsonexact.c's strict lexer, then parses one batch at a time with json-c (a
 * tree of the whole file was ~5 KB a batch and most of a warm start's time). One file per
 * endpoint + project + organization, so the directory grows only with the projects used.
 *
 * Pure parts (encode, decode, matches, path) touch no files. Threads: json-c is only used
 * here and in decode.c, by whichever one thread calls these.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/objects.h"

#define SNAPSHOT_FORMAT "batchtop-snapshot"
#define SNAPSHOT_VERSION 1
#define SNAPSHOT_MAX_BYTES (16u * 1024 * 1024)
#define SNAPSHOT_MAX_BATCHES 20000

/* One batch of the list and what is known about it beyond the API's batch object. */
struct snapshot_entry {
    struct batch batch;           /* no results (has_results false); owned */
    char *directory_name;         /* NULL when unknown; owned */
    long files_done, files_total; /* -1 when unknown */
    bool credits_known;
    bool credits_partial;
    double credits;
    char *resubmit_of;            /* batchtop's resubmit links (store.h); NULL: none; owned */
    char *resubmitted_as;
};

/* Everything owned by the struct; snapshot_done frees it and leaves it zeroed. */
struct snapshot {
    char *endpoint;        /* base URL as configured, with any user:password@ removed (a
                              decoded one also has no trailing '/') */
    char *project_id;      /* NULL when none */
    char *organization_id; /* NULL when none */
    int64_t saved_ms;      /* epoch ms when written */
    /* "seed": what a delta refresh starts from (every batch of the file that can still
     * change, and the newest), written before the batches; has_seed false for a file
     * without it (then take them from the entries) */
    bool has_seed;
    struct batch *seed;
    size_t n_seed;
    struct snapshot_entry *entries;
    size_t n;
};

void snapshot_done(struct snapshot *s);

/* ---- identity ---- */

/* The file for this endpoint + project + organization: $XDG_CACHE_HOME/batchtop/<name> when
 * XDG_CACHE_HOME is an absolute path, else $HOME/.cache/batchtop/<name>, where <name> is the
 * FNV-1a 64-bit hash (16 hex digits) of the three, as snapshot_matches compares them, plus
 * ".json". Fresh string, or NULL when there is no usable HOME. */
char *snapshot_path(const char *endpoint, const char *project_id, const char *organization_id);
/* True when s was saved for this endpoint + project + organization: endpoints compared
 * without userinfo and trailing '/', and NULL and "" are the same "none". */
bool snapshot_matches(const struct snapshot *s, const char *endpoint, const char *project_id,
                      const char *organization_id);

/* ---- the document (pure) ---- */

/* The JSON document for s (the endpoint stripped of userinfo whatever s holds), bounded as
 * above; fresh string of *len bytes (NUL-terminated too), caller frees. */
char *snapshot_encode(const struct snapshot *s, size_t *len);
/* Parse buf[0..len) into *out (zeroed on failure; free with snapshot_done on success).
 * False with *why (one line, caller frees; why may be NULL) on anything but a whole, valid
 * document of this format and version. */
bool snapshot_decode(const char *buf, size_t len, struct snapshot *out, char **why);
/* Only the header of buf[0..len): endpoint, project, organization, saved_at and the seed, no
 * entries -- a few milliseconds, so a warm start can send its delta refresh while the batches
 * are decoded. A file that passes may still be refused by snapshot_decode (truncated, a bad
 * batch); the caller must be ready to start over. */
bool snapshot_peek(const char *buf, size_t len, struct snapshot *out, char **why);

/* ---- files ---- */

/* Write s to path atomically: the directory is created 0700 when missing (parents too), a
 * directory or file that is a symlink or not the user's is refused, <path>.tmp.<pid> is
 * written 0600, fsynced and renamed over path, then the directory is fsynced. False with
 * *why (caller frees) on any failure, leaving no temporary file. */
bool snapshot_save(const char *path, const struct snapshot *s, char **why);
/* Read and decode path. Refuses a symlink, anything but a regular file owned by the user,
 * a file others may write, and a file over SNAPSHOT_MAX_BYTES (reading at most that much).
 * False with *why (caller frees; it does not name the path) on any failure, *out zeroed;
 * errno is then ENOENT only when there is no file at all (a cold start, not worth a message). */
bool snapshot_load(const char *path, struct snapshot *out, char **why);
/* The file-reading half of snapshot_load, with the same refusals: *text (caller frees) of
 * *len bytes. */
bool snapshot_read(const char *path, char **text, size_t *len, char **why);

#endif
