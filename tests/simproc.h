/* simproc.h -- start, query and stop a live batchtop-sim from a C test. */
#ifndef TESTS_SIMPROC_H
#define TESTS_SIMPROC_H

/*
 * Tests never mock the server: they start the real simulator ($BATCHTOP_SIM) on a free loopback
 * port, talk HTTP to it, read its request log (-v, one line per request on stderr:
 * "METHOD PATH?QUERY STATUS MS") and stop it. Everything lives in a fresh temp dir that
 * simproc_stop removes. Built as tests/libsimproc.a (see tests/sim.mk); link it together with
 * $(CURL_LIBS). Not thread-safe; one struct per simulator.
 */

#include <stddef.h>
#include <sys/types.h>

struct simproc {
    pid_t pid; /* 0 once stopped */
    int port;
    char url[64];        /* "http://127.0.0.1:PORT", no trailing slash */
    char project_id[64]; /* the world's project UUID (second stdout line) */
    char log_path[256];  /* the simulator's stderr (request log) */
    char dir[256];       /* the temp dir holding log_path */
};

/* ---- process ---- */

/*
 * Start $BATCHTOP_SIM --listen 127.0.0.1:0 -v <args...> (args NULL-terminated, or NULL for
 * none). Reads stdout with a 10 s deadline for "listening on URL" and "project_id ID"; stderr
 * goes to log_path in a fresh temp dir. Returns 0, or -1 with a message on stderr (nothing left
 * running, nothing left on disk).
 */
int simproc_start(struct simproc *sp, const char *const *args);
/* Count request-log lines containing needle (e.g. "GET /api/v2/parse?"); -1 if unreadable. */
long simproc_count(const struct simproc *sp, const char *needle);
/* Send a signal (e.g. SIGUSR1 to stop faults). No-op once stopped. */
void simproc_signal(struct simproc *sp, int sig);
/* SIGTERM, wait up to 5 s, then SIGKILL; removes the temp dir. Safe to call twice. */
void simproc_stop(struct simproc *sp);
/*
 * Like simproc_stop, but returns the simulator's exit status: 0 for a clean exit, the exit code
 * if it exited non-zero (e.g. a sanitizer report, whose log is copied to stderr), 128+signal if
 * it had to be killed, -1 if it was not running.
 */
int simproc_finish(struct simproc *sp);

/* ---- HTTP (plain libcurl; for tests of the simulator itself) ---- */

struct simproc_reply {
    long status;   /* HTTP status, 0 if no answer */
    int curl_code; /* CURLcode of the transfer (0 = CURLE_OK) */
    char *body;    /* NUL-terminated body, owned: free with simproc_reply_done */
    size_t len;    /* body length without the NUL */
    char *headers; /* raw response header block, NUL-terminated, owned */
};

/*
 * One request to sp->url + path (path includes any query). key NULL sends no Authorization
 * header; otherwise "Authorization: Bearer key". body NULL sends none (body_len ignored);
 * body_len (size_t)-1 means strlen(body). Returns the CURLcode (0 on success).
 */
int simproc_request(const struct simproc *sp, const char *method, const char *path,
                    const char *key, const char *body, size_t body_len, struct simproc_reply *out);
/* simproc_request with the default key "llx-sim"; *body_out owned by the caller (free()). */
int simproc_http(const struct simproc *sp, const char *method, const char *path, const char *body,
                 long *status, char **body_out);
/* Value of a response header (case-insensitive name), freshly allocated, or NULL. */
char *simproc_reply_header(const struct simproc_reply *r, const char *name);
void simproc_reply_done(struct simproc_reply *r);

#endif
