/* upload.c -- the Upload screen: a local folder becomes a directory and a batch (issue 17). */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "model/clock.h"
#include "model/localsrc.h"
#include "model/xalloc.h"
#include "tui/apply.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

/*
 * The New batch form opens it when the source is a local path (form.c). First a review: what
 * the scan found (files, bytes, what is left out and why, hidden files skipped, more files
 * than a batch takes), the new directory's name (folder name and date, editable) and its
 * type. Enter sends one NET_CMD_UPLOAD (net/upload.c): find or create the directory by name,
 * upload what it lacks, create the batch. Then the same screen shows the progress: files and
 * bytes done, rate, time left, files that failed. Sending it again after an error, or after
 * the program was stopped half-way, is safe: the directory is found by its name and only
 * files whose content (SHA-256) is not there yet are uploaded. Esc while it runs leaves it
 * running; its outcome shows in Messages and the list.
 */

#define NAME_MAX_BYTES 200
#define SHOW_PROBLEMS 4 /* problems listed in the review; all go to Messages */
#define KEEP_FAILS 200  /* failure lines kept for the view (all are logged) */

enum { U_NAME, U_KIND, U_COUNT };

struct upload {
    char *spec; /* the source as typed */
    struct local_scan scan;
    char name[NAME_MAX_BYTES + 8];
    bool ephemeral;
    enum job_type type;
    char *config;
    int field;
    char *name_error;
    char *status;
    bool status_error;
    bool confirmed; /* production profiles, confirm_create, more files than a batch takes */
    bool sending, started;
    uint64_t req;
    enum net_resubmit_phase phase;
    struct net_upload_progress prog;
    int64_t rate_base_bytes; /* bytes_done before the first upload began (files present) */
    char *dir_id;
    char **fails; /* "name: reason", at most KEEP_FAILS */
    size_t n_fails;
    size_t n_stale;
};

static void set_status(struct upload *u, bool error, const char *text)
{
    xstrset(&u->status, text);
    u->status_error = error;
}

/* "23.4 MiB", "812 KiB", "96 B" */
static void fmt_bytes(int64_t v, char *buf, size_t len)
{
    if (v < 1024)
        snprintf(buf, len, "%lld B", (long long)v);
    else if (v < 1024 * 1024)
        snprintf(buf, len, "%.0f KiB", (double)v / 1024.0);
    else if (v < (int64_t)1024 * 1024 * 1024)
        snprintf(buf, len, "%.1f MiB", (double)v / (1024.0 * 1024.0));
    else
        snprintf(buf, len, "%.2f GiB", (double)v / (1024.0 * 1024.0 * 1024.0));
}

static const char *phase_text(const struct upload *u)
{
    switch (u->phase) {
    case NET_RESUBMIT_FIND_DIR:
        return "looking for the directory";
    case NET_RESUBMIT_CREATE_DIR:
        return "creating the directory";
    case NET_RESUBMIT_LIST_FILES:
        return "listing what the directory holds";
    case NET_RESUBMIT_ADD_FILES:
        return u->prog.started_ms ? "uploading files" : "hashing files";
    case NET_RESUBMIT_CREATE_BATCH:
        return "creating the batch";
    case NET_RESUBMIT_DONE:
        break;
    }
    return "done";
}

static void draw_review(struct upload *u, struct app *a, int y, int cols)
{
    char buf[512], b1[32];
    const struct local_scan *s = &u->scan;
    text_thousands((long)s->n_files, b1, sizeof b1);
    char bytes[32];
    fmt_bytes(s->bytes_total, bytes, sizeof bytes);
    snprintf(buf, sizeof buf, "%s file%s, %s", b1, s->n_files == 1 ? "" : "s", bytes);
    if (s->hidden_skipped)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "; %zu hidden skipped",
                 s->hidden_skipped);
    draw_text(y, 20, cols - 21, buf, A_BOLD, false);
    if (s->n_files > LOCALSRC_MAX_FILES) {
        text_thousands((long)s->n_files, b1, sizeof b1);
        snprintf(buf, sizeof buf,
                 "%s files: a batch takes at most 1,000. Esc stops here; Enter asks before "
                 "uploading them all",
                 b1);
        draw_text(y + 1, 20, cols - 21, buf, draw_attr(COLOR_ROLE_BAD) | A_BOLD, false);
    }
    if (s->n_problems == 0)
        return;
    snprintf(buf, sizeof buf, "Left out (%zu)", s->n_problems);
    draw_text(y + 2, 1, 18, buf, draw_attr(COLOR_ROLE_BAD), false);
    for (size_t i = 0; i < s->n_problems && i < SHOW_PROBLEMS; i++) {
        snprintf(buf, sizeof buf, "%s: %s", s->problems[i].path, s->problems[i].reason);
        draw_text(y + 2 + (int)i, 20, cols - 21, buf, A_NORMAL, false);
    }
    if (s->n_problems > SHOW_PROBLEMS) {
        snprintf(buf, sizeof buf, "and %zu more (all in Messages)", s->n_problems - SHOW_PROBLEMS);
        draw_text(y + 2 + SHOW_PROBLEMS, 20, cols - 21, buf, A_DIM, false);
    }
}

