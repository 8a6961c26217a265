/* names.c -- seeded realistic and hostile strings: names, errors and generated job output. */
#include "config.h"

#include "sim/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

static const char *const dir_names[] = {
    "Invoices 2024",      "Contracts (signed)", "受信書類",     "Board packs", "Research papers",
    "Receipts — scanned", "HR onboarding",      "Legal / NDAs", "Résumés",     "📁 Inbox",
};

static const char *const hostile[] = {
    "\x1b[31m",                               /* CSI colour */
    "\x1b]52;c;aGFja2VkIGNsaXBib2FyZA==\x07", /* OSC 52: write the clipboard */
    "\x1b[2J",                                /* clear screen */
    "\x07\x08\x0b\x0c\r",                     /* BEL BS VT FF CR */
    "\x7f",                                   /* DEL */
    ("\xc2\x9b" "31m"),                     /* C1 CSI (U+009B); split so 9b3 is no hex escape */
    "\x1b[0m\x1b[?1049h",                     /* reset + alternate screen */
};

const char *names_hostile_fragment(size_t index)
{
    return hostile[index % (sizeof hostile / sizeof hostile[0])];
}

/* base with a hostile fragment inserted at the front or the middle. */
static char *make_hostile(struct rng *r, const char *base)
{
    const char *frag = names_hostile_fragment((size_t)rng_below(r, 7));
    if (rng_chance(r, 0.5))
        return xasprintf("%s%s", frag, base);
    size_t half = strlen(base) / 2;
    while (half > 0 && ((unsigned char)base[half] & 0xc0) == 0x80)
        half--; /* never split a UTF-8 sequence */
    return xasprintf("%.*s%s%s", (int)half, base, frag, base + half);
}

static char *maybe_hostile(struct rng *r, char *s, bool hostile_mode, double share)
{
    if (!hostile_mode || !rng_chance(r, share))
        return s;
    char *h = make_hostile(r, s);
    free(s);
    return h;
}

char *names_directory(struct rng *r, size_t index)
{
    size_t n = sizeof dir_names / sizeof dir_names[0];
    (void)r;
    if (index < n)
        return xstrdup(dir_names[index]);
    return xasprintf("%s %zu", dir_names[index % n], index / n + 1);
}

char *names_directory_description(struct rng *r, const char *name)
{
    static const char *const what[] = {"Synced from SharePoint", "Uploaded by the finance team",
                                       "Nightly S3 import", "Shared drive export"};
    return xasprintf("%s: %s", what[rng_below(r, 4)], name);
}

char *names_file(struct rng *r, size_t index, bool hostile_mode)
{
    static const char *const plain[] = {"invoice", "contract", "statement",
                                        "memo",    "report",   "purchase-order",
                                        "receipt", "minutes",  "policy"};
    static const char *const exts[] = {"pdf", "pdf", "pdf", "docx", "pptx", "xlsx", "png"};
    unsigned n = (unsigned)index + 1;
    int year = 2019 + (int)rng_below(r, 7);
    const char *ext = exts[rng_below(r, 7)];
    char *s;
    switch (index < 7 ? index : 7 + rng_below(r, 9)) {
    case 0:
        s = xasprintf("%s-%05u.%s", plain[rng_below(r, 9)], n * 37 % 100000, ext);
        break;
    case 1:
        s = xasprintf("Quarterly report Q%u %d (final copy) %u.%s", n % 4 + 1, year, n, ext);
        break;
    case 2:
        s = xasprintf("A very long file name that keeps going because someone pasted the whole "
                      "subject line of an email into it - annual financial statement for fiscal "
                      "year %d including appendices and auditor notes %u.pdf",
                      year, n);
        break;
    case 3:
        s = xasprintf("請求書_%d_第%u号.pdf", year, n);
        break;
    case 4:
        s = xasprintf("📄 report %u.pdf", n);
        break;
    case 5:
        s = xasprintf("re\xcc\x81sume\xcc\x81 %u.pdf", n); /* e + U+0301 COMBINING ACUTE */
        break;
    case 6:
        s = xasprintf("تقرير سنوي %u.pdf", n);
        break;
    case 7:
        s = xasprintf("Scan %04u-%02u-%02u %u.pdf", (unsigned)year, n % 12 + 1, n % 28 + 1, n);
        break;
    default:
        s = xasprintf("%s_%d_%u.%s", plain[rng_below(r, 9)], year, n, ext);
        break;
    }
    return maybe_hostile(r, s, hostile_mode, 0.3);
}

char *names_bulk_file(struct rng *r, size_t index, bool hostile_mode)
{
    char *s = xasprintf("scan-%04zu.pdf", index + 1);
    return maybe_hostile(r, s, hostile_mode, 0.05);
}

char *names_config(const char *base, struct rng *r, bool hostile_mode)
{
    return maybe_hostile(r, xstrdup(base), hostile_mode, 0.5);
}

