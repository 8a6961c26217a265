/* text.h -- the one sanitizer for server text and width-aware truncation for the screen. */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

/*
 * Every string that came from the server passes through here before it is drawn. Control
 * characters (C0, DEL, C1) become a visible `\xNN` marker, tab/newline/CR become a space,
 * invalid UTF-8, bidi controls (U+202A-202E, U+2066-2069, U+200E/200F, U+061C) and invisible
 * characters (zero-width space and joiners, U+FEFF, soft hyphen, word joiner, tag characters
 * U+E0000-E007F and the like) become '?', and widths are measured with wcwidth() so
 * CJK, emoji and combining marks line up. When the locale is not UTF-8 every non-ASCII
 * character becomes '?', the ellipsis becomes "..." and bars use '#'.
 * Pure functions of their input and of the mode set by text_init/text_set_utf8.
 */

#include <stdbool.h>
#include <stddef.h>

/* Read the locale (call after setlocale): UTF-8 mode when LC_CTYPE's codeset is UTF-8. */
void text_init(void);
void text_set_utf8(bool on);
bool text_utf8(void);

/* A sanitized copy of s (NULL gives ""); the caller frees it. */
char *text_clean(const char *s);
/* Columns s takes once sanitized. */
int text_width(const char *s);
/*
 * Sanitize s and fit it into `width` columns, ending with an ellipsis when it was cut; with
 * pad, spaces fill it to exactly `width` columns. Writes NUL-terminated UTF-8 into out
 * (len >= 4 * width + 4 is always enough) and returns the columns written.
 */
int text_fit(const char *s, int width, bool pad, char *out, size_t len);
/* Like text_fit, but keeps the END of s ("…5678") when it has to cut. */
int text_fit_left(const char *s, int width, bool pad, char *out, size_t len);
/* For text already cleaned: the byte length of the longest prefix that fits in width
 * columns, at least one character when s is not empty (for wrapping). */
size_t text_cut(const char *clean, int width);
/* True when s can be used as an ID as it is: 1 to TEXT_ID_MAX bytes of printable ASCII
 * without spaces (so nothing in it can be invisible, reorder text or move the cursor). */
#define TEXT_ID_MAX 256
bool text_is_safe_id(const char *s);
/* Remove the last UTF-8 character of t (in place; nothing when t is empty): Backspace in the
 * one-line inputs. */
void text_backspace(char *t);
/* Append the typed character code (a wide character) to t as UTF-8 when t stays at most
 * max_len bytes; false (t unchanged) when it does not fit or is not a character. */
bool text_append(char *t, size_t max_len, int code);
/* What is wrong with a name typed for the server (a directory's): "required", "no control
 * characters allowed", or NULL when it can be sent. */
const char *text_name_problem(const char *v);
/* A progress bar of `width` cells for done/total (full blocks, or '#' in ASCII mode). */
/* v with a comma between thousands: 10000 -> "10,000". */
void text_thousands(long v, char *buf, size_t len);
void text_bar(long done, long total, int width, char *out, size_t len);

#endif