static void draw_progress(struct upload *u, int y, int cols)
{
    const struct net_upload_progress *p = &u->prog;
    char buf[512], done[32], total[32], sent[32], rate[80] = "", left[48] = "";
    size_t finished = p->files_present + p->files_sent + p->files_failed;
    snprintf(buf, sizeof buf, "%s\xe2\x80\xa6", phase_text(u));
    if (u->phase == NET_RESUBMIT_DONE)
        snprintf(buf, sizeof buf, "done");
    draw_text(y, 1, cols - 2, buf, A_BOLD, false);
    if (p->files_total == 0)
        return;
    snprintf(buf, sizeof buf,
             "Files  %zu/%zu done: %zu uploaded, %zu already there, %zu failed  (hashed %zu)",
             finished, p->files_total, p->files_sent, p->files_present, p->files_failed,
             p->files_hashed);
    draw_text(y + 1, 1, cols - 2, buf, p->files_failed ? draw_attr(COLOR_ROLE_BAD) : A_NORMAL,
              false);
    int bw = cols - 4 < 40 ? cols - 4 : 40;
    if (bw > 4) {
        char bar[4 * 40 + 8];
        text_bar((long)(p->bytes_done / 1024), (long)(p->bytes_total / 1024), bw, bar, sizeof bar);
        draw_text(y + 2, 1, bw, bar, draw_attr(COLOR_ROLE_GOOD), false);
    }
    fmt_bytes(p->bytes_done, done, sizeof done);
    fmt_bytes(p->bytes_total, total, sizeof total);
    int64_t elapsed = p->started_ms ? clock_now_ms() - p->started_ms : 0;
    int64_t moved = p->bytes_done - u->rate_base_bytes;
    if (elapsed >= 500 && moved > 0) {
        double bps = (double)moved * 1000.0 / (double)elapsed;
        fmt_bytes((int64_t)bps, sent, sizeof sent);
        snprintf(rate, sizeof rate, "  %s/s, %.1f files/s", sent,
                 (double)p->files_sent * 1000.0 / (double)elapsed);
        if (u->phase == NET_RESUBMIT_ADD_FILES && p->bytes_total > p->bytes_done) {
            int64_t s = (int64_t)((double)(p->bytes_total - p->bytes_done) / bps + 0.5);
            if (s >= 60)
                snprintf(left, sizeof left, "  about %lldm%02llds left", (long long)(s / 60),
                         (long long)(s % 60));
            else
                snprintf(left, sizeof left, "  about %llds left", (long long)s);
        }
    }
    snprintf(buf, sizeof buf, "Bytes  %s of %s%s%s", done, total, rate, left);
    draw_text(y + 3, 1, cols - 2, buf, A_NORMAL, false);
    int row = y + 4;
    if (u->n_stale) {
        snprintf(buf, sizeof buf,
                 "%zu file%s changed since an earlier upload: uploaded again, the old entr%s "
                 "kept (see Messages)",
                 u->n_stale, u->n_stale == 1 ? "" : "s", u->n_stale == 1 ? "y" : "ies");
        draw_text(row++, 1, cols - 2, buf, A_NORMAL, false);
    }
    for (size_t i = 0; i < u->n_fails && i < SHOW_PROBLEMS; i++)
        draw_text(row++, 3, cols - 4, u->fails[u->n_fails - 1 - i], draw_attr(COLOR_ROLE_BAD),
                  false);
}

