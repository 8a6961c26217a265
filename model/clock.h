/* clock.h -- the one source of "now" (wall clock in ms) and ISO-8601 parsing/formatting. */
#ifndef MODEL_CLOCK_H
#define MODEL_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, through the hook when one is set (tests pin time). */
int64_t clock_now_ms(void);
/* Monotonic milliseconds (never hooked): for timers and timeouts, not for display. */
int64_t clock_mono_ms(void);
/* clock_set_hook: NULL restores the real clock. */
void clock_set_hook(int64_t (*now_ms)(void));

/*
 * Parse "2026-11-28T18:11:19.117Z" (fraction optional, 'Z' or +hh:mm / -hh:mm offset,
 * 'T' or ' ' separator) into epoch ms. Returns false (and leaves *ms alone) when malformed.
 */
bool clock_parse_iso8601(const char *text, int64_t *ms);
/* Format epoch ms as "2026-11-28T18:11:19.117Z" into buf (at least 25 bytes). */
void clock_format_iso8601(int64_t ms, char *buf, size_t len);
/* Format epoch ms as local "HH:MM:SS" into buf (at least 9 bytes). */
void clock_format_hms(int64_t ms, char *buf, size_t len);
/* Format a duration as a short age: "4s", "3m", "2h", "5d" into buf (at least 8 bytes). */
void clock_format_age(int64_t ms, char *buf, size_t len);

#endif
