/* app.c -- the UI loop: poll stdin, signals and the net fd; dispatch; draw once per turn. */
#include "config.h"

#include "tui/app.h"
#include "tui/cache.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "net/log.h"
#include "net/url.h"
#include "tui/apply.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/term.h"
#include "tui/text.h"

#define FLASH_MS 5000
#define LOG_MAX 500
#define APP_PART 500 /* items of a big message applied in one step (read_messages) */
#define APP_SLOW_STEP_MS 30 /* a message step this long is written to the --log */

/* ---- screens ---- */

bool app_push(struct app *a, const struct screen_ops *ops, void *data)
{
    if (a->n_screens >= APP_MAX_SCREENS) {
        struct screen tmp = {ops, data};
        if (ops->done)
            ops->done(&tmp, a);
        return false;
    }
    a->screens[a->n_screens].ops = ops;
    a->screens[a->n_screens].data = data;
    a->n_screens++;
    return true;
}

/* Close the screen at index i (done, then shift the ones above it down). */
static void close_at(struct app *a, size_t i)
{
    if (i >= a->n_screens)
        return;
    struct screen s = a->screens[i];
    memmove(&a->screens[i], &a->screens[i + 1], (a->n_screens - i - 1) * sizeof s);
    a->n_screens--;
    if (s.ops->done)
        s.ops->done(&s, a);
}

bool app_has_screen(const struct app *a, const struct screen_ops *ops)
{
    for (size_t i = 0; i < a->n_screens; i++)
        if (a->screens[i].ops == ops)
            return true;
    return false;
}

/* ---- commands, flashes, the log ---- */

uint64_t app_submit(struct app *a, struct net_cmd *cmd)
{
    if (!a->net) { /* shutting down */
        net_cmd_free(cmd);
        return 0;
    }
    return net_submit(a->net, cmd);
}

static void log_add(struct app *a, bool error, const char *text)
{
    if (a->n_log == LOG_MAX) {
        free(a->log[0].text);
        memmove(&a->log[0], &a->log[1], (LOG_MAX - 1) * sizeof a->log[0]);
        a->n_log--;
    }
    a->log = xreallocarray(a->log, a->n_log + 1, sizeof a->log[0]);
    a->log[a->n_log].when_ms = clock_now_ms();
    a->log[a->n_log].error = error;
    a->log[a->n_log].text = text_clean(text);
    a->n_log++;
    if (log_enabled())
        log_printf("ui", "%s%s", error ? "error: " : "", a->log[a->n_log - 1].text);
}

void app_log(struct app *a, bool error, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_add(a, error, buf);
}

static void flash_v(struct app *a, bool error, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void flash_v(struct app *a, bool error, const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    log_add(a, error, buf);
    free(a->flash);
    a->flash = text_clean(buf);
    a->flash_error = error;
    a->flash_until_mono = error ? 0 : clock_mono_ms() + FLASH_MS;
}

void app_flash(struct app *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flash_v(a, false, fmt, ap);
    va_end(ap);
}

void app_error(struct app *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flash_v(a, true, fmt, ap);
    va_end(ap);
}

static void clear_flash(struct app *a)
{
    free(a->flash);
    a->flash = NULL;
    a->flash_error = false;
    a->flash_until_mono = 0;
}

/* ---- OSC 52 ---- */

static char *base64(const char *in)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), o = 0;
    char *out = xmalloc((n + 2) / 3 * 4 + 1);
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

void app_copy(struct app *a, const char *text)
{
    char *b64 = base64(text);
    free(a->pending_copy);
    if (getenv("TMUX"))
        a->pending_copy = xasprintf("\033Ptmux;\033\033]52;c;%s\a\033\\", b64);
    else
        a->pending_copy = xasprintf("\033]52;c;%s\a", b64);
    free(b64);
    app_flash(a, "copied %s", text);
}

