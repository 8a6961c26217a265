/* world.h -- the simulator's in-memory world: directories, configurations, batches and jobs. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

/*
 * One seeded world per process. Pre-existing batches are laid out in the past; new batches run
 * through a lifecycle computed lazily from the wall clock (no thread advances it): each batch
 * gets a per-file schedule when it is created (map offset, time PENDING, time RUNNING, outcome)
 * and world_advance() moves batches through PENDING -> THROTTLED -> RUNNING -> terminal, with at
 * most WORLD_MAX_RUNNING batches RUNNING at once. Every function here expects the caller to hold
 * the world lock (world_lock/world_unlock), and every returned pointer is borrowed from the
 * world and valid until the lock is released (the world never frees a batch while running).
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/status.h"
#include "sim/rng.h"

#define WORLD_MAX_RUNNING 4  /* a batch is THROTTLED while this many are RUNNING */
#define WORLD_MAX_FILES 1000 /* a batch may cover at most this many files (the API's limit) */
#define WORLD_BIG_MAX_FILES 200000 /* the largest --max-files (tests of big batches) */
#define WORLD_ID_SIZE 48

struct world_params {
    uint64_t seed;
    size_t directories; /* regular directories (plus "thousand" and "big-1001") */
    size_t files_per_directory;
    size_t batches;         /* pre-existing batches */
    double speed;           /* lifecycle speed factor, > 0 */
    double batch_fail_rate; /* share of new batches failing at orchestration level */
    bool hostile;           /* escape sequences in names, errors and outputs */
    bool results_null;      /* results stay null until the batch is terminal (the SDK allows it) */
    bool complete_early;    /* COMPLETED once every file is mapped; jobs go on running */
    bool throttle_jobs;     /* extract jobs spend the first half of their wait THROTTLED */
    /* issue 12: the real API's habits (sim/usage.c, sim/dirs.c) */
    int64_t billing_delay_ms; /* usage lands this long (speed applied) after a job ends */
    double failed_pages;      /* share of pages of a COMPLETED parse job that failed */
    bool no_full_output;      /* markdown_full/text_full are never returned */
    int64_t directory_ttl_s;  /* > 0: regular directories are ephemeral and expire */
    size_t delete_files;      /* a create soft-deletes the first N files of its directory */
    /* tests only (--max-files): a batch may cover this many files instead of the API's 1,000,
     * and a regular directory may hold as many; 0 means WORLD_MAX_FILES */
    size_t max_files;
    /* tests of failure triage (--map-error-rate, --job-fail-rate): the share of a new batch's
     * files that get a mapping error, and of the others whose job FAILS; each applies only
     * when its has_ flag is set, else the defaults (3% and 8% of all files) */
    bool has_map_error_rate, has_job_fail_rate;
    double map_error_rate, job_fail_rate;
};

/* What the simulator keeps of an uploaded file's bytes (sim/upload.c): never the bytes. */
struct world_upload {
    uint64_t size;
    char sha256[65]; /* lowercase hex */
};

struct world_file {
    char id[WORLD_ID_SIZE];      /* dfl-<uuid> */
    char file_id[WORLD_ID_SIZE]; /* plain uuid */
    char *name;                  /* display_name, owned */
    char *unique_id;             /* owned; NULL: the file_id (every seeded file) */
    char *metadata;              /* owned JSON object text of an add's metadata, or NULL */
    struct world_upload *upload; /* owned; NULL unless the entry came from an upload */
    int64_t created;
    int64_t deleted; /* soft-deleted from then on (epoch ms); 0 = never */
};

struct world_dir {
    char id[WORLD_ID_SIZE];   /* dir-<uuid> */
    char *name, *description; /* owned */
    int64_t created, updated;
    struct world_file *files; /* owned array; grows on add (sim/dirs.c): never keep a pointer
                                 into it past the world lock */
    size_t nfiles, cap_files;
    int64_t expires; /* ephemeral: gone from then on (epoch ms); 0 = a user directory */
};

struct world_config {
    char id[WORLD_ID_SIZE]; /* cfg-<uuid>, or "cfg-PARSE_AGENTIC" (not listed) */
    char *name;             /* owned */
    enum job_type type;
    const char *product_type; /* "parse_v2", "extract_v2", "classify_v2" (static) */
    const char *tier;         /* parse or extract tier, or NULL (static) */
    int version;              /* a seeded draw 1..4: odd pins "latest", even a dated version */
    int64_t created, updated;
    bool listed;
};

