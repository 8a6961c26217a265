/* bench_draw.c -- W3: the real batchtop on a pty, timed from a key to a calm screen */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * bench-draw --batchtop PATH --base-url URL --project-id ID --batch-id ID --list-marker TEXT
 *            --batch-marker TEXT [--reps N] [--cols C] [--rows R]
 *
 * Starts batchtop on a pseudo-terminal of C×R cells (TERM=xterm-256color), waits until the
 * Batches screen shows --list-marker (text of a row: the list is drawn only once every page is
 * in), then times keys: Ctrl-L (a full redraw), j (one scroll step, once the cursor is at the
 * bottom of the table), PgDn, and each keystroke of a live filter. Then it filters down to
 * --batch-id, opens it, waits for --batch-marker (a file name on the Batch screen) and times
 * the same keys there. Each figure is the time from writing the key to the pty until the last
 * byte of batchtop's answer (the answer is over when 25 ms pass without output); a sample
 * that overlaps the header's once-a-second clock tick is taken again. Prints the median of
 * --reps samples per key as one "result name=ms …" line; exit 1 on failure.
 */

#define QUIET_MS 25
#define ANSWER_TIMEOUT_MS 5000
#define PLAIN_KEY_WAIT_MS 1500
#define READY_TIMEOUT_MS 90000
#define MAX_SAMPLES 256

struct draw_opts {
    const char *batchtop;
    const char *base_url;
    const char *project_id;
    const char *batch_id;
    const char *list_marker;
    const char *batch_marker;
    int reps;
    int cols;
    int rows;
};

struct pty_child {
    int fd;
    pid_t pid;
    char tail[1024];          /* the latest output: marker searches across reads, errors */
    size_t tail_len;
    const char *want;         /* a marker to look for in the output, or NULL */
    bool found;               /* want has been seen since it was set */
    size_t bytes;             /* output bytes of the latest answer */
};

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Milliseconds into the current wall-clock second (batchtop's header ticks just after 0). */
static int wall_ms_in_second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int)(ts.tv_nsec / 1000000);
}

static void tail_append(struct pty_child *c, const char *buf, size_t n)
{
    if (n >= sizeof c->tail) {
        memcpy(c->tail, buf + n - sizeof c->tail + 1, sizeof c->tail - 1);
        c->tail_len = sizeof c->tail - 1;
    } else {
        if (c->tail_len + n >= sizeof c->tail) {
            size_t drop = c->tail_len + n - (sizeof c->tail - 1);
            memmove(c->tail, c->tail + drop, c->tail_len - drop);
            c->tail_len -= drop;
        }
        memcpy(c->tail + c->tail_len, buf, n);
        c->tail_len += n;
    }
    c->tail[c->tail_len] = '\0';
}

/* Read what is there within wait_ms; returns bytes read, 0 on timeout, -1 when the child
 * closed the terminal. */
static long pty_read(struct pty_child *c, int wait_ms)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int rc = poll(&pfd, 1, wait_ms);
    if (rc < 0)
        return errno == EINTR ? 0 : -1;
    if (rc == 0)
        return 0;
    char buf[65536];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    if (n == 0)
        return -1;
    if (c->want && !c->found) {
        /* The marker may straddle two reads: search the previous tail joined to this chunk. */
        static char joined[sizeof c->tail + sizeof buf + 1];
        memcpy(joined, c->tail, c->tail_len);
        memcpy(joined + c->tail_len, buf, (size_t)n);
        joined[c->tail_len + (size_t)n] = '\0';
        c->found = strstr(joined, c->want) != NULL;
    }
    tail_append(c, buf, (size_t)n);
    return n;
}

/* Wait until the output holds marker (searched in the recent output); false on timeout. */
static bool pty_wait_text(struct pty_child *c, const char *marker, int timeout_ms)
{
    double end = mono_ms() + timeout_ms;
    c->tail_len = 0;
    c->tail[0] = '\0';
    c->want = marker;
    c->found = false;
    while (!c->found && mono_ms() < end) {
        if (pty_read(c, 50) < 0)
            break;
    }
    c->want = NULL;
    return c->found;
}

/* Wait up to first_ms for the answer to start, then read until QUIET_MS pass without output.
 * Returns the monotonic time of the last byte (since when nothing came), -1 when the child
 * went away; c->bytes holds the answer's size. */
static double pty_settle(struct pty_child *c, double since, int first_ms)
{
    double last = since;
    double end = mono_ms() + first_ms;
    c->bytes = 0;
    for (;;) {
        int wait = QUIET_MS;
        if (c->bytes == 0) {
            wait = (int)(end - mono_ms());
            if (wait <= 0)
                return last;
        }
        long n = pty_read(c, wait);
        if (n < 0)
            return -1;
        if (n == 0 && c->bytes > 0)
            return last;
        if (n > 0) {
            c->bytes += (size_t)n;
            last = mono_ms();
        }
    }
}

