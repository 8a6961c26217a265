/* server.h -- batchtop-sim's HTTP side: libmicrohttpd daemon, routes, auth, paging, faults. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

/*
 * Serves the LlamaCloud API subset in API.md from a world (sim/world.h), thread per
 * connection, every world access under the world lock. Control routes for tests live under
 * /_sim/ and need no key. With verbose set, one line per request goes to stderr:
 * "METHOD PATH?QUERY STATUS MS" (the key is never logged: it only travels in a header).
 */

#include <stdbool.h>
#include <stddef.h>

#include "sim/faults.h"
#include "sim/world.h"

struct server_params {
    const char *host;    /* IPv4 address or name, e.g. "127.0.0.1" */
    int port;            /* 0 picks a free one */
    const char *api_key; /* borrowed for the server's lifetime */
    bool verbose;
    size_t page_size_max;
    size_t page_size_refuse; /* > 0: a page_size above it is answered 422, not clamped */
    bool sort_oldest;        /* batch list oldest created_at first (default newest first) */
    bool total_size;         /* cursor pages carry total_size (not in the SDK's type) */
    int rtt_ms;              /* a fixed delay before every API answer (a distant server) */
    long max_upload_mb;      /* an upload body above this many MiB is 413; 0: 100 */
    long upload_rate;        /* uploads per 5 s (sliding window) before 429; 0 = unlimited */
};

struct server;

/* Start listening; NULL with *error (fresh string, caller frees) on failure. */
struct server *server_start(struct world *w, struct faults *f, const struct server_params *p,
                            char **error);
/* The bound port (useful after port 0). */
int server_port(const struct server *s);
/* Stop the daemon (waits for connection threads) and free the server. NULL is fine. */
void server_stop(struct server *s);
/* One line on stderr (only when verbose), e.g. "faults off (SIGUSR1)". */
void server_note(const struct server *s, const char *line);

#endif
