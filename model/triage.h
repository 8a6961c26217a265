/* triage.h -- failed files grouped by their normalised error, for the Batch screen's panel. */
#ifndef MODEL_TRIAGE_H
#define MODEL_TRIAGE_H

/*
 * "What failed, and why?" A batch of 1,000 files with 30 failures usually has two or three
 * causes, each worded with its own page number, job ID or path. triage_normalize collapses
 * what varies from file to file (IDs, numbers, quoted strings, paths) to placeholders, so the
 * messages of one cause share one key; a struct triage counts failed rows by kind and key (a
 * hash by key), row by row as the batch detail changes them (detail_triage), or all at once
 * (triage_build), and sorts the groups largest first only after counts changed. Mapping errors
 * (the file never got a job: results[].error_message) and job failures (the job's status is
 * FAILED) are kinds of their own and never share a group. Pure: no curses, no I/O. Owned by the
 * UI thread.
 */

#include <stdbool.h>
#include <stddef.h>

#include "model/detail.h"
#include "model/strmap.h"

/* A normalised key is cut at this many bytes (a stack trace groups by its first lines). */
#define TRIAGE_KEY_MAX 240
/* Room for a group ID: kind name, ':', key, NUL. */
#define TRIAGE_ID_SIZE (TRIAGE_KEY_MAX + 8)

enum triage_kind {
    TRIAGE_MAP, /* a mapping error: the file never got a job */
    TRIAGE_JOB, /* the file's job FAILED */
};

/* ---- normalising ---- */

/*
 * The key of msg into out (len bytes, always terminated when len > 0): runs of white space and
 * control characters become one space, trimmed; a quoted string ('…', "…", `…`) becomes
 * <str>; a path (a word starting with /, ./, ../ or ~/, holding a backslash, or holding a
 * slash and a letter) becomes <path>; an ID (a UUID, a run of 8 or more hex digits with a
 * letter and a digit, a prefixed ID like pjb-…, dfl-…, or a long word of letters and digits)
 * becomes <id>; 0x-hex numbers and runs of digits (with inner . or ,) become N. Text
 * with none of these is kept as is. NULL or empty msg gives "(no message)". Returns
 * strlen(out).
 */
size_t triage_normalize(const char *msg, char *out, size_t len);

/* "map" or "job". */
const char *triage_kind_name(enum triage_kind kind);

/* Whether row r failed, and how: its kind and its message (borrowed from r; NULL when the
 * job failed without one). */
bool triage_row_failure(const struct detail_row *r, enum triage_kind *kind, const char **msg);

/* The group ID of a failed row ("job:page N timed out") into out (TRIAGE_ID_SIZE bytes);
 * false (out empty) when the row did not fail. */
bool triage_row_group(const struct detail_row *r, char *out, size_t len);

/* ---- grouping ---- */

struct triage_group {
    enum triage_kind kind;
    char *id;        /* "kind:key", as triage_row_group gives it */
    const char *key; /* the normalised message: inside id */
    char *example;   /* the first message counted in the group, exact (sanitize before
                        drawing); NULL when the job gave none */
    size_t count;    /* failed rows in the group now */
    size_t seq;      /* the order groups were first seen in (ties: first seen first) */
    size_t view_pos; /* private: the group's index in groups[] after triage_sort */
};

/*
 * The failed rows of one batch, counted by group as rows come and go (triage_count), so an
 * update costs what it changes: the detail counts each failed row in when it is added or
 * changed and out before, like its other counters. Embedded (triage_init / triage_done).
 * Read groups[] after triage_sort; its strings stay valid until the next triage_count,
 * triage_clear or triage_done.
 */
struct triage {
    struct triage_group *groups; /* groups with files, largest first; ties: mapping errors
                                    first, then the group seen first. Strings borrowed from
                                    all[]. Valid after triage_sort. */
    size_t n_groups;
    size_t failed; /* failed rows counted */
    size_t map_failed, job_failed;
    /* private */
    struct triage_group *all; /* every group seen since the last clear (owns the strings) */
    size_t n_all, cap_all, cap_groups;
    struct strmap index; /* group ID -> index in all[] */
    bool dirty;          /* counts changed since the last sort */
};

void triage_init(struct triage *t);
void triage_done(struct triage *t);
/* No rows counted, no groups. */
void triage_clear(struct triage *t);

/* Count row r in (sign > 0) or out (sign < 0) of its group; a row that did not fail counts
 * nowhere. Counting out must see the row as it was counted in. One normalisation and one
 * hash lookup. */
void triage_count(struct triage *t, const struct detail_row *r, int sign);
/* Every failed row of d counted afresh (one pass over the rows), then sorted. */
void triage_build(struct triage *t, const struct batch_detail *d);
/* groups[] up to date: a sort of the groups when counts changed, else nothing. */
void triage_sort(struct triage *t);

/* The group with this ID among groups[] (after triage_sort), or NULL. */
const struct triage_group *triage_find(const struct triage *t, const char *id);

#endif
