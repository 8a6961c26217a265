/* clock.c -- "now" through a test hook, monotonic time, ISO-8601 parse and format. */
#include "config.h"

#include "model/clock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t (*now_hook)(void);

int64_t clock_now_ms(void)
{
    if (now_hook)
        return now_hook();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_set_hook(int64_t (*now_ms)(void))
{
    now_hook = now_ms;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n ASCII digits at *p; advances *p. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/*
 * Accepted: YYYY-MM-DD, 'T'/'t'/' ', hh:mm:ss, optional .fraction (1+ digits, truncated to
 * ms), then 'Z'/'z', +hh:mm, -hh:mm, +hhmm or nothing (read as UTC, as a naive Python
 * isoformat() would mean it). Seconds may be 60 (a leap second). Nothing may follow.
 */
bool clock_parse_iso8601(const char *text, int64_t *ms)
{
    if (text == NULL)
        return false;
    const char *p = text;
    int year, mon, day, hour, min, sec;
    if (!digits(&p, 4, &year) || !expect(&p, '-') || !digits(&p, 2, &mon) || !expect(&p, '-')
        || !digits(&p, 2, &day))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!digits(&p, 2, &hour) || !expect(&p, ':') || !digits(&p, 2, &min) || !expect(&p, ':')
        || !digits(&p, 2, &sec))
        return false;
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23
        || min > 59 || sec > 60)
        return false;
    int frac = 0;
    if (*p == '.' || *p == ',') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        int scale = 100;
        for (; *p >= '0' && *p <= '9'; p++) {
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int oh, om;
        p++;
        if (!digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (!digits(&p, 2, &om) || oh > 23 || om > 59)
            return false;
        offset_min = sign * (oh * 60 + om);
    }
    if (*p != '\0')
        return false;
    int64_t days = days_from_civil(year, mon, day);
    int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - (int64_t)offset_min * 60;
    *ms = secs * 1000 + frac;
    return true;
}

/* Floor division and its remainder for a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;
    if (r < 0) {
        r += b;
        q--;
    }
    *rem = r;
    return q;
}

void clock_format_iso8601(int64_t ms, char *buf, size_t len)
{
    if (len == 0)
        return;
    int64_t msec, secs_of_day;
    int64_t secs = floor_div(ms, 1000, &msec);
    int64_t days = floor_div(secs, 86400, &secs_of_day);
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
             (int)(secs_of_day / 3600), (int)(secs_of_day / 60 % 60), (int)(secs_of_day % 60),
             (int)msec);
}

void clock_format_hms(int64_t ms, char *buf, size_t len)
{
    if (len == 0)
        return;
    int64_t rem;
    time_t secs = (time_t)floor_div(ms, 1000, &rem);
    struct tm tm;
    if (localtime_r(&secs, &tm) == NULL) {
        snprintf(buf, len, "--:--:--");
        return;
    }
    snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void clock_format_age(int64_t ms, char *buf, size_t len)
{
    if (len == 0)
        return;
    int64_t s = ms > 0 ? ms / 1000 : 0;
    if (s < 60)
        snprintf(buf, len, "%ds", (int)s);
    else if (s < 3600)
        snprintf(buf, len, "%dm", (int)(s / 60));
    else if (s < 86400)
        snprintf(buf, len, "%dh", (int)(s / 3600));
    else if (s / 86400 <= 999999)
        snprintf(buf, len, "%dd", (int)(s / 86400));
    else
        snprintf(buf, len, "999999d");
}
