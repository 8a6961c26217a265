/* fuzz_sim.c -- libFuzzer target for batchtop-sim's request parsing, through its real server. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "sim/faults.h"
#include "sim/rng.h"
#include "sim/server.h"
#include "sim/world.h"

/*
 * The simulator's parsing (routes and path IDs, query strings, page tokens, page sizes, JSON
 * create bodies) is static inside sim/server.c; its closest public entry point is
 * server_start(). So this target runs the real server in-process on a loopback port (faults
 * off) and sends each input as one HTTP request over a socket.
 * Input: byte 0 picks the method and whether the key is sent; the request target (path?query)
 * up to the first newline (bytes HTTP cannot carry raw are sent as %XX, which the server decodes
 * back); the rest is the body, sent as multipart/form-data (boundary: the rest of its first
 * line) when it starts with "--", else as JSON. Checked: every request gets a complete answer
 * within 8 s (one stall is logged with every thread's stack and retried; a second is a
 * finding), never a 5xx (no fault is on), and every answer but HEAD's is JSON.
 * The world is rebuilt every WORLD_RUNS inputs so creates cannot grow it without bound.
 */

#define WORLD_RUNS 4000
#define ANSWER_MAX (8 * 1024 * 1024)

static struct world *world;
static struct faults *faults;
static struct server *server;
static int port;
static unsigned long runs;
static unsigned long stalls;

static void sim_start(void)
{
    struct world_params wp = {.seed = 42, .directories = 3, .files_per_directory = 5,
                              .batches = 12, .speed = 50};
    struct faults_params fp = {.seed = 42};
    struct server_params sp = {.host = "127.0.0.1", .port = 0, .api_key = "llx-sim",
                               .page_size_max = 100};
    char *error = NULL;
    world = world_new(&wp, rng_now_ms());
    faults = faults_new(&fp);
    server = server_start(world, faults, &sp, &error);
    if (server == NULL) {
        fprintf(stderr, "fuzz_sim: %s\n", error ? error : "server_start failed");
        exit(1);
    }
    port = server_port(server);
}

static void sim_stop(void)
{
    server_stop(server);
    faults_free(faults);
    world_free(world);
    server = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    sim_start();
    atexit(sim_stop);
    return 0;
}

/* Append s[0..n) to a growing buffer. */
static void put(char **buf, size_t *len, size_t *cap, const void *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
        FUZZ_CHECK(*buf != NULL);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/* The request target: '/' first, bytes HTTP cannot carry in a request line as %XX. */
static void put_target(char **buf, size_t *len, size_t *cap, const uint8_t *t, size_t n)
{
    if (n == 0 || t[0] != '/')
        put(buf, len, cap, "/", 1);
    for (size_t i = 0; i < n; i++) {
        if (t[i] <= 0x20 || t[i] >= 0x7f) {
            char esc[4];
            snprintf(esc, sizeof esc, "%%%02X", t[i]);
            put(buf, len, cap, esc, 3);
        } else {
            put(buf, len, cap, t + i, 1);
        }
    }
}

/* Every listener on the server's port (is another socket sharing it through SO_REUSEPORT?)
 * and every thread's stack (where is the server stuck?) on stderr, when ss and gdb exist. */
static void stacks(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ss -atnp '( sport = :%d or dport = :%d )' >&2 2>/dev/null", port,
             port);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_sim: (no ss for the listeners)\n");
    snprintf(cmd, sizeof cmd,
             "gdb -p %d -batch -ex 'thread apply all bt 12' </dev/null >&2 2>/dev/null",
             (int)getpid());
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_sim: (no gdb for the stacks)\n");
}

/* Send one request and read the whole answer (the server closes the connection); NULL when
 * none came within 8 s. */
