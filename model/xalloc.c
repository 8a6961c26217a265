/* xalloc.c -- allocation wrappers that abort instead of returning NULL. */
#include "config.h"

#include "model/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*failure_hook)(const char *message);

void xalloc_set_failure_hook(void (*hook)(const char *message))
{
    failure_hook = hook;
}

static void fail(const char *message)
{
    if (failure_hook != NULL)
        failure_hook(message); /* does not return */
    fprintf(stderr, "batchtop: %s\n", message);
    abort();
}

static void *check(void *p, size_t size)
{
    if (p == NULL && size != 0)
        fail("out of memory");
    return p;
}

void *xmalloc(size_t size)
{
    return check(malloc(size ? size : 1), 1);
}

void *xcalloc(size_t count, size_t size)
{
    if (count == 0 || size == 0)
        count = size = 1;
    return check(calloc(count, size), 1);
}

void *xrealloc(void *ptr, size_t size)
{
    return check(realloc(ptr, size ? size : 1), 1);
}

void *xreallocarray(void *ptr, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        fail("out of memory (allocation too large)");
    return xrealloc(ptr, count * size);
}

char *xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return xstrdup("");
    char *buf = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return buf;
}

void xstrset(char **dst, const char *src)
{
    char *copy = xstrdup(src);
    free(*dst);
    *dst = copy;
}

int xstreq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}
