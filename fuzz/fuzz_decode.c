/* fuzz_decode.c -- libFuzzer target for every JSON decoder in net/decode.h. */
#include "config.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "model/objects.h"
#include "net/decode.h"

/*
 * Input: one selector byte choosing the decoder, then the body. A batch is also decoded as a
 * stream (decode_batch_stream_*, in chunks sized by the selector) and must agree with
 * decode_batch. Checked contracts (decode.h):
 * false leaves every output empty (all-zero struct, n 0, NULL array and token); true gives an
 * array exactly when n > 0, and the result survives a deep copy and the *_done functions.
 */

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void check_cause(bool ok, char *cause)
{
    if (ok) /* a page that skipped bad items says so; anything else succeeds silently */
        FUZZ_CHECK(cause == NULL || strstr(cause, " items skipped (") != NULL);
    else if (cause != NULL)
        FUZZ_CHECK(strlen(cause) < 64 * 1024);
    free(cause);
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The streamed decoder (fed in chunks of `chunk` bytes) agrees with decode_batch: the same
 * answers accepted, with the same batch and results. */
static void stream_agrees(const char *body, size_t len, size_t chunk, bool ok,
                          const struct batch *want)
{
    struct decode_batch_stream *s = decode_batch_stream_new();
    for (size_t at = 0; at < len; at += chunk)
        if (!decode_batch_stream_feed(s, body + at, len - at < chunk ? len - at : chunk))
            break;
    struct batch got;
    char *cause = NULL;
    bool sok = decode_batch_stream_end(s, &got, &cause);
    decode_batch_stream_free(s);
    check_cause(sok, cause);
    FUZZ_CHECK(sok == ok);
    if (!sok) {
        FUZZ_CHECK(all_zero(&got, sizeof got));
        return;
    }
    FUZZ_CHECK(same_str(got.id, want->id) && same_str(got.status_text, want->status_text));
    FUZZ_CHECK(got.has_results == want->has_results && got.n_results == want->n_results);
    FUZZ_CHECK(got.n_results == 0 || got.results != NULL);
    for (size_t i = 0; i < got.n_results && i < want->n_results; i++) {
        const struct batch_result *x = &got.results[i], *y = &want->results[i];
        FUZZ_CHECK(same_str(x->file_id, y->file_id) && same_str(x->job_id, y->job_id) &&
                   same_str(x->error_message, y->error_message) &&
                   same_str(x->job_type_text, y->job_type_text) && x->job_type == y->job_type);
    }
    batch_done(&got);
}

static void one_batch(const char *body, size_t len, size_t chunk)
{
    struct batch b;
    char *cause = NULL;
    bool ok = decode_batch(body, len, &b, &cause);
    check_cause(ok, cause);
    stream_agrees(body, len, chunk, ok, &b);
    if (!ok) {
        FUZZ_CHECK(all_zero(&b, sizeof b));
        return;
    }
    FUZZ_CHECK(b.n_results == 0 || b.results != NULL);
    FUZZ_CHECK(batch_status_text(&b) != NULL);
    struct batch copy;
    batch_copy(&copy, &b);
    batch_done(&b);
    batch_done(&copy);
}

static void one_page(const char *body, size_t len, int which)
{
    void *items = NULL;
    size_t n = 7;
    char *next = NULL, *cause = NULL;
    bool ok = false;
    switch (which) {
    case 0:
        ok = decode_batch_page(body, len, (struct batch **)&items, &n, &next, &cause);
        break;
    case 1:
        ok = decode_directory_page(body, len, (struct directory **)&items, &n, &next, &cause);
        break;
    case 2:
        ok = decode_dir_file_page(body, len, (struct dir_file **)&items, &n, &next, &cause);
        break;
    case 3:
        ok = decode_config_page(body, len, (struct config **)&items, &n, &next, &cause);
        break;
    case 4:
        ok = decode_job_page(body, len, JOB_TYPE_PARSE, (struct job **)&items, &n, &next,
                             &cause);
        break;
    default:
        ok = decode_job_page(body, len, JOB_TYPE_EXTRACT, (struct job **)&items, &n, &next,
                             &cause);
        break;
    }
    check_cause(ok, cause);
    if (!ok) {
        FUZZ_CHECK(items == NULL && n == 0 && next == NULL);
        return;
    }
    FUZZ_CHECK(n == 0 || items != NULL);
    FUZZ_CHECK(next == NULL || next[0] != '\0'); /* an empty token means the last page */
    for (size_t i = 0; i < n; i++) {
        switch (which) {
        case 0: {
            struct batch *b = (struct batch *)items + i, copy;
            batch_copy(&copy, b);
            batch_done(&copy);
            batch_done(b);
            break;
        }
        case 1:
            directory_done((struct directory *)items + i);
            break;
        case 2:
            dir_file_done((struct dir_file *)items + i);
            break;
        case 3:
            config_done((struct config *)items + i);
            break;
        default: {
            struct job *j = (struct job *)items + i, copy;
            FUZZ_CHECK(j->type == (which == 4 ? JOB_TYPE_PARSE : JOB_TYPE_EXTRACT));
            job_copy(&copy, j);
            job_done(&copy);
            job_done(j);
            break;
        }
        }
    }
    free(items);
    free(next);
}

static void one_job(const char *body, size_t len, bool parse)
{
    struct job j;
    struct job_output o;
    char *cause = NULL;
    bool ok = parse ? decode_parse_job(body, len, &j, &o, &cause)
                    : decode_extract_job(body, len, &j, &o, &cause);
    check_cause(ok, cause);
    if (!ok) {
        FUZZ_CHECK(all_zero(&j, sizeof j) && all_zero(&o, sizeof o));
        return;
    }
    job_done(&j);
    job_output_done(&o);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 10) {
    case 0: /* the selector's tens: the streamed decoder's chunk size, 1 to 26 bytes */
        one_batch(body, len, 1 + data[0] / 10u);
        break;
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
        one_page(body, len, data[0] % 10 - 1);
        break;
    case 7:
        one_job(body, len, true);
        break;
    case 8:
        one_job(body, len, false);
        break;
    default: {
        char *cause = NULL;
        struct json_object *o = decode_json(body, len, &cause);
        FUZZ_CHECK((o == NULL) == (cause != NULL) || o == NULL);
        json_object_put(o);
        free(cause);
        break;
    }
    }
    return 0;
}
