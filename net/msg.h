/* msg.h -- the UI thread / network thread contract: commands in, messages out. */
#ifndef NET_MSG_H
#define NET_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/counts.h"
#include "model/localsrc.h"
#include "model/objects.h"

/*
 * Ownership: the producer allocates, the consumer frees.
 * - A struct net_cmd is made by net_cmd_new(), filled by the UI, and handed to net_submit(),
 *   which takes it; the UI never touches it again.
 * - A struct net_msg is made by the net thread and handed over through net_take_messages();
 *   from then on it belongs to the UI thread, which frees it with net_msg_free().
 * Messages carry only model structs and plain strings: never a json_object, never a CURL *.
 * No message or error text ever contains the API key.
 */

/* Connection state shown in the header. */
enum net_conn {
    NET_CONN_CONNECTING,     /* nothing answered yet */
    NET_CONN_ONLINE,         /* the last request got an answer */
    NET_CONN_RETRYING,       /* a read failed and will be retried (retry_in_ms) */
    NET_CONN_OFFLINE,        /* retries exhausted; the next interval tries again */
    NET_CONN_UNAUTHORIZED,   /* 401: the key was refused */
};

/* An error in one readable line. */
struct net_error {
    int http_status;         /* 0 for transport errors (timeout, refused, reset, malformed) */
    char *message;           /* e.g. "config.job.type: value is not a valid enumeration member" */
    char *field;             /* 422 only: the body path it names ("config.job.type"); else NULL */
};

enum net_cmd_type {
    NET_CMD_WATCH_LIST,      /* load every page now, then keep the list live (delta refreshes);
                                source_directory_id, when set, is a server-side filter */
    NET_CMD_REFRESH,         /* refresh now: every page of the list, and the open batch */
    NET_CMD_PAUSE,           /* stop scheduled refreshes (commands still run) */
    NET_CMD_RESUME,
    NET_CMD_SET_INTERVAL,    /* interval_s (floor 2) */
    NET_CMD_WATCH_BATCH,     /* id = batch to keep live; id NULL stops watching */
    NET_CMD_FETCH_OUTPUT,    /* id = job ID, job_type */
    NET_CMD_CREATE,          /* source_directory_id, job_type, configuration_id */
    NET_CMD_FIND_CREATED,    /* look again for an unknown-outcome create: the same three fields
                                plus since (the created_at lower bound the first try used) */
    NET_CMD_CANCEL,          /* id = batch ID */
    NET_CMD_LIST_DIRECTORIES,/* every page, for the picker */
    NET_CMD_LIST_CONFIGS,    /* job_type: configurations of that product type, every page */
    NET_CMD_RESUBMIT,        /* id = the original batch; name = the new directory's name;
                                files/n_files: the directory files to run again (their file_id
                                and display_name are used); job_type, configuration_id. Finds the
                                directory by name or creates it, adds the files it lacks (by
                                file_id), then creates the batch over it, reconciled like CREATE;
                                a batch already over that directory ends it (already_finished).
                                Never a duplicate directory, file entry or batch. Progress comes
                                as NET_MSG_RESUBMIT_PROGRESS, the end as NET_MSG_RESUBMITTED. */
    NET_CMD_WANT_COUNTS,     /* ids/n_ids: the batches whose counts the list shows now (the rows
                                in view whose counts are not final), most wanted first (active
                                batches first); replaces the previous set; none stops. Sent when
                                that set changes, not every frame. Answers: NET_MSG_COUNTS */
    NET_CMD_UPLOAD,          /* issue 17. name: the directory's name; ephemeral: its type (else
                                user); locals/n_locals: the local files (model/localsrc.h);
                                job_type, configuration_id; no_batch: stop once uploaded. Step by
                                step like RESUBMIT and as safe to repeat: find the directory by
                                name or create it; a batch already over it ends the command
                                (already_finished, that batch); list its files (unique_id); hash
                                each local file (SHA-256 hex, a slice at a time between transfers,
                                never a whole file in memory) and upload those whose unique_id it
                                lacks (POST .../files/upload, multipart upload_file streamed from
                                disk, display_name, unique_id), a few at once and at most 50
                                started per 5 s; then create the batch, reconciled like CREATE.
                                Progress: NET_MSG_UPLOAD_PROGRESS; each file's end:
                                NET_MSG_UPLOAD_FILE; the end: NET_MSG_UPLOADED. */
};