void app_watch_batch(struct app *a, const char *id)
{
    struct net_cmd *c = net_cmd_new(NET_CMD_WATCH_BATCH);
    c->id = xstrdup(id);
    app_submit(a, c);
}

/* ---- drawing ---- */

static void draw_all(struct app *a)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    a->cursor_y = a->cursor_x = -1;
    if (rows < 12 || cols < 60) {
        char msg[128];
        snprintf(msg, sizeof msg, "terminal too small (%dx%d): batchtop needs at least 60x12",
                 cols, rows);
        int w = text_width(msg);
        int x = w < cols ? (cols - w) / 2 : 0;
        draw_text(rows / 2, x, cols - x, msg, A_BOLD, false);
        if (rows > 2)
            draw_text(rows / 2 + 1, 0, cols, "q quits", A_NORMAL, false);
    } else {
        draw_header(a, cols);
        size_t base = 0;
        for (size_t i = a->n_screens; i-- > 0;) {
            if (!a->screens[i].ops->overlay) {
                base = i;
                break;
            }
        }
        const char *hints = NULL;
        for (size_t i = a->n_screens; i-- > 0 && !hints;)
            if (a->screens[i].ops->hints)
                hints = a->screens[i].ops->hints(&a->screens[i], a);
        draw_bottom(a, rows - 1, cols, hints);
        /* overlays (dialogs, pickers, the prompt on the bottom row) go over it all */
        for (size_t i = base; i < a->n_screens; i++)
            a->screens[i].ops->draw(&a->screens[i], a, 1, rows - 2, cols);
    }
    if (a->cursor_y >= 0) {
        curs_set(1);
        move(a->cursor_y, a->cursor_x);
    } else {
        curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
    char **after[] = {&a->pending_copy, &a->pending_osc};
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
        if (*after[i] == NULL)
            continue;
        size_t n = strlen(*after[i]);
        ssize_t w = write(STDOUT_FILENO, *after[i], n);
        (void)w;
        free(*after[i]);
        *after[i] = NULL;
    }
}

/* ---- the end of watched batches ---- */

void app_notify_watch(struct app *a, const char *batch_id, bool on)
{
    if (batch_id == NULL)
        return;
    if (on && !strmap_has(&a->watched, batch_id))
        strmap_put(&a->watched, batch_id, xcalloc(1, sizeof(int64_t)));
    else if (!on)
        strmap_remove(&a->watched, batch_id);
}

bool app_notify_watched(const struct app *a, const char *batch_id)
{
    return batch_id != NULL && strmap_has(&a->watched, batch_id);
}

void app_watch_toggle(struct app *a, const char *batch_id)
{
    if (app_notify_watched(a, batch_id)) {
        app_notify_watch(a, batch_id, false);
        app_flash(a, "no longer watching %s", batch_id);
        return;
    }
    const struct store_entry *e = store_find(a->store, batch_id);
    if (e && batch_status_is_terminal(e->batch.status) &&
        (e->batch.status != BATCH_COMPLETED || e->counts_final)) {
        app_error(a, "%s has already ended (%s)", batch_id, batch_status_text(&e->batch));
        return;
    }
    app_notify_watch(a, batch_id, true);
    app_flash(a, "watching %s: its end will be announced", batch_id);
}

/*
 * Ended as an operator means it: a final status, and for COMPLETED (which the API may say
 * while jobs still run) every file done too -- the counts the list fetches for watched
 * batches say so. If they cannot be had within three intervals of the COMPLETED, it is said
 * anyway. *since is when the final status was first seen (0: not yet).
 */
static bool has_ended(const struct app *a, const struct store_entry *e, int64_t *since)
{
    if (!batch_status_is_terminal(e->batch.status))
        return false;
    int64_t now = clock_mono_ms();
    if (*since == 0)
        *since = now;
    if (e->batch.status != BATCH_COMPLETED || e->counts_final)
        return true;
    if (e->files_total >= 0 && e->files_done >= e->files_total && e->jobs_running == 0)
        return true;
    return now - *since > 3LL * 1000 * (a->opt.refresh_s > 0 ? a->opt.refresh_s : 5);
}

