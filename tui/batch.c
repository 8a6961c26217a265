/* batch.c -- the Batch screen: every field, status history, job counts and the file table. */
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

struct batch_screen {
    char *id;
    char *sel_file; /* file ID of the selected row, kept across refreshes */
    size_t sel;
    size_t first;
    int page;
};

/* Find the selected row again by file ID (rows may be filtered or reordered). */
static void resolve_selection(struct batch_screen *bs, struct app *a)
{
    size_t n = detail_visible_count(a->detail);
    if (n == 0) {
        bs->sel = 0;
        return;
    }
    /* the usual case, at once: the row has not moved (a batch may have 100,000 rows) */
    if (bs->sel_file && bs->sel < n &&
        xstreq(detail_visible_row(a->detail, bs->sel)->file_id, bs->sel_file))
        return;
    if (bs->sel_file) {
        for (size_t i = 0; i < n; i++) {
            if (xstreq(detail_visible_row(a->detail, i)->file_id, bs->sel_file)) {
                bs->sel = i;
                return;
            }
        }
    }
    if (bs->sel >= n)
        bs->sel = n - 1;
    xstrset(&bs->sel_file, detail_visible_row(a->detail, bs->sel)->file_id);
}

static void select_row(struct batch_screen *bs, struct app *a, long i)
{
    size_t n = detail_visible_count(a->detail);
    if (n == 0)
        return;
    if (i < 0)
        i = 0;
    if ((size_t)i >= n)
        i = (long)n - 1;
    bs->sel = (size_t)i;
    xstrset(&bs->sel_file, detail_visible_row(a->detail, bs->sel)->file_id);
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void draw_history(const struct store_entry *e, int y, int cols)
{
    int x = 1;
    x += draw_text(y, x, cols - x, "history: ", A_BOLD, false);
    if (!e || e->n_history == 0) {
        draw_text(y, x, cols - x, "-", A_NORMAL, false);
        return;
    }
    /* the newest changes matter most: start late enough that they fit */
    size_t start = e->n_history > 6 ? e->n_history - 6 : 0;
    if (start)
        x += draw_text(y, x, cols - x, "\xe2\x80\xa6 ", A_DIM, false);
    for (size_t i = start; i < e->n_history && x < cols; i++) {
        char hms[16], buf[96];
        clock_format_hms(e->history[i].seen_ms, hms, sizeof hms);
        snprintf(buf, sizeof buf, "%s",
                 e->history[i].to_text ? e->history[i].to_text
                                       : batch_status_name(e->history[i].to));
        if (i > start)
            x += draw_text(y, x, cols - x, " \xe2\x86\x92 ", A_DIM, false);
        x += draw_text(y, x, cols - x, buf, draw_batch_status_attr(e->history[i].to), false);
        snprintf(buf, sizeof buf, " %s", hms);
        x += draw_text(y, x, cols - x, buf, A_DIM, false);
    }
}

/* The ERROR cell: a mapping error, else the job's error, and what else a row must not hide: a
 * file deleted from its directory, pages that failed in a COMPLETED job. */
static const char *row_note(const struct detail_row *r, char *buf, size_t len)
{
    const char *err = r->mapping_error ? r->mapping_error : r->job_error;
    char pages[64] = "";
    if (r->pages_failed > 0)
        snprintf(pages, sizeof pages, "%zu page%s failed", r->pages_failed,
                 r->pages_failed == 1 ? "" : "s");
    snprintf(buf, len, "%s%s%s%s%s", r->deleted ? "file deleted" : "",
             r->deleted && (pages[0] || err) ? " \xc2\xb7 " : "", pages,
             pages[0] && err ? " \xc2\xb7 " : "", err ? err : "");
    return buf;
}

/* An ephemeral directory that has expired, or expires within a day, is worth a warning. */
static void directory_warning(struct app *a, const char *dir_id, int y, int x, int cols)
{
    const struct directory *d = NULL;
    for (size_t i = 0; i < a->n_directories && d == NULL; i++)
        if (xstreq(a->directories[i].id, dir_id))
            d = &a->directories[i];
    if (d == NULL || d->expires_ms < 0)
        return;
    int64_t left = d->expires_ms - clock_now_ms();
    char age[32], buf[96];
    clock_format_age(left >= 0 ? left : -left, age, sizeof age);
    if (left <= 0)
        snprintf(buf, sizeof buf, "   directory expired %s ago", age);
    else if (left < 24 * 3600 * 1000LL)
        snprintf(buf, sizeof buf, "   directory expires in %s", age);
    else
        return;
    draw_text(y, x, cols - x, buf, draw_attr(COLOR_ROLE_BAD) | A_BOLD, false);
}

/* Credits and pages billed so far, and the pages found failed in the outputs read. */
static void draw_usage(struct app *a, int y, int x, int cols)
{
    struct detail_usage u;
    char buf[160];
    detail_usage(a->detail, &u);
    if (u.billed > 0) {
        char pages[48] = "";
        if (u.with_pages > 0)
            snprintf(pages, sizeof pages, " \xc2\xb7 %lld pages", (long long)u.pages);
        if (u.partial)
            snprintf(buf, sizeof buf, "cost %.10g credits%s (partial: %zu/%zu billed)  ",
                     u.credits, pages, u.billed, u.jobs);
        else
            snprintf(buf, sizeof buf, "cost %.10g credits%s  ", u.credits, pages);
        x += draw_text(y, x, cols - x, buf, A_NORMAL, false);
    }
    if (u.pages_failed > 0) {
        snprintf(buf, sizeof buf, "pages failed %zu in %zu file%s (of %zu read)", u.pages_failed,
                 u.files_with_failed_pages, u.files_with_failed_pages == 1 ? "" : "s",
                 u.pages_checked);
        draw_text(y, x, cols - x, buf, draw_attr(COLOR_ROLE_BAD) | A_BOLD, false);
    }
}

static void batch_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct batch_screen *bs = s->data;
    const struct store_entry *e = store_find(a->store, bs->id);
    const struct batch *b = detail_batch(a->detail);
    char buf[1024], t1[16], t2[16];
    if (!b && e)
        b = &e->batch;
    bool live = detail_is_live(a->detail);

    int x = 0;
    x += draw_text(top, x, cols, " Batch ", A_BOLD, false);
    x += draw_text(top, x, cols - x, bs->id, A_BOLD, false);
    x += draw_text(top, x, cols - x, "  ", A_NORMAL, false);
    if (b)
        x += draw_text(top, x, cols - x, batch_status_text(b),
                       draw_batch_status_attr(b->status) | A_BOLD, false);
    if (b && b->status == BATCH_COMPLETED) {
        /* COMPLETED means every file was mapped to a job, not that the jobs are done. */
        size_t running = detail_jobs_running(a->detail);
        if (running > 0) {
            snprintf(buf, sizeof buf, " \xc2\xb7 %zu job%s running", running,
                     running == 1 ? "" : "s");
            x += draw_text(top, x, cols - x, buf, draw_attr(COLOR_ROLE_BUSY) | A_BOLD, false);
        }
    } else if (b && b->status == BATCH_FAILED) {
        x +=
            draw_text(top, x, cols - x, " \xc2\xb7 orchestration failed: per-file rows unreliable",
                      draw_attr(COLOR_ROLE_BAD), false);
    }
    x += draw_text(top, x, cols - x, b ? (live ? "  live" : "  final") : "  loading\xe2\x80\xa6",
                   A_DIM, false);
    if (app_notify_watched(a, bs->id))
        draw_text(top, x, cols - x, "  * watched: its end will be announced", A_BOLD, false);

    if (b) {
        const char *dname = e && e->directory_name ? e->directory_name : NULL;
        snprintf(buf, sizeof buf, "directory: %s%s%s%s   type: %s   config: %s",
                 dname ? dname : "", dname ? " (" : "", or_dash(b->source_directory_id),
                 dname ? ")" : "",
                 b->job_type_text ? b->job_type_text : job_type_name(b->job_type),
                 or_dash(b->configuration_id));
        x = 1 + draw_text(top + 1, 1, cols - 1, buf, A_NORMAL, false);
        directory_warning(a, b->source_directory_id, top + 1, x, cols);
        draw_time(b->created_ms, t1, sizeof t1);
        draw_time(b->updated_ms, t2, sizeof t2);
        snprintf(buf, sizeof buf, "created: %s (%s)   updated: %s (%s)   project: %s", t1,
                 or_dash(b->created_at), t2, or_dash(b->updated_at), or_dash(b->project_id));
        x = 1 + draw_text(top + 2, 1, cols - 1, buf, A_NORMAL, false);
        if (e && (e->resubmit_of || e->resubmitted_as)) {
            snprintf(buf, sizeof buf, "  %s%s%s%s%s", e->resubmit_of ? "resubmit of " : "",
                     e->resubmit_of ? e->resubmit_of : "",
                     e->resubmit_of && e->resubmitted_as ? " \xc2\xb7 " : "",
                     e->resubmitted_as ? "resubmitted as " : "",
                     e->resubmitted_as ? e->resubmitted_as : "");
            draw_text(top + 2, x, cols - x, buf, A_BOLD, false);
        }
    }
    draw_history(e, top + 3, cols);

    struct detail_counts dc;
    detail_counts(a->detail, &dc);
    size_t done, total;
    x = 1;
    if (detail_progress(a->detail, &done, &total)) {
        char bar[128];
        text_bar((long)done, (long)total, 20, bar, sizeof bar);
        snprintf(buf, sizeof buf, "files %zu/%zu %s  ", done, total, bar);
        x += draw_text(top + 4, x, cols - x, buf, A_BOLD, false);
        for (int st = 0; st < JOB_STATUS_COUNT; st++) {
            if (dc.by_status[st] == 0)
                continue;
            snprintf(buf, sizeof buf, "%s %zu  ", job_status_name((enum job_status)st),
                     dc.by_status[st]);
            x += draw_text(top + 4, x, cols - x, buf, draw_job_status_attr((enum job_status)st),
                           false);
        }
        if (dc.mapping_errors) {
            snprintf(buf, sizeof buf, "mapping errors %zu  ", dc.mapping_errors);
            x += draw_text(top + 4, x, cols - x, buf, draw_attr(COLOR_ROLE_BAD), false);
        }
        if (dc.not_mapped) {
            snprintf(buf, sizeof buf, "not mapped yet %zu  ", dc.not_mapped);
            x += draw_text(top + 4, x, cols - x, buf, A_DIM, false);
        }
        if (dc.no_job) {
            snprintf(buf, sizeof buf, "no job yet %zu  ", dc.no_job);
            x += draw_text(top + 4, x, cols - x, buf, A_DIM, false);
        }
        if (dc.unknown) {
            snprintf(buf, sizeof buf, "status unknown %zu  ", dc.unknown);
            x += draw_text(top + 4, x, cols - x, buf, A_DIM, false);
        }
        if (dc.deleted) {
            snprintf(buf, sizeof buf, "deleted %zu  ", dc.deleted);
            x += draw_text(top + 4, x, cols - x, buf, draw_attr(COLOR_ROLE_BAD), false);
        }
        draw_usage(a, top + 4, x, cols);
    } else {
        draw_text(top + 4, x, cols - x,
                  b && batch_status_is_terminal(b->status) ? "no per-file results"
                                                           : "files: not known yet",
                  A_DIM, false);
    }

    const char *filter = detail_filter(a->detail);
    snprintf(buf, sizeof buf, " Files (%zu/%zu)%s%s%s", detail_visible_count(a->detail),
             detail_row_count(a->detail), detail_failed_only(a->detail) ? "  failed only" : "",
             filter && filter[0] ? "  filter: " : "", filter ? filter : "");
    draw_text(top + 5, 0, cols, buf, A_BOLD, true);
    x = text_width(buf);
    if (b && b->status == BATCH_FAILED) /* the API: no reliable per-file result set */
        x += draw_text(top + 5, x, cols - x, "  unreliable: the batch failed",
                       draw_attr(COLOR_ROLE_BAD) | A_BOLD, false);
    if (detail_names_error(a->detail) != NULL) {
        snprintf(buf, sizeof buf, "  %s", detail_names_error(a->detail));
        draw_text(top + 5, x, cols - x, buf, draw_attr(COLOR_ROLE_BAD), false);
    }

    static const char *names[] = {"FILE", "FILE ID", "JOB ID", "JOB STATUS", "CREDITS", "ERROR"};
    struct draw_col c[] = {
        {16, 60, 100, 0, false}, {14, 22, 30, 0, false}, {14, 22, 40, 0, false},
        {10, 10, 100, 0, false}, {7, 9, 20, 0, false},   {10, 200, 50, 0, false},
    };
    int n = 6;
    draw_layout(c, n, cols - 1);
    x = 1;
    for (int i = 0; i < n; i++) {
        if (!c[i].shown)
            continue;
        draw_text(top + 6, x, c[i].width, names[i], A_UNDERLINE, true);
        x += c[i].width + 1;
    }

    resolve_selection(bs, a);
    int page = rows - 7;
    if (page < 1)
        page = 1;
    bs->page = page;
    size_t nrows = detail_visible_count(a->detail);
    if (bs->sel < bs->first)
        bs->first = bs->sel;
    if (bs->sel >= bs->first + (size_t)page)
        bs->first = bs->sel - (size_t)page + 1;
    if (bs->first + (size_t)page > nrows)
        bs->first = nrows > (size_t)page ? nrows - (size_t)page : 0;
    if (nrows == 0) {
        draw_text(top + 8, 2, cols - 2,
                  detail_row_count(a->detail) ? "no file matches" : "no files to show yet", A_DIM,
                  false);
        return;
    }
    for (int r = 0; r < page && bs->first + (size_t)r < nrows; r++) {
        size_t i = bs->first + (size_t)r;
        const struct detail_row *row = detail_visible_row(a->detail, i);
        bool selected = i == bs->sel;
        attr_t base = selected ? A_REVERSE : A_NORMAL;
        int y = top + 7 + r;
        draw_fill(y, 0, cols, base);
        draw_text(y, 0, 1, selected ? ">" : " ", base, true);
        char note[512], credits[32] = "-";
        if (row->has_credits) /* "-" until billed (or when the server reports no usage) */
            snprintf(credits, sizeof credits, "%.10g", row->credits);
        const char *cells[6] = {
            row->display_name ? row->display_name : "(name not known yet)",
            row->file_id,
            row->job_id ? row->job_id : "-",
            row->job_known
                ? (row->job_status_text ? row->job_status_text : job_status_name(row->job_status))
                : (row->job_id ? "?" : (row->not_mapped ? "not mapped" : "-")),
            credits,
            row_note(row, note, sizeof note),
        };
        x = 1;
        for (int k = 0; k < n; k++) {
            if (!c[k].shown)
                continue;
            attr_t at = base;
            if (k == 3 && row->job_known)
                at |= draw_job_status_attr(row->job_status);
            if (k == 4 && !row->has_credits)
                at |= A_DIM;
            if (k == 5 && cells[5][0])
                at |= draw_attr(COLOR_ROLE_BAD);
            draw_text(y, x, c[k].width, cells[k], at, true);
            x += c[k].width + 1;
        }
    }
}

