/* view.c -- the Batches table: cached cell text, filter, status set, stable sort, selection. */
#include "config.h"

#include "model/view.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

/* What one store entry contributes to filtering and sorting; rebuilt when the store changes. */
struct row_key {
    const struct store_entry *e;
    size_t hay;                  /* offset in arena: every lowered cell, joined by CELL_SEP */
    size_t cell[COL_COUNT];      /* offset in arena of each lowered cell */
    size_t cell_len[COL_COUNT];
};

/* Joins the cells of one row in the search text, so a match never spans two cells. */
#define CELL_SEP '\x1f'

struct list_view {
    /* settings */
    char *filter;                /* as typed, "" when none */
    char *needle;                /* lowered filter without its '!' */
    bool invert;
    unsigned mask;
    bool failed_only;
    enum list_column sort_col;
    bool sort_inverted;

    /* cache over the store, valid while the store's version is cache_version */
    bool cached;
    uint64_t cache_version;
    struct row_key *keys;        /* one per store index */
    size_t n_keys;
    char *arena;
    size_t arena_len, arena_cap;
    size_t counts[BATCH_STATUS_COUNT];

    /* the rows shown, as store indexes, and copies of their IDs for the next rebuild */
    size_t *rows;
    size_t n_rows;
    char *ids;                   /* NUL-separated row IDs */
    size_t *id_off;
    size_t ids_cap;

    /* selection */
    size_t sel;                  /* (size_t)-1 when no rows */
    char *sel_id;                /* kept even while no row is shown, to come back to */
    char *pending_id;            /* list_view_select_id that a later rebuild should honour */

    size_t *scratch;             /* sort buffer and position map */
    size_t scratch_cap;
};

#define NO_ROW ((size_t)-1)

static const char *const column_names[] = {
#define COLUMN_NAME_ITEM(id, name) name,
    LIST_COLUMN_LIST(COLUMN_NAME_ITEM)
#undef COLUMN_NAME_ITEM
};

