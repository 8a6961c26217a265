/* internal.h -- private to net/: the thread's state and the entry points its files share. */
#ifndef NET_INTERNAL_H
#define NET_INTERNAL_H

/*
 * Everything here runs on the network thread only (STYLE rule 12), except the command queue
 * and message list in struct net, which are under n->lock. Not for use outside net/: the
 * public contract is net/net.h and net/msg.h. Which file owns which duty is in net/README.
 */

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/decode.h"
#include "model/strmap.h"
#include "net/net.h"
#include "net/url.h"

#define PAGE_SIZE 100
#define JOB_CHUNK 100        /* job IDs per bulk status request */
#define MAX_READ_RETRIES 3   /* then OFFLINE until the next interval */
#define MAX_CREATE_RETRIES 3 /* for answers that prove nothing was created (429, refused) */
#define MAX_BODY_BYTES (64u * 1024 * 1024)
/* An error answer's body: what errbody.c may parse (ERRBODY_PARSE_MAX) and one byte more, so
 * it knows there was more; the rest is read and dropped. */
#define ERRBODY_KEEP (64u * 1024 + 1)
#define CREATE_MARGIN_MS 30000 /* how far before the send the look-up starts (server time) */
#define DEPARTED_GET_MAX 2     /* more departed batches than this: consider one range list */
#define IDLE_POLL_MS 60000
#define MAX_FIND_RECORDS 16
#define MAX_PAGES 20000  /* one list never follows more tokens than this */
#define MAX_SPARE_EASY 4 /* easy handles kept for reuse (a fresh one costs a large calloc) */

struct net;
struct xfer;
typedef void xfer_fn(struct net *n, struct xfer *x);

/* ---- one HTTP request (one try at a time; retries reuse the struct) ---- */

struct xfer {
    struct xfer *next; /* in n->active or n->waiting */
    CURL *easy;        /* while in flight */
    char *url;         /* owned */
    char *post;        /* owned body; NULL for GET */
    char *buf;         /* answer body, NUL-terminated; owned (not kept when streamed) */
    size_t len, cap;
    bool too_big;
    long body_status;  /* the HTTP status seen with the first body bytes, 0 before */
    bool body_dropped; /* an error answer's body past ERRBODY_KEEP was not kept */
    /* A batch ?expand=results decoded as it arrives (stream_batch set by the sender): a 2xx
     * body goes to bstream chunk by chunk, never to buf, and a refused one ends the transfer
     * at once (stream_refused; the done() sees it through xfer_decode_batch). */
    bool stream_batch;
    struct decode_batch_stream *bstream;
    bool stream_refused;
    char *h_retry_after, *h_retry_after_ms, *h_should_retry, *h_date;
    char errbuf[CURL_ERROR_SIZE];
    long status; /* 0: no HTTP answer */
    CURLcode code;
    int64_t sent_mono;
    int64_t data_mono; /* when its last bytes (headers or body) came; sent_mono before any */
    int64_t due; /* while waiting: when to send again */
    int attempt; /* retries made so far */
    int max_retries;
    bool no_retry_409;
    bool manual;   /* done() sees every outcome; no automatic retry */
    bool requeued; /* set by xfer_requeue inside done() */
    /* A body other than post (upload.c's multipart from disk): body_setup puts it on the
     * handle before each try (a retry starts the body again); a mime it makes goes in mime,
     * freed once the handle has let go of it (after each try, and with the xfer). */
    void (*body_setup)(struct net *n, struct xfer *x, CURL *easy);
    curl_mime *mime;
    xfer_fn *done;
    void *ctx; /* for done(); freed with ctx_free when set */
    void (*ctx_free)(void *ctx);
};

/* ---- a paginated list fetch ---- */

enum page_kind { PK_BATCHES, PK_DIRS, PK_FILES, PK_CONFIGS, PK_JOBS };

struct pager;
/* Called once at the end: ok with p->items holding every item, or !ok with err (borrowed). */
typedef void pager_fn(struct net *n, struct pager *p, bool ok, const struct net_error *err);
/* Called for each decoded page; the items are borrowed, but it may take an item's contents
 * (leaving the item zeroed). */
typedef void page_fn(struct net *n, struct pager *p, void *items, size_t count);

