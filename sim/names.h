/* names.h -- seeded, realistic (and optionally hostile) names and messages for the sim world. */
#ifndef SIM_NAMES_H
#define SIM_NAMES_H

/*
 * The text the simulator serves: directory and file names (plain, with spaces, very long, CJK,
 * emoji, combining marks), configuration names, job and mapping error messages and generated
 * job output. Every function draws only from the rng it is given, so a seed reproduces it. With
 * hostile set, a share of the strings carry terminal escapes (CSI, OSC 52, clear screen), C0
 * controls, DEL and C1 (U+009B): exactly what a client must never write raw to a terminal.
 * Every returned string is freshly allocated; the caller frees it.
 */

#include <stdbool.h>
#include <stddef.h>

#include "sim/rng.h"

/* Name of regular directory number index (0-based). */
char *names_directory(struct rng *r, size_t index);
/* A description for a directory. */
char *names_directory_description(struct rng *r, const char *name);
/*
 * File name number index of a directory; index 0..6 cover every kind (plain, spaces, long,
 * CJK, emoji, combining, RTL) so each regular directory has all of them. Unique per (index).
 */
char *names_file(struct rng *r, size_t index, bool hostile);
/* Plain scan-style names for the bulk directories ("scan-0001.pdf" …). */
char *names_bulk_file(struct rng *r, size_t index, bool hostile);
/* A configuration name, possibly made hostile. */
char *names_config(const char *base, struct rng *r, bool hostile);
/* A plausible job failure ("PDF is encrypted", "page 3: unsupported image encoding" …). */
char *names_job_error(struct rng *r, bool hostile);
/* A plausible mapping error (the file got no job). */
char *names_mapping_error(struct rng *r, bool hostile);
/* Generated parse output for a file: pages of markdown (title, prose, a table). */
char *names_markdown(struct rng *r, const char *title, int pages, bool hostile);
/* The same document as plain text. */
char *names_text(struct rng *r, const char *title, int pages, bool hostile);
/* One page of markdown (1-based page number). */
char *names_markdown_page(struct rng *r, const char *title, int page, bool hostile);
/* One page of plain text. */
char *names_text_page(struct rng *r, const char *title, int page, bool hostile);
/* A short hostile fragment (escape sequences and controls) for tests and hostile mode. */
const char *names_hostile_fragment(size_t index);

#endif
