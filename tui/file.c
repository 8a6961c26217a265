/* file.c -- the File screen: one job's fields and its output in a pager (search, write). */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/clock.h"
#include "model/xalloc.h"
#include "tui/draw.h"
#include "tui/save.h"
#include "tui/screens.h"
#include "tui/text.h"

struct file_screen {
    struct detail_row row; /* copied at open; status refreshed from the detail */
    bool fetching;
    bool have_output;
    char *output_error;
    struct job_output out; /* owned copy */
    bool have_job;
    struct job job; /* the job's fields from the output answer (owned copy) */
    bool show_text; /* parse: text instead of markdown */

    /* the pager: the current document cleaned and wrapped to `wrap_cols` */
    char **lines;
    size_t n_lines;
    int wrap_cols;
    bool dirty; /* rebuild the lines before the next draw */
    long first;
    int page;
    char *search;
    long match; /* line of the current match, -1 none */
};

static const char *document(const struct file_screen *f)
{
    if (!f->have_output)
        return NULL;
    if (f->out.type == JOB_TYPE_EXTRACT)
        return f->out.json;
    return f->show_text ? f->out.text : f->out.markdown;
}

static const char *document_kind(const struct file_screen *f)
{
    if (f->out.type == JOB_TYPE_EXTRACT || f->row.job_type == JOB_TYPE_EXTRACT)
        return "extract result (JSON)";
    return f->show_text ? "text" : "markdown";
}

static void free_lines(struct file_screen *f)
{
    for (size_t i = 0; i < f->n_lines; i++)
        free(f->lines[i]);
    free(f->lines);
    f->lines = NULL;
    f->n_lines = 0;
}

static void add_line(struct file_screen *f, const char *s, size_t n)
{
    f->lines = xreallocarray(f->lines, f->n_lines + 1, sizeof *f->lines);
    f->lines[f->n_lines++] = xstrndup(s, n);
}

