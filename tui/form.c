/* form.c -- the New batch form (ncurses form library): three fields, pickers, validation. */
#include "config.h"

#include <curses.h>
#include <form.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/localsrc.h"
#include "model/xalloc.h"
#include "tui/apply.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

#define FIELD_MAX 128
#define PATH_FIELD_MAX 1024 /* the source field also takes a local path */
enum { F_DIR, F_TYPE, F_CONFIG, F_COUNT };

static const char *const labels[F_COUNT] = {"Source", "Job type", "Configuration ID"};

struct form_screen {
    FIELD *fields[F_COUNT + 1];
    FORM *form;
    WINDOW *sub;
    int top, cols; /* geometry the form was posted with */
    enum job_type type;
    char *errors[F_COUNT]; /* per-field messages */
    char *status;          /* general line under the fields */
    bool status_error;
    bool sending;
    uint64_t req;
    char *since;         /* for NET_CMD_FIND_CREATED after an unknown outcome */
    char *sent[F_COUNT]; /* the values of the create in flight */
    char *dir_hint;      /* F2's path completion: the matches, under the source field */
    bool uploading;      /* a local source went to the Upload screen: its success closes us */
};

/* The field's value without the form library's padding. Caller frees. */
static char *value(struct form_screen *f, int i)
{
    char *v = xstrdup(field_buffer(f->fields[i], 0));
    size_t n = strlen(v);
    while (n > 0 && v[n - 1] == ' ')
        v[--n] = '\0';
    size_t lead = strspn(v, " ");
    memmove(v, v + lead, n - lead + 1);
    return v;
}

static void set_type(struct form_screen *f, enum job_type t)
{
    f->type = t;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", job_type_name(t));
    set_field_buffer(f->fields[F_TYPE], 0, buf);
}

static int field_width(int cols)
{
    int w = cols - 24;
    return w < 10 ? 10 : w > 60 ? 60 : w;
}

static void free_fields(struct form_screen *f)
{
    if (f->form) {
        free_form(f->form);
        f->form = NULL;
    }
    for (int i = 0; i < F_COUNT; i++) {
        if (f->fields[i])
            free_field(f->fields[i]);
        f->fields[i] = NULL;
    }
}

/* (Re)make the fields for a terminal `cols` wide, with these values (NULL: empty) and the
 * cursor on field `current`. */
static void build(struct form_screen *f, int cols, char **values, int current)
{
    int w = field_width(cols);
    for (int i = 0; i < F_COUNT; i++) {
        f->fields[i] = new_field(1, w, 2 * i, 0, 0, 0);
        set_field_back(f->fields[i], A_UNDERLINE);
        field_opts_off(f->fields[i], O_AUTOSKIP | O_STATIC | O_BLANK);
        set_max_field(f->fields[i], i == F_DIR ? PATH_FIELD_MAX : FIELD_MAX + 8);
        if (values && values[i])
            set_field_buffer(f->fields[i], 0, values[i]);
    }
    field_opts_off(f->fields[F_TYPE], O_EDIT);
    set_field_back(f->fields[F_TYPE], A_BOLD);
    f->fields[F_COUNT] = NULL;
    f->form = new_form(f->fields);
    set_type(f, f->type);
    set_current_field(f->form, f->fields[current]);
}

static int current_index(struct form_screen *f)
{
    FIELD *cur = current_field(f->form);
    for (int i = 0; i < F_COUNT; i++)
        if (f->fields[i] == cur)
            return i;
    return 0;
}

static void unpost(struct form_screen *f)
{
    if (f->sub) {
        form_driver_w(f->form, KEY_CODE_YES, REQ_VALIDATION); /* keep what was typed */
        unpost_form(f->form);
        delwin(f->sub);
        f->sub = NULL;
    }
}

/*
 * The form lives in its own window (never erased by the loop) that is copied onto stdscr
 * each frame, so overlays drawn afterwards still cover it. Reposted only when the geometry
 * changes.
 */