static void run_command(struct app *a, const char *command, const char *id, const char *status,
                        long failed)
{
    struct notify_child *slot = NULL;
    for (size_t i = 0; i < APP_MAX_NOTIFY && slot == NULL; i++)
        if (a->children[i].pid == 0)
            slot = &a->children[i];
    if (slot == NULL) {
        app_log(a, true, "notify command not run for %s: %d are still running", id,
                APP_MAX_NOTIFY);
        return;
    }
    char *why = NULL;
    int fd = -1;
    pid_t pid = notify_spawn(command, id, status, failed, &fd, &why);
    if (pid < 0) {
        app_log(a, true, "%s", why);
        free(why);
        return;
    }
    memset(slot, 0, sizeof *slot);
    slot->pid = pid;
    slot->fd = fd;
    slot->batch_id = xstrdup(id);
}

static void announce(struct app *a, const struct store_entry *e)
{
    const char *id = e->batch.id, *status = batch_status_text(&e->batch);
    char files[128] = "";
    long failed = e->files_total >= 0 ? e->files_failed : -1;
    if (e->files_total >= 0 && failed >= 0)
        snprintf(files, sizeof files, ": %ld/%ld files, %ld failed%s", e->files_done,
                 e->files_total, failed,
                 e->batch.status == BATCH_COMPLETED && !e->counts_final &&
                         e->files_done < e->files_total
                     ? " (jobs may still be running)"
                     : "");
    else if (e->files_total >= 0)
        snprintf(files, sizeof files, ": %ld/%ld files", e->files_done, e->files_total);
    char *body = xasprintf("%s %s%s", id, status, files);
    app_flash(a, "batch ended: %s", body);
    const struct notify_config *n = a->opt.notify;
    if (n != NULL) {
        if (n->bell)
            beep();
        char *osc = notify_osc(n, "batchtop", body, getenv("TMUX") != NULL);
        if (osc) {
            char *all = xasprintf("%s%s", a->pending_osc ? a->pending_osc : "", osc);
            free(a->pending_osc);
            a->pending_osc = all;
            free(osc);
        }
        if (n->command)
            run_command(a, n->command, id, status, failed);
    }
    free(body);
}

void app_notify_check(struct app *a)
{
    if (strmap_count(&a->watched) == 0)
        return;
    size_t n = 0, cap = strmap_count(&a->watched);
    char **ended = xcalloc(cap, sizeof *ended);
    for (struct strmap_entry *w = strmap_first(&a->watched); w; w = strmap_next(w)) {
        const struct store_entry *e = store_find(a->store, strmap_key(w));
        if (e != NULL && has_ended(a, e, strmap_value(w))) {
            announce(a, e);
            ended[n++] = xstrdup(strmap_key(w));
        }
    }
    for (size_t i = 0; i < n; i++) {
        strmap_remove(&a->watched, ended[i]);
        free(ended[i]);
    }
    free(ended);
}

/* Read the commands' standard error; say how each that ended went. */
static void children_poll(struct app *a)
{
    for (size_t i = 0; i < APP_MAX_NOTIFY; i++) {
        struct notify_child *c = &a->children[i];
        if (c->pid == 0)
            continue;
        if (c->fd >= 0 && !notify_read(c->fd, c->err, &c->err_len, sizeof c->err)) {
            close(c->fd);
            c->fd = -1;
        }
        char *failure = NULL;
        if (c->fd < 0 && notify_reaped(c->pid, c->err, c->err_len, &failure)) {
            if (failure)
                app_log(a, true, "%s (for %s)", failure, c->batch_id);
            free(failure);
            free(c->batch_id);
            memset(c, 0, sizeof *c);
        }
    }
}

static bool children_waiting(const struct app *a)
{
    for (size_t i = 0; i < APP_MAX_NOTIFY; i++)
        if (a->children[i].pid != 0 && a->children[i].fd < 0)
            return true;
    return false;
}