/* Let whatever batchtop is still writing finish (e.g. a load that just arrived). */
static bool pty_calm(struct pty_child *c, int quiet_ms, int timeout_ms)
{
    double end = mono_ms() + timeout_ms;
    double last = mono_ms();
    while (mono_ms() < end) {
        long n = pty_read(c, 20);
        if (n < 0)
            return false;
        if (n > 0)
            last = mono_ms();
        else if (mono_ms() - last >= quiet_ms)
            return true;
    }
    return true;
}

static bool pty_send(struct pty_child *c, const char *keys, size_t n)
{
    while (n > 0) {
        ssize_t w = write(c->fd, keys, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        keys += w;
        n -= (size_t)w;
    }
    return true;
}

/* One timed key: ms from the write to the last byte of the answer; -1 on failure. Samples
 * that could overlap the header's clock tick are retaken. */
static double timed_key(struct pty_child *c, const char *keys, size_t n)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        if (!pty_calm(c, QUIET_MS, 2000))
            return -1;
        while (wall_ms_in_second() < 30 || wall_ms_in_second() > 800) {
            if (pty_read(c, 10) < 0)
                return -1;
        }
        int start_in_second = wall_ms_in_second();
        double t0 = mono_ms();
        if (!pty_send(c, keys, n))
            return -1;
        double last = pty_settle(c, t0, ANSWER_TIMEOUT_MS);
        if (last < 0)
            return -1;
        if (c->bytes == 0)
            return -1;   /* the key changed nothing on screen: not a measurement */
        if (start_in_second + (last - t0) < 995)
            return last - t0;
    }
    return -1;
}

/* An untimed key whose answer (if any: a key may change nothing) is awaited. */
static bool plain_key(struct pty_child *c, const char *keys)
{
    if (!pty_send(c, keys, strlen(keys)))
        return false;
    return pty_settle(c, mono_ms(), PLAIN_KEY_WAIT_MS) >= 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Time the same key reps times; the median in *out and the median answer size in *bytes. */
static bool time_repeated(struct pty_child *c, const char *keys, int reps, double *out,
                          double *bytes)
{
    double v[MAX_SAMPLES], b[MAX_SAMPLES];
    for (int i = 0; i < reps; i++) {
        v[i] = timed_key(c, keys, strlen(keys));
        if (v[i] < 0)
            return false;
        b[i] = (double)c->bytes;
    }
    *out = median(v, reps);
    if (bytes)
        *bytes = median(b, reps);
    return true;
}

/* Type text into an open filter prompt one key at a time, each timed; appends to v. */
static bool time_typing(struct pty_child *c, const char *text, double *v, int *n, int max)
{
    for (const char *p = text; *p && *n < max; p++) {
        double ms = timed_key(c, p, 1);
        if (ms < 0)
            return false;
        v[(*n)++] = ms;
    }
    return true;
}

/* Filter keystrokes: open the prompt, type each word key by key, clear it with Esc. */
static bool time_filter(struct pty_child *c, const char *const *words, int reps, double *out)
{
    double v[MAX_SAMPLES];
    int n = 0;
    for (int w = 0; n < reps; w = words[w + 1] ? w + 1 : 0) {
        if (!plain_key(c, "/"))
            return false;
        if (!time_typing(c, words[w], v, &n, reps))
            return false;
        if (!plain_key(c, "\033"))
            return false;
        if (!pty_calm(c, 100, 3000))
            return false;
    }
    *out = median(v, n);
    return true;
}

static bool pty_start(struct pty_child *c, const struct draw_opts *o)
{
    struct winsize ws = {.ws_row = (unsigned short)o->rows, .ws_col = (unsigned short)o->cols};
    pid_t pid = forkpty(&c->fd, NULL, NULL, &ws);
    if (pid < 0) {
        perror("bench-draw: forkpty");
        return false;
    }
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        unsetenv("NO_COLOR");
        if (!getenv("LLAMA_CLOUD_API_KEY"))
            setenv("LLAMA_CLOUD_API_KEY", "llx-sim", 1);
        execl(o->batchtop, o->batchtop, "--base-url", o->base_url, "--project-id",
              o->project_id, "--refresh", "600", (char *)NULL);
        _exit(127);
    }
    c->pid = pid;
    return true;
}

static void pty_stop(struct pty_child *c)
{
    if (c->pid <= 0)
        return;
    pty_send(c, "\003", 1);   /* Ctrl-C: quit now */
    double end = mono_ms() + 3000;
    int status;
    while (mono_ms() < end) {
        if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
            c->pid = 0;
            break;
        }
        pty_read(c, 20);
    }
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &status, 0);
        c->pid = 0;
    }
    close(c->fd);
}

static void usage(FILE *out)
{
    fputs("Usage: bench-draw --batchtop PATH --base-url URL --project-id ID --batch-id ID\n"
          "                  --list-marker TEXT --batch-marker TEXT [--reps N] [--cols C]"
          " [--rows R]\n",
          out);
}