static void post(struct form_screen *f, int top, int cols, bool copy)
{
    if (!f->sub || f->top != top || f->cols != cols) {
        unpost(f);
        if (f->cols && f->cols != cols) {
            /* new width: new fields, same values, same field */
            char *values[F_COUNT];
            int current = current_index(f);
            for (int i = 0; i < F_COUNT; i++)
                values[i] = value(f, i);
            free_fields(f);
            build(f, cols, values, current);
            for (int i = 0; i < F_COUNT; i++)
                free(values[i]);
        }
        int w = field_width(cols);
        f->sub = newwin(5, w + 1, top + 2, 23);
        if (!f->sub)
            return;
        f->top = top;
        f->cols = cols;
        set_form_win(f->form, f->sub);
        set_form_sub(f->form, f->sub);
        if (post_form(f->form) != E_OK) {
            delwin(f->sub);
            f->sub = NULL;
            return;
        }
        form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
    }
    if (copy)
        overwrite(f->sub, stdscr);
}

static void form_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct form_screen *f = s->data;
    draw_text(top, 0, cols, " New batch", A_BOLD, true);
    post(f, top, cols, true);
    for (int i = 0; i < F_COUNT; i++) {
        bool cur = current_field(f->form) == f->fields[i];
        draw_text(top + 2 + 2 * i, 1, 21, labels[i], cur ? A_BOLD : A_NORMAL, false);
        if (f->errors[i])
            draw_text(top + 3 + 2 * i, 23, cols - 24, f->errors[i], draw_attr(COLOR_ROLE_BAD),
                      false);
        else if (i == F_TYPE)
            draw_text(top + 3 + 2 * i, 23, cols - 24, "Space or Left/Right: parse_v2 / extract_v2",
                      A_DIM, false);
        else if (i == F_DIR)
            draw_text(top + 3 + 2 * i, 23, cols - 24,
                      f->dir_hint ? f->dir_hint
                                  : "a directory ID (F2: pick), or a local folder, file or glob "
                                    "to upload (F2: complete)",
                      A_DIM, false);
        else
            draw_text(top + 3 + 2 * i, 23, cols - 24, "F2: pick from a list", A_DIM, false);
    }
    if (f->status)
        draw_text(top + 9, 1, cols - 2, f->status,
                  f->status_error ? draw_attr(COLOR_ROLE_BAD) | A_BOLD : A_BOLD, false);
    draw_text(top + 11, 1, cols - 2,
              "Tab/Shift-Tab move  Space/Left/Right job type  F2 pick  Enter create  Esc cancel",
              A_DIM, false);
    if (f->sub) {
        pos_form_cursor(f->form);
        int y, x, by, bx;
        getyx(f->sub, y, x);
        getbegyx(f->sub, by, bx);
        if (current_field(f->form) == f->fields[F_TYPE]) {
            a->cursor_y = -1;
        } else {
            a->cursor_y = by + y;
            a->cursor_x = bx + x;
        }
    }
}

static void clear_errors(struct form_screen *f)
{
    xstrset(&f->dir_hint, NULL);
    for (int i = 0; i < F_COUNT; i++)
        xstrset(&f->errors[i], NULL);
    xstrset(&f->status, NULL);
    f->status_error = false;
}

/* Required, no spaces or control characters, at most 128 bytes. */
static const char *check_value(const char *v)
{
    if (!v[0])
        return "required";
    if (strlen(v) > FIELD_MAX)
        return "too long: at most 128 bytes";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == ' ' || *p == '\t')
            return "no spaces allowed";
        if (*p < 0x20 || *p == 0x7f)
            return "no control characters allowed";
    }
    return NULL;
}

static void send_create(struct form_screen *f, struct app *a, const char *dir, const char *cfg)
{
    struct net_cmd *c = net_cmd_new(NET_CMD_CREATE);
    c->source_directory_id = xstrdup(dir);
    c->configuration_id = xstrdup(cfg);
    c->job_type = f->type;
    xstrset(&f->sent[F_DIR], dir);
    xstrset(&f->sent[F_CONFIG], cfg);
    f->req = app_submit(a, c);
    f->sending = true;
    xstrset(&f->status, "creating the batch\xe2\x80\xa6");
}

