/* list.c -- the Batches screen (home): counts, the live table, status keys, sort and filter. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/text.h"

struct list_screen {
    size_t first; /* first row shown */
    int page;     /* rows in the table at the last draw */
};

static bool sort_descending(const struct app *a)
{
    enum list_column c = list_view_sort_column(a->view);
    bool desc = c == COL_CREATED || c == COL_UPDATED;
    return list_view_sort_inverted(a->view) ? !desc : desc;
}

static void cell(const struct store_entry *e, enum list_column c, char *buf, size_t len, int width)
{
    switch (c) {
    case COL_CREATED:
        draw_time(e->batch.created_ms, buf, len);
        break;
    case COL_UPDATED:
        draw_time(e->batch.updated_ms, buf, len);
        break;
    case COL_PROGRESS:
        if (e->batch.status == BATCH_COMPLETED && e->jobs_running > 0) {
            /* COMPLETED means mapped, not done (API.md): say that jobs still run. */
            snprintf(buf, len, "%ld jobs running", e->jobs_running);
        } else if (e->files_total > 0) {
            char bar[256];
            int bw = width - 5;
            if (bw > 20)
                bw = 20;
            if (bw < 1)
                bw = 1;
            text_bar(e->files_done, e->files_total, bw, bar, sizeof bar);
            snprintf(buf, len, "%s %3ld%%", bar, e->files_done * 100 / e->files_total);
        } else if (e->files_total == 0) {
            snprintf(buf, len, "no files");
        } else {
            snprintf(buf, len, "%s", LIST_UNKNOWN); /* being counted (want_counts) */
        }
        break;
    default:
        list_cell_text(e, c, buf, len);
        break;
    }
}

/* Tell the net thread which rows in view need counts (not final yet), active batches first;
 * only when that set changed since the last time, so a redraw sends nothing. */
static void want_counts(struct app *a, size_t first, size_t page)
{
    size_t nrows = list_view_count(a->view);
    size_t end = first + page < nrows ? first + page : nrows;
    size_t watched = strmap_count(&a->watched);
    char **ids = xcalloc((end > first ? end - first : 0) + watched + 1, sizeof *ids);
    size_t n = 0, len = 1;
    /* first the watched batches, wherever they are: their end is announced when their jobs
     * are done too, which only the counts say */
    for (struct strmap_entry *w = strmap_first(&a->watched); w; w = strmap_next(w)) {
        const struct store_entry *e = store_find(a->store, strmap_key(w));
        if (e == NULL || e->counts_final || e->batch.id == NULL)
            continue;
        ids[n++] = e->batch.id;
        len += strlen(e->batch.id) + 1;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = first; i < end; i++) {
            const struct store_entry *e = list_view_row(a->view, i);
            bool active = !batch_status_is_terminal(e->batch.status);
            /* PENDING and THROTTLED: nothing mapped yet, nothing to count */
            bool queued = e->batch.status == BATCH_PENDING || e->batch.status == BATCH_THROTTLED;
            if (e->counts_final || e->batch.id == NULL || active != (pass == 0) || queued ||
                app_notify_watched(a, e->batch.id))
                continue;
            ids[n++] = e->batch.id;
            len += strlen(e->batch.id) + 1;
        }
    }
    char *key = xmalloc(len), *at = key;
    *at = '\0';
    for (size_t i = 0; i < n; i++)
        at += sprintf(at, "%s%s", i ? " " : "", ids[i]);
    if (!xstreq(key, a->counts_sent ? a->counts_sent : "")) {
        struct net_cmd *cmd = net_cmd_new(NET_CMD_WANT_COUNTS);
        cmd->ids = xcalloc(n ? n : 1, sizeof *cmd->ids);
        for (size_t i = 0; i < n; i++)
            cmd->ids[i] = xstrdup(ids[i]);
        cmd->n_ids = n;
        app_submit(a, cmd);
        xstrset(&a->counts_sent, key);
    }
    free(key);
    free(ids);
}

static const char *mask_name(unsigned mask)
{
    if (mask == STATUS_MASK_ALL)
        return "all";
    if (mask == STATUS_MASK_ACTIVE)
        return "active";
    for (int s = 0; s < BATCH_STATUS_COUNT; s++)
        if (mask == (1u << s))
            return batch_status_name((enum batch_status)s);
    return "custom";
}

