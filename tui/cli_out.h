/* cli_out.h -- what the subcommands print: a table, TSV, CSV, JSON or JSON lines. */
#ifndef TUI_CLI_OUT_H
#define TUI_CLI_OUT_H

/*
 * One printer per command. Rows are given twice: as cells (table, TSV, CSV) and as a json-c
 * object with the API's field names (JSON, JSON lines), and each format takes what it needs.
 *  - OUT_TABLE (stdout is a terminal, no format asked): aligned columns fitted to the
 *    terminal's width, every cell through text.c's sanitizer, the header bold and status
 *    words coloured unless colour is off. Buffered until out_end (widths need every row).
 *  - OUT_TSV (stdout is not a terminal, no format asked): a header row, then one line per row,
 *    cells separated by tabs; tab, CR and LF in a cell become spaces and other control
 *    characters '?', so a line is always a row. Streamed.
 *  - OUT_CSV: RFC 4180 (fields with , " CR LF or edge spaces quoted, quotes doubled, CRLF line
 *    ends), a header row, the exact strings -- except on a terminal, where cells are sanitized
 *    like the table's (nothing may move the cursor there). Streamed.
 *  - OUT_JSON: one document, an array of the row objects. OUT_JSONL: one object per line.
 *    Both streamed: the caller flushes stdout after each page so a reader sees rows early. Strings
 * are the exact server strings: json-c escapes C0 controls and out_json also writes DEL, C1
 * controls, bidi and invisible characters as \uXXXX escapes (the same string to a JSON reader, no
 * escape byte for a terminal); on a terminal invalid UTF-8 becomes \ufffd. Write errors (a closed
 * pipe, a full disk) are reported by out_end.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/objects.h"

enum out_format { OUT_TABLE, OUT_TSV, OUT_CSV, OUT_JSON, OUT_JSONL };

struct out;

/* A printer of n_cols columns named heads (upper case words; a head ending in STATUS marks a
 * status column, coloured in a table). tty: f is a terminal; color: colours allowed. */
struct out *out_new(FILE *f, enum out_format fmt, bool tty, bool color, const char *const *heads,
                    size_t n_cols);
/* One row: cells (n_cols strings, NULL shows as empty) and obj (taken, may be NULL when the
 * format is not JSON). */
void out_row(struct out *o, const char *const *cells, struct json_object *obj);
/* Rows so far. */
size_t out_rows(const struct out *o);
/* Finish (table: print it; JSON: close the array), free o. Returns false when writing failed. */
bool out_end(struct out *o);

/* One JSON value as text on f, escaped as above, then a newline. Takes obj. */
void out_json(FILE *f, struct json_object *obj, bool tty);

/* ---- JSON text written directly: rows printed by the thousand (a 10,000-batch list) ---- */

/* A growing NUL-terminated text (owned; zero it to start, out_text_done to free). */
struct out_text {
    char *s;
    size_t len, cap;
};
/* Append raw as it is (keys, punctuation). */
void out_text_raw(struct out_text *t, const char *raw);
/* Append str as a JSON string (null for NULL): the very bytes json-c's text of it would be
 * after out_json's escapes (tty as out_json's). */
void out_text_str(struct out_text *t, const char *str, bool tty);
/* Append b as JSON: the same bytes as out_json(encode_batch(b, false)) without its newline. */
void out_text_batch(struct out_text *t, const struct batch *b, bool tty);
void out_text_done(struct out_text *t);
/* One row with its JSON as text (JSON, JSON lines: one write of the whole line; the text is
 * left as it was); cells for the other formats. */
void out_row_text(struct out *o, const char *const *cells, struct out_text *json);
/* Whether o prints JSON (JSON, JSON lines) / to a terminal. */
bool out_wants_json(const struct out *o);
bool out_tty(const struct out *o);

/* The columns of the terminal on fd (COLUMNS when set, else the ioctl), 80 when unknown. */
int out_term_width(int fd);

#endif