/* The answer to "Create a batch … in profile …?" (production profiles, confirm_create). */
static void confirm_answer(struct app *a, void *ctx, bool yes)
{
    struct form_screen *f = ctx;
    if (!yes) {
        xstrset(&f->status, "not created");
        f->status_error = false;
        return;
    }
    char *dir = xstrdup(f->sent[F_DIR]), *cfg = xstrdup(f->sent[F_CONFIG]);
    send_create(f, a, dir, cfg);
    free(dir);
    free(cfg);
}

/* A local source: scan it here (names and sizes only: quick), then the Upload screen reviews
 * it and sends it. Nothing is sent from the form itself. */
static void submit_local(struct form_screen *f, struct app *a, const char *path, const char *cfg)
{
    const char *e2 = check_value(cfg);
    if (e2) {
        xstrset(&f->errors[F_CONFIG], e2);
        xstrset(&f->status, "fix the marked fields, then press Enter");
        f->status_error = true;
        return;
    }
    if (a->opt.readonly) {
        xstrset(&f->status, "read-only mode: creating batches is disabled");
        f->status_error = true;
        return;
    }
    struct local_scan scan;
    char *err = NULL;
    if (localsrc_scan(path, false, &scan, &err) != 0) {
        xstrset(&f->errors[F_DIR], err);
        xstrset(&f->status, "nothing to upload: fix the source, then press Enter");
        f->status_error = true;
        free(err);
        return;
    }
    if (scan.n_files == 0) {
        char *msg = xasprintf("no file to upload there%s%s", scan.n_problems ? " (all left out: "
                                                                              "see Messages)"
                                                                            : "",
                              scan.hidden_skipped ? "; hidden files are skipped" : "");
        for (size_t i = 0; i < scan.n_problems; i++)
            app_log(a, true, "left out of the upload: %s: %s", scan.problems[i].path,
                    scan.problems[i].reason);
        xstrset(&f->errors[F_DIR], msg);
        xstrset(&f->status, "nothing to upload");
        f->status_error = true;
        free(msg);
        local_scan_done(&scan);
        return;
    }
    f->uploading = true;
    upload_open(a, path, &scan, f->type, cfg);
    local_scan_done(&scan);
}

/* F2 on a local source: complete the path; the matches show under the field. */
static void complete_path(struct form_screen *f, struct app *a)
{
    char *text = value(f, F_DIR);
    char **m = NULL;
    size_t n = 0;
    char *done = localsrc_complete(text, &m, &n);
    xstrset(&f->errors[F_DIR], NULL);
    if (n == 0) {
        xstrset(&f->dir_hint, "no file or folder starts so");
    } else {
        /* names from the disk are drawn raw by the form library: only clean ones go in */
        char *clean = text_clean(done);
        if (strcmp(clean, done) == 0 && strlen(done) <= PATH_FIELD_MAX - 8) {
            set_field_buffer(f->fields[F_DIR], 0, done);
            form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
        } else {
            xstrset(&f->errors[F_DIR], "not completed: the name holds characters that cannot "
                                       "be shown; type it");
        }
        free(clean);
        char line[512] = "";
        size_t used = 0;
        if (n > 1)
            used = (size_t)snprintf(line, sizeof line, "%zu matches: ", n);
        for (size_t i = 0; i < n && used + 2 < sizeof line; i++)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", i ? "  " : "", m[i]);
        xstrset(&f->dir_hint, n > 1 ? line : NULL);
    }
    localsrc_matches_free(m, n);
    free(done);
    free(text);
    (void)a;
}

