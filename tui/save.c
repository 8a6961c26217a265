/* save.c -- writing a file the user asked for: no link followed, no silent overwrite. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "tui/save.h"
#include "tui/screens.h"

struct write_job {
    char *path;
    char *content;
    size_t len;
    char *what; /* "N rows (CSV)"; NULL: the byte count */
};

static void write_job_free(void *p)
{
    struct write_job *w = p;
    free(w->path);
    free(w->content);
    free(w->what);
    free(w);
}

/* "… is a symbolic link to TARGET" for an error line; caller frees. */
static char *link_refusal(const char *path)
{
    char target[1024];
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    return xasprintf("not written: %s is a symbolic link to %s; batchtop does not write "
                     "through links (write to the target's own name instead)",
                     path, n > 0 ? target : "?");
}

/*
 * Create (O_EXCL) or overwrite the file, never through a link: O_NOFOLLOW refuses a link put
 * in place after the question, O_NONBLOCK keeps a FIFO from hanging the UI, and anything that
 * is not a regular file is refused before it is truncated. Mode 0666 less the umask.
 */
static void write_now(struct app *a, struct write_job *w, bool overwrite)
{
    int fd = open(
        w->path,
        O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (overwrite ? 0 : O_EXCL), 0666);
    if (fd < 0) {
        struct stat st;
        if (lstat(w->path, &st) == 0 && S_ISLNK(st.st_mode)) {
            char *msg = link_refusal(w->path);
            app_error(a, "%s", msg);
            free(msg);
        } else {
            app_error(a, "cannot write %s: %s", w->path, strerror(errno));
        }
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        app_error(a, "not written: %s is not a regular file", w->path);
        return;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (overwrite && ftruncate(fd, 0) != 0) {
        app_error(a, "cannot write %s: %s", w->path, strerror(errno));
        close(fd);
        return;
    }
    size_t len = w->len, off = 0;
    while (off < len) {
        ssize_t n = write(fd, w->content + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            app_error(a, "cannot write %s: %s", w->path, strerror(errno));
            close(fd);
            return;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0) {
        app_error(a, "cannot write %s: %s", w->path, strerror(errno));
        return;
    }
    if (w->what)
        app_flash(a, "wrote %s to %s", w->what, w->path);
    else
        app_flash(a, "wrote %zu bytes to %s", len, w->path);
}

static void overwrite_answer(struct app *a, void *ctx, bool yes)
{
    struct write_job *w = ctx;
    if (yes)
        write_now(a, w, true);
    else
        app_flash(a, "not written: %s exists", w->path);
}

void save_file(struct app *a, const char *path, char *content, size_t len, const char *what)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        /* A link is refused, saying where it points: "overwrite?" would have written the
         * target, which may be any file the user can write. */
        if (S_ISLNK(st.st_mode)) {
            char *msg = link_refusal(path);
            app_error(a, "%s", msg);
            free(msg);
            free(content);
            return;
        }
        if (!S_ISREG(st.st_mode)) {
            app_error(a, "not written: %s exists and is not a regular file", path);
            free(content);
            return;
        }
    }
    struct write_job *w = xcalloc(1, sizeof *w);
    w->path = xstrdup(path);
    w->content = content;
    w->len = len;
    w->what = xstrdup(what);
    if (lstat(w->path, &st) == 0) {
        char body[1200];
        snprintf(body, sizeof body,
                 "%s already exists (a regular file, %lld bytes).\n"
                 "Overwrite it?",
                 w->path, (long long)st.st_size);
        dialog_open(a, "Overwrite file", body, overwrite_answer, w, write_job_free);
        return;
    }
    write_now(a, w, false);
    write_job_free(w);
}
