/* batch.c -- the Batch screen: every field, history, job counts, failures and the file table. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/clock.h"
#include "model/triage.h"
#include "model/xalloc.h"
#include "tui/cli_results.h"
#include "tui/draw.h"
#include "tui/save.h"
#include "tui/screens.h"
#include "tui/text.h"

/* The failures panel: at most this many group lines (a tall terminal gets the larger). */
#define PANEL_GROUPS 4
#define PANEL_GROUPS_TALL 6

struct batch_screen {
    char *id;
    char *sel_file; /* file ID of the selected row, kept across refreshes */
    size_t sel;
    size_t first;
    int page;

    /* the failures panel: the detail's groups, kept by the detail as rows change */
    const struct triage *tri; /* detail_triage at the last draw or key */
    bool panel_focus;         /* Tab: the keys move between groups instead of files */
    size_t gsel;              /* the selected group */
    char *gsel_id;            /* ... by ID, kept when the groups are rebuilt */
    size_t gfirst;            /* the first group line shown */
    int panel_rows;           /* group lines shown at the last draw (0: the one-line form) */
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

/* i moved into 0..n-1 (n > 0): a move past either end stops there. */
static size_t clamp_index(long i, size_t n)
{
    return i < 0 ? 0 : (size_t)i >= n ? n - 1 : (size_t)i;
}

static void select_row(struct batch_screen *bs, struct app *a, long i)
{
    size_t n = detail_visible_count(a->detail);
    if (n == 0)
        return;
    bs->sel = clamp_index(i, n);
    xstrset(&bs->sel_file, detail_visible_row(a->detail, bs->sel)->file_id);
}

/* The groups (counted by the detail as rows change; sorted only after a change, never a pass
 * over the rows here), with the selected group found again by its ID. */
static const struct triage *groups(struct batch_screen *bs, struct app *a)
{
    const struct triage *t = bs->tri = detail_triage(a->detail);
    const struct triage_group *g = triage_find(t, bs->gsel_id);
    if (g != NULL) {
        bs->gsel = (size_t)(g - t->groups);
        return t;
    }
    /* gone (or none chosen yet): the group now at the same place */
    if (bs->gsel >= t->n_groups)
        bs->gsel = t->n_groups ? t->n_groups - 1 : 0;
    xstrset(&bs->gsel_id, t->n_groups ? t->groups[bs->gsel].id : NULL);
    if (t->n_groups == 0)
        bs->panel_focus = false;
    return t;
}

static void select_group(struct batch_screen *bs, long i)
{
    size_t n = bs->tri->n_groups;
    if (n == 0)
        return;
    bs->gsel = clamp_index(i, n);
    xstrset(&bs->gsel_id, bs->tri->groups[bs->gsel].id);
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

/* Lines the failures panel takes when `avail` lines are left below the header for the file
 * table: none without failures; a title and up to PANEL_GROUPS group lines when the table
 * keeps at least 6 rows; else one line showing the selected group. *group_lines: the groups. */
static int panel_height(const struct triage *t, int avail, int *group_lines)
{
    *group_lines = 0;
    if (t->n_groups == 0)
        return 0;
    if (avail < 10)
        return 1;
    int g = (avail - 6) / 2, cap = avail >= 24 ? PANEL_GROUPS_TALL : PANEL_GROUPS;
    if (g > cap)
        g = cap;
    if ((size_t)g > t->n_groups)
        g = (int)t->n_groups;
    *group_lines = g;
    return 1 + g;
}

/* One group: an active-filter mark, its count, its kind, its first message (sanitized). */
static int draw_group(const struct triage_group *g, bool active, attr_t base, int count_w, int y,
                      int x, int cols)
{
    char buf[64];
    int x0 = x;
    x += draw_text(y, x, cols - x, active ? "*" : " ", base | A_BOLD, false);
    snprintf(buf, sizeof buf, " %*zu ", count_w, g->count);
    x += draw_text(y, x, cols - x, buf, base | A_BOLD, false);
    x += draw_text(y, x, cols - x, triage_kind_name(g->kind), base | draw_attr(COLOR_ROLE_BAD),
                   false);
    x += draw_text(y, x, cols - x, "  ", base, false);
    x += draw_text(y, x, cols - x, g->example ? g->example : "(no message)", base, false);
    return x - x0;
}

/* The failures panel from line y: a title, then the groups largest first (or, in one line,
 * the selected group). Marks the group the table is filtered to with '*'. */
static void draw_panel(struct batch_screen *bs, struct app *a, const struct triage *t, int y,
                       int height, int group_lines, int cols)
{
    char buf[256];
    const char *active = detail_group(a->detail);
    int count_w = snprintf(buf, sizeof buf, "%zu", t->groups[0].count);
    bs->panel_rows = group_lines;
    if (group_lines == 0) {
        const struct triage_group *g = &t->groups[bs->gsel];
        attr_t base = bs->panel_focus ? A_REVERSE : A_NORMAL;
        draw_fill(y, 0, cols, base);
        snprintf(buf, sizeof buf, " Failures %zu in %zu group%s <%zu/%zu>", t->failed, t->n_groups,
                 t->n_groups == 1 ? "" : "s", bs->gsel + 1, t->n_groups);
        int x = draw_text(y, 0, cols, buf, base | A_BOLD, false);
        draw_group(g, xstreq(active, g->id), base, count_w, y, x, cols);
        return;
    }
    if (bs->gsel < bs->gfirst)
        bs->gfirst = bs->gsel;
    if (bs->gsel >= bs->gfirst + (size_t)group_lines)
        bs->gfirst = bs->gsel - (size_t)group_lines + 1;
    if (bs->gfirst + (size_t)group_lines > t->n_groups)
        bs->gfirst = t->n_groups - (size_t)group_lines;
    snprintf(buf, sizeof buf, " Failures: %zu file%s in %zu group%s (map %zu, job %zu)", t->failed,
             t->failed == 1 ? "" : "s", t->n_groups, t->n_groups == 1 ? "" : "s", t->map_failed,
             t->job_failed);
    int x = draw_text(y, 0, cols, buf, A_BOLD | draw_attr(COLOR_ROLE_BAD), false);
    if ((size_t)group_lines < t->n_groups) {
        snprintf(buf, sizeof buf, "  %zu-%zu of %zu", bs->gfirst + 1,
                 bs->gfirst + (size_t)group_lines, t->n_groups);
        x += draw_text(y, x, cols - x, buf, A_NORMAL, false);
    }
    draw_text(y, x, cols - x,
              bs->panel_focus ? "  Enter filters to a group  Tab: files" : "  Tab: browse", A_DIM,
              false);
    for (int i = 0; i < group_lines && i < height - 1; i++) {
        size_t k = bs->gfirst + (size_t)i;
        const struct triage_group *g = &t->groups[k];
        attr_t base = bs->panel_focus && k == bs->gsel ? A_REVERSE : A_NORMAL;
        draw_fill(y + 1 + i, 0, cols, base);
        draw_group(g, xstreq(active, g->id), base, count_w, y + 1 + i, 1, cols);
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
        x = 1;
        if (e && (e->resubmit_of || e->resubmitted_as)) {
            /* first on its line: the API keeps no such link, only batchtop can show it */
            snprintf(buf, sizeof buf, "%s%s%s%s%s   ", e->resubmit_of ? "resubmit of " : "",
                     e->resubmit_of ? e->resubmit_of : "",
                     e->resubmit_of && e->resubmitted_as ? " \xc2\xb7 " : "",
                     e->resubmitted_as ? "resubmitted as " : "",
                     e->resubmitted_as ? e->resubmitted_as : "");
            x += draw_text(top + 2, x, cols - x, buf, A_BOLD, false);
        }
        snprintf(buf, sizeof buf, "created: %s (%s)   updated: %s (%s)   project: %s", t1,
                 or_dash(b->created_at), t2, or_dash(b->updated_at), or_dash(b->project_id));
        draw_text(top + 2, x, cols - x, buf, A_NORMAL, false);
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

    /* the failures panel, between the counts and the table */
    const struct triage *t = groups(bs, a);
    int group_lines;
    int panel = panel_height(t, rows - 7, &group_lines);
    if (panel > 0)
        draw_panel(bs, a, t, top + 5, panel, group_lines, cols);
    top += panel;
    rows -= panel;

    const char *filter = detail_filter(a->detail);
    const char *group = detail_group(a->detail);
    char group_note[TRIAGE_ID_SIZE + 32] = "";
    if (group != NULL) {
        const char *colon = strchr(group, ':');
        if (colon != NULL)
            snprintf(group_note, sizeof group_note, "  group: %.*s %s", (int)(colon - group),
                     group, colon + 1);
        else
            snprintf(group_note, sizeof group_note, "  group: %s", group);
    }
    snprintf(buf, sizeof buf, " Files (%zu/%zu)%s%s%s%s", detail_visible_count(a->detail),
             detail_row_count(a->detail), detail_failed_only(a->detail) ? "  failed only" : "",
             group_note, filter && filter[0] ? "  filter: " : "", filter ? filter : "");
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
        attr_t base = selected ? (bs->panel_focus ? A_BOLD : A_REVERSE) : A_NORMAL;
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

/* ] and [: the next (dir 1) or previous (-1) failed file among the rows shown, wrapping around
 * at the ends (a flash says so); the table takes the focus. */
static void jump_failed(struct batch_screen *bs, struct app *a, int dir)
{
    size_t n = detail_visible_count(a->detail);
    bs->panel_focus = false;
    for (size_t step = 1; step <= n; step++) {
        size_t i = dir > 0 ? (bs->sel + step) % n : (bs->sel + n - step % n) % n;
        enum triage_kind kind;
        const char *msg;
        if (!triage_row_failure(detail_visible_row(a->detail, i), &kind, &msg))
            continue;
        if (dir > 0 ? i <= bs->sel : i >= bs->sel)
            app_flash(a, i == bs->sel ? "the only failed file shown"
                         : dir > 0    ? "wrapped to the first failed file"
                                      : "wrapped to the last failed file");
        select_row(bs, a, (long)i);
        return;
    }
    app_flash(a, "no failed file among the files shown");
}

/* Enter on a group: the table shows only its files; on the group already chosen, all again. */
static void toggle_group(struct batch_screen *bs, struct app *a)
{
    if (bs->tri->n_groups == 0)
        return;
    const struct triage_group *g = &bs->tri->groups[bs->gsel];
    if (xstreq(detail_group(a->detail), g->id)) {
        detail_set_group(a->detail, NULL);
        app_flash(a, "showing every group");
    } else {
        detail_set_group(a->detail, g->id);
        app_flash(a, "showing %zu file%s of one group (Enter on it again or Esc: all)", g->count,
                  g->count == 1 ? "" : "s");
    }
}

/* A default export name from the batch ID (never from server text that could hold a path). */
static char *export_name(const char *batch_id)
{
    char *id = xstrdup(batch_id && batch_id[0] ? batch_id : "batch");
    for (char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            *p = '_';
    char *name = xasprintf("%s-files.csv", id);
    free(id);
    return name;
}

/* Write the rows shown, as the prompt's path says: ".json" a JSON array, else CSV; the same
 * writer, columns and exact strings as `batchtop results --json/--csv`. */
static void export_done(struct app *a, void *ctx, const char *text, bool accepted)
{
    (void)ctx;
    if (!accepted || !text[0] || a->detail == NULL)
        return;
    size_t n = strlen(text);
    bool json = n >= 5 && strcasecmp(text + n - 5, ".json") == 0;
    char *content = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&content, &len);
    if (f == NULL) {
        app_error(a, "cannot export: %s", strerror(errno));
        return;
    }
    struct results_out *w =
        results_out_new(f, json ? OUT_JSON : OUT_CSV, false, false, detail_batch(a->detail));
    size_t rows = detail_visible_count(a->detail);
    for (size_t i = 0; i < rows; i++)
        results_out_row(w, detail_visible_row(a->detail, i));
    bool ok = results_out_end(w);
    if (fclose(f) != 0 || !ok) {
        app_error(a, "cannot export: out of memory");
        free(content);
        return;
    }
    char what[64];
    snprintf(what, sizeof what, "%zu row%s (%s)", rows, rows == 1 ? "" : "s",
             json ? "JSON" : "CSV");
    save_file(a, text, content, len, what);
}

static unsigned panel_action(struct batch_screen *bs, struct app *a, enum action act)
{
    long page = bs->panel_rows > 1 ? bs->panel_rows - 1 : 1;
    switch (act) {
    case ACT_UP:
        select_group(bs, (long)bs->gsel - 1);
        break;
    case ACT_DOWN:
        select_group(bs, (long)bs->gsel + 1);
        break;
    case ACT_PAGE_UP:
        select_group(bs, (long)bs->gsel - page);
        break;
    case ACT_PAGE_DOWN:
        select_group(bs, (long)bs->gsel + page);
        break;
    case ACT_HOME:
        select_group(bs, 0);
        break;
    case ACT_END:
        select_group(bs, (long)bs->tri->n_groups - 1);
        break;
    case ACT_OPEN:
        toggle_group(bs, a);
        break;
    case ACT_COPY:
        if (bs->tri->n_groups > 0 && bs->tri->groups[bs->gsel].example)
            app_copy(a, bs->tri->groups[bs->gsel].example);
        break;
    default:
        return REACT_UNHANDLED;
    }
    return REACT_REDRAW;
}

static unsigned batch_action(struct screen *s, struct app *a, enum action act)
{
    struct batch_screen *bs = s->data;
    long page = bs->page > 1 ? bs->page - 1 : 1;
    groups(bs, a);
    if (bs->panel_focus && panel_action(bs, a, act) != REACT_UNHANDLED)
        return REACT_REDRAW;
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
    case ACT_FOCUS:
        if (bs->tri->n_groups == 0)
            app_flash(a, "no failed files to group");
        else
            bs->panel_focus = !bs->panel_focus;
        break;
    case ACT_NEXT_FAILED:
    case ACT_PREV_FAILED:
        jump_failed(bs, a, act == ACT_NEXT_FAILED ? 1 : -1);
        break;
    case ACT_EXPORT: {
        char *name = export_name(bs->id);
        prompt_open(a, "export files to (.json: JSON, else CSV): ", name, NULL, export_done, NULL);
        free(name);
        break;
    }
    case ACT_BACK:
        /* Esc first undoes the group filter, then leaves the panel, then the screen */
        if (detail_group(a->detail) != NULL) {
            detail_set_group(a->detail, NULL);
            app_flash(a, "showing every group");
        } else if (bs->panel_focus) {
            bs->panel_focus = false;
        } else {
            return REACT_UNHANDLED;
        }
        break;
    default:
        return REACT_UNHANDLED;
    }
    return REACT_REDRAW;
}

static const char *batch_hints(struct screen *s, struct app *a)
{
    struct batch_screen *bs = s->data;
    if (bs->panel_focus)
        return "Up/Down group  Enter filter to group (again: all)  Tab/Esc files  ] [ failed  "
               "E export  ? help";
    if (a->detail != NULL && detail_triage(a->detail)->n_groups > 0)
        return "Enter open file  ] [ next/prev failed  Tab failures  R resubmit  f failed only  "
               "/ filter  E export  c cancel  y copy  ? help  q/Esc back";
    return "Enter open file  f failed only  / filter  R resubmit  E export  c cancel  y copy  "
           "r refresh  m messages  ? help  q/Esc back";
}

static void batch_screen_done(struct screen *s, struct app *a)
{
    struct batch_screen *bs = s->data;
    struct net_cmd *c = net_cmd_new(NET_CMD_WATCH_BATCH); /* id NULL: stop watching */
    app_submit(a, c);
    app_detail_free_later(a, a->detail); /* 100,000 rows: not all at once on this key */
    a->detail = NULL;
    free(bs->gsel_id);
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
    detail_set_incremental(a->detail, true); /* rows built between keys (read_messages) */
    app_push(a, &batch_ops, bs);
    app_watch_batch(a, batch_id);
}