static void submit(struct form_screen *f, struct app *a)
{
    if (f->sending)
        return; /* a second Enter while sending does nothing */
    form_driver_w(f->form, KEY_CODE_YES, REQ_VALIDATION);
    clear_errors(f);
    char *dir = value(f, F_DIR), *cfg = value(f, F_CONFIG);
    if (localsrc_is_local(dir)) {
        submit_local(f, a, dir, cfg);
        free(dir);
        free(cfg);
        return;
    }
    const char *e1 = check_value(dir), *e2 = check_value(cfg);
    if (e1)
        xstrset(&f->errors[F_DIR], e1);
    if (e2)
        xstrset(&f->errors[F_CONFIG], e2);
    if (e1 || e2) {
        xstrset(&f->status, "fix the marked fields, then press Enter");
        f->status_error = true;
        free(dir);
        free(cfg);
        return;
    }
    if (a->opt.readonly) {
        xstrset(&f->status, "read-only mode: creating batches is disabled");
        f->status_error = true;
        free(dir);
        free(cfg);
        return;
    }
    if (a->opt.production || a->opt.confirm_create) {
        /* the values asked about are the values sent: kept until the answer */
        xstrset(&f->sent[F_DIR], dir);
        xstrset(&f->sent[F_CONFIG], cfg);
        char body[768], where[160] = "";
        if (a->opt.profile)
            snprintf(where, sizeof where, "\nin profile %s%s", a->opt.profile,
                     a->opt.production ? " (PRODUCTION)" : "");
        snprintf(body, sizeof body, "Create a %s batch over %.128s\nwith %.128s%s?",
                 job_type_name(f->type), dir, cfg, where);
        dialog_open(a, "Create batch", body, confirm_answer, f, NULL);
        free(dir);
        free(cfg);
        return;
    }
    send_create(f, a, dir, cfg);
    free(dir);
    free(cfg);
}

/*
 * The form library draws a field's buffer as it is, without text_clean, so only IDs of
 * printable ASCII go in (text_is_safe_id); one the server sent with anything else (an escape,
 * an invisible or reordering character) is refused, shown cleaned in the field's error.
 */
static void pick_into(struct app *a, struct form_screen *f, int i, const char *id)
{
    if (!text_is_safe_id(id) || strlen(id) > FIELD_MAX) {
        char *msg = xasprintf("not used: the picked ID holds unsafe characters: %s", id);
        xstrset(&f->errors[i], msg);
        app_log(a, true, "%s", msg);
        free(msg);
        set_current_field(f->form, f->fields[i]);
        return;
    }
    set_field_buffer(f->fields[i], 0, id);
    xstrset(&f->errors[i], NULL);
    if (!f->sending)
        xstrset(&f->status, NULL);
    set_current_field(f->form, f->fields[i]);
    form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
}

static void pick_dir(struct app *a, void *ctx, const char *id)
{
    pick_into(a, ctx, F_DIR, id);
}

static void pick_config(struct app *a, void *ctx, const char *id)
{
    pick_into(a, ctx, F_CONFIG, id);
}

static void cycle_type(struct form_screen *f, int dir)
{
    (void)dir; /* two types: either direction flips */
    set_type(f, f->type == JOB_TYPE_PARSE ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE);
}

