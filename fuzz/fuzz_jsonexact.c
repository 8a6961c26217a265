/* fuzz_jsonexact.c -- libFuzzer target for the exact JSON lexer and printer (net/jsonexact.h). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "net/jsonexact.h"

/*
 * Input: the text itself. Checked contracts (jsonexact.h): nothing outside the input is read
 * (the sanitizers see to that, the input is not NUL-terminated); a printed value is within
 * JSONEXACT_MAX_GROWTH * len + JSONEXACT_SLACK bytes, holds the same bytes as the input once
 * whitespace outside strings is dropped (every token copied as sent, order kept) and prints
 * to itself again; a member span lies inside the input and starts and ends on a token.
 */

/* t[0..n) without the whitespace outside strings, into a fresh buffer; its length in *out_n.
 * t is valid JSON here, so every quote opens or closes a string unless escaped. */
static char *tokens_only(const char *t, size_t n, size_t *out_n)
{
    char *r = malloc(n + 1);
    FUZZ_CHECK(r != NULL);
    size_t k = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (in_string) {
            r[k++] = c;
            if (c == '\\' && i + 1 < n)
                r[k++] = t[++i];
            else if (c == '"')
                in_string = false;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            r[k++] = c;
            in_string = c == '"';
        }
    }
    *out_n = k;
    return r;
}

static bool ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char *out = json_pretty_exact(text, size);
    if (out != NULL) {
        size_t olen = strlen(out);
        FUZZ_CHECK(olen > 0 && olen <= JSONEXACT_MAX_GROWTH * size + JSONEXACT_SLACK);
        size_t a_n, b_n;
        char *a = tokens_only(text, size, &a_n), *b = tokens_only(out, olen, &b_n);
        FUZZ_CHECK(a_n == b_n && memcmp(a, b, a_n) == 0);
        free(a);
        free(b);
        char *again = json_pretty_exact(out, olen);
        FUZZ_CHECK(again != NULL && strcmp(again, out) == 0);
        free(again);
        free(out);
    }
    static const char *const keys[] = {"k", "extract_result", "", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t start = 0, end = 0;
        if (!json_member_span(text, size, keys[i], &start, &end))
            continue;
        FUZZ_CHECK(start < end && end <= size);
        FUZZ_CHECK(!ws(text[start]) && !ws(text[end - 1]));
        FUZZ_CHECK(text[start] != ',' && text[start] != ':' && text[start] != '}');
    }
    /* the array walk refuses nothing the printer takes (the printer may refuse more: its
     * output bound), and its elements are tokens inside the input, in order */
    size_t pos = 0, start = 0, end = 0, last = 0, count = 0;
    bool bad = false;
    while (json_array_next(text, size, &pos, &start, &end, &bad)) {
        FUZZ_CHECK(start >= last && start < end && end <= size && pos >= end && pos <= size);
        FUZZ_CHECK(!ws(text[start]) && !ws(text[end - 1]));
        last = end;
        count++;
    }
    FUZZ_CHECK(pos <= size);
    if (size > 0) {
        size_t i = 0;
        while (i < size && ws(text[i]))
            i++;
        char *printed = json_pretty_exact(text, size);
        if (i < size && text[i] == '[')
            FUZZ_CHECK(!(bad && printed != NULL));
        else
            FUZZ_CHECK(bad);
        free(printed);
    }
    (void)count;
    return 0;
}