static void list_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct list_screen *ls = s->data;
    size_t counts[BATCH_STATUS_COUNT];
    char buf[512];
    int x = 1;

    /* counts line; when it does not fit, the statuses with no batch are left out */
    list_view_counts(a->view, counts);
    int need = 1;
    for (int st = 0; st < BATCH_STATUS_COUNT; st++) {
        snprintf(buf, sizeof buf, "%s %zu", batch_status_name((enum batch_status)st), counts[st]);
        if (st != BATCH_UNKNOWN || counts[st])
            need += text_width(buf) + 3;
    }
    for (int st = 0; st < BATCH_STATUS_COUNT && x < cols; st++) {
        if ((st == BATCH_UNKNOWN || need > cols) && counts[st] == 0)
            continue;
        snprintf(buf, sizeof buf, "%s %zu", batch_status_name((enum batch_status)st), counts[st]);
        x += draw_text(top, x, cols - x, buf,
                       counts[st] ? draw_batch_status_attr((enum batch_status)st) | A_BOLD : A_DIM,
                       false);
        x += 3;
    }
    if (a->list_partial && x < cols)
        draw_text(top, x, cols - x, "(partial: still listing)", A_DIM, false);

    /* title */
    const char *filter = list_view_filter(a->view);
    char progress[160] = "";
    if (a->list_partial) {
        /* a listing under way: how far it is (of total_size when the server says) */
        char done[32], total[32];
        text_thousands((long)a->list_partial_loaded, done, sizeof done);
        if (a->list_partial_total >= 0) {
            text_thousands(a->list_partial_total, total, sizeof total);
            snprintf(progress, sizeof progress, "  %s %s / %s%s",
                     a->list_stale ? "partial: listing failed, retrying;" : "loading", done,
                     total, a->list_stale ? " listed" : "");
        } else {
            snprintf(progress, sizeof progress, "  %s %s (%d page%s)",
                     a->list_stale ? "partial: listing failed, retrying;" : "loading", done,
                     a->list_partial_pages, a->list_partial_pages == 1 ? "" : "s");
        }
    }
    snprintf(buf, sizeof buf, " Batches (%zu/%zu)  status: %s%s%s%s%s", list_view_count(a->view),
             list_view_total(a->view), mask_name(list_view_status_mask(a->view)),
             list_view_failed_only(a->view) ? "  with failed files" : "",
             filter[0] ? "  filter: " : "", filter,
             a->list_partial  ? progress
             : a->list_loaded ? ""
             : a->list_stale  ? "  not loaded"
                              : "  loading\xe2\x80\xa6");
    draw_text(top + 1, 0, cols, buf, A_BOLD, true);

    static const enum list_column col_of[] = {COL_ID,        COL_STATUS,  COL_TYPE,   COL_CONFIG,
                                              COL_DIRECTORY, COL_FILES,   COL_FAILED, COL_PROGRESS,
                                              COL_CREDITS,   COL_CREATED, COL_UPDATED};
    struct draw_col c[] = {
        /* an ID keeps 18 characters: enough to tell batches apart and to type a prefix */
        {19, 40, 100, 0, false},
        {9, 9, 100, 0, false},
        {10, 10, 50, 0, false},
        {10, 40, 20, 0, false},
        {10, 30, 60, 0, false},
        {9, 9, 70, 0, false},
        /* FAILED (failed files) stays at 80 columns, beside FILES: the first question */
        {6, 6, 65, 0, false},
        /* from 130 columns PROGRESS keeps room for "15 jobs running" */
        {cols >= 130 ? 15 : 10, 16, 40, 0, false},
        {8, 10, 8, 0, false},
        {11, 11, 30, 0, false},
        {11, 11, 10, 0, false},
    };
    int n = (int)(sizeof c / sizeof c[0]);
    draw_layout(c, n, cols - 1);

    /* header with the sort indicator */
    x = 1;
    enum list_column sc = list_view_sort_column(a->view);
    for (int i = 0; i < n; i++) {
        if (!c[i].shown)
            continue;
        snprintf(buf, sizeof buf, "%s%s", list_column_name(col_of[i]),
                 col_of[i] == sc
                     ? (text_utf8() ? (sort_descending(a) ? "\xe2\x96\xbc" : "\xe2\x96\xb2")
                                    : (sort_descending(a) ? "v" : "^"))
                     : "");
        draw_text(top + 2, x, c[i].width, buf, A_UNDERLINE | (col_of[i] == sc ? A_BOLD : 0), true);
        x += c[i].width + 1;
    }

    int page = rows - 3;
    if (page < 1)
        page = 1;
    ls->page = page;
    size_t nrows = list_view_count(a->view), sel = list_view_selected(a->view);
    if (sel != (size_t)-1) {
        if (sel < ls->first)
            ls->first = sel;
        if (sel >= ls->first + (size_t)page)
            ls->first = sel - (size_t)page + 1;
    }
    if (ls->first + (size_t)page > nrows)
        ls->first = nrows > (size_t)page ? nrows - (size_t)page : 0;

    if (nrows == 0) {
        const char *why = !a->list_loaded && a->list_stale
                              ? "could not load the batches yet (retrying; m shows the errors)"
                          : !a->list_loaded ? "loading batches\xe2\x80\xa6"
                          : list_view_total(a->view)
                              ? "no batch matches (0 shows all, / clears the filter)"
                              : "no batches yet \xe2\x80\x94 press n to start one";
        draw_text(top + 4, 2, cols - 2, why, A_DIM, false);
        return;
    }
    want_counts(a, ls->first, (size_t)page);
    for (int r = 0; r < page && ls->first + (size_t)r < nrows; r++) {
        size_t i = ls->first + (size_t)r;
        const struct store_entry *e = list_view_row(a->view, i);
        bool selected = i == sel;
        attr_t base = selected ? A_REVERSE : A_NORMAL;
        int y = top + 3 + r;
        draw_fill(y, 0, cols, base);
        draw_text(y, 0, 1, selected ? ">" : " ", base, true);
        x = 1;
        for (int k = 0; k < n; k++) {
            if (!c[k].shown)
                continue;
            attr_t at = base;
            if (col_of[k] == COL_STATUS)
                at |= draw_batch_status_attr(e->batch.status);
            if (col_of[k] == COL_FAILED && e->files_failed > 0)
                at |= draw_batch_status_attr(BATCH_FAILED); /* failures stand out */
            cell(e, col_of[k], buf, sizeof buf, c[k].width);
            draw_text(y, x, c[k].width, buf, at, true);
            x += c[k].width + 1;
        }
    }
}