static unsigned form_key(struct screen *s, struct app *a, struct key_event k)
{
    struct form_screen *f = s->data;
    if (!f->sub)
        post(f, 1, COLS, false); /* keys typed before the first draw must not be lost */
    int cur = current_index(f);
    if (!k.fn) {
        switch (k.code) {
        case KEY_CTRL('c'):
            return REACT_QUIT;
        case KEY_ESCAPE:
            return REACT_CLOSE | REACT_REDRAW;
        case '\n':
        case '\r':
            submit(f, a);
            return REACT_REDRAW;
        case '\t':
            form_driver_w(f->form, KEY_CODE_YES, REQ_NEXT_FIELD);
            form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
            return REACT_REDRAW;
        case 127:
        case 8:
            if (cur != F_TYPE)
                form_driver_w(f->form, KEY_CODE_YES, REQ_DEL_PREV);
            return REACT_REDRAW;
        case KEY_CTRL('u'):
            if (cur != F_TYPE)
                form_driver_w(f->form, KEY_CODE_YES, REQ_CLR_FIELD);
            return REACT_REDRAW;
        case ' ':
            if (cur == F_TYPE) {
                cycle_type(f, 1);
                return REACT_REDRAW;
            }
            break;
        default:
            break;
        }
        /* IDs are ASCII; the field is drawn raw, so nothing else is typed into it -- except
         * the source, which also takes a local path (typed here, not from the server) */
        if (cur != F_TYPE && k.code >= 32 && k.code < 127)
            form_driver_w(f->form, OK, (wchar_t)k.code);
        else if (cur == F_DIR && k.code > 127)
            form_driver_w(f->form, OK, (wchar_t)k.code);
        else if (cur != F_TYPE && k.code >= 127)
            xstrset(&f->errors[cur], "IDs hold ASCII letters, digits and punctuation only");
        return REACT_REDRAW;
    }
    switch (k.code) {
    case KEY_ENTER:
        submit(f, a);
        break;
    case KEY_DOWN:
        form_driver_w(f->form, KEY_CODE_YES, REQ_NEXT_FIELD);
        form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
        break;
    case KEY_BTAB:
    case KEY_UP:
        form_driver_w(f->form, KEY_CODE_YES, REQ_PREV_FIELD);
        form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
        break;
    case KEY_LEFT:
        if (cur == F_TYPE)
            cycle_type(f, -1);
        else
            form_driver_w(f->form, KEY_CODE_YES, REQ_PREV_CHAR);
        break;
    case KEY_RIGHT:
        if (cur == F_TYPE)
            cycle_type(f, 1);
        else
            form_driver_w(f->form, KEY_CODE_YES, REQ_NEXT_CHAR);
        break;
    case KEY_HOME:
        form_driver_w(f->form, KEY_CODE_YES, REQ_BEG_LINE);
        break;
    case KEY_END:
        form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
        break;
    case KEY_BACKSPACE:
        if (cur != F_TYPE)
            form_driver_w(f->form, KEY_CODE_YES, REQ_DEL_PREV);
        break;
    case KEY_DC:
        if (cur != F_TYPE)
            form_driver_w(f->form, KEY_CODE_YES, REQ_DEL_CHAR);
        break;
    case KEY_F(2):
        form_driver_w(f->form, KEY_CODE_YES, REQ_VALIDATION);
        if (cur == F_DIR) {
            char *v = value(f, F_DIR);
            if (localsrc_is_local(v))
                complete_path(f, a);
            else
                picker_open(a, PICKER_DIRECTORIES, f->type, pick_dir, f);
            free(v);
        }
        else if (cur == F_CONFIG)
            picker_open(a, PICKER_CONFIGS, f->type, pick_config, f);
        else
            cycle_type(f, 1);
        break;
    case KEY_F(1):
        return REACT_UNHANDLED;
    default:
        break;
    }
    return REACT_REDRAW;
}

/* Which field a 422 points at ("config.job.configuration_id" and the like). */
static int field_of(const char *path)
{
    if (!path)
        return -1;
    if (strstr(path, "source_directory"))
        return F_DIR;
    if (strstr(path, "configuration"))
        return F_CONFIG;
    if (strstr(path, "type"))
        return F_TYPE;
    return -1;
}

static void look_again(struct app *a, void *ctx, bool yes)
{
    struct form_screen *f = ctx;
    if (!yes) {
        xstrset(&f->status, "not looked up: check the batch list before trying again "
                            "(Enter would create another batch)");
        f->status_error = true;
        return;
    }
    struct net_cmd *c = net_cmd_new(NET_CMD_FIND_CREATED);
    c->source_directory_id = xstrdup(f->sent[F_DIR]);
    c->configuration_id = xstrdup(f->sent[F_CONFIG]);
    c->job_type = f->type;
    c->since = xstrdup(f->since);
    f->req = app_submit(a, c);
    f->sending = true;
    xstrset(&f->status, "looking for the batch\xe2\x80\xa6");
    f->status_error = false;
}

