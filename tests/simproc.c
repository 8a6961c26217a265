/* simproc.c -- start, query and stop a live batchtop-sim from a C test (see simproc.h). */
#include "config.h"

#include "tests/simproc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static void *must(void *p)
{
    if (p == NULL) {
        fputs("simproc: out of memory\n", stderr);
        abort();
    }
    return p;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void remove_dir(struct simproc *sp)
{
    if (sp->log_path[0] != '\0') {
        unlink(sp->log_path);
        sp->log_path[0] = '\0';
    }
    if (sp->dir[0] != '\0') {
        rmdir(sp->dir);
        sp->dir[0] = '\0';
    }
}

/* Child side of simproc_start: never returns. */
static void exec_child(const char *prog, int out_fd, int log_fd, const char *const *args)
{
    const char *argv[64];
    size_t n = 0;
    argv[n++] = prog;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "-v";
    for (size_t i = 0; args != NULL && args[i] != NULL && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    dup2(out_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    close(out_fd);
    close(log_fd);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(prog, (char *const *)argv);
    fprintf(stderr, "simproc: cannot run %s: %s\n", prog, strerror(errno));
    _exit(127);
}

/* Parse the two banner lines; 1 when both are present. */
static int parse_banner(struct simproc *sp, const char *buf)
{
    const char *l1 = strstr(buf, "listening on ");
    const char *l2 = strstr(buf, "project_id ");
    if (l1 == NULL || l2 == NULL || strchr(l2, '\n') == NULL || strchr(l1, '\n') == NULL)
        return 0;
    l1 += strlen("listening on ");
    size_t n = strcspn(l1, "\r\n");
    if (n == 0 || n >= sizeof sp->url)
        return -1;
    memcpy(sp->url, l1, n);
    sp->url[n] = '\0';
    const char *colon = strrchr(sp->url, ':');
    sp->port = colon != NULL ? atoi(colon + 1) : 0;
    l2 += strlen("project_id ");
    n = strcspn(l2, "\r\n");
    if (n == 0 || n >= sizeof sp->project_id)
        return -1;
    memcpy(sp->project_id, l2, n);
    sp->project_id[n] = '\0';
    return sp->port > 0 ? 1 : -1;
}

int simproc_start(struct simproc *sp, const char *const *args)
{
    memset(sp, 0, sizeof *sp);
    const char *prog = getenv("BATCHTOP_SIM");
    if (prog == NULL || prog[0] == '\0') {
        fputs("simproc: BATCHTOP_SIM is not set\n", stderr);
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if (strlen(tmp) > 200)
        tmp = "/tmp";
    snprintf(sp->dir, 220, "%s/simproc.XXXXXX", tmp);
    if (mkdtemp(sp->dir) == NULL) {
        fprintf(stderr, "simproc: mkdtemp %s: %s\n", sp->dir, strerror(errno));
        sp->dir[0] = '\0';
        return -1;
    }
    snprintf(sp->log_path, sizeof sp->log_path, "%.220s/sim.log", sp->dir);
    int log_fd = open(sp->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int pfd[2];
    if (log_fd < 0 || pipe2(pfd, O_CLOEXEC) != 0) {
        fprintf(stderr, "simproc: %s\n", strerror(errno));
        if (log_fd >= 0)
            close(log_fd);
        remove_dir(sp);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "simproc: fork: %s\n", strerror(errno));
        close(log_fd);
        close(pfd[0]);
        close(pfd[1]);
        remove_dir(sp);
        return -1;
    }
    if (pid == 0) {
        close(pfd[0]);
        exec_child(prog, pfd[1], log_fd, args);
    }
    close(pfd[1]);
    close(log_fd);
    sp->pid = pid;

    char buf[1024];
    size_t len = 0;
    int ok = 0;
    double deadline = now_s() + 10.0;
    while (ok == 0) {
        double left = deadline - now_s();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t got = read(pfd[0], buf + len, sizeof buf - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
        buf[len] = '\0';
        ok = parse_banner(sp, buf);
        if (len == sizeof buf - 1 && ok == 0)
            ok = -1;
    }
    close(pfd[0]);
    if (ok != 1) {
        fprintf(stderr,
                "simproc: %s did not announce its address (it exited, or 10 s "
                "passed)\n",
                prog);
        simproc_finish(sp);
        return -1;
    }
    return 0;
}

long simproc_count(const struct simproc *sp, const char *needle)
{
    FILE *f = fopen(sp->log_path, "r");
    if (f == NULL)
        return -1;
    long count = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0)
        if (strstr(line, needle) != NULL)
            count++;
    free(line);
    fclose(f);
    return count;
}

void simproc_signal(struct simproc *sp, int sig)
{
    if (sp->pid > 0)
        kill(sp->pid, sig);
}

/* Copy the simulator's log to our stderr (used when it did not exit cleanly). */
static void dump_log(const struct simproc *sp)
{
    FILE *f = fopen(sp->log_path, "r");
    if (f == NULL)
        return;
    char chunk[4096];
    size_t n;
    fprintf(stderr, "---- %s ----\n", sp->log_path);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, stderr);
    fclose(f);
}

int simproc_finish(struct simproc *sp)
{
    int result = -1;
    if (sp->pid > 0) {
        kill(sp->pid, SIGTERM);
        int st = 0;
        pid_t got = 0;
        double deadline = now_s() + 5.0;
        while ((got = waitpid(sp->pid, &st, WNOHANG)) == 0 && now_s() < deadline) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (got == 0) {
            kill(sp->pid, SIGKILL);
            got = waitpid(sp->pid, &st, 0);
            result = 128 + SIGKILL;
        } else if (got > 0) {
            if (WIFEXITED(st))
                result = WEXITSTATUS(st);
            else if (WIFSIGNALED(st))
                result = 128 + WTERMSIG(st);
        }
        if (result != 0)
            dump_log(sp);
        sp->pid = 0;
    }
    remove_dir(sp);
    return result;
}

void simproc_stop(struct simproc *sp)
{
    (void)simproc_finish(sp);
}

/* ---- HTTP ---- */

struct buf {
    char *data;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct buf *b = userdata;
    size_t n = size * nmemb;
    b->data = must(realloc(b->data, b->len + n + 1));
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

int simproc_request(const struct simproc *sp, const char *method, const char *path,
                    const char *key, const char *body, size_t body_len, struct simproc_reply *out)
{
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    if (h == NULL)
        return CURLE_FAILED_INIT;
    size_t ulen = strlen(sp->url) + strlen(path) + 1;
    char *url = must(malloc(ulen));
    snprintf(url, ulen, "%s%s", sp->url, path);
    struct buf b = {must(calloc(1, 1)), 0};
    struct buf hb = {must(calloc(1, 1)), 0};
    struct curl_slist *hdrs = NULL;
    char *auth = NULL;
    if (key != NULL) {
        size_t alen = strlen(key) + 32;
        auth = must(malloc(alen));
        snprintf(auth, alen, "Authorization: Bearer %s", key);
        hdrs = curl_slist_append(hdrs, auth);
    }
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (body != NULL)
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hb);
    if (body != NULL) {
        if (body_len == (size_t)-1)
            body_len = strlen(body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    out->curl_code = (int)rc;
    out->body = b.data;
    out->len = b.len;
    out->headers = hb.data;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    free(auth);
    free(url);
    return (int)rc;
}

int simproc_http(const struct simproc *sp, const char *method, const char *path, const char *body,
                 long *status, char **body_out)
{
    struct simproc_reply r;
    int rc = simproc_request(sp, method, path, "llx-sim", body, (size_t)-1, &r);
    *status = r.status;
    *body_out = r.body;
    r.body = NULL;
    simproc_reply_done(&r);
    return rc;
}

char *simproc_reply_header(const struct simproc_reply *r, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = r->headers;
    while (p != NULL && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t linelen = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (linelen > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            const char *end = p + linelen;
            while (v < end && isspace((unsigned char)*v))
                v++;
            while (end > v && isspace((unsigned char)end[-1]))
                end--;
            char *s = must(malloc((size_t)(end - v) + 1));
            memcpy(s, v, (size_t)(end - v));
            s[end - v] = '\0';
            return s;
        }
        p = eol != NULL ? eol + 1 : NULL;
    }
    return NULL;
}

void simproc_reply_done(struct simproc_reply *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}
