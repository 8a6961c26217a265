/* fuzz_errbody.c -- libFuzzer target for the error-body formatter and its sanitizer. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "net/errbody.h"
#include "net/msg.h"

/*
 * Input: two bytes of HTTP status (folded into 100..599), one byte of cut length, the body.
 * Checked contracts (errbody.h): a message always exists; no output holds a C0, DEL or C1
 * control character; errbody_sanitize stays within max bytes and, given valid UTF-8, returns
 * valid UTF-8 (it never splits a sequence when it cuts).
 */

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if (i + k >= n)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            c = (c << 6) | (s[i + j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* No C0 (0x00-0x1f), DEL, or C1 encoded as UTF-8 (0xc2 0x80-0x9f). */
static void check_clean(const char *s)
{
    FUZZ_CHECK(s != NULL);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; p[i] != '\0'; i++) {
        FUZZ_CHECK(p[i] >= 0x20 && p[i] != 0x7f);
        if (p[i] == 0xc2)
            FUZZ_CHECK(!(p[i + 1] >= 0x80 && p[i + 1] <= 0x9f));
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    long status = 100 + (long)((data[0] << 8 | data[1]) % 500);
    size_t max = data[2];
    const char *body = (const char *)data + 3;
    size_t len = size - 3;

    struct net_error e;
    errbody_format(status, body, len, &e);
    FUZZ_CHECK(e.http_status == (int)status);
    check_clean(e.message);
    FUZZ_CHECK(strlen(e.message) <= ERRBODY_MAX + 32);
    if (e.field != NULL)
        check_clean(e.field);
    net_error_done(&e);

    char *s = errbody_sanitize(body, len, max);
    check_clean(s);
    size_t n = strlen(s);
    FUZZ_CHECK(n <= max);
    if (memchr(body, '\0', len) == NULL && utf8_valid((const unsigned char *)body, len))
        FUZZ_CHECK(utf8_valid((const unsigned char *)s, n));
    free(s);
    return 0;
}
