/* canned_server.c -- a tiny HTTP server answering from files, for hostile-server e2e tests. */
#include "config.h"

/*
 * canned-server DIR: listens on 127.0.0.1 (a free port), prints "listening on
 * http://127.0.0.1:PORT" as its first stdout line, and answers "METHOD /a/b?query" with
 * the bytes of DIR/METHOD_a_b.json (status from DIR/METHOD_a_b.status, else 200), or 404.
 * With a page_token=T query, DIR/METHOD_a_b@T.json (T's characters other than letters, digits,
 * '-' and '_' written as '_') is tried first, so a test can script a sequence of pages.
 * DIR/METHOD_a_b.headers adds "Name: value" lines to the answer; DIR/METHOD_a_b.delay holds
 * milliseconds to wait before answering (a server that takes its time).
 * Each request is logged on stderr as "METHOD /a/b?query -> STATUS". Stops on SIGTERM/SIGINT.
 * Test-only: the bodies are whatever a test wants a hostile server to say.
 */

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;

/* The whole file, or NULL; *len set. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    (void)upload_data;
    static int first;
    if (*con_cls == NULL) {
        *con_cls = &first;
        return MHD_YES;
    }
    if (*upload_data_size > 0) { /* a request body: read and ignored */
        *upload_data_size = 0;
        return MHD_YES;
    }
    char name[1024];
    int o = snprintf(name, sizeof name, "%s/%s", dir, method);
    for (const char *p = url; *p && o + 8 < (int)sizeof name; p++)
        name[o++] = *p == '/' ? '_' : (*p == '.' ? '-' : *p);
    name[o] = '\0';
    char body_path[1100], status_path[1100], headers_path[1100];
    snprintf(body_path, sizeof body_path, "%s.json", name);
    snprintf(status_path, sizeof status_path, "%s.status", name);
    snprintf(headers_path, sizeof headers_path, "%s.headers", name);
    size_t len = 0, slen = 0, hlen = 0;
    char *body = NULL;
    const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page_token");
    if (token != NULL) {
        char tpath[1100];
        int k = snprintf(tpath, sizeof tpath, "%s@", name);
        for (const char *p = token; *p && k + 8 < (int)sizeof tpath; p++)
            tpath[k++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                          (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
                             ? *p
                             : '_';
        snprintf(tpath + k, sizeof tpath - (size_t)k, ".json");
        body = slurp(tpath, &len);
    }
    if (body == NULL)
        body = slurp(body_path, &len);
    char *headers = slurp(headers_path, &hlen);
    char delay_path[1100];
    snprintf(delay_path, sizeof delay_path, "%s.delay", name);
    size_t dlen = 0;
    char *delay = slurp(delay_path, &dlen);
    if (delay != NULL) {
        delay = realloc(delay, dlen + 1);
        delay[dlen] = '\0';
        long ms = atol(delay);
        free(delay);
        if (ms > 0 && ms < 600000)
            usleep((useconds_t)ms * 1000);
    }
    unsigned status = 200;
    char *st = slurp(status_path, &slen);
    if (st != NULL) {
        st = realloc(st, slen + 1);
        st[slen] = '\0';
        status = (unsigned)atoi(st);
        free(st);
    }
    if (body == NULL) {
        static const char nf[] = "{\"detail\":\"Not Found\"}";
        body = strdup(nf);
        len = sizeof nf - 1;
        status = 404;
    }
    const char *query = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page_token");
    fprintf(stderr, "%s %s%s -> %u\n", method, url, query ? " (page_token)" : "", status);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (headers != NULL) {
        headers = realloc(headers, hlen + 1);
        headers[hlen] = '\0';
        char *save = NULL;
        for (char *line = strtok_r(headers, "\r\n", &save); line != NULL;
             line = strtok_r(NULL, "\r\n", &save)) {
            char *colon = strchr(line, ':');
            if (colon == NULL)
                continue;
            *colon = '\0';
            const char *value = colon + 1;
            while (*value == ' ')
                value++;
            MHD_add_response_header(r, line, value);
        }
        free(headers);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: canned-server DIR\n", stderr);
        return 2;
    }
    dir = argv[1];
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, on_request,
        NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    if (d == NULL) {
        fputs("canned-server: cannot listen\n", stderr);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on http://127.0.0.1:%u\n", info != NULL ? (unsigned)info->port : 0u);
    fflush(stdout);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stop)
        pause();
    MHD_stop_daemon(d);
    return 0;
}