static const char *const list_words[] = {"complet", "thousand", "bat-1", NULL};
static const char *const batch_words[] = {"file", "complet", "pjb-", NULL};

static int draw_main(const struct draw_opts *o)
{
    struct pty_child c = {.fd = -1};
    if (!pty_start(&c, o))
        return 1;
    bool ok = false;
    double list_redraw, list_redraw_bytes, list_scroll, list_page, list_filter;
    double batch_redraw, batch_redraw_bytes, batch_scroll, batch_filter;
    const char *step = "?";

    step = "waiting for the list";
    if (!pty_wait_text(&c, o->list_marker, READY_TIMEOUT_MS) || !pty_calm(&c, 300, 5000))
        goto out;
    step = "list: Ctrl-L";
    if (!time_repeated(&c, "\f", o->reps, &list_redraw, &list_redraw_bytes))
        goto out;
    step = "list: moving to the bottom of the table";
    for (int i = 0; i < o->rows; i++)
        if (!plain_key(&c, "j"))
            goto out;
    step = "list: j";
    if (!time_repeated(&c, "j", o->reps, &list_scroll, NULL))
        goto out;
    step = "list: PgDn";
    if (!time_repeated(&c, "\033[6~", o->reps, &list_page, NULL))
        goto out;
    step = "list: g";
    if (!plain_key(&c, "g"))
        goto out;
    step = "list: filter keystrokes";
    if (!time_filter(&c, list_words, o->reps, &list_filter))
        goto out;

    step = "opening the batch";
    if (!plain_key(&c, "/") || !pty_send(&c, o->batch_id, strlen(o->batch_id)) ||
        !pty_calm(&c, 100, 5000) || !plain_key(&c, "\r") || !pty_calm(&c, 100, 5000))
        goto out;
    if (!pty_send(&c, "\r", 1) || !pty_wait_text(&c, o->batch_marker, READY_TIMEOUT_MS) ||
        !pty_calm(&c, 500, 10000))
        goto out;
    step = "batch: Ctrl-L";
    if (!time_repeated(&c, "\f", o->reps, &batch_redraw, &batch_redraw_bytes))
        goto out;
    step = "batch: moving to the bottom of the table";
    for (int i = 0; i < o->rows; i++)
        if (!plain_key(&c, "j"))
            goto out;
    step = "batch: j";
    if (!time_repeated(&c, "j", o->reps, &batch_scroll, NULL))
        goto out;
    step = "batch: filter keystrokes";
    if (!plain_key(&c, "g") || !time_filter(&c, batch_words, o->reps, &batch_filter))
        goto out;
    ok = true;
    printf("result batches_full_redraw_ms=%.3f batches_full_redraw_bytes=%.0f"
           " batches_scroll_step_ms=%.3f batches_page_down_ms=%.3f"
           " batches_filter_keystroke_ms=%.3f"
           " batch_full_redraw_ms=%.3f batch_full_redraw_bytes=%.0f"
           " batch_scroll_step_ms=%.3f batch_filter_keystroke_ms=%.3f\n",
           list_redraw, list_redraw_bytes, list_scroll, list_page, list_filter, batch_redraw,
           batch_redraw_bytes, batch_scroll, batch_filter);
out:
    if (!ok) {
        fprintf(stderr, "bench-draw: failed while %s; the screen's last output:\n", step);
        fwrite(c.tail, 1, c.tail_len > 600 ? 600 : c.tail_len, stderr);
        fputc('\n', stderr);
    }
    pty_stop(&c);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"batchtop", required_argument, NULL, 't'},
        {"base-url", required_argument, NULL, 'u'},
        {"project-id", required_argument, NULL, 'p'},
        {"batch-id", required_argument, NULL, 'b'},
        {"list-marker", required_argument, NULL, 'L'},
        {"batch-marker", required_argument, NULL, 'B'},
        {"reps", required_argument, NULL, 'n'},
        {"cols", required_argument, NULL, 'c'},
        {"rows", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct draw_opts o = {.reps = 31, .cols = 160, .rows = 48};
    int ch;
    while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (ch) {
        case 't': o.batchtop = optarg; break;
        case 'u': o.base_url = optarg; break;
        case 'p': o.project_id = optarg; break;
        case 'b': o.batch_id = optarg; break;
        case 'L': o.list_marker = optarg; break;
        case 'B': o.batch_marker = optarg; break;
        case 'n': o.reps = atoi(optarg); break;
        case 'c': o.cols = atoi(optarg); break;
        case 'r': o.rows = atoi(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!o.batchtop || !o.base_url || !o.project_id || !o.batch_id || !o.list_marker ||
        !o.batch_marker || o.reps < 1 || o.reps > MAX_SAMPLES || o.cols < 60 || o.rows < 12) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    return draw_main(&o);
}
