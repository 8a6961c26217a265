/* notify.c -- the bell's companions: desktop notifications through the terminal, a command. */
#include "config.h"

#include "tui/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/xalloc.h"

/* Printable ASCII and UTF-8 only: no ESC, BEL or C1 that could end the sequence early. */
static char *clean(const char *s)
{
    char *out = xstrdup(s ? s : "");
    for (unsigned char *p = (unsigned char *)out; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == ';')
            *p = *p == ';' ? ',' : ' ';
    /* C1 controls in UTF-8 are C2 80..9F: blank the pair */
    for (unsigned char *p = (unsigned char *)out; p[0] && p[1]; p++)
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            p[0] = p[1] = ' ';
    return out;
}

/* One OSC sequence, inside tmux wrapped in its passthrough (ESC doubled). */
static char *osc(const char *payload, bool in_tmux)
{
    if (in_tmux)
        return xasprintf("\033Ptmux;\033\033]%s\a\033\\", payload);
    return xasprintf("\033]%s\a", payload);
}

char *notify_osc(const struct notify_config *c, const char *title, const char *body, bool in_tmux)
{
    if (!c->osc9 && !c->osc777)
        return NULL;
    char *t = clean(title), *b = clean(body), *s9 = NULL, *s777 = NULL;
    if (c->osc9) {
        char *payload = xasprintf("9;%s: %s", t, b);
        s9 = osc(payload, in_tmux);
        free(payload);
    }
    if (c->osc777) {
        char *payload = xasprintf("777;notify;%s;%s", t, b);
        s777 = osc(payload, in_tmux);
        free(payload);
    }
    char *all = xasprintf("%s%s", s9 ? s9 : "", s777 ? s777 : "");
    free(s9);
    free(s777);
    free(t);
    free(b);
    return all;
}

pid_t notify_spawn(const char *command, const char *batch_id, const char *status,
                   long files_failed, int *err_fd, char **why)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        *why = xasprintf("cannot start the notify command: %s", strerror(errno));
        return -1;
    }
    char failed[32] = "";
    if (files_failed >= 0)
        snprintf(failed, sizeof failed, "%ld", files_failed);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        dup2(p[1], STDERR_FILENO);
        setsid(); /* not in the terminal's process group: a Ctrl-C for batchtop is not its */
        signal(SIGPIPE, SIG_DFL);
        unsetenv("LLAMA_CLOUD_API_KEY"); /* never the key */
        setenv("BATCHTOP_BATCH_ID", batch_id, 1);
        setenv("BATCHTOP_STATUS", status, 1);
        setenv("BATCHTOP_FILES_FAILED", failed, 1);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        dprintf(STDERR_FILENO, "cannot run /bin/sh: %s", strerror(errno));
        _exit(127);
    }
    int saved = errno;
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        *why = xasprintf("cannot start the notify command: %s", strerror(saved));
        return -1;
    }
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    *err_fd = p[0];
    return pid;
}

bool notify_read(int err_fd, char *buf, size_t *len, size_t cap)
{
    char tmp[1024];
    for (;;) {
        ssize_t r = read(err_fd, tmp, sizeof tmp);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        if (r == 0)
            return false;
        size_t take = (size_t)r;
        if (*len + take > cap)
            take = cap - *len;
        memcpy(buf + *len, tmp, take);
        *len += take;
    }
}

bool notify_reaped(pid_t pid, const char *err, size_t err_len, char **failure)
{
    int status;
    pid_t r;
    while ((r = waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r == 0)
        return false;
    *failure = NULL;
    if (r < 0)
        return true; /* not ours any more: nothing to say */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    char *text = xmalloc(err_len + 1);
    size_t n = 0;
    for (size_t i = 0; i < err_len; i++) {
        unsigned char c = (unsigned char)err[i];
        text[n++] = (char)(c == '\n' || c == '\t' || c == '\r' ? ' ' : c);
    }
    while (n > 0 && text[n - 1] == ' ')
        n--;
    text[n] = '\0';
    if (WIFEXITED(status))
        *failure = xasprintf("the notify command failed with exit status %d%s%s",
                             WEXITSTATUS(status), n ? ": " : "", text);
    else
        *failure = xasprintf("the notify command was killed by signal %d%s%s", WTERMSIG(status),
                             n ? ": " : "", text);
    free(text);
    return true;
}