static void upload_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    (void)rows;
    struct upload *u = s->data;
    char buf[512];
    draw_text(top, 0, cols, " Upload a local folder as a new batch", A_BOLD, true);
    a->cursor_y = -1;
    int fx = 20, fw = cols - fx - 2;
    if (fw < 10)
        fw = 10;
    draw_text(top + 2, 1, 18, "Source", A_NORMAL, false);
    draw_text(top + 2, fx, fw, u->scan.root ? u->scan.root : u->spec, A_NORMAL, false);
    draw_text(top + 3, 1, 18, "Files", A_NORMAL, false);
    draw_review(u, a, top + 3, cols);
    int y =
        top + 5 +
        (u->scan.n_problems ? 1 + (u->scan.n_problems > SHOW_PROBLEMS ? SHOW_PROBLEMS + 1
                                                                      : (int)u->scan.n_problems)
                            : 0);
    bool editable = !u->sending && !u->started;
    draw_text(y, 1, 18, "New directory", u->field == U_NAME && editable ? A_BOLD : A_NORMAL,
              false);
    size_t len = (size_t)fw * 4 + 8;
    char fit[len];
    int w = text_fit_left(u->name, fw, false, fit, len);
    draw_fill(y, fx, fw, editable ? A_UNDERLINE : A_NORMAL);
    draw_text(y, fx, fw, fit, editable ? A_UNDERLINE : A_BOLD, false);
    if (editable && u->field == U_NAME) {
        a->cursor_y = y;
        a->cursor_x = fx + (w < fw ? w : fw - 1);
    }
    const char *hint = u->name_error ? u->name_error
                                     : "found by this name if it exists: a second run uploads "
                                       "only what is missing";
    draw_text(y + 1, fx, fw, hint, u->name_error ? draw_attr(COLOR_ROLE_BAD) : A_DIM, false);
    draw_text(y + 2, 1, 18, "Directory type", u->field == U_KIND && editable ? A_BOLD : A_NORMAL,
              false);
    snprintf(buf, sizeof buf, "(%s) user  (%s) ephemeral", u->ephemeral ? " " : "x",
             u->ephemeral ? "x" : " ");
    draw_text(y + 2, fx, fw, buf, u->field == U_KIND && editable ? A_BOLD | A_REVERSE : A_BOLD,
              false);
    draw_text(y + 3, fx, fw,
              u->ephemeral ? "ephemeral: the API removes it after a while"
                           : "Space: user / ephemeral",
              A_DIM, false);
    snprintf(buf, sizeof buf, "%s with %s", job_type_name(u->type), u->config);
    draw_text(y + 4, 1, 18, "Batch", A_NORMAL, false);
    draw_text(y + 4, fx, fw, buf, A_NORMAL, false);
    if (u->dir_id) {
        draw_text(y + 5, 1, 18, "Directory", A_NORMAL, false);
        draw_text(y + 5, fx, fw, u->dir_id, A_NORMAL, false);
    }
    if (u->started)
        draw_progress(u, y + 7, cols);
    int sy = y + 7 +
             (u->started ? 5 + (u->n_stale ? 1 : 0) +
                               (int)(u->n_fails < SHOW_PROBLEMS ? u->n_fails : SHOW_PROBLEMS)
                         : 0);
    if (u->status)
        draw_text(sy, 1, cols - 2, u->status,
                  u->status_error ? draw_attr(COLOR_ROLE_BAD) | A_BOLD : A_BOLD, false);
    draw_text(sy + 2, 1, cols - 2,
              u->sending ? "Esc leaves it running (the outcome shows in Messages)  "
                           "Ctrl-C quits (a second run resumes)"
                         : "Tab move  Space directory type  Enter upload  Esc back to the form",
              A_DIM, false);
}

static void submit(struct upload *u, struct app *a);

static void confirm_answer(struct app *a, void *ctx, bool yes)
{
    struct upload *u = ctx;
    if (!yes) {
        set_status(u, false, "nothing uploaded");
        return;
    }
    u->confirmed = true;
    submit(u, a);
}

