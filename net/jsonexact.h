/* jsonexact.h -- find and re-indent JSON text without reparsing it: every token as sent. */
#ifndef NET_JSONEXACT_H
#define NET_JSONEXACT_H

/*
 * json-c turns numbers into int64/double and objects into hash tables, so printing a parsed
 * tree changes data: 123456789012345678901234567890 saturates, -0 becomes 0, 1.0E+2 is
 * rewritten and duplicate keys are lost. These functions work on the raw text with a small,
 * strict RFC 8259 lexer instead: number, string and literal tokens are copied byte for byte
 * (string escapes stay as sent), members keep their order and duplicates; only whitespace
 * changes. They read nothing outside text[0..len) (no NUL terminator needed), refuse nesting
 * deeper than JSONEXACT_MAX_DEPTH and have no global state (safe to fuzz and to call from
 * any thread).
 */

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting accepted (a scalar is depth 0, "[1]" depth 1). */
#define JSONEXACT_MAX_DEPTH 512
/* json_pretty_exact's output is at most this many times the input, plus JSONEXACT_SLACK. */
#define JSONEXACT_MAX_GROWTH 16
#define JSONEXACT_SLACK 4096

/* ---- finding a member ---- */

/* The value of member key (compared after unescaping, so "extract\u005fresult" matches) of
 * the top-level object in body[0..len): its byte span [*start, *end) in body. With duplicate
 * keys the last one wins, as in json-c. False (outputs untouched) when body is not one valid
 * JSON object, optionally surrounded by whitespace, or has no such member. */
bool json_member_span(const char *body, size_t len, const char *key, size_t *start, size_t *end);

/* The elements of the JSON array text[0..len) (whitespace around it allowed), one per call:
 * start with *pos = 0; each call that returns true gives the next element's byte span
 * [*start, *end) and moves *pos past it. False at the end of the array, and also when text is
 * not a valid array or an element is nested deeper than JSONEXACT_MAX_DEPTH - 1: then *bad is
 * set (it is left alone at a clean end). Elements are checked as they are reached, so a caller
 * that stops early has not looked at the rest. */
bool json_array_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end,
                     bool *bad);

/* ---- printing ---- */

/* text[0..len) (one JSON value, whitespace around it allowed) re-indented like json-c's
 * PRETTY|SPACED printing: 2-space indent, one member or element per line, ": " after keys,
 * empty containers as {} and [], no trailing newline. Every token is copied unchanged.
 * Returns a fresh string the caller frees, or NULL when text is not valid JSON, is nested
 * deeper than JSONEXACT_MAX_DEPTH, or the indented form would exceed
 * JSONEXACT_MAX_GROWTH * len + JSONEXACT_SLACK bytes. */
char *json_pretty_exact(const char *text, size_t len);

#endif
