/* resubmit.c -- the Resubmit dialog: run a batch's failed or unfinished files again. */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "model/clock.h"
#include "model/strmap.h"
#include "model/xalloc.h"
#include "tui/apply.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

/*
 * `R` on the Batch screen. The operator chooses which files (failed, not completed, or the
 * rows the table shows now), the new directory's name, the job type and the configuration;
 * Enter sends one NET_CMD_RESUBMIT, which finds or creates the directory by name, adds the
 * files it lacks and creates the batch (net/resubmit.c). Sending it again after an error or
 * an interruption is safe for the same reason, so Enter is also the "try again". The default
 * name carries the UTC date, so a second attempt the same day finds the same directory.
 */

#define NAME_MAX_BYTES 200
#define ID_MAX_BYTES 128

enum { R_FILES, R_NAME, R_TYPE, R_CONFIG, R_COUNT };
enum choice { CHOOSE_FAILED, CHOOSE_NOT_COMPLETED, CHOOSE_SHOWN, CHOOSE_COUNT };

static const char *const labels[R_COUNT] = {"Files", "New directory", "Job type",
                                            "Configuration ID"};
static const char *const choice_names[CHOOSE_COUNT] = {"failed", "not completed", "as shown"};

struct resubmit {
    char *batch_id;     /* the original */
    char *directory_id; /* the original's directory */
    char name[NAME_MAX_BYTES + 8];
    char config[ID_MAX_BYTES + 8];
    enum job_type type;
    enum choice choice;
    int field;
    char *errors[R_COUNT];
    char *status;
    bool status_error;
    bool sending;
    bool confirmed; /* production profiles and confirm_create: the operator said yes */
    uint64_t req;
};

/* Which rows the choice takes. */
static bool row_chosen(const struct detail_row *r, enum choice c)
{
    bool completed = r->job_known && r->job_status == JOB_COMPLETED && !r->mapping_error;
    switch (c) {
    case CHOOSE_FAILED:
        return r->mapping_error != NULL || (r->job_known && r->job_status == JOB_FAILED);
    case CHOOSE_NOT_COMPLETED:
        return !completed;
    default:
        return true;
    }
}

struct tally {
    size_t chosen;  /* rows chosen */
    size_t usable;  /* ... that can be added (underlying file known, not deleted) */
    size_t deleted; /* ... left out: deleted from their directory */
    size_t unknown; /* ... left out: their underlying file is not known */
};

static size_t rows_of(const struct app *a, enum choice c)
{
    return c == CHOOSE_SHOWN ? detail_visible_count(a->detail) : detail_row_count(a->detail);
}

static const struct detail_row *row_of(const struct app *a, enum choice c, size_t i)
{
    return c == CHOOSE_SHOWN ? detail_visible_row(a->detail, i) : detail_row_at(a->detail, i);
}

/* Count what a choice takes; with files, also fill them (deduplicated by underlying file). */
static void gather(const struct app *a, enum choice c, struct tally *t, struct dir_file **files,
                   size_t *n_files)
{
    memset(t, 0, sizeof *t);
    struct strmap seen;
    strmap_init(&seen, NULL);
    size_t n = rows_of(a, c), cap = 0;
    for (size_t i = 0; i < n; i++) {
        const struct detail_row *r = row_of(a, c, i);
        if (!row_chosen(r, c))
            continue;
        t->chosen++;
        const char *source = detail_source_file_id(a->detail, r->file_id);
        if (r->deleted) {
            t->deleted++;
            continue;
        }
        if (source == NULL) {
            t->unknown++;
            continue;
        }
        if (strmap_has(&seen, source))
            continue;
        strmap_put(&seen, source, NULL);
        t->usable++;
        if (files == NULL)
            continue;
        if (*n_files == cap) {
            cap = cap ? 2 * cap : 64;
            *files = xreallocarray(*files, cap, sizeof **files);
        }
        struct dir_file *f = &(*files)[(*n_files)++];
        memset(f, 0, sizeof *f);
        f->id = xstrdup(r->file_id);
        f->file_id = xstrdup(source);
        f->display_name = xstrdup(r->display_name);
    }
    strmap_done(&seen);
}

static bool filtered(const struct app *a)
{
    const char *f = detail_filter(a->detail);
    return detail_failed_only(a->detail) || (f != NULL && f[0] != '\0');
}

static void set_status(struct resubmit *r, bool error, const char *text)
{
    xstrset(&r->status, text);
    r->status_error = error;
}

static void draw_input(int y, int x, int width, const char *text, bool current, struct app *a)
{
    size_t len = (size_t)width * 4 + 8;
    char buf[len];
    int w = text_fit_left(text, width, false, buf, len);
    draw_fill(y, x, width, A_UNDERLINE);
    draw_text(y, x, width, buf, A_UNDERLINE, false);
    if (current) {
        a->cursor_y = y;
        a->cursor_x = x + (w < width ? w : width - 1);
    }
}