struct pager {
    enum page_kind kind;
    char *f_status, *f_dir, *f_after, *f_before; /* batch filters, owned */
    char *id; /* PK_FILES: directory; PK_CONFIGS: product type; PK_DIRS: name filter */
    enum job_type job_type; /* PK_JOBS */
    char **ids;             /* PK_JOBS, owned */
    size_t n_ids;
    char *token;
    void *items; /* accumulated, owned until moved out */
    size_t n, cap;
    pager_fn *finish;
    page_fn *on_page;
    bool keep_items; /* accumulate pages (false: on_page only) */
    int pages;       /* fetched so far; capped against a server that never ends */
    long total;      /* the last page's total_size, -1 when absent */
    bool one_page;    /* fetch one page only; its cursor goes to next_token */
    struct strmap tokens; /* cursors followed so far: one seen again is a list that cycles */
    char *next_token; /* one_page: the next page's cursor, NULL when the list ended there */
    uint64_t gen, req;
    void *owner; /* borrowed */
};

/* ---- persistent state of each duty ---- */

struct list_state {
    bool watching;
    bool have_full;   /* a full generation was delivered */
    bool busy;        /* a refresh is in flight */
    bool full_wanted; /* a full refresh was asked while a delta ran */
    bool full_running;
    size_t page_sent;     /* a full listing: items already sent to the UI page by page */
    int64_t page_sent_ms; /* ... and when (clock_mono_ms) */
    bool range_tried; /* this delta already listed the departed batches' range */
    bool gets_tried;  /* ... and already fetched the rest one by one */
    char *filter_dir;
    uint64_t gen; /* bumps on WATCH_LIST: late answers are dropped */
    uint64_t req;
    int pending;
    bool failed;
    struct net_error err;
    struct strmap got;    /* delta answers merged by ID: struct batch * */
    struct strmap active; /* known non-terminal batches: struct batch * */
    struct strmap gone;   /* departed batches answered 404: value unused */
    struct parlist *par;  /* a parallel full listing under way (parlist.c), or NULL */
    bool sequential;      /* full lists follow one cursor (config, or a server that ignores
                             the created_at filters) */
    bool stream;          /* WATCH_LIST's stream_only: full listings go out page by page
                             (list_stream_page) and are not kept */
    uint64_t listing;     /* the streamed listing under way: a batch whose seen record has
                             this number was sent in it already; bumps when one completes */
    size_t streamed;      /* batches sent in it so far */
    char *newest;        /* newest created_at seen (server text) */
    int64_t newest_ms;
};

struct watch_state {
    char *id; /* NULL: no batch watched */
    uint64_t gen, req;
    bool busy;
    int pending;
    bool failed;
    bool have_batch;
    struct batch batch; /* last answer, with results */
    bool live;
    bool files_sent;
    struct strmap usage_asks; /* job ID -> times its usage was asked for in this watch */
    bool usage_absent;        /* a job answer carried no usage at all: stop asking */
};

/* The list's counts (counts.c): the wanted batches, the work on them, the request budget. */
struct counts_state {
    char **want; /* batch IDs, most wanted first (owned); at most the rows on screen */
    size_t n_want;
    struct strmap entries; /* batch ID -> struct counts_entry * (wanted, or still fetching) */
    struct strmap final;   /* batch IDs whose counts are final: never fetched again */
    uint64_t round;        /* bumps each interval: every wanted batch is due once per round */
    int used;              /* requests started in this interval (the budget) */
    int busy;              /* batches being fetched now */
};

/* A terminal job as the cache keeps it: what the UI shows of a job in a batch (its status,
 * error and usage) and what decides what to fetch again, not the whole struct job (issue 14:
 * 100,000 jobs with their names, tiers and times were ~40 MB held here beside the UI's). */
struct cached_job {
    char *status_text;      /* the wire text; NULL when it is job_status_name(status) */
    char *error_message;
    double credits;
    int64_t pages_billed;
    uint64_t delivered_gen; /* the watch (watch_state.gen) it was last sent to; 0: none */
    uint8_t type;           /* enum job_type */
    uint8_t status;         /* enum job_status, terminal */
    bool has_credits;
    bool has_pages;
};

/* A cached_job made from j (copied). */
struct cached_job *cached_job_new(const struct job *j);
/* j (uninitialised) made from the cached job c with ID id: no name, tier or times. */
void cached_job_to_job(struct job *j, const char *id, const struct cached_job *c);
void cached_job_free_ptr(void *p);