/* ---- input ---- */

static unsigned global_action(struct app *a, enum action act, size_t idx)
{
    struct screen *s = &a->screens[idx];
    switch (act) {
    case ACT_QUIT_NOW:
        return REACT_QUIT;
    case ACT_HELP:
        help_screen_open(a, s->ops->scope);
        return REACT_REDRAW;
    case ACT_MESSAGES:
        messages_screen_open(a);
        return REACT_REDRAW;
    case ACT_REFRESH:
        app_submit(a, net_cmd_new(NET_CMD_REFRESH));
        app_flash(a, "refreshing\xe2\x80\xa6");
        return REACT_REDRAW;
    case ACT_PAUSE:
        a->paused = !a->paused;
        app_submit(a, net_cmd_new(a->paused ? NET_CMD_PAUSE : NET_CMD_RESUME));
        app_flash(a, a->paused ? "live updates paused (p resumes)" : "live updates resumed");
        return REACT_REDRAW;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        return REACT_REDRAW;
    case ACT_PROFILES:
        if (a->opt.switch_to == NULL || a->opt.n_profiles == 0)
            app_error(a, "no profiles: add [profile NAME] sections to the configuration file "
                         "(see batchtop(1))");
        else
            profiles_screen_open(a);
        return REACT_REDRAW;
    case ACT_QUIT:
    case ACT_BACK:
        if (idx == 0)
            return act == ACT_QUIT ? REACT_QUIT : REACT_NONE;
        return REACT_CLOSE;
    default:
        return REACT_NONE;
    }
}

static unsigned handle_key(struct app *a, struct key_event k)
{
    if (a->n_screens == 0)
        return REACT_QUIT;
    size_t idx = a->n_screens - 1;
    struct screen *s = &a->screens[idx];
    unsigned r = REACT_UNHANDLED;
    if (s->ops->key)
        r = s->ops->key(s, a, k);
    if (r & REACT_UNHANDLED) {
        int code = k.fn ? k.code : (k.code < 128 ? k.code : -2);
        enum action act = keys_lookup(s->ops->scope ? s->ops->scope : SCOPE_GLOBAL, code);
        r = REACT_UNHANDLED;
        if (act == ACT_QUIT_NOW)
            return REACT_QUIT;
        if (act != ACT_NONE && s->ops->action)
            r = s->ops->action(s, a, act);
        if ((r & REACT_UNHANDLED) && act != ACT_NONE)
            r = global_action(a, act, idx);
        r &= ~(unsigned)REACT_UNHANDLED;
    }
    if (r & REACT_CLOSE)
        close_at(a, idx);
    return r | REACT_REDRAW;
}

static unsigned read_keys(struct app *a, bool *resized)
{
    unsigned r = REACT_NONE;
    wint_t ch;
    int rc;
    while ((rc = wget_wch(stdscr, &ch)) != ERR) {
        struct key_event k = {(int)ch, rc == KEY_CODE_YES};
        if (k.fn && k.code == KEY_RESIZE) {
            *resized = true;
            continue;
        }
        if (a->flash && a->flash_error)
            clear_flash(a);
        r |= handle_key(a, k);
        if (r & REACT_QUIT)
            break;
    }
    for (size_t i = a->n_screens; i-- > 0 && !(r & REACT_QUIT);)
        if (a->screens[i].ops->keys_done)
            r |= a->screens[i].ops->keys_done(&a->screens[i], a);
    return r;
}

/* Apply m (or a part of one) and offer it to every screen. */
static unsigned apply_one(struct app *a, const struct net_msg *m)
{
    unsigned r = apply_message(a, m);
    for (size_t i = a->n_screens; i-- > 0;) {
        struct screen *s = &a->screens[i];
        if (!s->ops->message)
            continue;
        unsigned sr = s->ops->message(s, a, m);
        if (sr & REACT_CLOSE)
            close_at(a, i);
        r |= sr & ~(unsigned)REACT_CLOSE;
    }
    return r;
}