static unsigned form_message(struct screen *s, struct app *a, const struct net_msg *m)
{
    struct form_screen *f = s->data;
    if (m->type == NET_MSG_UPLOADED && m->ok && f->uploading)
        return REACT_CLOSE | REACT_REDRAW; /* the Upload screen made the batch */
    if (m->type != NET_MSG_CREATED || !f->sending || m->req != f->req)
        return REACT_NONE;
    f->sending = false;
    switch (m->create_outcome) {
    case NET_CREATE_OK:
        if (m->n_batches > 0 && m->batches[0].id) {
            const char *id = m->batches[0].id;
            store_upsert(a->store, &m->batches[0]);
            apply_directory_names(a);
            list_view_rebuild(a->view, a->store);
            list_screen_select(a, id);
            app_notify_watch(a, id, true); /* its end will be announced */
            app_flash(a, "created batch %s", id);
        } else {
            app_flash(a, "batch created");
        }
        return REACT_CLOSE | REACT_REDRAW;
    case NET_CREATE_REFUSED: {
        const char *msg = m->error.message ? m->error.message : "the server refused the batch";
        int fi = field_of(m->error.field);
        if (fi < 0 && m->error.http_status == 404 && m->error.message) {
            /* an unknown ID: the message says which kind */
            if (strstr(m->error.message, "irectory"))
                fi = F_DIR;
            else if (strstr(m->error.message, "onfiguration"))
                fi = F_CONFIG;
        }
        char *line;
        if (m->error.http_status)
            line = xasprintf("not created (HTTP %d): %s", m->error.http_status, msg);
        else
            line = xasprintf("not created: %s", msg);
        if (fi >= 0)
            xstrset(&f->errors[fi], msg);
        xstrset(&f->status, line);
        f->status_error = true;
        app_log(a, true, "%s", line);
        free(line);
        break;
    }
    case NET_CREATE_NOT_CREATED:
        xstrset(&f->status, "the batch was NOT created (the server failed before creating it); "
                            "press Enter to try again");
        f->status_error = true;
        app_log(a, true, "create failed; a look-up showed no batch was created");
        break;
    case NET_CREATE_UNKNOWN:
        xstrset(&f->since, m->since);
        xstrset(&f->status, "could not tell whether the batch was created");
        f->status_error = true;
        app_log(a, true, "create outcome unknown: %s",
                m->error.message ? m->error.message : "no answer");
        dialog_open(a, "Outcome unknown",
                    "The server did not say whether the batch was created.\n"
                    "Sending it again could make a duplicate.\n"
                    "Look for it now (y), or leave the form as it is (n)?",
                    look_again, f, NULL);
        break;
    }
    return REACT_REDRAW;
}

static const char *form_hints(struct screen *s, struct app *a)
{
    return "Enter create  Tab move  F2 pick  Esc cancel";
}

static void form_done(struct screen *s, struct app *a)
{
    struct form_screen *f = s->data;
    unpost(f);
    free_fields(f);
    for (int i = 0; i < F_COUNT; i++) {
        free(f->errors[i]);
        free(f->sent[i]);
    }
    free(f->status);
    free(f->since);
    free(f->dir_hint);
    free(f);
}

static const struct screen_ops form_ops = {
    .name = "form",
    .scope = SCOPE_GLOBAL,
    .draw = form_draw,
    .key = form_key,
    .message = form_message,
    .hints = form_hints,
    .done = form_done,
};

void form_screen_open(struct app *a)
{
    if (app_has_screen(a, &form_ops))
        return;
    struct form_screen *f = xcalloc(1, sizeof *f);
    f->type = JOB_TYPE_PARSE;
    build(f, COLS, NULL, 0);
    app_push(a, &form_ops, f);
}