/* Split the document on newlines, clean each line, wrap it to cols. */
static void build_lines(struct file_screen *f, int cols)
{
    free_lines(f);
    f->wrap_cols = cols;
    f->dirty = false;
    const char *doc = document(f);
    if (!doc)
        return;
    const char *p = doc;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *raw = xstrndup(p, n), *clean = text_clean(raw);
        free(raw);
        const char *c = clean;
        if (!*c)
            add_line(f, "", 0);
        while (*c) {
            size_t cut = text_cut(c, cols);
            if (cut == 0)
                break;
            if (c[cut] && c[cut] != ' ') {
                /* break after a space when one is near the end: word wrap */
                size_t sp = cut;
                while (sp > cut / 2 && c[sp - 1] != ' ')
                    sp--;
                if (sp > cut / 2)
                    cut = sp;
            }
            add_line(f, c, cut);
            c += cut;
        }
        free(clean);
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* Refresh the row's job status from the open batch (it stays live). */
static const struct detail_row *current_row(struct file_screen *f, struct app *a)
{
    if (!a->detail)
        return &f->row;
    for (size_t i = 0; i < detail_row_count(a->detail); i++) {
        const struct detail_row *r = detail_row_at(a->detail, i);
        if (xstreq(r->file_id, f->row.file_id))
            return r;
    }
    return &f->row;
}

static void fetch(struct file_screen *f, struct app *a)
{
    /* A file opened before it was mapped (results may stay null for a whole run) gets its
     * job from the live row once the batch maps it. */
    const struct detail_row *r = current_row(f, a);
    if (!f->row.job_id && r != &f->row && r->job_id) {
        f->row.job_id = xstrdup(r->job_id);
        f->row.job_type = r->job_type;
        f->out.type = r->job_type;
    }
    if (!f->row.job_id || f->fetching)
        return;
    struct net_cmd *c = net_cmd_new(NET_CMD_FETCH_OUTPUT);
    c->id = xstrdup(f->row.job_id);
    c->job_type = f->row.job_type;
    app_submit(a, c);
    f->fetching = true;
}

static void file_draw(struct screen *s, struct app *a, int top, int rows, int cols)
{
    struct file_screen *f = s->data;
    const struct detail_row *r = current_row(f, a);
    char buf[1024];
    int x = draw_text(top, 0, cols, " File ", A_BOLD, false);
    draw_text(top, x, cols - x, r->display_name ? r->display_name : r->file_id, A_BOLD, false);
    char cost[96] = "";
    if (r->job_id != NULL) {
        char pages[32] = "";
        if (r->has_pages)
            snprintf(pages, sizeof pages, " \xc2\xb7 %lld pages", (long long)r->pages);
        if (r->has_credits)
            snprintf(cost, sizeof cost, "   cost: %.10g credits%s", r->credits, pages);
        else
            snprintf(cost, sizeof cost, "   cost: not billed yet");
    }
    snprintf(buf, sizeof buf, "file: %s   job: %s (%s)%s", r->file_id,
             r->job_id ? r->job_id : "none", job_type_name(r->job_type), cost);
    x = 1 + draw_text(top + 1, 1, cols - 1, buf, A_NORMAL, false);
    if (r->deleted)
        draw_text(top + 1, x, cols - x, "  deleted from its directory",
                  draw_attr(COLOR_ROLE_BAD), false);
    x = 1 + draw_text(top + 2, 1, cols - 1, "job status: ", A_NORMAL, false);
    const char *st =
        r->job_known ? (r->job_status_text ? r->job_status_text : job_status_name(r->job_status))
                     : (r->job_id ? "not known yet" : "no job");
    x += draw_text(top + 2, x, cols - x, st,
                   r->job_known ? draw_job_status_attr(r->job_status) | A_BOLD : A_DIM, false);
    if (f->have_job) {
        /* The job's own fields, as its output answer gave them. */
        char created[16] = "-", updated[16] = "-";
        if (f->job.created_ms >= 0)
            clock_format_hms(f->job.created_ms, created, sizeof created);
        if (f->job.updated_ms >= 0)
            clock_format_hms(f->job.updated_ms, updated, sizeof updated);
        snprintf(buf, sizeof buf, "   name: %s   tier: %s   created: %s   updated: %s",
                 f->job.name ? f->job.name : "-", f->job.tier ? f->job.tier : "-", created,
                 updated);
        draw_text(top + 2, x, cols - x, buf, A_NORMAL, false);
    }
    const char *err = r->mapping_error ? r->mapping_error : r->job_error;
    x = 1 + draw_text(top + 3, 1, cols - 1, "error: ", A_NORMAL, false);
    draw_text(top + 3, x, cols - x, err ? err : "none", err ? draw_attr(COLOR_ROLE_BAD) : A_DIM,
              false);

    snprintf(buf, sizeof buf, " Output: %s%s%s", document_kind(f), f->search ? "  search: " : "",
             f->search ? f->search : "");
    draw_text(top + 4, 0, cols, buf, A_BOLD | A_UNDERLINE, true);
    x = text_width(buf);
    if (f->have_output && f->out.pages_failed > 0) {
        /* a COMPLETED job may still have lost pages: never let it look clean */
        snprintf(buf, sizeof buf, "  %zu of %zu pages failed: %s ", f->out.pages_failed,
                 f->out.pages, f->out.failed_pages ? f->out.failed_pages : "");
        draw_text(top + 4, x, cols - x, buf, draw_attr(COLOR_ROLE_BAD) | A_BOLD, false);
    }

    int ptop = top + 5, page = rows - 5;
    if (page < 1)
        page = 1;
    f->page = page;
    if (f->dirty || f->wrap_cols != cols - 2)
        build_lines(f, cols - 2);
    if (!f->have_output) {
        char whybuf[128];
        const char *why = f->output_error;
        if (!why && !r->job_id)
            why = "this file has no job, so there is no output";
        else if (!why && f->fetching)
            why = "loading output\xe2\x80\xa6";
        else if (!why && r->job_known && job_status_is_terminal(r->job_status)) {
            snprintf(whybuf, sizeof whybuf, "no output: the job ended %s",
                     job_status_name(r->job_status));
            why = whybuf;
        } else if (!why)
            why = "no output yet: the job has not finished (it loads when it does)";
        draw_text(ptop + 1, 2, cols - 2, why, f->output_error ? draw_attr(COLOR_ROLE_BAD) : A_DIM,
                  false);
        return;
    }
    if (f->first > (long)f->n_lines - page)
        f->first = (long)f->n_lines - page;
    if (f->first < 0)
        f->first = 0;
    if (f->n_lines == 0 || (f->n_lines == 1 && !f->lines[0][0]))
        draw_text(ptop + 1, 2, cols - 2, "(empty output)", A_DIM, false);
    for (int i = 0; i < page && f->first + i < (long)f->n_lines; i++) {
        long ln = f->first + i;
        attr_t at = ln == f->match ? A_REVERSE : A_NORMAL;
        draw_text(ptop + i, 1, cols - 2, f->lines[ln], at, false);
    }
    if (f->n_lines > (size_t)page) {
        snprintf(buf, sizeof buf, " %ld-%ld/%zu ", f->first + 1,
                 f->first + page < (long)f->n_lines ? f->first + page : (long)f->n_lines,
                 f->n_lines);
        int w = text_width(buf);
        draw_text(top + 4, cols - w, w, buf, A_BOLD, false);
    }
}

static bool search_from(struct file_screen *f, long start, int dir)
{
    if (!f->search || !f->search[0] || f->n_lines == 0)
        return false;
    long n = (long)f->n_lines;
    for (long k = 0; k < n; k++) {
        long i = ((start + dir * k) % n + n) % n;
        if (strcasestr(f->lines[i], f->search)) {
            f->match = i;
            if (i < f->first || i >= f->first + f->page)
                f->first = i - f->page / 3;
            return true;
        }
    }
    return false;
}

static void search_done(struct app *a, void *ctx, const char *text, bool accepted)
{
    struct file_screen *f = ctx;
    if (!accepted)
        return;
    xstrset(&f->search, text[0] ? text : NULL);
    f->match = -1;
    if (f->search && !search_from(f, f->first, 1))
        app_error(a, "not found: %s", text);
}

static void write_done(struct app *a, void *ctx, const char *text, bool accepted)
{
    struct file_screen *f = ctx;
    const char *doc = document(f);
    if (!accepted || !text[0] || !doc)
        return;
    save_file(a, text, xstrdup(doc), strlen(doc), NULL);
}

/* A default file name from the job ID (never from server text that could hold a path). */
static char *default_name(const struct file_screen *f)
{
    const char *ext = f->out.type == JOB_TYPE_EXTRACT ? "json" : f->show_text ? "txt" : "md";
    char *id = xstrdup(f->row.job_id ? f->row.job_id : "output");
    for (char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            *p = '_';
    char *name = xasprintf("%s.%s", id, ext);
    free(id);
    return name;
}

static unsigned file_action(struct screen *s, struct app *a, enum action act)
{
    struct file_screen *f = s->data;
    long page = f->page > 1 ? f->page - 1 : 1;
    switch (act) {
    case ACT_UP:
        f->first--;
        break;
    case ACT_DOWN:
        f->first++;
        break;
    case ACT_PAGE_UP:
        f->first -= page;
        break;
    case ACT_PAGE_DOWN:
        f->first += page;
        break;
    case ACT_HOME:
        f->first = 0;
        break;
    case ACT_END:
        f->first = (long)f->n_lines;
        break;
    case ACT_TOGGLE_TEXT:
        if (f->out.type == JOB_TYPE_EXTRACT || f->row.job_type == JOB_TYPE_EXTRACT) {
            app_flash(a, "extract output is JSON only");
        } else {
            f->show_text = !f->show_text;
            f->dirty = true;
            f->first = 0;
            f->match = -1;
        }
        break;
    case ACT_FILTER:
        prompt_open(a, "search: ", f->search, NULL, search_done, f);
        break;
    case ACT_SEARCH_NEXT:
    case ACT_SEARCH_PREV:
        if (!f->search)
            app_flash(a, "no search yet: press /");
        else if (!search_from(f, f->match + (act == ACT_SEARCH_NEXT ? 1 : -1),
                              act == ACT_SEARCH_NEXT ? 1 : -1))
            app_error(a, "not found: %s", f->search);
        break;
    case ACT_WRITE:
        if (!document(f)) {
            app_error(a, "nothing to write yet");
        } else {
            char *name = default_name(f);
            prompt_open(a, "write to file: ", name, NULL, write_done, f);
            free(name);
        }
        break;
    case ACT_COPY:
        app_copy(a, f->row.job_id ? f->row.job_id : f->row.file_id);
        break;
    case ACT_REFRESH:
        f->have_output = false;
        f->fetching = false;
        xstrset(&f->output_error, NULL);
        f->dirty = true;
        fetch(f, a);
        return REACT_UNHANDLED; /* and the global refresh too */
    default:
        return REACT_UNHANDLED;
    }
    return REACT_REDRAW;
}

static unsigned file_message(struct screen *s, struct app *a, const struct net_msg *m)
{
    struct file_screen *f = s->data;
    if (m->type == NET_MSG_OUTPUT && f->row.job_id &&
        (xstreq(m->output.job_id, f->row.job_id) || xstreq(m->id, f->row.job_id))) {
        if (m->n_jobs > 0) {
            job_done(&f->job);
            job_copy(&f->job, &m->jobs[0]);
            f->have_job = true;
        }
        job_output_done(&f->out);
        f->out.job_id = xstrdup(m->output.job_id);
        f->out.type = m->output.type;
        f->out.markdown = xstrdup(m->output.markdown);
        f->out.text = xstrdup(m->output.text);
        f->out.json = xstrdup(m->output.json);
        f->out.pages = m->output.pages;
        f->out.pages_failed = m->output.pages_failed;
        f->out.failed_pages = xstrdup(m->output.failed_pages);
        if (f->out.type == JOB_TYPE_PARSE && !f->out.markdown && f->out.text)
            f->show_text = true;
        f->have_output = true;
        f->fetching = false;
        xstrset(&f->output_error, NULL);
        f->dirty = true;
        return REACT_REDRAW;
    }
    if (m->type == NET_MSG_OUTPUT_FAILED && xstreq(m->id, f->row.job_id)) {
        f->fetching = false;
        char *e = xasprintf("could not load the output: %s",
                            m->error.message ? m->error.message : "unknown error");
        xstrset(&f->output_error, e);
        free(e);
        return REACT_REDRAW;
    }
    if (m->type == NET_MSG_JOBS && !f->have_output && !f->fetching) {
        /* the job finished while we watched: fetch its output now */
        const struct detail_row *r = current_row(f, a);
        if (r->job_known && r->job_status == JOB_COMPLETED) {
            xstrset(&f->output_error, NULL);
            fetch(f, a);
            return REACT_REDRAW;
        }
    }
    return REACT_NONE;
}

static const char *file_hints(struct screen *s, struct app *a)
{
    return "Up/Down PgUp/PgDn scroll  t markdown/text  / search  n N next/prev  w write  "
           "y copy job ID  q/Esc back";
}

static void file_done(struct screen *s, struct app *a)
{
    struct file_screen *f = s->data;
    free(f->row.file_id);
    free(f->row.display_name);
    free(f->row.job_id);
    free(f->row.job_status_text);
    free(f->row.mapping_error);
    free(f->row.job_error);
    free(f->output_error);
    free(f->search);
    job_output_done(&f->out);
    job_done(&f->job);
    free_lines(f);
    free(f);
}

static const struct screen_ops file_ops = {
    .name = "file",
    .scope = SCOPE_FILE,
    .draw = file_draw,
    .action = file_action,
    .message = file_message,
    .hints = file_hints,
    .done = file_done,
};

void file_screen_open(struct app *a, const struct detail_row *row)
{
    struct file_screen *f = xcalloc(1, sizeof *f);
    f->row.file_id = xstrdup(row->file_id);
    f->row.display_name = xstrdup(row->display_name);
    f->row.job_id = xstrdup(row->job_id);
    f->row.job_type = row->job_type;
    f->row.job_known = row->job_known;
    f->row.job_status = row->job_status;
    f->row.job_status_text = xstrdup(row->job_status_text);
    f->row.mapping_error = xstrdup(row->mapping_error);
    f->row.job_error = xstrdup(row->job_error);
    f->row.deleted = row->deleted;
    f->row.has_credits = row->has_credits;
    f->row.credits = row->credits;
    f->row.has_pages = row->has_pages;
    f->row.pages = row->pages;
    f->out.type = row->job_type;
    f->match = -1;
    f->dirty = true;
    app_push(a, &file_ops, f);
    if (!row->job_known || row->job_status == JOB_COMPLETED)
        fetch(f, a);
}
