/* fuzz_text.c -- libFuzzer target for the text sanitizer and width-aware truncation. */
#include "config.h"

#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "tui/text.h"

/*
 * Input: a mode byte (UTF-8 or ASCII mode, pad, cut width), two bytes for the bar, the text.
 * Checked contracts (text.h): text_clean output has no control character, is ASCII in ASCII
 * mode and is a fixed point (cleaning it again changes nothing, same width); text_fit and
 * text_fit_left never exceed `width` columns, return exactly the width of what they wrote,
 * fill exactly `width` with pad, and leave short text whole; text_cut returns a prefix that
 * fits (or one character); text_bar stays inside its buffer.
 */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (setlocale(LC_ALL, "C.UTF-8") == NULL)
        setlocale(LC_ALL, "en_US.UTF-8");
    return 0;
}

static void check_clean(const char *s, bool utf8)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; p[i] != '\0'; i++) {
        FUZZ_CHECK(p[i] >= 0x20 && p[i] != 0x7f);
        if (!utf8)
            FUZZ_CHECK(p[i] < 0x80);
        else if (p[i] == 0xc2)
            FUZZ_CHECK(!(p[i + 1] >= 0x80 && p[i + 1] <= 0x9f));
    }
}

static void check_fit(const char *s, int width, bool pad, bool left, bool utf8)
{
    size_t len = 4 * (size_t)width + 4;
    char *out = malloc(len);
    FUZZ_CHECK(out != NULL);
    int r = left ? text_fit_left(s, width, pad, out, len) : text_fit(s, width, pad, out, len);
    FUZZ_CHECK(strlen(out) < len);
    check_clean(out, utf8);
    FUZZ_CHECK(r >= 0 && r <= (width > 0 ? width : 0));
    FUZZ_CHECK(text_width(out) == r);
    if (pad && width > 0)
        FUZZ_CHECK(r == width);
    if (!pad && text_width(s) <= width) {
        char *clean = text_clean(s);
        FUZZ_CHECK(strcmp(clean, out) == 0);
        free(clean);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    bool utf8 = (data[0] & 1) == 0;
    bool pad = (data[0] & 2) != 0;
    int width = data[0] >> 2;            /* 0..63 columns */
    long done = data[1], total = data[2];
    char *s = malloc(size - 2);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data + 3, size - 3);
    s[size - 3] = '\0';
    text_set_utf8(utf8);

    char *clean = text_clean(s);
    check_clean(clean, utf8);
    FUZZ_CHECK(text_width(clean) == text_width(s));
    char *again = text_clean(clean);
    FUZZ_CHECK(strcmp(again, clean) == 0);
    free(again);

    check_fit(s, width, pad, false, utf8);
    check_fit(s, width, pad, true, utf8);

    size_t cut = text_cut(clean, width);
    FUZZ_CHECK(cut <= strlen(clean));
    if (clean[0] != '\0')
        FUZZ_CHECK(cut > 0);
    char saved = clean[cut];
    clean[cut] = '\0';
    int cw = text_width(clean);
    clean[cut] = saved;
    FUZZ_CHECK(cw <= width || cw <= 4); /* one unit may be wider than a tiny width */
    free(clean);

    char bar[4 * 64 + 4];
    text_bar(done, total, width, bar, sizeof bar);
    FUZZ_CHECK(strlen(bar) < sizeof bar);
    check_clean(bar, utf8);

    free(s);
    text_set_utf8(true);
    return 0;
}
