/* term.h -- the terminal's lifecycle: curses start, one idempotent restore, signals as bytes. */
#ifndef TUI_TERM_H
#define TUI_TERM_H

/*
 * term_signals_install() runs before initscr so SIGWINCH is ours (STYLE.md rule 11):
 * SIGWINCH, SIGINT, SIGTERM and SIGHUP become bytes on a self-pipe the loop polls (which
 * then leaves through the normal restore); SIGPIPE is ignored; fatal signals (SEGV, BUS, FPE,
 * ILL, ABRT) restore the terminal with async-signal-safe calls only (the sgr0, cnorm, rmkx
 * and rmcup strings captured by term_start, written with write(2), then the shell's termios),
 * run the exit hook, put back the previous handler (so sanitizers still report) and re-raise.
 * tui_done() is the one restore: idempotent, reached from exit (atexit), die() and an
 * allocation failure (term_alloc_failure_install); from a thread other than the UI thread it
 * uses the same raw restore instead of endwin().
 */

#include <stdbool.h>

/* Install the handlers and the self-pipe; false and *cause on failure. */
bool term_signals_install(char **cause);
/* The read end of the self-pipe (poll it for POLLIN). */
int term_signal_fd(void);
/* Drain the pipe; sets *resized / *quit when such signals arrived. */
void term_signals_read(bool *resized, bool *quit);
/* The last SIGINT, SIGTERM or SIGHUP received (0: none), for the exit status 128 + signal. */
int term_quit_signal(void);
/* Route allocation failures (model/xalloc.h) to die(): the terminal is restored first, then
 * "batchtop: out of memory" goes to stderr where it is seen, and the exit status is 1. */
void term_alloc_failure_install(void);

/* Before anything else: can this terminal (TERM) draw full screens? False and *cause (caller
 * frees) for an unknown TERM or one that cannot move the cursor (dumb, hardcopy). */
bool term_check(char **cause);
/* Start curses (locale already set); registers tui_done with atexit. */
void term_start(void);
/* Apply the terminal's current size (after SIGWINCH); never from a handler. */
void term_resize(void);
/* True when the terminal's size differs from what curses believes (a missed SIGWINCH). */
bool term_size_changed(void);
/* Restore the terminal: endwin, cursor, leave the alternate screen. Idempotent, any context. */
void tui_done(void);
/* A hook run once at exit and on the fatal path after the terminal is restored (e.g. stop the
 * demo simulator). Must be async-signal-safe. */
void term_set_exit_hook(void (*hook)(void));
/* Restore the terminal, print "batchtop: message" on stderr and exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