static void resubmit_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct resubmit *r = s->data;
    char buf[512];
    snprintf(buf, sizeof buf, " Resubmit files of %s", r->batch_id);
    draw_text(top, 0, cols, buf, A_BOLD, true);
    int lx = 1, fx = 20, fw = cols - fx - 2;
    if (fw < 10)
        fw = 10;
    a->cursor_y = -1;
    for (int i = 0; i < R_COUNT; i++) {
        int y = top + 2 + 2 * i;
        bool cur = r->field == i;
        draw_text(y, lx, fx - lx - 1, labels[i], cur ? A_BOLD : A_NORMAL, false);
        switch (i) {
        case R_FILES: {
            int x = fx;
            for (int c = 0; c < CHOOSE_COUNT; c++) {
                if (c == CHOOSE_SHOWN && !filtered(a))
                    continue;
                struct tally t;
                gather(a, (enum choice)c, &t, NULL, NULL);
                snprintf(buf, sizeof buf, "(%s) %s %zu  ", r->choice == (enum choice)c ? "x" : " ",
                         choice_names[c], t.usable);
                attr_t at = r->choice == (enum choice)c ? A_BOLD : A_NORMAL;
                if (cur && r->choice == (enum choice)c)
                    at |= A_REVERSE;
                x += draw_text(y, x, cols - x, buf, at, false);
            }
            break;
        }
        case R_NAME:
            draw_input(y, fx, fw, r->name, cur, a);
            break;
        case R_TYPE:
            draw_text(y, fx, fw, job_type_name(r->type), cur ? A_BOLD | A_REVERSE : A_BOLD, false);
            break;
        case R_CONFIG:
            draw_input(y, fx, fw, r->config, cur, a);
            break;
        }
        const char *hint = r->errors[i];
        attr_t hat = draw_attr(COLOR_ROLE_BAD);
        if (hint == NULL) {
            hat = A_DIM;
            if (i == R_FILES) {
                struct tally t;
                gather(a, r->choice, &t, NULL, NULL);
                if (t.deleted || t.unknown) {
                    snprintf(buf, sizeof buf,
                             "%zu file%s left out: %zu deleted from the directory, %zu with no "
                             "known directory entry",
                             t.deleted + t.unknown, t.deleted + t.unknown == 1 ? "" : "s",
                             t.deleted, t.unknown);
                    hat = draw_attr(COLOR_ROLE_BAD);
                } else if (detail_is_live(a->detail)) {
                    snprintf(buf, sizeof buf, "the batch is still live: counts may change");
                } else {
                    snprintf(buf, sizeof buf, "Space or Left/Right: which files");
                }
                hint = buf;
            } else if (i == R_NAME) {
                hint = "found by this name if it exists (a second try adds only what is missing)";
            } else if (i == R_TYPE) {
                hint = "Space or Left/Right: parse_v2 / extract_v2";
            } else {
                hint = "F2: pick from a list";
            }
        }
        draw_text(y + 1, fx, cols - fx - 1, hint, hat, false);
    }
    if (r->status)
        draw_text(top + 11, 1, cols - 2, r->status,
                  r->status_error ? draw_attr(COLOR_ROLE_BAD) | A_BOLD : A_BOLD, false);
    draw_text(top + 13, 1, cols - 2,
              "Tab/Shift-Tab move  Space/Left/Right change  F2 pick  Enter resubmit  Esc close",
              A_DIM, false);
}

static const char *check_id(const char *v)
{
    if (!v[0])
        return "required";
    if (!text_is_safe_id(v))
        return "letters, digits and punctuation only, no spaces";
    return NULL;
}

static void submit(struct resubmit *r, struct app *a);

static void confirm_answer(struct app *a, void *ctx, bool yes)
{
    struct resubmit *r = ctx;
    if (!yes) {
        set_status(r, false, "not resubmitted");
        return;
    }
    r->confirmed = true;
    submit(r, a);
}