static void filter_change(struct app *a, void *ctx, const char *text)
{
    detail_set_filter(a->detail, text);
}

static void filter_done(struct app *a, void *ctx, const char *text, bool accepted)
{
    if (a->detail)
        detail_set_filter(a->detail, accepted ? text : NULL);
}

static unsigned batch_action(struct screen *s, struct app *a, enum action act)
{
    struct batch_screen *bs = s->data;
    long page = bs->page > 1 ? bs->page - 1 : 1;
    resolve_selection(bs, a);
    size_t n = detail_visible_count(a->detail);
    const struct detail_row *row = n ? detail_visible_row(a->detail, bs->sel) : NULL;
    switch (act) {
    case ACT_UP:
        select_row(bs, a, (long)bs->sel - 1);
        break;
    case ACT_DOWN:
        select_row(bs, a, (long)bs->sel + 1);
        break;
    case ACT_PAGE_UP:
        select_row(bs, a, (long)bs->sel - page);
        break;
    case ACT_PAGE_DOWN:
        select_row(bs, a, (long)bs->sel + page);
        break;
    case ACT_HOME:
        select_row(bs, a, 0);
        break;
    case ACT_END:
        select_row(bs, a, (long)n - 1);
        break;
    case ACT_OPEN:
        if (row)
            file_screen_open(a, row);
        break;
    case ACT_COPY:
        if (row)
            app_copy(a, row->job_id ? row->job_id : row->file_id);
        else
            app_copy(a, bs->id);
        break;
    case ACT_CANCEL:
        dialog_cancel_batch(a, bs->id);
        break;
    case ACT_RESUBMIT:
        resubmit_open(a, bs->id);
        break;
    case ACT_WATCH:
        app_watch_toggle(a, bs->id);
        break;
    case ACT_FAILED_ONLY:
        detail_set_failed_only(a->detail, !detail_failed_only(a->detail));
        break;
    case ACT_FILTER:
        prompt_open(a, "filter files (! inverts): ", detail_filter(a->detail), filter_change,
                    filter_done, NULL);
        break;
    default:
        return REACT_UNHANDLED;
    }
    return REACT_REDRAW;
}

static const char *batch_hints(struct screen *s, struct app *a)
{
    return "Enter open file  f failed only  / filter  R resubmit  c cancel  y copy  r refresh  "
           "m messages  ? help  q/Esc back";
}

static void batch_screen_done(struct screen *s, struct app *a)
{
    struct batch_screen *bs = s->data;
    struct net_cmd *c = net_cmd_new(NET_CMD_WATCH_BATCH); /* id NULL: stop watching */
    app_submit(a, c);
    detail_free(a->detail);
    a->detail = NULL;
    xstrset(&a->resubmit_after_load, NULL);
    free(bs->id);
    free(bs->sel_file);
    free(bs);
}

static const struct screen_ops batch_ops = {
    .name = "batch",
    .scope = SCOPE_BATCH,
    .draw = batch_draw,
    .action = batch_action,
    .hints = batch_hints,
    .done = batch_screen_done,
};

void batch_screen_open(struct app *a, const char *batch_id)
{
    if (a->detail)
        return; /* one open batch at a time */
    struct batch_screen *bs = xcalloc(1, sizeof *bs);
    bs->id = xstrdup(batch_id);
    a->detail = detail_new(batch_id);
    app_push(a, &batch_ops, bs);
    app_watch_batch(a, batch_id);
}