struct files_entry {
    struct dir_file *files;
    size_t n;
    struct net_error gone; /* http_status 404: the directory's files cannot be listed */
};

/* The end of a create made for another duty (a resubmit): outcome as NET_MSG_CREATED's; b is
 * the batch when have_batch (the callee may take its contents, zeroing it); err when not OK
 * (borrowed); since the look-up bound (borrowed). owner is what create_enqueue_for was given. */
typedef void create_done_fn(struct net *n, uint64_t owner, enum net_create_outcome outcome,
                            struct batch *b, bool have_batch, const struct net_error *err,
                            const char *since);

struct create_job {
    struct create_job *next;
    uint64_t req;
    bool find_only;
    char *dir, *cfg;
    enum job_type type;
    char *since;
    uint64_t seq_before;
    int sends;
    int attempts;
    bool scanned; /* the directory's batches of the look-up window were listed (seen) */
    bool strict;  /* net_cmd.create_strict */
    struct net_error last_err;
    create_done_fn *on_done; /* NULL: answer with NET_MSG_CREATED */
    uint64_t owner;          /* for on_done */
};

struct find_record {
    char *dir, *cfg, *since;
    enum job_type type;
    uint64_t seq_before;
};

/* What the thread knows of a batch ID it has seen (one of n->seen_items). */
struct seen {
    uint64_t seq;       /* order of first sighting, from n->seen_seq */
    int64_t created_ms; /* its created_at */
    bool ours;          /* returned by one of our creates: never another create's */
    uint64_t listing;   /* the streamed listing that sent it last (list_state.listing) */
};

struct net {
    /* configuration (owned copies) */
    char *base_url, *api_key, *project_id, *organization_id, *custom_headers;
    int refresh_ms;
    bool no_usage;       /* net_config.no_usage */
    struct url_ctx uctx;

    /* shared with the UI thread, under lock */
    pthread_mutex_t lock;
    struct net_cmd **cmds;
    size_t n_cmds, cap_cmds;
    struct net_msg *msg_head, *msg_tail;
    uint64_t msg_takes;  /* net_take_messages calls so far: what was queued before is the UI's */
    uint64_t next_req;
    int pipe_rd, pipe_wr;
    atomic_bool stop;

    /* the thread's own */
    pthread_t thread;
    CURLM *multi;
    struct curl_slist *headers;
    struct xfer *active, *waiting;
    int64_t hold_until; /* clock_mono_ms: the server asked (Retry-After) for no request before */
    int64_t stalled_ms; /* the longest a request in flight has gone without a byte (>= 5 s) */
    bool paused;
    int64_t next_refresh; /* mono ms; 0: none scheduled */
    enum net_conn conn;
    int64_t retry_in_ms, latency_ms, updated_ms;
    int64_t *sends; /* mono times of requests over the last minute */
    size_t n_sends, cap_sends;
    int64_t server_ms, server_mono; /* last server Date and when it arrived */
    bool have_server_time;
    uint64_t seen_seq;
    struct strmap seen;               /* every batch ID ever seen -> index in seen_items */
    struct seen *seen_items;          /* n_seen used, cap_seen allocated; in order of sighting */
    size_t n_seen, cap_seen;
    struct strmap files_cache;         /* directory ID -> struct files_entry * */
    char *files_loading;              /* directory whose files are being fetched */
    struct strmap job_cache;           /* terminal jobs: job ID -> struct cached_job * */
    CURL *spare_easy[MAX_SPARE_EASY]; /* finished handles, reset, for the next requests */
    size_t n_spare_easy;
    struct list_state list;
    struct watch_state watch;
    struct counts_state counts;
    /* The queued NET_MSG_JOBS that later job statuses of the same batch are merged into
     * (msg_push): valid while merge_takes == msg_takes (the UI has not taken it). */
    struct net_msg *merge_jobs;
    uint64_t merge_takes;
    size_t merge_cap;          /* jobs allocated in merge_jobs->jobs */
    struct strmap merge_index; /* job ID -> index in merge_jobs->jobs */
    struct create_job *creates; /* queue; the head is in progress when create_busy */
    bool create_busy;
    struct find_record finds[MAX_FIND_RECORDS];
    size_t n_finds;
    struct resubmit *resubmits; /* resubmit.c: those under way (uploads too, upload.c) */
    uint64_t resubmit_seq;
    struct curl_slist *upload_headers; /* n->headers but Content-Type (upload.c), or NULL */
    unsigned rand_state;
};