static void submit(struct resubmit *r, struct app *a)
{
    if (r->sending)
        return; /* a second Enter while it runs does nothing */
    for (int i = 0; i < R_COUNT; i++)
        xstrset(&r->errors[i], NULL);
    const char *e1 = text_name_problem(r->name), *e2 = check_id(r->config);
    if (e1)
        xstrset(&r->errors[R_NAME], e1);
    if (e2)
        xstrset(&r->errors[R_CONFIG], e2);
    if (e1 || e2) {
        set_status(r, true, "fix the marked fields, then press Enter");
        return;
    }
    if (a->opt.readonly) {
        set_status(r, true, "read-only mode: resubmitting is disabled (--readonly)");
        return;
    }
    if ((a->opt.production || a->opt.confirm_create) && !r->confirmed) {
        struct tally c;
        gather(a, r->choice, &c, NULL, NULL);
        char body[768], where[160] = "";
        if (a->opt.profile)
            snprintf(where, sizeof where, "\nin profile %s%s", a->opt.profile,
                     a->opt.production ? " (PRODUCTION)" : "");
        snprintf(body, sizeof body,
                 "Resubmit %zu file%s of %s\nas a new %s batch with %.128s%s?", c.usable,
                 c.usable == 1 ? "" : "s", r->batch_id, job_type_name(r->type), r->config, where);
        dialog_open(a, "Resubmit", body, confirm_answer, r, NULL);
        return;
    }
    r->confirmed = false;
    struct tally t;
    struct dir_file *files = NULL;
    size_t n = 0;
    gather(a, r->choice, &t, &files, &n);
    if (n == 0) {
        for (size_t i = 0; i < n; i++)
            dir_file_done(&files[i]);
        free(files);
        xstrset(&r->errors[R_FILES],
                t.chosen ? "none of these files can be added (see below)" : "no file to resubmit");
        set_status(r, true, "nothing to resubmit");
        return;
    }
    struct net_cmd *c = net_cmd_new(NET_CMD_RESUBMIT);
    c->id = xstrdup(r->batch_id);
    c->name = xstrdup(r->name);
    c->configuration_id = xstrdup(r->config);
    c->job_type = r->type;
    c->files = files;
    c->n_files = n;
    r->req = app_submit(a, c);
    r->sending = true;
    char *line = xasprintf("resubmitting %zu file%s\xe2\x80\xa6", n, n == 1 ? "" : "s");
    set_status(r, false, line);
    app_log(a, false, "resubmit of %s: %zu files into directory \"%s\"", r->batch_id, n, r->name);
    free(line);
}

static void pick_config(struct app *a, void *ctx, const char *id)
{
    struct resubmit *r = ctx;
    if (!text_is_safe_id(id) || strlen(id) > ID_MAX_BYTES) {
        xstrset(&r->errors[R_CONFIG], "not used: the picked ID holds unsafe characters");
        return;
    }
    snprintf(r->config, sizeof r->config, "%s", id);
    xstrset(&r->errors[R_CONFIG], NULL);
    r->field = R_CONFIG;
}

static void change(struct resubmit *r, struct app *a, int dir)
{
    if (r->field == R_TYPE) {
        r->type = r->type == JOB_TYPE_PARSE ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE;
    } else if (r->field == R_FILES) {
        int n = filtered(a) ? CHOOSE_COUNT : CHOOSE_SHOWN;
        r->choice = (enum choice)(((int)r->choice + dir + n) % n);
        xstrset(&r->errors[R_FILES], NULL);
    }
}

/* The text of the field being typed into, NULL for the others. */
static char *edited(struct resubmit *r, size_t *cap)
{
    if (r->field == R_NAME) {
        *cap = NAME_MAX_BYTES;
        return r->name;
    }
    if (r->field == R_CONFIG) {
        *cap = ID_MAX_BYTES;
        return r->config;
    }
    return NULL;
}


static unsigned resubmit_key(struct screen *s, struct app *a, struct key_event k)
{
    struct resubmit *r = s->data;
    size_t cap = 0;
    char *text = edited(r, &cap);
    if (!k.fn) {
        switch (k.code) {
        case KEY_CTRL('c'):
            return REACT_QUIT;
        case KEY_ESCAPE:
            if (r->sending)
                app_flash(a, "the resubmit of %s goes on; its outcome will show in Messages",
                          r->batch_id);
            return REACT_CLOSE | REACT_REDRAW;
        case '\n':
        case '\r':
            submit(r, a);
            return REACT_REDRAW;
        case '\t':
            r->field = (r->field + 1) % R_COUNT;
            return REACT_REDRAW;
        case ' ':
            if (!text || r->field == R_CONFIG) {
                change(r, a, 1);
                return REACT_REDRAW;
            }
            break;
        case 127:
        case 8:
            if (text)
                text_backspace(text);
            return REACT_REDRAW;
        case KEY_CTRL('u'):
            if (text)
                text[0] = '\0';
            return REACT_REDRAW;
        default:
            break;
        }
        if (text && k.code >= 32 && k.code != 127) {
            if (r->field == R_CONFIG && k.code >= 127) {
                xstrset(&r->errors[R_CONFIG], "IDs hold ASCII letters, digits and punctuation");
                return REACT_REDRAW;
            }
            text_append(text, cap, k.code);
        }
        return REACT_REDRAW;
    }
    switch (k.code) {
    case KEY_ENTER:
        submit(r, a);
        break;
    case KEY_DOWN:
        r->field = (r->field + 1) % R_COUNT;
        break;
    case KEY_BTAB:
    case KEY_UP:
        r->field = (r->field + R_COUNT - 1) % R_COUNT;
        break;
    case KEY_LEFT:
        change(r, a, -1);
        break;
    case KEY_RIGHT:
        change(r, a, 1);
        break;
    case KEY_BACKSPACE:
        if (text)
            text_backspace(text);
        break;
    case KEY_F(2):
        if (r->field == R_CONFIG)
            picker_open(a, PICKER_CONFIGS, r->type, pick_config, r);
        else
            change(r, a, 1);
        break;
    case KEY_F(1):
        return REACT_UNHANDLED;
    default:
        break;
    }
    return REACT_REDRAW;
}