struct net_cmd {
    enum net_cmd_type type;
    uint64_t req;                 /* set by net_submit; answers carry it */
    char *id;                     /* owned */
    char *source_directory_id;    /* owned */
    char *configuration_id;       /* owned */
    char *since;                  /* owned; FIND_CREATED */
    enum job_type job_type;
    int interval_s;
    /* WATCH_LIST from a snapshot: the batches it holds (owned). The list starts from them
     * with a delta refresh instead of a full one; full_after asks a full relist after it. */
    struct batch *batches;
    size_t n_batches;
    bool full_after;
    /* WATCH_LIST: the consumer takes the list page by page and keeps what it wants (a command
     * line printing it). Each batch of a full listing comes once, in the LIST_PAGE of the page
     * it was first on, sent as soon as that page is decoded (its rows moved, never copied);
     * the thread keeps no generation, so the closing LIST_FULL carries no batches (streamed).
     * Delta refreshes afterwards work as usual. The TUI, which applies generations, never
     * sets it. */
    bool stream_only;
    /* CREATE: refuse it (nothing sent) when the directory's batches of the look-up window
     * cannot be listed first. A process that has seen no batches (the CLI) sets it: without
     * that list, a look-up after a lost answer could take an earlier batch for this one. The
     * TUI, which has seen the list, sends anyway. */
    bool create_strict;
    /* RESUBMIT (owned) */
    char *name;
    struct dir_file *files;
    size_t n_files;
    /* WANT_COUNTS (owned): batch IDs, at most the rows on screen */
    char **ids;
    size_t n_ids;
    /* UPLOAD (owned) */
    struct local_file *locals;
    size_t n_locals;
    bool ephemeral;
    bool no_batch;
};

/* Where a resubmit is (NET_MSG_RESUBMIT_PROGRESS / NET_MSG_RESUBMITTED). */
enum net_resubmit_phase {
    NET_RESUBMIT_FIND_DIR,      /* looking for the directory by name */
    NET_RESUBMIT_CREATE_DIR,    /* creating it */
    NET_RESUBMIT_LIST_FILES,    /* listing what it holds already */
    NET_RESUBMIT_ADD_FILES,     /* adding files: progress_done / progress_total */
    NET_RESUBMIT_CREATE_BATCH,  /* creating the batch (reconciled) */
    NET_RESUBMIT_DONE,
};

/* How far an upload is (NET_MSG_UPLOAD_PROGRESS, NET_MSG_UPLOADED). */
struct net_upload_progress {
    size_t files_total;          /* local files asked for */
    size_t files_hashed;
    size_t files_present;        /* found in the directory already (same unique_id): not sent */
    size_t files_sent;           /* uploaded by this command */
    size_t files_failed;         /* unreadable, refused: each had its NET_MSG_UPLOAD_FILE */
    int64_t bytes_total;
    int64_t bytes_done;          /* of files present or sent, plus bytes sent of those in flight */
    int64_t started_ms;          /* clock_now_ms() when the first upload began, 0 before */
};

/* One local file's end (NET_MSG_UPLOAD_FILE). */
enum net_upload_file_state {
    NET_UPLOAD_SENT,             /* uploaded now: files[0] is the new entry */
    NET_UPLOAD_PRESENT,          /* its unique_id was there already: files[0] is that entry */
    NET_UPLOAD_FAILED,           /* error says why (unreadable, 413, 4xx after retries...) */
};

