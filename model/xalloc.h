/* xalloc.h -- allocation wrappers that never return NULL, and small string helpers. */
#ifndef MODEL_XALLOC_H
#define MODEL_XALLOC_H

#include <stddef.h>

/*
 * Every allocation in batchtop goes through these. On exhaustion they call the failure hook
 * (the UI registers one that restores the terminal, prints the message and exits 1: see
 * term_alloc_failure_install in tui/term.h); without a hook they print one line on stderr
 * and abort(). Callers never check for NULL (STYLE.md rule 7, htop XUtils.c).
 */

/* Call hook(message) on an allocation failure instead of printing and aborting; hook must
 * not return (if it does, the default still runs). NULL restores the default. */
void xalloc_set_failure_hook(void (*hook)(const char *message));
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xreallocarray: grows an array to count*size bytes, aborting on overflow. */
void *xreallocarray(void *ptr, size_t count, size_t size);
/* xstrdup: NULL in, NULL out; otherwise a fresh copy the caller frees. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf: a formatted, freshly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* xstrset: frees *dst and replaces it with a copy of src (NULL allowed). */
void xstrset(char **dst, const char *src);
/* xstreq: equal strings, where two NULLs are equal and NULL differs from "". */
int xstreq(const char *a, const char *b);

#endif
