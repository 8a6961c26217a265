/* localsrc.h -- a local folder (or glob) as the source of a new batch: what to upload. */
#ifndef MODEL_LOCALSRC_H
#define MODEL_LOCALSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Issue 17. The form's source field and `batchtop create --from PATH` take a local path: a
 * folder (walked recursively), one file, or a glob (glob(3): *.pdf in scans, say; matched
 * files only). Nothing here talks to the network or hashes anything: it lists what would be
 * uploaded, and why anything else is left out, so the operator can be told before a byte goes.
 */

/* batchtop's own per-file limit (the API publishes none); a bigger file is a problem. */
#define LOCALSRC_MAX_FILE_BYTES ((int64_t)100 * 1024 * 1024)
/* The API's limit of files per batch: more is said before anything is uploaded. */
#define LOCALSRC_MAX_FILES 1000

struct local_file {
    char *path;         /* as open(2) takes it (the spec's prefix kept) */
    char *display_name; /* the path relative to the folder (or the glob's directory), '/' */
    int64_t size;       /* bytes at scan time */
    int64_t mtime_s;    /* st_mtime at scan time */
};

/* A file (or folder) left out, and why: "permission denied", "symbolic link loop",
 * "larger than 100 MiB (123.4 MiB)", "not a regular file". */
struct local_problem {
    char *path;
    char *reason;
};

struct local_scan {
    char *root;               /* the folder the display names are relative to */
    char *root_name;          /* its last component ("scans"), for the directory's name */
    struct local_file *files; /* sorted by display_name (bytewise) */
    size_t n_files;
    int64_t bytes_total;
    struct local_problem *problems;
    size_t n_problems;
    size_t hidden_skipped; /* dot-files and dot-folders left out (not problems) */
};

/* Does a source field's text name a local path rather than a directory ID? Text that starts
 * with "dir-" is an ID unless it names a file or folder that exists (or a glob that matches
 * one); "./dir-…" is always local. Any other text is a local path. Empty text: false. */
bool localsrc_is_local(const char *text);

/* Scan spec (a folder, a file or a glob; a leading "~/" is $HOME). include_hidden: dot-files
 * too. Symbolic links to files are followed, to folders too but a loop is a problem, never
 * followed twice. Returns 0, or -1 with *err (caller frees: "no such file or folder: x",
 * "nothing matches <the glob>") when nothing could be scanned at all. An empty folder is
 * 0 with n_files 0: the caller says so. */
int localsrc_scan(const char *spec, bool include_hidden, struct local_scan *out, char **err);
void local_scan_done(struct local_scan *s);

/* The default directory name: "<root_name> <YYYY-MM-DD>" (local date of now). Caller frees. */
char *localsrc_default_name(const struct local_scan *s, time_t now);

/* Complete a path being typed (F2 in the form): the entries of its folder whose names start
 * with its last component (dot-entries only when that starts with '.'), at most 1,000.
 * Returns the new text (caller frees): text + the rest of the one match ('/' after a folder),
 * else + the longest common prefix of the matches; *matches gets their names (folders end in
 * '/', sorted; free with localsrc_matches_free), NULL and 0 when none. */
char *localsrc_complete(const char *text, char ***matches, size_t *n_matches);
void localsrc_matches_free(char **matches, size_t n);

void local_file_copy(struct local_file *dst, const struct local_file *src);
void local_file_done(struct local_file *f);

#endif