static unsigned resubmit_message(struct screen *s, struct app *a, const struct net_msg *m)
{
    struct resubmit *r = s->data;
    if (!r->sending || m->req != r->req)
        return REACT_NONE;
    if (m->type == NET_MSG_RESUBMIT_PROGRESS) {
        char *line;
        if (m->resubmit_phase == NET_RESUBMIT_ADD_FILES && m->progress_total > 0)
            line = xasprintf("%s %zu/%zu\xe2\x80\xa6", net_resubmit_phase_name(m->resubmit_phase),
                             m->progress_done, m->progress_total);
        else
            line = xasprintf("%s\xe2\x80\xa6", net_resubmit_phase_name(m->resubmit_phase));
        set_status(r, false, line);
        free(line);
        return REACT_REDRAW;
    }
    if (m->type != NET_MSG_RESUBMITTED)
        return REACT_NONE;
    r->sending = false;
    if (m->ok) {
        /* apply.c recorded the batch and the link; the list selects the new batch */
        list_screen_select(a, m->n_batches ? m->batches[0].id : NULL);
        return REACT_CLOSE | REACT_REDRAW;
    }
    const char *why = m->error.message ? m->error.message : "failed";
    char *line = xasprintf("%s: %s; Enter tries again (it finds what was done and does the "
                           "rest)",
                           net_resubmit_phase_name(m->resubmit_phase), why);
    set_status(r, true, line);
    free(line);
    return REACT_REDRAW;
}

static const char *resubmit_hints(struct screen *s, struct app *a)
{
    return "Enter resubmit  Tab move  Space change  F2 pick  Esc close";
}

static void resubmit_done(struct screen *s, struct app *a)
{
    struct resubmit *r = s->data;
    free(r->batch_id);
    free(r->directory_id);
    for (int i = 0; i < R_COUNT; i++)
        free(r->errors[i]);
    free(r->status);
    free(r);
}

static const struct screen_ops resubmit_ops = {
    .name = "resubmit",
    .scope = SCOPE_GLOBAL,
    .draw = resubmit_draw,
    .key = resubmit_key,
    .message = resubmit_message,
    .hints = resubmit_hints,
    .done = resubmit_done,
};

void resubmit_open(struct app *a, const char *batch_id)
{
    if (app_has_screen(a, &resubmit_ops))
        return;
    const struct batch *b = a->detail ? detail_batch(a->detail) : NULL;
    if (b == NULL) {
        app_error(a, "the batch has not loaded yet: nothing to resubmit");
        return;
    }
    if (a->opt.readonly) {
        app_error(a, "read-only mode: resubmitting is disabled (--readonly)");
        return;
    }
    struct resubmit *r = xcalloc(1, sizeof *r);
    r->batch_id = xstrdup(batch_id);
    r->directory_id = xstrdup(b->source_directory_id);
    r->type = b->job_type == JOB_TYPE_EXTRACT ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE;
    if (b->configuration_id && text_is_safe_id(b->configuration_id) &&
        strlen(b->configuration_id) <= ID_MAX_BYTES)
        snprintf(r->config, sizeof r->config, "%s", b->configuration_id);
    const struct store_entry *e = store_find(a->store, batch_id);
    const char *dname = e && e->directory_name ? e->directory_name : b->source_directory_id;
    char day[32];
    time_t now = (time_t)(clock_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    /* the name as the server sent it, cut after a whole character if it is very long */
    char *clean = xstrdup(dname ? dname : "batch");
    size_t room = NAME_MAX_BYTES - strlen(" retry ") - strlen(day), end = strlen(clean);
    if (end > room) /* back to the start of the character that does not fit */
        for (end = room; end > 0 && ((unsigned char)clean[end] & 0xc0) == 0x80; end--)
            ;
    clean[end] = '\0';
    snprintf(r->name, sizeof r->name, "%s retry %s", clean, day);
    free(clean);
    struct tally t;
    gather(a, CHOOSE_FAILED, &t, NULL, NULL);
    r->choice = t.chosen > 0 ? CHOOSE_FAILED : CHOOSE_NOT_COMPLETED;
    if (filtered(a))
        r->choice = CHOOSE_SHOWN;
    r->field = R_FILES;
    app_push(a, &resubmit_ops, r);
}