static void submit(struct upload *u, struct app *a)
{
    if (u->sending)
        return; /* a second Enter while it runs does nothing */
    xstrset(&u->name_error, NULL);
    const char *e = text_name_problem(u->name);
    if (e) {
        xstrset(&u->name_error, e);
        set_status(u, true, "fix the directory's name, then press Enter");
        return;
    }
    if (a->opt.readonly) {
        set_status(u, true, "read-only mode: creating batches is disabled (--readonly)");
        return;
    }
    bool too_many = u->scan.n_files > LOCALSRC_MAX_FILES;
    if ((a->opt.production || a->opt.confirm_create || too_many) && !u->confirmed) {
        char body[1024], where[160] = "", n[32], bytes[32];
        if (a->opt.profile)
            snprintf(where, sizeof where, "\nin profile %s%s", a->opt.profile,
                     a->opt.production ? " (PRODUCTION)" : "");
        text_thousands((long)u->scan.n_files, n, sizeof n);
        fmt_bytes(u->scan.bytes_total, bytes, sizeof bytes);
        snprintf(body, sizeof body,
                 "Upload %s files (%s) into \"%.120s\"\nand create a %s batch with %.128s%s?%s", n,
                 bytes, u->name, job_type_name(u->type), u->config, where,
                 too_many ? "\nA batch takes at most 1,000 files: the server may refuse it." : "");
        dialog_open(a, "Upload and create", body, confirm_answer, u, NULL);
        return;
    }
    u->confirmed = false;
    struct net_cmd *c = net_cmd_new(NET_CMD_UPLOAD);
    c->name = xstrdup(u->name);
    c->ephemeral = u->ephemeral;
    c->configuration_id = xstrdup(u->config);
    c->job_type = u->type;
    c->n_locals = u->scan.n_files;
    c->locals = xcalloc(c->n_locals ? c->n_locals : 1, sizeof *c->locals);
    for (size_t i = 0; i < c->n_locals; i++)
        local_file_copy(&c->locals[i], &u->scan.files[i]);
    u->req = app_submit(a, c);
    u->sending = true;
    u->started = true;
    u->phase = NET_RESUBMIT_FIND_DIR;
    memset(&u->prog, 0, sizeof u->prog);
    u->prog.files_total = u->scan.n_files;
    u->prog.bytes_total = u->scan.bytes_total;
    u->rate_base_bytes = 0;
    set_status(u, false, NULL);
    app_log(a, false, "upload of %s: %zu files into directory \"%s\"", u->spec, u->scan.n_files,
            u->name);
}

static unsigned upload_key(struct screen *s, struct app *a, struct key_event k)
{
    struct upload *u = s->data;
    bool editable = !u->sending;
    if (!k.fn) {
        switch (k.code) {
        case KEY_CTRL('c'):
            return REACT_QUIT;
        case KEY_ESCAPE:
            if (u->sending)
                app_flash(a, "the upload into \"%s\" goes on; its outcome will show in Messages",
                          u->name);
            return REACT_CLOSE | REACT_REDRAW;
        case '\n':
        case '\r':
            submit(u, a);
            return REACT_REDRAW;
        case '\t':
            u->field = (u->field + 1) % U_COUNT;
            return REACT_REDRAW;
        case ' ':
            if (editable && u->field == U_KIND) {
                u->ephemeral = !u->ephemeral;
                return REACT_REDRAW;
            }
            break;
        case 127:
        case 8:
            if (editable && u->field == U_NAME)
                text_backspace(u->name);
            return REACT_REDRAW;
        case KEY_CTRL('u'):
            if (editable && u->field == U_NAME)
                u->name[0] = '\0';
            return REACT_REDRAW;
        default:
            break;
        }
        if (editable && u->field == U_NAME && k.code >= 32 && k.code != 127)
            text_append(u->name, NAME_MAX_BYTES, k.code);
        return REACT_REDRAW;
    }
    switch (k.code) {
    case KEY_ENTER:
        submit(u, a);
        break;
    case KEY_DOWN:
    case KEY_UP:
    case KEY_BTAB:
        u->field = (u->field + 1) % U_COUNT;
        break;
    case KEY_LEFT:
    case KEY_RIGHT:
        if (editable && u->field == U_KIND)
            u->ephemeral = !u->ephemeral;
        break;
    case KEY_BACKSPACE:
        if (editable && u->field == U_NAME)
            text_backspace(u->name);
        break;
    case KEY_F(1):
        return REACT_UNHANDLED;
    default:
        break;
    }
    return REACT_REDRAW;
}