/* How many items of m may be applied part by part: job statuses (merged by the net thread,
 * thousands at a time) and a directory's file list (100,000 names) are merged by ID in any
 * order, so parts applied one after the other add up to the whole message. 0: not split. */
static size_t splittable(const struct net_msg *m)
{
    if (m->type == NET_MSG_JOBS)
        return m->n_jobs;
    if (m->type == NET_MSG_DIR_FILES && m->ok)
        return m->n_files;
    return 0;
}

/*
 * Apply net messages for about APP_SLICE_MS, then return so the loop reads keys and draws; the
 * rest waits in a->pending and the loop comes back at once (issue 14: a big batch brought
 * thousands of messages, applied all at once while keys waited). New messages are taken from
 * the net thread only when the backlog is worked off: until then they stay in its queue, where
 * job statuses are merged (msg_push), so the backlog does not grow behind the UI's back.
 * Order is kept: messages are applied one by one, oldest first; a big one in parts.
 */
void app_detail_free_later(struct app *a, struct batch_detail *d)
{
    if (a->detail_gone != NULL) /* an earlier one still going: it goes now */
        detail_free_some(a->detail_gone, (size_t)-1);
    a->detail_gone = d;
}

/* Work waiting for the loop: messages taken, the open batch's rows, a closed one's memory. */
static bool app_busy(const struct app *a)
{
    return a->pending != NULL || a->detail_gone != NULL ||
           (a->detail != NULL && detail_busy(a->detail));
}

static unsigned read_messages(struct app *a)
{
    unsigned r = REACT_NONE;
    if (a->pending == NULL)
        a->pending = net_take_messages(a->net);
    int64_t until = clock_mono_ms() + APP_SLICE_MS;
    while (app_busy(a)) {
        if (a->detail_gone != NULL) {
            if (detail_free_some(a->detail_gone, 4 * APP_PART))
                a->detail_gone = NULL;
            if (clock_mono_ms() >= until)
                break;
            continue;
        }
        if (a->detail != NULL && detail_busy(a->detail)) {
            /* the open batch's rows, built a part at a time (a new results answer), or its
             * shown rows decided (a new filter); the names and statuses that come meanwhile
             * merge with the rows built so far */
            bool loading = detail_loading(a->detail);
            detail_work(a->detail, APP_PART);
            if (loading && !detail_loading(a->detail))
                apply_rows_built(a);
            r |= REACT_REDRAW;
            if (clock_mono_ms() >= until)
                break;
            continue;
        }
        struct net_msg *m = a->pending;
        size_t n = splittable(m);
        int type = (int)m->type;
        int64_t step_start = clock_mono_ms();
        if (n > APP_PART) {
            /* a shallow view of the next part; m keeps ownership of everything */
            struct net_msg part = *m;
            size_t k = n - a->pending_at < APP_PART ? n - a->pending_at : APP_PART;
            part.next = NULL;
            if (m->type == NET_MSG_JOBS) {
                part.jobs = m->jobs + a->pending_at;
                part.n_jobs = k;
            } else {
                part.files = m->files + a->pending_at;
                part.n_files = k;
            }
            r |= apply_one(a, &part);
            /* the part is in the model: its items go now, so freeing a message of 100,000
             * items is not one more long step at its end */
            for (size_t i = 0; i < k; i++) {
                if (m->type == NET_MSG_JOBS)
                    job_done(&part.jobs[i]);
                else
                    dir_file_done(&part.files[i]);
            }
            a->pending_at += k;
        }
        if (n <= APP_PART || a->pending_at == n) {
            if (n <= APP_PART)
                r |= apply_one(a, m);
            a->pending = m->next;
            a->pending_at = 0;
            net_msg_free(m);
        }
        int64_t step_end = clock_mono_ms();
        if (step_end - step_start >= APP_SLOW_STEP_MS && log_enabled())
            log_printf("ui", "one message step took %lld ms (type %d, %zu items)",
                       (long long)(step_end - step_start), type, n);
        if (step_end >= until)
            break;
    }
    if (a->view_dirty) { /* once per slice, not once per message */
        list_view_rebuild(a->view, a->store);
        a->view_dirty = false;
    }
    app_notify_check(a);
    return r;
}

