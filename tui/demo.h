/* demo.h -- --demo: run batchtop-sim on a free loopback port for the length of the session. */
#ifndef TUI_DEMO_H
#define TUI_DEMO_H

#include <stdbool.h>

/*
 * demo_start finds batchtop-sim next to the running binary (/proc/self/exe), else on PATH,
 * starts it with `--listen 127.0.0.1:0 --speed 1`, hands it a fresh random key through the
 * environment (never argv), and waits (with a deadline) for its "listening on URL" line.
 * demo_stop kills and reaps it; it is async-signal-safe and idempotent, so it is the exit
 * hook of term.h and also registered with atexit.
 */

/* On success *url and *key are set (caller frees). False and *cause (caller frees) on failure. */
bool demo_start(char **url, char **key, char **cause);
void demo_stop(void);

#endif