/* ---- xfer.c: the transfer engine, errors, messages to the UI ---- */

void batch_free_ptr(void *p);
void job_free_ptr(void *p);
double jitter(struct net *n);
void error_set(struct net_error *e, int status, const char *message);
void error_copy(struct net_error *dst, const struct net_error *src);
void error_move(struct net_error *dst, struct net_error *src);
/* Stamp m with the connection fields and hand it to the UI. Takes m. */
void msg_push(struct net *n, struct net_msg *m);
struct net_msg *msg_new(enum net_msg_type type, uint64_t req, const char *id);
void msg_fail(struct net_msg *m, const struct net_error *e);
void xfer_free(struct xfer *x);
/* A new request for url (taken). ctx is handed to done(); ctx_free (may be NULL) frees it. */
struct xfer *xfer_new(char *url, xfer_fn *done, void *ctx, void (*ctx_free)(void *));
void xfer_send(struct net *n, struct xfer *x);
/* Send x again after delay_ms; only from inside its done() or the completion path. */
void xfer_requeue(struct net *n, struct xfer *x, int64_t delay_ms);
void conn_retrying(struct net *n, int64_t delay_ms);
/* The operator asked to refresh now: a Retry-After wait no longer holds requests back. */
void xfer_release_hold(struct net *n);
/* Note requests that have gone STALL_MS or more without a byte: the header says so. Returns
 * when to look again (ms from now), or -1 when nothing is in flight. */
int64_t xfer_watch_stalls(struct net *n);
#define STALL_MS 5000
/* A write that provably changed nothing: never connected, or answered 429. */
bool xfer_unsent(const struct xfer *x);
/* From x's done(): send such a write again after the policy's wait, counting it in *attempts;
 * false (nothing done) when it is not xfer_unsent or *attempts reached max_retries. */
bool xfer_requeue_unsent(struct net *n, struct xfer *x, int *attempts, int max_retries);
/* For a read whose 2xx body did not decode: retry like a transport error. */
bool xfer_retry_garbled(struct net *n, struct xfer *x);
bool xfer_ok(const struct xfer *x);
/* The batch of a 2xx answer to a batch GET: streamed (stream_batch) or from the body. */
bool xfer_decode_batch(struct xfer *x, struct batch *b, char **cause);
/* The error of a failed try, one readable line. */
void xfer_error(struct net *n, const struct xfer *x, struct net_error *e);
/* A 2xx body that did not decode. */
void garbled_error(struct net *n, struct net_error *e, const char *cause);
/* A read that failed for good: the connection is offline unless the server plainly refused. */
void conn_after_failure(struct net *n, const struct xfer *x);
void complete(struct net *n, CURL *easy, CURLcode code);
/* Take back a request xfer_send has just started and nobody has seen answered: its ctx is
 * detached first (the caller keeps it), then the transfer is removed and freed. */
void xfer_abort(struct net *n, struct xfer *x);

/* ---- seen.c: batch IDs seen ---- */

/* The record of batch id, or NULL; valid until the next seen_note. */
struct seen *seen_find(const struct net *n, const char *id);
/* Note a batch from any answer: recorded on its first sighting, created_ms kept current. */
void seen_note(struct net *n, const struct batch *b);
/* Forget every batch seen (at net_stop). */
void seen_free(struct net *n);

/* ---- pager.c: cursor pagination ---- */

struct pager *pager_new(enum page_kind kind, pager_fn *finish, uint64_t gen);
void pager_start(struct net *n, struct pager *p);
/* One page answered (the done() of every pager request; see pager.c). */
void pager_page_done(struct net *n, struct xfer *x);

/* ---- list.c: the batch list watcher ---- */

/* A batch reported outside the list answers (create, cancel, the open batch) and not terminal:
 * the delta refresh must follow it to its end even if no list answer ever showed it active
 * (it may finish between two intervals, and then no status list names it). */