/* Milliseconds until the next timer: the flash fading, the header's clock ticking. */
static int next_timeout(struct app *a)
{
    int64_t now = clock_mono_ms(), wait = -1;
    if (a->flash && a->flash_until_mono)
        wait = a->flash_until_mono - now;
    if (a->updated_ms > 0 || a->conn == NET_CONN_RETRYING) {
        int64_t tick = 1000 - (clock_now_ms() % 1000) + 5;
        if (wait < 0 || tick < wait)
            wait = tick;
    }
    if (children_waiting(a) && (wait < 0 || wait > 100))
        wait = 100; /* a command closed its standard error and has not ended yet */
    if (wait < 0)
        return -1;
    return (int)(wait < 0 ? 0 : wait);
}

/* Free everything the app owns (screens and the net thread are already gone). */
static void app_free(struct app *a)
{
    while (a->pending != NULL) {
        struct net_msg *m = a->pending;
        a->pending = m->next;
        net_msg_free(m);
    }
    detail_free(a->detail);
    detail_free(a->detail_gone);
    list_view_free(a->view);
    store_free(a->store);
    for (size_t i = 0; i < a->n_directories; i++)
        directory_done(&a->directories[i]);
    free(a->directories);
    for (int t = 0; t < JOB_TYPE_COUNT; t++) {
        for (size_t i = 0; i < a->n_configs[t]; i++)
            config_done(&a->configs[t][i]);
        free(a->configs[t]);
    }
    free(a->configs_error);
    free(a->directories_error);
    for (size_t i = 0; i < a->n_log; i++)
        free(a->log[i].text);
    free(a->log);
    free(a->flash);
    free(a->pending_copy);
    free(a->pending_osc);
    strmap_done(&a->watched);
    for (size_t i = 0; i < APP_MAX_NOTIFY; i++) {
        if (a->children[i].fd >= 0 && a->children[i].pid)
            close(a->children[i].fd); /* a command still running goes on alone */
        free(a->children[i].batch_id);
    }
    free(a->endpoint);
    free(a->last_notice);
    free(a->resubmit_after_load);
    free(a->counts_sent);
}

/* Forget everything of the old profile but the messages log. */
static void reset_model(struct app *a)
{
    while (a->pending != NULL) {
        struct net_msg *m = a->pending;
        a->pending = m->next;
        net_msg_free(m);
    }
    a->pending_at = 0;
    list_view_free(a->view);
    store_free(a->store);
    a->store = store_new();
    a->view = list_view_new();
    for (size_t i = 0; i < a->n_directories; i++)
        directory_done(&a->directories[i]);
    free(a->directories);
    a->directories = NULL;
    a->n_directories = 0;
    a->directories_loaded = false;
    for (int t = 0; t < JOB_TYPE_COUNT; t++) {
        for (size_t i = 0; i < a->n_configs[t]; i++)
            config_done(&a->configs[t][i]);
        free(a->configs[t]);
        a->configs[t] = NULL;
        a->n_configs[t] = 0;
        a->configs_loaded[t] = false;
        a->configs_req[t] = 0;
    }
    xstrset(&a->configs_error, NULL);
    xstrset(&a->directories_error, NULL);
    xstrset(&a->last_notice, NULL);
    xstrset(&a->resubmit_after_load, NULL);
    xstrset(&a->counts_sent, NULL); /* the new net thread wants nothing yet */
    strmap_clear(&a->watched);      /* the batches of the old profile */
    a->conn = NET_CONN_CONNECTING;
    a->retry_at_mono = 0;
    a->requests_per_min = 0;
    a->updated_ms = a->stalled_ms = a->cached_ms = 0;
    a->cache_saved_mono = 0;
    a->cache_error_said = false;
    a->list_loaded = a->list_stale = a->list_partial = a->list_cursor_moved = false;
    a->list_partial_loaded = 0;
    a->list_partial_total = 0;
    a->list_partial_pages = 0;
    a->paused = false;
    a->view_dirty = false;
}