static char *exchange(const char *req, size_t req_len, size_t *ans_len, bool diagnose)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    FUZZ_CHECK(fd >= 0);
    struct timeval tv = {8, 0}; /* under libFuzzer's -timeout=10 */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    if (rc != 0 && errno == EINTR) {
        /* libFuzzer's timer signal arrived while the listen queue was full: the connection
         * goes on by itself. Wait for it like for an answer (8 s); no connection by then is a
         * stall, handled as one by the caller. */
        struct pollfd p = {fd, POLLOUT, 0};
        int n;
        do
            n = poll(&p, 1, 8000);
        while (n < 0 && errno == EINTR);
        int err = 0;
        socklen_t elen = sizeof err;
        if (n == 0) {
            fprintf(stderr, "fuzz_sim: connect did not complete within 8 s\n");
            close(fd);
            return NULL;
        }
        if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0)
            rc = 0;
        else
            errno = err != 0 ? err : errno;
    }
    if (rc != 0) {
        perror("fuzz_sim: connect to the in-process simulator");
        fprintf(stderr, "fuzz_sim: port %d\n", port);
        abort();
    }
    for (size_t off = 0; off < req_len;) {
        ssize_t w = send(fd, req + off, req_len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may answer (413) before reading everything */
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    char *ans = NULL;
    size_t len = 0, cap = 0;
    char chunk[16384];
    for (;;) {
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r < 0) {
            if (diagnose) { /* while this connection is still open */
                fprintf(stderr, "fuzz_sim: no answer within 8 s; listeners and stacks:\n");
                stacks();
            }
            free(ans);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        put(&ans, &len, &cap, chunk, (size_t)r);
        FUZZ_CHECK(len < ANSWER_MAX);
    }
    close(fd);
    *ans_len = len;
    return ans;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "HEAD", "GET", "POST", "PUT", "DELETE",
                                          "GET"};
    if (size < 1)
        return 0;
    if (++runs % WORLD_RUNS == 0) {
        sim_stop();
        sim_start();
        if (getenv("FUZZ_SIM_VERBOSE") != NULL)
            fprintf(stderr, "fuzz_sim: world rebuilt after %lu inputs\n", runs);
    }
    const char *method = methods[data[0] & 7];
    bool key = (data[0] & 0x80) == 0;
    const uint8_t *t = data + 1, *nl = memchr(t, '\n', size - 1);
    size_t tlen = nl ? (size_t)(nl - t) : size - 1;
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t blen = (size_t)(data + size - body);

    char *req = NULL;
    size_t len = 0, cap = 0;
    put(&req, &len, &cap, method, strlen(method));
    put(&req, &len, &cap, " ", 1);
    put_target(&req, &len, &cap, t, tlen);
    /* a body that opens like a multipart one ("--BOUNDARY\r\n") goes as an upload form */
    char type[128] = "application/json";
    if (blen > 2 && body[0] == '-' && body[1] == '-') {
        size_t n = 0;
        while (2 + n < blen && n < 70 && body[2 + n] > 0x20 && body[2 + n] < 0x7f &&
               body[2 + n] != ';' && body[2 + n] != '"')
            n++;
        if (n > 0)
            snprintf(type, sizeof type, "multipart/form-data; boundary=%.*s", (int)n,
                     (const char *)body + 2);
    }
    char head[384];
    snprintf(head, sizeof head,
             " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
             "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
             key ? "Authorization: Bearer llx-sim\r\n" : "", type, blen);
    put(&req, &len, &cap, head, strlen(head));
    put(&req, &len, &cap, body, blen);

    size_t alen = 0;
    char *ans = exchange(req, len, &alen, stalls == 0);
    if (ans == NULL) {
        /* Stalled: show where every thread is, then try once more. A second stall means the
         * server is stuck (a finding); a quick second answer is logged as a stall only. */
        fprintf(stderr, "fuzz_sim: stall %lu: no complete answer within 8 s; retrying once\n",
                ++stalls);
        fprintf(stderr, "fuzz_sim: the request was: ");
        fwrite(req, 1, len, stderr);
        fprintf(stderr, "\nfuzz_sim: (end of request)\n");
        ans = exchange(req, len, &alen, false);
        if (ans == NULL) {
            fprintf(stderr, "fuzz_sim: no answer to the retry either: the server is stuck\n");
            stacks();
            abort();
        }
    }
    free(req);
    FUZZ_CHECK(ans != NULL && alen > 12 && strncmp(ans, "HTTP/1.1 ", 9) == 0);
    int status = atoi(ans + 9);
    char *sep = strstr(ans, "\r\n\r\n");
    FUZZ_CHECK(sep != NULL);
    *sep = '\0';
    bool ours = strstr(ans, "application/json") != NULL; /* libmicrohttpd's own are HTML */
    *sep = '\r';
    if (!ours) {
        FUZZ_CHECK(status >= 400 && status != 500);
        free(ans); /* libmicrohttpd refused the request itself: not the simulator's parsing */
        return 0;
    }
    FUZZ_CHECK(status >= 200 && status < 500);
    if (strcmp(method, "HEAD") != 0) {
        json_tokener *tok = json_tokener_new();
        const char *jbody = sep + 4;
        json_object *o = json_tokener_parse_ex(tok, jbody, (int)(alen - (size_t)(jbody - ans)));
        FUZZ_CHECK(o != NULL);
        json_object_put(o);
        json_tokener_free(tok);
    }
    free(ans);
    return 0;
}