void active_note(struct net *n, const struct batch *b);
void list_refresh_full(struct net *n, uint64_t req);
/* The end of a full listing (sequential or parallel): items taken; or its failure. */
void list_full_deliver(struct net *n, uint64_t req, struct batch *items, size_t count, bool ok,
                       const struct net_error *err);
/* The sequential full listing: one cursor from token (taken; NULL: the first page). items
 * (taken, count of them, already sent to the UI) are the rows of the pages fetched before
 * (pages of them) by a parallel listing that hands over to the cursor. */
void list_follow_cursor(struct net *n, uint64_t req, char *token, struct batch *items,
                        size_t count, int pages);
/* A streamed listing (list_state.stream): the batches of one page (taken, each left zeroed)
 * go to the UI at once, each batch once per listing. */
void list_stream_page(struct net *n, uint64_t req, struct batch *items, size_t count, long total,
                      int pages);
/* parlist.c: a full listing in parallel created_at windows; its end calls list_full_deliver,
 * or (a server that ignores the filters) starts the sequential one. */
struct parlist;
void parlist_start(struct net *n, uint64_t req);
void parlist_cancel(struct net *n);
bool parlist_xfer_stale(const struct net *n, const struct xfer *x);
void list_refresh_delta(struct net *n);
/* Start the list from a snapshot's batches (borrowed): as if a full list had brought them, so
 * the next refresh is a delta (active statuses, newer batches, the formerly active ones). */
void list_seed(struct net *n, const struct batch *b, size_t count);
/* Whether x is a request of an earlier list generation (its retry is not needed any more). */
bool list_xfer_stale(const struct net *n, const struct xfer *x);

/* ---- watch.c: the open batch watcher ---- */

void files_free_ptr(void *p);
void watch_round(struct net *n, uint64_t req, bool force_get);
void watch_set(struct net *n, const char *id, uint64_t req);
/* Whether x is a request for a batch no longer watched (its retry is not needed any more). */
bool watch_xfer_stale(const struct net *n, const struct xfer *x);
/* Shared with counts.c. Keep only the jobs p asked for (each once), freeing the others, in
 * place; returns how many are left. */
size_t jobs_keep_asked(const struct pager *p, struct job *jobs, size_t count);
/* A bulk status request (GET /api/v2/{parse,extract}?job_ids=...) for ids[0..k) (copied; at
 * most JOB_CHUNK), pages delivered to on_page and the end to finish; start it with pager_start. */
struct pager *jobs_pager_new(enum job_type type, char *const *ids, size_t k, page_fn *on_page,
                             pager_fn *finish, uint64_t gen, uint64_t req);

/* ---- counts.c: the list's counts for the rows in view ---- */

void counts_init(struct net *n);
void counts_free(struct net *n);
/* NET_CMD_WANT_COUNTS: the new wanted set (borrowed), most wanted first. */
void counts_want(struct net *n, char *const *ids, size_t count);
/* A new refresh interval: a new budget, and every wanted batch whose counts can still change
 * is due again. */
void counts_tick(struct net *n);
/* Start what the budget allows (after a resume, or when work ended). */
void counts_pump(struct net *n);
/* Whether any batch is wanted (the scheduler keeps running for it). */
bool counts_wanted(const struct net *n);

/* ---- oneshot.c: one-shot commands ---- */

void oneshot_output(struct net *n, const struct net_cmd *cmd);
void oneshot_cancel(struct net *n, const struct net_cmd *cmd);
void oneshot_directories(struct net *n, const struct net_cmd *cmd);
void oneshot_configs(struct net *n, const struct net_cmd *cmd);

/* ---- create.c: create with reconcile ---- */

void create_job_free(struct create_job *c);
void create_enqueue(struct net *n, const struct net_cmd *cmd, bool find_only);
/* A strict create (the window's batches listed first) whose end goes to on_done(owner)
 * instead of a message; req is only for the log. */
void create_enqueue_for(struct net *n, uint64_t req, const char *dir, enum job_type type,
                        const char *cfg, create_done_fn *on_done, uint64_t owner);

/* ---- resubmit.c: a directory by name, the files it lacks, a batch (RESUBMIT and UPLOAD) ----
 * One state machine for both commands (see resubmit.c): FIND_DIR, CREATE_DIR, a batch over it
 * ends it, LIST_FILES, ADD_FILES, CREATE_BATCH. What differs is the source of the files: the
 * file_ids of stored files (resubmit.c adds them) or local files (upload.c hashes and uploads
 * them; its LIST_FILES and ADD_FILES steps are its own). */