static unsigned upload_message(struct screen *s, struct app *a, const struct net_msg *m)
{
    struct upload *u = s->data;
    if (!u->sending || m->req != u->req)
        return REACT_NONE;
    if (m->n_directories > 0 && m->directories[0].id)
        xstrset(&u->dir_id, m->directories[0].id);
    switch (m->type) {
    case NET_MSG_UPLOAD_PROGRESS:
        u->phase = m->resubmit_phase;
        u->prog = m->upload;
        /* the rate counts bytes sent: those of files found present before the first upload
         * began are left out */
        if (u->prog.started_ms == 0)
            u->rate_base_bytes = u->prog.bytes_done;
        return REACT_REDRAW;
    case NET_MSG_UPLOAD_FILE:
        if (m->stale_entry)
            u->n_stale++;
        if (m->upload_state == NET_UPLOAD_FAILED) {
            char *line = xasprintf("%s: %s", m->id ? m->id : "a file",
                                   m->error.message ? m->error.message : "failed");
            if (u->n_fails == KEEP_FAILS) {
                free(u->fails[0]);
                memmove(u->fails, u->fails + 1, (KEEP_FAILS - 1) * sizeof *u->fails);
                u->n_fails--;
            }
            u->fails = xreallocarray(u->fails, u->n_fails + 1, sizeof *u->fails);
            u->fails[u->n_fails++] = line;
        }
        return REACT_REDRAW;
    case NET_MSG_UPLOADED:
        break;
    default:
        return REACT_NONE;
    }
    u->sending = false;
    u->prog = m->upload;
    if (m->ok) {
        /* apply.c recorded the batch and said so; the list selects it */
        list_screen_select(a, m->n_batches ? m->batches[0].id : NULL);
        return REACT_CLOSE | REACT_REDRAW;
    }
    u->phase = m->resubmit_phase;
    const char *why = m->error.message ? m->error.message : "failed";
    char *line = xasprintf("stopped while %s: %s. Enter tries again (only what is missing is "
                           "uploaded)",
                           phase_text(u), why);
    set_status(u, true, line);
    free(line);
    return REACT_REDRAW;
}

static const char *upload_hints(struct screen *s, struct app *a)
{
    (void)a;
    struct upload *u = s->data;
    return u->sending ? "Esc leave it running  Ctrl-C quit" : "Enter upload  Tab move  Esc back";
}

static void upload_done(struct screen *s, struct app *a)
{
    (void)a;
    struct upload *u = s->data;
    free(u->spec);
    local_scan_done(&u->scan);
    free(u->config);
    free(u->name_error);
    free(u->status);
    free(u->dir_id);
    for (size_t i = 0; i < u->n_fails; i++)
        free(u->fails[i]);
    free(u->fails);
    free(u);
}

static const struct screen_ops upload_ops = {
    .name = "upload",
    .scope = SCOPE_GLOBAL,
    .draw = upload_draw,
    .key = upload_key,
    .message = upload_message,
    .hints = upload_hints,
    .done = upload_done,
};

void upload_open(struct app *a, const char *spec, struct local_scan *scan, enum job_type type,
                 const char *config)
{
    struct upload *u = xcalloc(1, sizeof *u);
    u->spec = xstrdup(spec);
    u->scan = *scan;
    memset(scan, 0, sizeof *scan);
    u->type = type;
    u->config = xstrdup(config);
    char *name = localsrc_default_name(&u->scan, (time_t)(clock_now_ms() / 1000));
    /* cut after a whole character if the folder's name is very long */
    size_t end = strlen(name);
    if (end > NAME_MAX_BYTES)
        for (end = NAME_MAX_BYTES; end > 0 && ((unsigned char)name[end] & 0xc0) == 0x80; end--)
            ;
    name[end] = '\0';
    snprintf(u->name, sizeof u->name, "%s", name);
    free(name);
    for (size_t i = 0; i < u->scan.n_problems; i++)
        app_log(a, true, "left out of the upload: %s: %s", u->scan.problems[i].path,
                u->scan.problems[i].reason);
    app_push(a, &upload_ops, u);
}