enum world_item_kind { WORLD_ITEM_OK, WORLD_ITEM_JOB_FAILS, WORLD_ITEM_MAP_ERROR };

/* One directory file's fate in one batch. Offsets are real milliseconds (speed applied). */
struct world_item {
    char job_id[WORLD_ID_SIZE]; /* pjb-/ejb-<uuid>, empty for a mapping error */
    int32_t map_off;            /* from run_start until the file is mapped */
    int32_t pend, run;          /* job time PENDING, then RUNNING */
    uint32_t file;              /* index of its file in the batch's directory */
    uint8_t kind;               /* enum world_item_kind */
    uint64_t seed;              /* for its error text and output */
};

struct world_batch {
    char id[WORLD_ID_SIZE]; /* bat-<uuid> */
    size_t dir, config;     /* indexes into the world's arrays */
    enum job_type type;
    int64_t created, ready;   /* ready: PENDING ends */
    int64_t run_start;        /* -1 until RUNNING */
    int64_t cancel_at;        /* -1 unless cancel was requested */
    int64_t fail_at;          /* -1 unless the orchestration fails (then absolute, once run) */
    double fail_frac;         /* < 0: never fails; else share of the natural run */
    int64_t natural_end;      /* ms from run_start until every item is terminal */
    int64_t map_end;          /* ms from run_start until every item is mapped */
    int64_t end;              /* absolute end, -1 until known */
    bool throttled;           /* waited for a slot (ready < run_start) */
    enum batch_status status; /* as of the last world_advance */
    int64_t updated;
    bool terminal;
    struct world_item *items; /* owned, one per directory file */
    size_t nitems;
};

/* Observable state of one item at a time t. */
struct world_item_state {
    bool mapped;  /* present in results */
    bool has_job; /* mapped with a job (not a mapping error) */
    enum job_status status;
    int64_t created, updated; /* job times (created = mapped) */
};

struct world {
    pthread_mutex_t lock;
    struct world_params params;
    struct rng rng; /* runtime draws (new batches) */
    char project_id[WORLD_ID_SIZE];
    int64_t started;
    struct world_dir *dirs; /* grows on create (sim/dirs.c): batches hold indexes, and a
                               pointer into it is valid only until the world lock is released */
    size_t ndirs, cap_dirs;
    struct world_config *configs;
    size_t nconfigs;
    struct world_batch **batches; /* sorted by created ascending, strictly increasing */
    size_t nbatches, cap_batches;
    size_t *active; /* indexes of non-terminal batches */
    size_t nactive, cap_active;
    struct world_index *batch_index, *job_index; /* private hash tables */
};

/* ---- lifecycle ---- */

/* Build the seeded world as of now_ms. Never NULL. */
struct world *world_new(const struct world_params *p, int64_t now_ms);
void world_free(struct world *w);
void world_lock(struct world *w);
void world_unlock(struct world *w);
/* Move every active batch to its state at now. */
void world_advance(struct world *w, int64_t now);

/* ---- lookups (NULL / -1 when unknown) ---- */

struct world_batch *world_find_batch(struct world *w, const char *id);
/* The batch and item index of a job ID (either type). */
struct world_batch *world_find_job(struct world *w, const char *id, size_t *item);
struct world_dir *world_find_dir(struct world *w, const char *id);
struct world_config *world_find_config(struct world *w, const char *id);
/* Index of the first batch created at or after ms (binary search). */
size_t world_batch_lower_bound(const struct world *w, int64_t ms);

/* ---- state ---- */

/* The state of item i of b at time t (t <= now of the last world_advance). */
void world_item_state(const struct world *w, const struct world_batch *b, size_t i, int64_t t,
                      struct world_item_state *st);
/* How many items are mapped at t (0 means results is null). */
size_t world_mapped_count(const struct world_batch *b, int64_t t);
/* Error text of a job (FAILED) or a mapping error; freshly allocated, NULL if none. */
char *world_item_error(const struct world *w, const struct world_batch *b, size_t i);

/* ---- changes ---- */

/* A new batch as of now (PENDING) over the directory's files not deleted at now; the caller
 * validated dir and config. */
struct world_batch *world_create_batch(struct world *w, size_t dir, size_t config, int64_t now);
/* Request cancellation; false when the batch is already terminal. */
bool world_cancel_batch(struct world *w, struct world_batch *b, int64_t now);

#endif