static struct net *start_net(const struct app_options *opt, char **cause)
{
    struct net_config cfg = {
        .base_url = opt->base_url,
        .api_key = opt->api_key,
        .project_id = opt->project_id,
        .organization_id = opt->organization_id,
        .custom_headers = opt->custom_headers,
        .refresh_s = opt->refresh_s,
    };
    return net_start(&cfg, cause);
}

void app_switch_profile(struct app *a, const char *profile)
{
    if (a->opt.switch_to == NULL)
        return;
    struct app_options next;
    char *why = NULL;
    /* api_key_command may ask for a passphrase on the terminal: give it the terminal */
    def_prog_mode();
    endwin();
    bool ok = a->opt.switch_to(profile, &next, &why);
    reset_prog_mode();
    clearok(curscr, TRUE);
    if (!ok) {
        app_error(a, "profile %s not used: %s", profile ? profile : "(none)",
                  why ? why : "failed");
        free(why);
        return;
    }
    char *cause = NULL;
    struct net *n = start_net(&next, &cause);
    if (n == NULL) {
        app_error(a, "profile %s not used: cannot start the network thread: %s",
                  profile ? profile : "(none)", cause ? cause : "unknown error");
        free(cause);
        return;
    }
    /* the old one goes: its screens (each says goodbye to the net), its cache, its thread */
    while (a->n_screens > 1)
        close_at(a, a->n_screens - 1);
    cache_save(a, true);
    net_stop(a->net);
    reset_model(a);
    a->net = n;
    a->opt = next;
    free(a->endpoint);
    a->endpoint = url_endpoint(next.base_url);
    a->cleartext = url_cleartext_remote(next.base_url);
    cache_open(a);
    apply_load_names(a);
    app_flash(a, "profile %s: %s", profile ? profile : "(none)", a->endpoint);
    if (a->cleartext)
        app_log(a, true,
                "plain http:// to a host that is not loopback: the API key and every "
                "answer travel unencrypted");
}