#define RS_MAX_SENDS 10    /* POSTs of one directory create or one file add / upload */
#define RS_MAX_RELISTS 16  /* listings of the directory's files after unknown adds */

enum rs_kind { RS_RESUBMIT, RS_UPLOAD };

struct rs_file {
    char *file_id, *display_name; /* owned; file_id: resubmit only */
    bool present;                 /* a live entry of the directory has it (file_id, unique_id) */
    bool in_flight;
    bool unknown; /* its last add's outcome is unknown: never resent before a re-list */
    int sends;
    /* upload only */
    char *path;       /* owned */
    int64_t size;     /* at scan time; the bytes hashed once hashed */
    char uid[65];     /* SHA-256 hex of the bytes, when hashed */
    bool hashed;
    bool failed;      /* unreadable, refused, changed: reported, never sent again */
    bool reported;    /* its NET_MSG_UPLOAD_FILE went out */
    char *stale;      /* owned: an entry of its display_name with another unique_id */
};

struct upload; /* upload.c's part of an upload: hashing, the listing, the rate window */

struct resubmit {
    struct resubmit *next;
    uint64_t seq, req;
    enum rs_kind kind;
    char *orig, *name, *cfg; /* owned; orig: resubmit only */
    enum job_type type;
    bool ephemeral, no_batch; /* upload only */
    struct rs_file *files;    /* owned, one per distinct file_id (resubmit) or local file */
    size_t n_files;
    enum net_resubmit_phase phase;
    struct directory dir; /* when have_dir */
    bool have_dir;
    int dir_sends;
    int batch_creates; /* reconciled creates (each sends at most twice) */
    size_t in_flight, cursor;
    bool relist; /* an add's outcome is unknown: list the files again before going on */
    int relists;
    bool stopping;        /* a fatal add error: no new adds; answer once those in flight end */
    struct net_error err; /* stopping: why */
    int64_t progress_mono;
    struct upload *up;   /* owned; upload only */
};

void resubmit_start(struct net *n, const struct net_cmd *cmd);
/* Forget every resubmit and upload under way (at net_stop); late answers find nothing. */
void resubmit_free_all(struct net *n);
/* Shared with upload.c. */
struct resubmit *resubmit_new(struct net *n, const struct net_cmd *cmd, enum rs_kind kind);
struct resubmit *resubmit_find(struct net *n, uint64_t seq);
/* A progress message: on a phase change (force), else at most ~10 a second. */
void resubmit_progress(struct net *n, struct resubmit *rs, bool force);
/* The end message (RESUBMITTED / UPLOADED), and rs freed. b (contents taken) may be NULL;
 * err (borrowed) when !ok. */
void resubmit_end(struct net *n, struct resubmit *rs, bool ok, struct batch *b,
                  const struct net_error *err);
void resubmit_fail(struct net *n, struct resubmit *rs, const char *message);
void resubmit_find_dir(struct net *n, struct resubmit *rs);
void resubmit_list_files(struct net *n, struct resubmit *rs);
void resubmit_create_batch(struct net *n, struct resubmit *rs);
/* Nothing in flight: when a file's last add or upload had an unknown outcome, list the directory
 * again (or end after RS_MAX_RELISTS listings); true when it did, and the caller stops there. */
bool resubmit_relist(struct net *n, struct resubmit *rs);
/* Did the server say no for good to a write (4xx but 408, 409, 429)? */
bool resubmit_refused(const struct xfer *x);

/* ---- upload.c: local files into a directory (NET_CMD_UPLOAD) ---- */

void upload_start(struct net *n, const struct net_cmd *cmd);
/* Its LIST_FILES step's end: the directory's entries (borrowed). */
void upload_files_listed(struct net *n, struct resubmit *rs, const struct dir_file *items,
                         size_t count);
/* The figures of an upload for a message. */
void upload_figures(const struct net *n, const struct resubmit *rs,
                    struct net_upload_progress *out);
void upload_free(struct upload *u);
/* The network loop's turn between transfers: a slice of hashing, uploads the rate window
 * now allows. Returns when it wants the next turn (ms from now; 0: at once), or -1. */
int64_t upload_tick(struct net *n);

#endif