enum net_msg_type {
    NET_MSG_STATE,           /* only the connection fields below changed */
    NET_MSG_NOTICE,          /* error.message: something the operator should know that failed
                                nothing (e.g. items of a page skipped as malformed) */
    NET_MSG_LIST_PAGE,       /* batches: one page of a full listing still under way (upserts);
                                list_loaded/list_total/list_pages say how far it is */
    NET_MSG_LIST_FULL,       /* batches: a complete generation (store_apply_generation);
                                streamed: the listing's batches all came in LIST_PAGEs
                                (net_cmd.stream_only) and this one carries none */
    NET_MSG_LIST_DELTA,      /* batches: upserts from a delta refresh */
    NET_MSG_LIST_FAILED,     /* error: the list refresh failed; keep the old data, mark it stale */
    NET_MSG_BATCH,           /* batches[0]: the watched batch, with results when known;
                                an answer whose results are those sent last in this watch
                                (the usual refresh of a big running batch) comes without
                                them (has_results false): the ones sent stand */
    NET_MSG_BATCH_FAILED,    /* error; id = batch ID */
    NET_MSG_DIR_FILES,       /* id = directory ID; files: every file of it (complete), with
                                its id, display_name, file_id and deleted_at only;
                                ok false: its file list cannot be had (e.g. 404: the directory
                                expired or was deleted), error says why; sent once per watch */
    NET_MSG_JOBS,            /* jobs: statuses of the watched batch's jobs (any subset):
                                ID, type, status, error and usage only (no name, tier or
                                times: the Batch screen does not show them); id = the batch. While the UI has not taken the queue, later
                                statuses are merged into the queued one (xfer.c msg_push), so
                                one message may hold thousands, each job at most once */
    NET_MSG_OUTPUT,          /* output: a job's output; jobs[0]: the job as that answer gave it */
    NET_MSG_OUTPUT_FAILED,   /* error; id = job ID */
    NET_MSG_CREATED,         /* create (or find-created) answer: see create_outcome */
    NET_MSG_CANCELLED,       /* ok: batches[0] as returned; else error (already_finished on 409) */
    NET_MSG_DIRECTORIES,     /* directories (ok) or error */
    NET_MSG_CONFIGS,         /* configs (ok) or error */
    NET_MSG_WATCH_ROUND,     /* id = the watched batch: one round of it (the batch, its jobs'
                                statuses) has ended; ok false when a part of it failed (a
                                BATCH_FAILED said why). The directory's names come on their own
                                (DIR_FILES). The TUI ignores it; a script waits for it. */
    NET_MSG_RESUBMIT_PROGRESS,/* id = the original batch; resubmit_phase, progress_done/_total;
                                directories[0] once the directory is known */
    NET_MSG_RESUBMITTED,     /* id = the original batch. ok: batches[0] is the new batch (or,
                                with already_finished, the batch found over the directory),
                                directories[0] its directory. !ok: error, resubmit_phase says
                                where it stopped; create_outcome/since as for CREATED when the
                                batch create's outcome is unknown */
    NET_MSG_UPLOAD_PROGRESS, /* resubmit_phase (ADD_FILES = uploading), upload; directories[0]
                                once the directory is known. At most ~10 a second, and on each
                                phase change. Hashing starts with the command, so files_hashed
                                grows during FIND_DIR and LIST_FILES too */
    NET_MSG_UPLOAD_FILE,     /* id = the local file's display_name; upload_state; files[0] (the
                                entry, when the answer held one) or error (!ok; error.message
                                is "DISPLAY_NAME: why", with the HTTP status when the server
                                refused it: "a.pdf: 413 Upload too large"); one per file and
                                command. SENT: uploaded by this command (also when a re-list
                                after an unknown outcome found it); PRESENT: the listing had its
                                unique_id before anything was sent, or the server answered 409.
                                stale_entry (with SENT): the ID of an entry of the same
                                display_name and another unique_id (the file changed since it
                                was uploaded: reported, never deleted) */
    NET_MSG_UPLOADED,        /* the end, as NET_MSG_RESUBMITTED (id NULL): ok: batches[0] the
                                batch (or, with already_finished, the one found over the
                                directory, nothing uploaded; none with no_batch), directories[0];
                                !ok: error ("upload: STEP: why"; also when no file at all could
                                be uploaded), resubmit_phase where it stopped,
                                create_outcome/since when the create is unknown. upload: the
                                final figures. Safe to send again after a failure: it resumes.
                                Also, once, a NET_MSG_NOTICE (req of the command) when the
                                directory holds entries of files not in the folder */
    NET_MSG_COUNTS,          /* id = a wanted batch; counts: its files done / total / failed and
                                whether they are final (model/counts.h; total -1: not known yet,
                                e.g. results null while it runs). One message per batch fetched */
};