char *names_job_error(struct rng *r, bool hostile_mode)
{
    static const char *const msgs[] = {
        "PDF is encrypted",
        "page %d: unsupported image encoding",
        "file is corrupted: unexpected end of stream at offset %d",
        "timeout while parsing page %d",
        "document exceeds the 500-page limit",
        "page %d: could not extract text (scanned image below 72 dpi)",
    };
    int k = (int)rng_below(r, 6);
    int n = 2 + (int)rng_below(r, 40) * (k == 2 ? 4096 : 1);
    char *s;
    switch (k) {
    case 1:
        s = xasprintf("page %d: unsupported image encoding", n);
        break;
    case 2:
        s = xasprintf("file is corrupted: unexpected end of stream at offset %d", n);
        break;
    case 3:
        s = xasprintf("timeout while parsing page %d", n);
        break;
    case 5:
        s = xasprintf("page %d: could not extract text (scanned image below 72 dpi)", n);
        break;
    default:
        s = xstrdup(msgs[k]);
        break;
    }
    return maybe_hostile(r, s, hostile_mode, 0.6);
}

char *names_mapping_error(struct rng *r, bool hostile_mode)
{
    static const char *const msgs[] = {
        "unsupported file type",
        "file is empty (0 bytes)",
        "file exceeds the 300 MB size limit",
        "source file was deleted before it could be processed",
    };
    char *s = xstrdup(msgs[rng_below(r, 4)]);
    return maybe_hostile(r, s, hostile_mode, 0.6);
}

/* A growable string. */
struct sbuf {
    char *s;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char *const sentences[] = {
    "The parties agree to the terms set out in the schedule below.",
    "Payment is due within thirty (30) days of the invoice date.",
    "All amounts are stated in euros and exclude value added tax.",
    "This section summarises the results for the reporting period.",
    "Figures marked with an asterisk are unaudited estimates.",
    "The committee approved the proposal by a majority vote.",
    "Delivery took place at the warehouse on the agreed date.",
};

static void page_body(struct sbuf *b, struct rng *r, int page, bool markdown, bool hostile_mode)
{
    if (markdown)
        sb_add(b, "## Page %d\n\n", page);
    else
        sb_add(b, "Page %d\n\n", page);
    for (int i = 0; i < 3; i++)
        sb_add(b, "%s ", sentences[rng_below(r, 7)]);
    if (hostile_mode && rng_chance(r, 0.7))
        sb_add(b, "%sinjected%s", names_hostile_fragment((size_t)rng_below(r, 7)),
               names_hostile_fragment((size_t)rng_below(r, 7)));
    sb_add(b, "\n\n");
    if (page % 2 == 1) {
        if (markdown)
            sb_add(b, "| Item | Quantity | Unit price | Total |\n|---|---:|---:|---:|\n");
        else
            sb_add(b, "Item        Quantity  Unit price  Total\n");
        for (int row = 0; row < 3; row++) {
            unsigned q = 1 + (unsigned)rng_below(r, 20);
            unsigned p = 5 + (unsigned)rng_below(r, 500);
            if (markdown)
                sb_add(b, "| Line %d | %u | %u.00 | %u.00 |\n", row + 1, q, p, q * p);
            else
                sb_add(b, "Line %d      %8u  %7u.00  %u.00\n", row + 1, q, p, q * p);
        }
        sb_add(b, "\n");
    }
}

char *names_markdown_page(struct rng *r, const char *title, int page, bool hostile_mode)
{
    struct sbuf b = {0};
    if (page == 1)
        sb_add(&b, "# %s\n\n", title);
    page_body(&b, r, page, true, hostile_mode);
    return b.s;
}

char *names_text_page(struct rng *r, const char *title, int page, bool hostile_mode)
{
    struct sbuf b = {0};
    if (page == 1)
        sb_add(&b, "%s\n\n", title);
    page_body(&b, r, page, false, hostile_mode);
    return b.s;
}

char *names_markdown(struct rng *r, const char *title, int pages, bool hostile_mode)
{
    struct sbuf b = {0};
    for (int p = 1; p <= pages; p++) {
        struct rng pr;
        rng_init(&pr, r->state + (uint64_t)p);
        char *s = names_markdown_page(&pr, title, p, hostile_mode);
        sb_add(&b, "%s%s", p > 1 ? "\n---\n\n" : "", s);
        free(s);
    }
    return b.s;
}

char *names_text(struct rng *r, const char *title, int pages, bool hostile_mode)
{
    struct sbuf b = {0};
    for (int p = 1; p <= pages; p++) {
        struct rng pr;
        rng_init(&pr, r->state + (uint64_t)p);
        char *s = names_text_page(&pr, title, p, hostile_mode);
        sb_add(&b, "%s%s", p > 1 ? "\n\n" : "", s);
        free(s);
    }
    return b.s;
}
