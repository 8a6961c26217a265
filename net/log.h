/* log.h -- the optional debug log (--log FILE), safe to call from any thread; never the key. */
#ifndef NET_LOG_H
#define NET_LOG_H

#include <stdbool.h>

/* Open (append) the log: created 0600, refused when it is a symbolic link or not a regular
 * file; false and *cause (the reason, caller frees) on failure. Without it every log_* is a
 * no-op. */
bool log_open(const char *path, char **cause);
void log_close(void);
bool log_enabled(void);
/* One line, prefixed with the time and the thread's tag ("ui" / "net"); a trailing newline
 * is added. Callers never pass secrets; the key is also scrubbed if it was registered, and
 * the user:password@ of any URL in the line becomes ***@ (url_redact). */
void log_printf(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Register the secret to scrub from every line (copied). It is the one registry of the
 * secret: error bodies (errbody.h) mask it too, before anything is cut. */
void log_set_secret(const char *secret);
/* A copy of the registered secret (caller frees), NULL when none is registered. */
char *log_secret_copy(void);

#endif