enum net_create_outcome {
    NET_CREATE_OK,           /* batches[0] is the new batch */
    NET_CREATE_REFUSED,      /* the server refused it (error says why); nothing was created */
    NET_CREATE_NOT_CREATED,  /* outcome was unknown, the look-up showed it was not created */
    NET_CREATE_UNKNOWN,      /* could not tell; since holds the bound for NET_CMD_FIND_CREATED */
};

struct net_msg {
    struct net_msg *next;         /* list link used by net_take_messages */
    enum net_msg_type type;
    uint64_t req;                 /* the command answered; 0 for scheduled refreshes */
    bool ok;
    struct net_error error;       /* meaningful when !ok */
    char *id;                     /* batch / job / directory ID the message is about */

    /* Connection fields: in every message, current when it was sent. */
    enum net_conn conn;
    int64_t retry_in_ms;          /* RETRYING: when the next try goes out */
    int64_t latency_ms;           /* of the last completed request */
    unsigned requests_per_min;    /* requests sent over the last 60 s */
    int64_t updated_ms;           /* clock_now_ms() of the last successful list refresh, or 0 */
    int64_t stalled_ms;           /* >= 5000: a request has had no byte for this long (whole s) */

    struct batch *batches; size_t n_batches;
    struct job *jobs; size_t n_jobs;
    struct dir_file *files; size_t n_files;
    struct directory *directories; size_t n_directories;
    struct config *configs; size_t n_configs;
    struct job_output output;

    enum net_create_outcome create_outcome;
    char *since;                  /* CREATED/UNKNOWN: lower bound to pass back to FIND_CREATED */
    bool already_finished;        /* CANCELLED with 409 */
    size_t list_loaded;           /* LIST_PAGE: batches listed so far in this listing */
    long list_total;              /* LIST_PAGE: the server's total_size, -1 when it sent none */
    int list_pages;               /* LIST_PAGE: pages so far */
    bool streamed;                /* LIST_FULL of a stream_only listing: no batches in it */
    /* LIST_PAGE of a stream_only listing: the strings of every batch in it live in this one
     * block (owned), so the consumer frees a page with two frees, not eight per batch. Its
     * batches own nothing: read them, or batch_copy_without_results what is kept; never
     * batch_done them (net_msg_free knows). NULL in every other message. */
    char *strings;
    enum net_resubmit_phase resubmit_phase; /* RESUBMIT_PROGRESS / RESUBMITTED */
    size_t progress_done, progress_total;   /* RESUBMIT_PROGRESS */
    struct batch_counts counts;             /* COUNTS */
    struct net_upload_progress upload;      /* UPLOAD_PROGRESS, UPLOADED */
    enum net_upload_file_state upload_state;/* UPLOAD_FILE */
    char *stale_entry;                      /* UPLOAD_FILE; owned */
};

/* A zeroed command of the given type. */
struct net_cmd *net_cmd_new(enum net_cmd_type type);
void net_cmd_free(struct net_cmd *c);
/* A zeroed message (net thread side). */
struct net_msg *net_msg_new(enum net_msg_type type);
/* Free one message and everything it owns (not its successors). NULL is fine. */
void net_msg_free(struct net_msg *m);
void net_error_done(struct net_error *e);
/* The step a resubmit is at, in words for progress and error lines ("adding files"); static. */
const char *net_resubmit_phase_name(enum net_resubmit_phase phase);

#endif