int app_run(const struct app_options *opt)
{
    struct app a;
    char *cause = NULL;
    memset(&a, 0, sizeof a);
    a.opt = *opt;
    a.endpoint = url_endpoint(opt->base_url);
    a.cleartext = url_cleartext_remote(opt->base_url);
    a.store = store_new();
    a.view = list_view_new();
    a.conn = NET_CONN_CONNECTING;
    strmap_init(&a.watched, free); /* ID -> when its final status was first seen */

    if (!term_signals_install(&cause)) {
        fprintf(stderr, "batchtop: %s\n", cause);
        free(cause);
        app_free(&a);
        return 1;
    }
    a.net = start_net(opt, &cause);
    if (!a.net) {
        fprintf(stderr, "batchtop: cannot start the network thread: %s\n",
                cause ? cause : "unknown error");
        free(cause);
        app_free(&a);
        return 1;
    }

    term_start();
    draw_init_colors(opt->color);
    list_screen_open(&a);
    cache_open(&a);
    apply_load_names(&a);
    app_log(&a, false, "connecting to %s", a.endpoint);
    if (a.cleartext)
        app_log(&a, true,
                "plain http:// to a host that is not loopback: the API key and every "
                "answer travel unencrypted");

    bool redraw = true;
    /* --log only: how long a key waited for its answer on screen. A key read in a turn came
     * after the last poll that saw none (or, when that poll waited for it, during the wait):
     * from then to the end of the draw that follows is an upper bound of its wait. */
    int64_t looked_ms = clock_mono_ms(); /* the last time stdin was seen without a key */
    int64_t key_since = -1, key_msgs_ms = 0, key_keys_ms = 0;
    bool keys_last_turn = false;
    while (!a.quit) {
        if (redraw) {
            int64_t t0 = clock_mono_ms();
            draw_all(&a);
            if (key_since >= 0 && log_enabled()) {
                int64_t t1 = clock_mono_ms();
                log_printf("ui", "key answered within %lld ms (messages %lld ms, keys %lld ms, "
                           "draw %lld ms)",
                           (long long)(t1 - key_since), (long long)key_msgs_ms,
                           (long long)key_keys_ms, (long long)(t1 - t0));
            }
            key_since = -1;
        }
        redraw = false;
        struct pollfd fds[3 + APP_MAX_NOTIFY] = {
            {STDIN_FILENO, POLLIN, 0},
            {term_signal_fd(), POLLIN, 0},
            {net_fd(a.net), POLLIN, 0},
        };
        nfds_t nfds = 3;
        for (size_t i = 0; i < APP_MAX_NOTIFY; i++)
            if (a.children[i].pid && a.children[i].fd >= 0)
                fds[nfds++] = (struct pollfd){a.children[i].fd, POLLIN, 0};
        /* a backlog of messages: look at keys and signals, then go on with it */
        int64_t poll_start = clock_mono_ms();
        bool busy = app_busy(&a);
        int rc = poll(fds, nfds, busy ? 0 : next_timeout(&a));
        int64_t poll_end = clock_mono_ms();
        bool key_ready = rc > 0 && (fds[0].revents & POLLIN);
        if (key_ready && poll_end - poll_start >= 2)
            looked_ms = poll_end; /* the poll waited: the key came at its end */
        bool children = nfds > 3 || children_waiting(&a);
        if (rc < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        bool resized = false, quit = false;
        unsigned r = REACT_NONE;
        if (fds[1].revents & POLLIN)
            term_signals_read(&resized, &quit);
        if (quit)
            break;
        /* Keys first, and a turn that read keys draws before any message work (issue 14:
         * a key waits for at most the slice under way when it came, never for another);
         * only a second such turn in a row also applies a slice, so a held key does not
         * keep the messages waiting. */
        int64_t keys_start = clock_mono_ms();
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (fds[0].revents & (POLLHUP | POLLERR) && !(fds[0].revents & POLLIN))
                break; /* the terminal went away */
            r |= read_keys(&a, &resized);
        }
        int64_t msgs_start = clock_mono_ms();
        if (((fds[2].revents & POLLIN) || busy) && (!key_ready || keys_last_turn))
            r |= read_messages(&a);
        keys_last_turn = key_ready;
        if (key_ready && key_since < 0) {
            key_since = looked_ms;
            key_keys_ms = msgs_start - keys_start;
            key_msgs_ms = clock_mono_ms() - msgs_start;
        }
        if (!key_ready)
            looked_ms = poll_end;
        if (r & REACT_QUIT)
            break;
        if (a.n_screens == 0)
            break;
        if (children)
            children_poll(&a);
        /* a timer tick also checks the size: a SIGWINCH can be coalesced away */
        if (rc == 0 && term_size_changed())
            resized = true;
        if (resized) {
            term_resize();
            clearok(curscr, TRUE);
            r |= REACT_REDRAW;
        }
        if (a.flash && a.flash_until_mono && clock_mono_ms() >= a.flash_until_mono) {
            clear_flash(&a);
            r |= REACT_REDRAW;
        }
        /* a timer fired: the header's clock and "retrying in" count move every second */
        redraw = (r & REACT_REDRAW) || rc == 0;
    }

    while (a.n_screens)
        close_at(&a, a.n_screens - 1);
    cache_save(&a, true);
    net_stop(a.net);
    a.net = NULL;
    tui_done();
    app_free(&a);
    /* ended by SIGINT, SIGTERM or SIGHUP: say so in the status, as a shell would */
    return term_quit_signal() ? 128 + term_quit_signal() : 0;
}