static void filter_change(struct app *a, void *ctx, const char *text)
{
    list_view_set_filter(a->view, text);
    list_view_rebuild(a->view, a->store);
}

static void filter_done(struct app *a, void *ctx, const char *text, bool accepted)
{
    list_view_set_filter(a->view, accepted ? text : NULL);
    list_view_rebuild(a->view, a->store);
}

static void set_mask(struct app *a, unsigned mask)
{
    list_view_set_status_mask(a->view, mask);
    list_view_rebuild(a->view, a->store);
}

static unsigned list_action(struct screen *s, struct app *a, enum action act)
{
    struct list_screen *ls = s->data;
    long page = ls->page > 1 ? ls->page - 1 : 1;
    const char *id = list_view_selected_id(a->view);
    if (act == ACT_UP || act == ACT_DOWN || act == ACT_PAGE_UP || act == ACT_PAGE_DOWN ||
        act == ACT_HOME || act == ACT_END)
        a->list_cursor_moved = true;
    switch (act) {
    case ACT_UP:
        list_view_move(a->view, -1);
        break;
    case ACT_DOWN:
        list_view_move(a->view, 1);
        break;
    case ACT_PAGE_UP:
        list_view_move(a->view, -page);
        break;
    case ACT_PAGE_DOWN:
        list_view_move(a->view, page);
        break;
    case ACT_HOME:
        list_view_select_index(a->view, 0);
        break;
    case ACT_END:
        if (list_view_count(a->view))
            list_view_select_index(a->view, list_view_count(a->view) - 1);
        break;
    case ACT_OPEN:
        if (id)
            batch_screen_open(a, id);
        break;
    case ACT_COPY:
        if (id)
            app_copy(a, id);
        break;
    case ACT_NEW:
        if (a->opt.readonly)
            app_error(a, "read-only mode: creating batches is disabled (--readonly)");
        else
            form_screen_open(a);
        break;
    case ACT_CANCEL:
        if (id)
            dialog_cancel_batch(a, id);
        else
            app_error(a, "no batch selected");
        break;
    case ACT_WATCH:
        if (id)
            app_watch_toggle(a, id);
        else
            app_error(a, "no batch selected");
        break;
    case ACT_RESUBMIT:
        if (!id) {
            app_error(a, "no batch selected");
        } else if (a->opt.readonly) {
            app_error(a, "read-only mode: resubmitting is disabled (--readonly)");
        } else if (!a->detail) {
            batch_screen_open(a, id);
            xstrset(&a->resubmit_after_load, id);
            app_flash(a, "loading %s's files to resubmit them\xe2\x80\xa6", id);
        }
        break;
    case ACT_FILTER:
        prompt_open(a, "filter (! inverts): ", list_view_filter(a->view), filter_change,
                    filter_done, NULL);
        break;
    case ACT_BACK:
        if (list_view_filter(a->view)[0]) {
            list_view_set_filter(a->view, NULL);
            list_view_rebuild(a->view, a->store);
        }
        break;
    case ACT_SHOW_ALL:
        set_mask(a, STATUS_MASK_ALL);
        break;
    case ACT_SHOW_PENDING:
        set_mask(a, 1u << BATCH_PENDING);
        break;
    case ACT_SHOW_THROTTLED:
        set_mask(a, 1u << BATCH_THROTTLED);
        break;
    case ACT_SHOW_RUNNING:
        set_mask(a, 1u << BATCH_RUNNING);
        break;
    case ACT_SHOW_COMPLETED:
        set_mask(a, 1u << BATCH_COMPLETED);
        break;
    case ACT_SHOW_FAILED:
        set_mask(a, 1u << BATCH_FAILED);
        break;
    case ACT_SHOW_CANCELLED:
        set_mask(a, 1u << BATCH_CANCELLED);
        break;
    case ACT_SHOW_ACTIVE:
        set_mask(a, STATUS_MASK_ACTIVE);
        break;
    case ACT_SORT_PREV:
    case ACT_SORT_NEXT: {
        int c = (int)list_view_sort_column(a->view) + (act == ACT_SORT_NEXT ? 1 : -1);
        c = (c + COL_COUNT) % COL_COUNT;
        list_view_set_sort(a->view, (enum list_column)c, false);
        list_view_rebuild(a->view, a->store);
        app_flash(a, "sorted by %s", list_column_name((enum list_column)c));
        break;
    }
    case ACT_FAILED_BATCHES:
        list_view_set_failed_only(a->view, !list_view_failed_only(a->view));
        list_view_rebuild(a->view, a->store);
        app_flash(a, list_view_failed_only(a->view)
                         ? "only batches with failed files (F again: all)"
                         : "every batch, failed files or not");
        break;
    case ACT_SORT_INVERT:
        list_view_set_sort(a->view, list_view_sort_column(a->view),
                           !list_view_sort_inverted(a->view));
        list_view_rebuild(a->view, a->store);
        break;
    default:
        return REACT_UNHANDLED;
    }
    return REACT_REDRAW;
}

static const char *list_hints(struct screen *s, struct app *a)
{
    return "Enter open  n new  c cancel  / filter  0-6 a status  F failed  < > sort  r refresh  "
           "p pause  m messages  ? help  q quit";
}

static void list_done(struct screen *s, struct app *a)
{
    free(s->data);
}

static const struct screen_ops list_ops = {
    .name = "batches",
    .scope = SCOPE_LIST,
    .draw = list_draw,
    .action = list_action,
    .hints = list_hints,
    .done = list_done,
};

void list_screen_open(struct app *a)
{
    app_push(a, &list_ops, xcalloc(1, sizeof(struct list_screen)));
}

void list_screen_select(struct app *a, const char *batch_id)
{
    a->list_cursor_moved = true;
    list_view_select_id(a->view, batch_id);
}
