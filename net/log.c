/* log.c -- the optional debug log: one mutex-guarded file, lines stamped, secrets scrubbed. */
#include "config.h"

#include "net/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "net/url.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;   /* NULL: logging off */
static char *log_secret; /* scrubbed from every line; owned */

bool log_open(const char *path, char **cause)
{
    /* 0600 when created; never through a symbolic link; O_NONBLOCK so a FIFO cannot hang
     * the start (it is refused below, like anything that is not a regular file). */
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
    if (fd < 0) {
        int err = errno;
        struct stat st;
        if (cause == NULL)
            return false;
        if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            char target[512];
            ssize_t n = readlink(path, target, sizeof target - 1);
            target[n > 0 ? n : 0] = '\0';
            *cause = xasprintf("it is a symbolic link (to %s); batchtop does not write its log "
                               "through links",
                               n > 0 ? target : "?");
        } else {
            *cause = xstrdup(strerror(err));
        }
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        if (cause != NULL)
            *cause = xstrdup("not a regular file");
        return false;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "a");
    if (f == NULL) {
        if (cause != NULL)
            *cause = xstrdup(strerror(errno));
        close(fd);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&log_lock);
    if (log_file != NULL)
        fclose(log_file);
    log_file = f;
    pthread_mutex_unlock(&log_lock);
    return true;
}

void log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file != NULL)
        fclose(log_file);
    log_file = NULL;
    free(log_secret);
    log_secret = NULL;
    pthread_mutex_unlock(&log_lock);
}

bool log_enabled(void)
{
    pthread_mutex_lock(&log_lock);
    bool on = log_file != NULL;
    pthread_mutex_unlock(&log_lock);
    return on;
}

void log_set_secret(const char *secret)
{
    pthread_mutex_lock(&log_lock);
    free(log_secret);
    log_secret = secret != NULL && secret[0] != '\0' ? xstrdup(secret) : NULL;
    pthread_mutex_unlock(&log_lock);
}

char *log_secret_copy(void)
{
    pthread_mutex_lock(&log_lock);
    char *copy = xstrdup(log_secret);
    pthread_mutex_unlock(&log_lock);
    return copy;
}

/* Overwrite every occurrence of secret in line with '*' (same length, so in place). */
static void scrub(char *line, const char *secret)
{
    size_t n = strlen(secret);
    for (char *p = strstr(line, secret); p != NULL; p = strstr(p + n, secret))
        memset(p, '*', n);
}

void log_printf(const char *tag, const char *fmt, ...)
{
    pthread_mutex_lock(&log_lock);
    if (log_file == NULL) {
        pthread_mutex_unlock(&log_lock);
        return;
    }
    char stamp[32];
    clock_format_iso8601(clock_now_ms(), stamp, sizeof stamp);

    va_list ap;
    va_start(ap, fmt);
    char *body = NULL;
    if (vasprintf(&body, fmt, ap) < 0)
        body = NULL;
    va_end(ap);
    if (body != NULL) {
        for (char *p = body; *p != '\0'; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        if (log_secret != NULL)
            scrub(body, log_secret);
        char *shown = url_redact(body); /* request URLs: never user:password@ */
        fprintf(log_file, "%s %s %s\n", stamp, tag != NULL ? tag : "-", shown);
        free(shown);
        free(body);
    }
    pthread_mutex_unlock(&log_lock);
}
