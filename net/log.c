/* log.c -- the optional debug log: one mutex-guarded file, lines stamped, the secret scrubbed. */
#include "config.h"

#include "net/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/clock.h"
#include "model/xalloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;   /* NULL: logging off */
static char *log_secret; /* scrubbed from every line; owned */

bool log_open(const char *path, char **cause)
{
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        if (cause != NULL)
            *cause = xasprintf("cannot open log %s", path);
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
        fprintf(log_file, "%s %s %s\n", stamp, tag != NULL ? tag : "-", body);
        free(body);
    }
    pthread_mutex_unlock(&log_lock);
}