const char *list_column_name(enum list_column c)
{
    return (unsigned)c < COL_COUNT ? column_names[c] : "";
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

#define CELL_TMP 96 /* the computed cells' buffer */

/* A built-in preset ("cfg-PARSE_AGENTIC"): "cfg-" and then only capitals, digits and '_'
 * (saved configurations have lowercase UUIDs). Its name after "cfg-", or NULL. */
static const char *preset_name(const char *id)
{
    if (id == NULL || strncmp(id, "cfg-", 4) != 0 || id[4] == '\0')
        return NULL;
    bool letter = false;
    for (const char *p = id + 4; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            letter = true;
        else if (!(*p >= '0' && *p <= '9') && *p != '_')
            return NULL;
    }
    return letter ? id + 4 : NULL;
}

/* The cell as a string: a field of e, or tmp (CELL_TMP bytes) for the computed ones. */
static const char *cell_str(const struct store_entry *e, enum list_column c, char *tmp)
{
    const struct batch *b = &e->batch;
    const char *s = NULL;
    switch (c) {
    case COL_ID:
        s = b->id;
        break;
    case COL_STATUS:
        s = batch_status_text(b);
        break;
    case COL_TYPE:
        s = b->job_type_text ? b->job_type_text : job_type_name(b->job_type);
        break;
    case COL_CONFIG:
        s = e->config_name ? e->config_name : b->configuration_id;
        if (e->config_name == NULL && preset_name(s) != NULL) {
            snprintf(tmp, CELL_TMP, "%s (preset)", preset_name(s));
            return tmp;
        }
        break;
    case COL_DIRECTORY:
        s = e->directory_name ? e->directory_name : b->source_directory_id;
        break;
    case COL_FILES:
        if (e->files_total < 0)
            return LIST_UNKNOWN;
        snprintf(tmp, CELL_TMP, "%ld/%ld", e->files_done, e->files_total);
        return tmp;
    case COL_FAILED:
        if (e->files_failed < 0 || e->files_total < 0)
            return LIST_UNKNOWN;
        snprintf(tmp, CELL_TMP, "%ld", e->files_failed);
        return tmp;
    case COL_PROGRESS:
        if (e->files_total < 0 || e->files_done < 0)
            return LIST_UNKNOWN;
        if (e->files_total == 0)
            return "-";
        snprintf(tmp, CELL_TMP, "%ld%%",
                 (long)((double)e->files_done * 100.0 / (double)e->files_total));
        return tmp;
    case COL_CREDITS:
        if (!e->credits_known)
            return "-";
        snprintf(tmp, CELL_TMP, "%.10g%s", e->credits, e->credits_partial ? "+" : "");
        return tmp;
    case COL_CREATED:
        s = b->created_at;
        break;
    case COL_UPDATED:
        s = b->updated_at;
        break;
    case COL_COUNT:
        break;
    }
    return s ? s : "";
}

void list_cell_text(const struct store_entry *e, enum list_column c, char *buf, size_t len)
{
    if (len == 0)
        return;
    char tmp[CELL_TMP];
    const char *s = cell_str(e, c, tmp);
    size_t n = strlen(s);
    if (n >= len) {
        n = len - 1;
        /* Do not cut a UTF-8 sequence in half. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
}

struct list_view *list_view_new(void)
{
    struct list_view *v = xcalloc(1, sizeof *v);
    v->filter = xstrdup("");
    v->needle = xstrdup("");
    v->sort_col = COL_CREATED;
    v->sel = NO_ROW;
    return v;
}

void list_view_free(struct list_view *v)
{
    if (v == NULL)
        return;
    free(v->filter);
    free(v->needle);
    free(v->keys);
    free(v->arena);
    free(v->rows);
    free(v->ids);
    free(v->id_off);
    free(v->sel_id);
    free(v->pending_id);
    free(v->scratch);
    free(v);
}

void list_view_set_filter(struct list_view *v, const char *text)
{
    if (text == NULL)
        text = "";
    xstrset(&v->filter, text);
    v->invert = text[0] == '!';
    xstrset(&v->needle, v->invert ? text + 1 : text);
    for (char *p = v->needle; *p; p++)
        *p = ascii_lower(*p);
}

const char *list_view_filter(const struct list_view *v)
{
    return v->filter;
}

void list_view_set_status_mask(struct list_view *v, unsigned mask)
{
    v->mask = mask;
}

unsigned list_view_status_mask(const struct list_view *v)
{
    return v->mask;
}

void list_view_set_failed_only(struct list_view *v, bool on)
{
    v->failed_only = on;
}

bool list_view_failed_only(const struct list_view *v)
{
    return v->failed_only;
}

void list_view_set_sort(struct list_view *v, enum list_column c, bool inverted)
{
    if ((unsigned)c < COL_COUNT)
        v->sort_col = c;
    v->sort_inverted = inverted;
}

enum list_column list_view_sort_column(const struct list_view *v)
{
    return v->sort_col;
}

bool list_view_sort_inverted(const struct list_view *v)
{
    return v->sort_inverted;
}

/* ---- cache ---- */

static void arena_put(struct list_view *v, const char *s, size_t n)
{
    if (v->arena_len + n + 1 > v->arena_cap) {
        while (v->arena_len + n + 1 > v->arena_cap)
            v->arena_cap = v->arena_cap ? v->arena_cap * 2 : 4096;
        v->arena = xrealloc(v->arena, v->arena_cap);
    }
    memcpy(v->arena + v->arena_len, s, n);
    v->arena_len += n;
}

static void build_cache(struct list_view *v, const struct batch_store *s)
{
    size_t n = store_count(s);
    v->keys = xreallocarray(v->keys, n ? n : 1, sizeof *v->keys);
    v->n_keys = n;
    v->arena_len = 0;
    memset(v->counts, 0, sizeof v->counts);
    for (size_t i = 0; i < n; i++) {
        const struct store_entry *e = store_at(s, i);
        struct row_key *k = &v->keys[i];
        k->e = e;
        k->hay = v->arena_len;
        for (int c = 0; c < COL_COUNT; c++) {
            char tmp[CELL_TMP];
            const char *text = cell_str(e, (enum list_column)c, tmp);
            size_t len = strlen(text);
            k->cell[c] = v->arena_len;
            k->cell_len[c] = len;
            arena_put(v, text, len);
            for (size_t j = k->cell[c]; j < v->arena_len; j++)
                v->arena[j] = ascii_lower(v->arena[j]);
            char sep = c + 1 < COL_COUNT ? CELL_SEP : '\0';
            arena_put(v, &sep, 1);
        }
        if ((unsigned)e->batch.status < BATCH_STATUS_COUNT)
            v->counts[e->batch.status]++;
    }
    v->cached = true;
    v->cache_version = store_version(s);
}

/* ---- sort ---- */

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

/* Row order for the current sort: unknown values last in both directions, ties by ID. */
static int compare_rows(const struct list_view *v, size_t ia, size_t ib)
{
    const struct row_key *ka = &v->keys[ia], *kb = &v->keys[ib];
    const struct store_entry *a = ka->e, *b = kb->e;
    bool known_a = true, known_b = true;
    int r = 0;
    switch (v->sort_col) {
    case COL_CREATED:
        known_a = a->batch.created_ms >= 0;
        known_b = b->batch.created_ms >= 0;
        r = cmp_i64(b->batch.created_ms, a->batch.created_ms);   /* newest first */
        break;
    case COL_UPDATED:
        known_a = a->batch.updated_ms >= 0;
        known_b = b->batch.updated_ms >= 0;
        r = cmp_i64(b->batch.updated_ms, a->batch.updated_ms);
        break;
    case COL_FILES:
        known_a = a->files_total >= 0;
        known_b = b->files_total >= 0;
        r = cmp_i64(a->files_total, b->files_total);
        if (r == 0)
            r = cmp_i64(a->files_done, b->files_done);
        break;
    case COL_FAILED:
        known_a = a->files_failed >= 0 && a->files_total >= 0;
        known_b = b->files_failed >= 0 && b->files_total >= 0;
        r = cmp_i64(a->files_failed, b->files_failed);
        break;
    case COL_PROGRESS:
        known_a = a->files_total > 0 && a->files_done >= 0;
        known_b = b->files_total > 0 && b->files_done >= 0;
        if (known_a && known_b) {
            /* done_a/total_a vs done_b/total_b without division. */
            r = cmp_i64((int64_t)a->files_done * b->files_total,
                        (int64_t)b->files_done * a->files_total);
            if (r == 0)
                r = cmp_i64(a->files_total, b->files_total);
        }
        break;
    case COL_CREDITS:
        known_a = a->credits_known;
        known_b = b->credits_known;
        if (known_a && known_b)
            r = (a->credits > b->credits) - (a->credits < b->credits);
        break;
    default: {
        int c = v->sort_col;
        size_t la = ka->cell_len[c], lb = kb->cell_len[c];
        r = memcmp(v->arena + ka->cell[c], v->arena + kb->cell[c], la < lb ? la : lb);
        if (r == 0)
            r = (la > lb) - (la < lb);
        r = (r > 0) - (r < 0);
        break;
    }
    }
    if (known_a != known_b)
        return known_a ? -1 : 1;
    if (known_a && r != 0)
        return v->sort_inverted ? -r : r;
    r = strcmp(a->batch.id, b->batch.id);
    return (r > 0) - (r < 0);
}

/* Stable merge sort of rows[0..n) using tmp[0..n). */
static void merge_sort(const struct list_view *v, size_t *rows, size_t *tmp, size_t n)
{
    if (n < 2)
        return;
    if (n <= 8) {   /* insertion sort for short runs */
        for (size_t i = 1; i < n; i++) {
            size_t x = rows[i], j = i;
            for (; j > 0 && compare_rows(v, rows[j - 1], x) > 0; j--)
                rows[j] = rows[j - 1];
            rows[j] = x;
        }
        return;
    }
    size_t half = n / 2;
    merge_sort(v, rows, tmp, half);
    merge_sort(v, rows + half, tmp, n - half);
    if (compare_rows(v, rows[half - 1], rows[half]) <= 0)
        return;
    memcpy(tmp, rows, half * sizeof *rows);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        rows[k++] = compare_rows(v, rows[j], tmp[i]) < 0 ? rows[j++] : tmp[i++];
    while (i < half)
        rows[k++] = tmp[i++];
}

/* ---- rebuild and selection ---- */

static bool row_matches(const struct list_view *v, const struct row_key *k)
{
    unsigned status = (unsigned)k->e->batch.status;
    if (v->mask != 0 && (status >= 32 || !(v->mask & (1u << status))))
        return false;
    if (v->failed_only && !(k->e->files_failed > 0))
        return false;
    if (v->needle[0] == '\0')
        return true;
    bool hit = strstr(v->arena + k->hay, v->needle) != NULL;
    return hit != v->invert;
}

static const char *row_id(const struct list_view *v, size_t i)
{
    return v->ids + v->id_off[i];
}

static void set_selection(struct list_view *v, size_t i)
{
    v->sel = i;
    if (i != NO_ROW)
        xstrset(&v->sel_id, row_id(v, i));
}

/* Copy the IDs of the rows shown, so the next rebuild can find neighbours by ID. */
static void save_row_ids(struct list_view *v)
{
    size_t total = 0;
    for (size_t i = 0; i < v->n_rows; i++)
        total += v->keys[v->rows[i]].cell_len[COL_ID] + 1;
    v->ids = xrealloc(v->ids, total ? total : 1);
    v->id_off = xreallocarray(v->id_off, v->n_rows ? v->n_rows : 1, sizeof *v->id_off);
    size_t at = 0;
    for (size_t i = 0; i < v->n_rows; i++) {
        const char *id = v->keys[v->rows[i]].e->batch.id;
        size_t len = strlen(id) + 1;
        memcpy(v->ids + at, id, len);
        v->id_off[i] = at;
        at += len;
    }
}

void list_view_rebuild(struct list_view *v, const struct batch_store *s)
{
    if (!v->cached || v->cache_version != store_version(s))
        build_cache(v, s);

    size_t n = v->n_keys;
    v->rows = xreallocarray(v->rows, n ? n : 1, sizeof *v->rows);
    if (v->scratch_cap < n) {
        v->scratch_cap = n;
        v->scratch = xreallocarray(v->scratch, n, sizeof *v->scratch);
    }
    size_t shown = 0;
    for (size_t i = 0; i < n; i++)
        if (row_matches(v, &v->keys[i]))
            v->rows[shown++] = i;
    merge_sort(v, v->rows, v->scratch, shown);

    /* Where each store index is now shown (scratch is free again after the sort). */
    size_t *pos = v->scratch;
    for (size_t i = 0; i < n; i++)
        pos[i] = NO_ROW;
    for (size_t r = 0; r < shown; r++)
        pos[v->rows[r]] = r;

    size_t target = NO_ROW;
    if (v->pending_id != NULL) {
        size_t si = store_index_of(s, v->pending_id);
        if (si != NO_ROW && pos[si] != NO_ROW) {
            target = pos[si];
            free(v->pending_id);
            v->pending_id = NULL;
        }
    }
    if (target == NO_ROW && v->sel_id != NULL) {
        size_t si = store_index_of(s, v->sel_id);
        if (si != NO_ROW)
            target = pos[si];
        /* Gone or filtered out: the next row of the previous order still shown, else the
         * previous one. */
        for (size_t j = v->sel + 1; target == NO_ROW && v->sel != NO_ROW && j < v->n_rows; j++) {
            si = store_index_of(s, row_id(v, j));
            if (si != NO_ROW)
                target = pos[si];
        }
        for (size_t j = v->sel; target == NO_ROW && v->sel != NO_ROW && j-- > 0;) {
            si = store_index_of(s, row_id(v, j));
            if (si != NO_ROW)
                target = pos[si];
        }
    }
    if (target == NO_ROW && shown > 0)
        target = 0;

    v->n_rows = shown;
    save_row_ids(v);
    set_selection(v, target);
}

size_t list_view_count(const struct list_view *v)
{
    return v->n_rows;
}

size_t list_view_total(const struct list_view *v)
{
    return v->n_keys;
}

const struct store_entry *list_view_row(const struct list_view *v, size_t i)
{
    return i < v->n_rows ? v->keys[v->rows[i]].e : NULL;
}

void list_view_counts(const struct list_view *v, size_t counts[BATCH_STATUS_COUNT])
{
    memcpy(counts, v->counts, sizeof v->counts);
}

size_t list_view_selected(const struct list_view *v)
{
    return v->n_rows > 0 ? v->sel : NO_ROW;
}

const char *list_view_selected_id(const struct list_view *v)
{
    return v->n_rows > 0 && v->sel != NO_ROW ? v->sel_id : NULL;
}

void list_view_select_index(struct list_view *v, size_t i)
{
    if (v->n_rows == 0)
        return;
    if (i >= v->n_rows)
        i = v->n_rows - 1;
    free(v->pending_id);
    v->pending_id = NULL;
    set_selection(v, i);
}

void list_view_move(struct list_view *v, long delta)
{
    if (v->n_rows == 0)
        return;
    size_t cur = v->sel == NO_ROW ? 0 : v->sel;
    /* |delta| without overflow at LONG_MIN. */
    size_t step = delta < 0 ? (size_t)(-(delta + 1)) + 1 : (size_t)delta;
    size_t i;
    if (delta < 0)
        i = step > cur ? 0 : cur - step;
    else
        i = step >= v->n_rows - cur ? v->n_rows - 1 : cur + step;
    list_view_select_index(v, i);
}

bool list_view_select_id(struct list_view *v, const char *id)
{
    if (id == NULL)
        return false;
    for (size_t i = 0; i < v->n_rows; i++) {
        if (strcmp(row_id(v, i), id) == 0) {
            list_view_select_index(v, i);
            return true;
        }
    }
    xstrset(&v->pending_id, id);
    return false;
}
