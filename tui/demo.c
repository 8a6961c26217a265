/* demo.c -- start batchtop-sim for --demo, read its URL with a deadline, stop it on exit. */
#include "config.h"

#include "tui/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "model/clock.h"
#include "model/xalloc.h"

#define DEMO_START_MS 10000

static volatile pid_t sim_pid = -1;
static int sim_out = -1; /* kept open so the simulator never writes into a closed pipe */

/* The simulator next to our own binary, else NULL (then PATH is searched). */
static char *sibling_sim(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    char *path = xasprintf("%s/batchtop-sim", self);
    if (access(path, X_OK) == 0)
        return path;
    free(path);
    return NULL;
}

static char *random_key(void)
{
    unsigned char raw[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && read(fd, raw, sizeof raw) == (ssize_t)sizeof raw;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        srand((unsigned)(ts.tv_nsec ^ getpid()));
        for (size_t i = 0; i < sizeof raw; i++)
            raw[i] = (unsigned char)rand();
    }
    char hex[sizeof raw * 2 + 1];
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    return xasprintf("llx-demo-%s", hex);
}

void demo_stop(void)
{
    pid_t pid = sim_pid;
    if (pid <= 0)
        return;
    sim_pid = -1;
    kill(pid, SIGTERM);
    /* give it a moment to exit cleanly, then make sure */
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

bool demo_start(char **url, char **key, char **cause)
{
    int out[2];
    char *path = sibling_sim();
    if (pipe(out) != 0) {
        *cause = xasprintf("pipe: %s", strerror(errno));
        free(path);
        return false;
    }
    *key = random_key();
    pid_t pid = fork();
    if (pid < 0) {
        *cause = xasprintf("fork: %s", strerror(errno));
        free(path);
        free(*key);
        *key = NULL;
        close(out[0]);
        close(out[1]);
        return false;
    }
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        /* restore default signal handling for the child */
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_IGN); /* Ctrl-C is batchtop's; it stops us itself */
        dup2(out[1], STDOUT_FILENO);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        close(out[0]);
        close(out[1]);
        setenv("BATCHTOP_SIM_API_KEY", *key, 1);
        char *argv[] = {path ? path : (char *)"batchtop-sim",
                        (char *)"--listen",
                        (char *)"127.0.0.1:0",
                        (char *)"--speed",
                        (char *)"1",
                        NULL};
        if (path)
            execv(path, argv);
        else
            execvp("batchtop-sim", argv);
        _exit(127);
    }
    free(path);
    close(out[1]);
    sim_pid = pid;
    sim_out = out[0];
    fcntl(sim_out, F_SETFD, FD_CLOEXEC);

    /* read the first line with a deadline */
    char buf[512];
    size_t used = 0;
    int64_t deadline = clock_mono_ms() + DEMO_START_MS;
    for (;;) {
        char *nl = memchr(buf, '\n', used);
        if (nl) {
            *nl = '\0';
            const char *p = strstr(buf, "http://");
            if (strncmp(buf, "listening on ", 13) != 0 || !p) {
                *cause = xasprintf("batchtop-sim said something unexpected: %.80s", buf);
                break;
            }
            *url = xstrdup(p);
            return true;
        }
        int64_t left = deadline - clock_mono_ms();
        if (left <= 0) {
            *cause = xasprintf("batchtop-sim did not start within %d s", DEMO_START_MS / 1000);
            break;
        }
        struct pollfd pfd = {sim_out, POLLIN, 0};
        int rc = poll(&pfd, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            continue;
        ssize_t n = read(sim_out, buf + used, sizeof buf - 1 - used);
        if (n <= 0) {
            int status = 0;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                sim_pid = -1;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                    *cause = xstrdup("batchtop-sim was not found next to batchtop or on PATH");
                else
                    *cause = xstrdup("batchtop-sim exited before it was ready");
            } else {
                *cause = xstrdup("batchtop-sim closed its output before it was ready");
            }
            break;
        }
        used += (size_t)n;
        if (used >= sizeof buf - 1) {
            *cause = xstrdup("batchtop-sim's first line is too long");
            break;
        }
    }
    demo_stop();
    free(*key);
    *key = NULL;
    return false;
}
