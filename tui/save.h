/* save.h -- writing a file the user asked for: no link followed, no silent overwrite. */
#ifndef TUI_SAVE_H
#define TUI_SAVE_H

/*
 * Shared by the File screen's `w` (a job's output) and the Batch screen's `E` (the file table).
 * A symbolic link at the path is refused, saying where it points; anything that is not a
 * regular file is refused; an existing regular file is overwritten only after a yes in a dialog
 * (default No). The file is created 0666 less the umask. Success and failure are reported on
 * the flash line (failures as errors, in the messages log); nothing is written half-way
 * silently.
 */

#include <stddef.h>

#include "tui/app.h"

/* Write content (taken: freed here, now or after the dialog; len bytes) to path (copied). On
 * success the flash says "wrote WHAT to PATH"; what NULL says "N bytes". */
void save_file(struct app *a, const char *path, char *content, size_t len, const char *what);

#endif
