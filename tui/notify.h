/* notify.h -- a watched batch ended: the bell, a desktop notification, a command ([notify]). */
#ifndef TUI_NOTIFY_H
#define TUI_NOTIFY_H

/*
 * The TUI says when a batch created in this session, or one marked with `*`, reaches its end:
 * always a flash and a Messages line, then what [notify] of the configuration file asks for:
 * the terminal bell, a desktop notification through the terminal (OSC 9, and OSC 777 for the
 * terminals that read that one; wrapped in tmux's passthrough inside tmux), and a command run
 * through /bin/sh -c with BATCHTOP_BATCH_ID, BATCHTOP_STATUS and BATCHTOP_FILES_FAILED in its
 * environment and never the key. The command does not block the UI; what it writes on standard
 * error is shown in Messages when it fails. `batchtop wait --notify` runs the same command.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct notify_config {
    bool bell;
    bool osc9, osc777;
    char *command; /* NULL: none */
};

/* The escape sequences of a desktop notification (title and body cleaned of anything but
 * printable text), wrapped for tmux when in_tmux; NULL when neither OSC is asked for. Fresh. */
char *notify_osc(const struct notify_config *c, const char *title, const char *body, bool in_tmux);

/* Start the command. Its standard input and output are /dev/null, its standard error a pipe
 * whose read end (non-blocking, close-on-exec) is *err_fd. files_failed < 0: the variable is
 * set empty. Returns the pid, or -1 with *why (caller frees). */
pid_t notify_spawn(const char *command, const char *batch_id, const char *status,
                   long files_failed, int *err_fd, char **why);

/* Read what err_fd has into buf (at most cap bytes kept, the rest dropped); false at EOF. */
bool notify_read(int err_fd, char *buf, size_t *len, size_t cap);

/* Whether pid has ended (without waiting): then *failure is NULL on exit status 0, else a
 * line with the status and the standard error read so far (caller frees). */
bool notify_reaped(pid_t pid, const char *err, size_t err_len, char **failure);

#endif
