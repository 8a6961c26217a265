/* retry.c -- the retry policy of API.md as a pure function (no clock, no randomness). */
#include "config.h"

#include "net/retry.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RETRY_AFTER_LIMIT_MS 600000 /* a longer Retry-After is honoured for 10 minutes */

/* 1 except in tests (retry_scale_for_tests): written before the network thread starts. */
static double backoff_scale = 1.0;

void retry_scale_for_tests(double scale)
{
    backoff_scale = scale > 0.0 && scale <= 1.0 ? scale : 1.0;
}

static bool header_is(const char *value, const char *word)
{
    if (value == NULL)
        return false;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(word);
    if (strncasecmp(value, word, n) != 0)
        return false;
    for (value += n; *value; value++)
        if (!isspace((unsigned char)*value))
            return false;
    return true;
}

bool retry_should(const struct retry_answer *a)
{
    if (header_is(a->x_should_retry, "true"))
        return true;
    if (header_is(a->x_should_retry, "false"))
        return false;
    long s = a->http_status;
    if (s == 0)
        return a->transport_error;
    if (s == 409)
        return !a->no_retry_on_409;
    return s == 408 || s == 429 || s >= 500;
}

int64_t retry_backoff_ms(int attempt, double jitter)
{
    if (attempt < 0)
        attempt = 0;
    double ms = attempt >= 5 ? 8000.0 : 500.0 * (double)(1 << attempt);
    if (ms > 8000.0)
        ms = 8000.0;
    if (!(jitter >= 0.0))
        jitter = 0.0;
    if (jitter > 1.0)
        jitter = 1.0;
    return (int64_t)(ms * (1.0 - 0.25 * jitter));
}

/* A finite, non-negative decimal number, the whole string (surrounding blanks allowed). */
static bool parse_number(const char *text, double *out)
{
    if (text == NULL)
        return false;
    while (isspace((unsigned char)*text))
        text++;
    if (*text == '\0' || *text == '-' || *text == '+')
        return false;
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.' && !isspace((unsigned char)*p))
            return false;
    errno = 0;
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || errno != 0 || !isfinite(v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

bool retry_parse_http_date(const char *text, int64_t *ms)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (text == NULL)
        return false;
    while (*text == ' ')
        text++;
    /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    char wday[4], mon[4], zone[4];
    int day, year, hh, mm, ss, used = 0;
    if (strlen(text) > 64)
        return false;
    if (sscanf(text, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n", wday, &day, mon,
               &year, &hh, &mm, &ss, zone, &used) != 8)
        return false;
    for (const char *p = text + used; *p; p++)
        if (!isspace((unsigned char)*p))
            return false;
    if (strcmp(zone, "GMT") != 0 && strcmp(zone, "UTC") != 0)
        return false;
    int m = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(mon, months[i]) == 0)
            m = i;
    if (m < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 || hh > 23 || mm > 59 ||
        ss > 60 || hh < 0 || mm < 0 || ss < 0)
        return false;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = m;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return false;
    *ms = (int64_t)t * 1000;
    return true;
}

int64_t retry_delay_ms(const struct retry_answer *a, int attempt, int max_retries, int64_t now_ms,
                       double jitter)
{
    if (!retry_should(a) || attempt >= max_retries)
        return -1;
    double v;
    int64_t wait = -1;
    if (parse_number(a->retry_after_ms, &v)) {
        wait = v < RETRY_AFTER_LIMIT_MS ? (int64_t)v : RETRY_AFTER_LIMIT_MS;
    } else if (parse_number(a->retry_after, &v)) {
        wait = v * 1000.0 < RETRY_AFTER_LIMIT_MS ? (int64_t)(v * 1000.0) : RETRY_AFTER_LIMIT_MS;
    } else {
        int64_t when;
        if (retry_parse_http_date(a->retry_after, &when))
            wait = when - now_ms;
    }
    if (wait > RETRY_AFTER_LIMIT_MS) /* an HTTP date far ahead: capped, not ignored */
        wait = RETRY_AFTER_LIMIT_MS;
    if (wait >= 0)
        return wait;
    int64_t backoff = retry_backoff_ms(attempt, jitter);
    return backoff_scale < 1.0 ? (int64_t)((double)backoff * backoff_scale) : backoff;
}
