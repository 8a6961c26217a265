/* test_net_unit.c -- unit tests for net/: URLs, decoders, error bodies, retry policy. */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "net/decode.h"
#include "net/errbody.h"
#include "net/jsonexact.h"
#include "net/log.h"
#include "net/msg.h"
#include "net/retry.h"
#include "net/url.h"

/* ================================================================ URLs */

static const struct url_ctx ctx = {"https://api.example.com", NULL, NULL, 100};

START_TEST(url_base_with_or_without_slash)
{
    struct url_ctx c = ctx;
    char *a = url_batch_get(&c, "bat-1", false);
    c.base_url = "https://api.example.com/";
    char *b = url_batch_get(&c, "bat-1", false);
    c.base_url = "https://api.example.com///";
    char *d = url_batch_get(&c, "bat-1", false);
    ck_assert_str_eq(a, "https://api.example.com/api/v2/batches/bat-1");
    ck_assert_str_eq(b, a);
    ck_assert_str_eq(d, a);
    free(a);
    free(b);
    free(d);
}
END_TEST

START_TEST(url_ids_escaped)
{
    char *u = url_batch_get(&ctx, "../x?y=1#z%2F/..", true);
    ck_assert_str_eq(u, "https://api.example.com/api/v2/batches/"
                        "%2E%2E%2Fx%3Fy%3D1%23z%252F%2F%2E%2E?expand=results");
    free(u);
    u = url_batch_cancel(&ctx, "..");
    ck_assert_str_eq(u, "https://api.example.com/api/v2/batches/%2E%2E/cancel");
    free(u);
    u = url_directory_files(&ctx, "dir a&b", NULL);
    ck_assert_str_eq(u, "https://api.example.com/api/v1/beta/directories/dir%20a%26b/files"
                        "?page_size=100&include_deleted=true");
    free(u);
    u = url_job_get(&ctx, JOB_TYPE_PARSE, "pjb-\xe2\x9c\x93");
    ck_assert_str_eq(u, "https://api.example.com/api/v2/parse/pjb-%E2%9C%93"
                        "?expand=markdown_full&expand=text_full&expand=markdown&expand=text"
                        "&expand=usage");
    free(u);
    u = url_job_get(&ctx, JOB_TYPE_EXTRACT, "ejb-1");
    ck_assert_str_eq(u, "https://api.example.com/api/v2/extract/ejb-1?expand=usage");
    free(u);
    u = url_job_usage(&ctx, JOB_TYPE_PARSE, "pjb-1");
    ck_assert_str_eq(u, "https://api.example.com/api/v2/parse/pjb-1?expand=usage");
    free(u);
    u = url_escape("a-b_c~d.e f");
    ck_assert_str_eq(u, "a-b_c~d%2Ee%20f");
    free(u);
}
END_TEST

START_TEST(url_list_filters_and_scope)
{
    struct url_ctx c = ctx;
    c.project_id = "p 1";
    c.organization_id = "o-2";
    struct url_batch_filter f = {"RUNNING", "dir-1", "2026-11-28T18:11:19.117Z", NULL};
    char *u = url_batch_list(&c, &f, "tok/+=");
    ck_assert_str_eq(u, "https://api.example.com/api/v2/batches?page_size=100&status=RUNNING"
                        "&source_directory_id=dir-1"
                        "&created_at_on_or_after=2026-11-28T18%3A11%3A19%2E117Z"
                        "&page_token=tok%2F%2B%3D&project_id=p%201&organization_id=o-2");
    free(u);
    u = url_batch_list(&ctx, NULL, "");
    ck_assert_str_eq(u, "https://api.example.com/api/v2/batches?page_size=100");
    free(u);
    u = url_batch_create(&c);
    ck_assert_str_eq(u, "https://api.example.com/api/v2/batches?project_id=p%201"
                        "&organization_id=o-2");
    free(u);
    u = url_config_list(&ctx, "extract_v2", NULL);
    ck_assert_str_eq(u, "https://api.example.com/api/v1/beta/configurations?page_size=100"
                        "&product_type=extract_v2&latest_only=true");
    free(u);
    u = url_directory_list(&ctx, NULL, "t");
    ck_assert_str_eq(u, "https://api.example.com/api/v1/beta/directories?page_size=100"
                        "&page_token=t");
    free(u);
    u = url_directory_list(&ctx, "Invoices retry 2026-12-04/&", "t");
    ck_assert_str_eq(u, "https://api.example.com/api/v1/beta/directories?page_size=100"
                        "&name=Invoices%20retry%202026-12-04%2F%26&page_token=t");
    free(u);
    u = url_directory_get(&ctx, "../dir?x");
    ck_assert_str_eq(u, "https://api.example.com/api/v1/beta/directories/%2E%2E%2Fdir%3Fx");
    free(u);
    u = url_directory_create(&ctx);
    ck_assert_str_eq(u, "https://api.example.com/api/v1/beta/directories");
    free(u);
    u = url_directory_file_add(&ctx, "dir/../x");
    ck_assert_str_eq(u, "https://api.example.com/api/v1/beta/directories/dir%2F%2E%2E%2Fx/files");
    free(u);
}
END_TEST

START_TEST(url_job_ids_repeat)
{
    const char *ids[] = {"pjb-1", "pjb-2", "pjb-3"};
    char *u = url_job_list(&ctx, JOB_TYPE_PARSE, ids, 3, NULL);
    ck_assert_str_eq(u, "https://api.example.com/api/v2/parse?job_ids=pjb-1&job_ids=pjb-2"
                        "&job_ids=pjb-3&page_size=100");
    free(u);
    u = url_job_list(&ctx, JOB_TYPE_EXTRACT, ids, 1, "n");
    ck_assert_str_eq(u, "https://api.example.com/api/v2/extract?job_ids=pjb-1&page_size=100"
                        "&page_token=n");
    free(u);
}
END_TEST

START_TEST(url_loopback_is_literal_only)
{
    static const char *const yes[] = {"localhost", "LocalHost",        "127.0.0.1",
                                      "127.1.2.3", "127.255.255.255",  "[::1]",
                                      "::1",       "[0:0:0:0:0:0:0:1]"};
    static const char *const no[] = {"127.evil.example",
                                     "127.0.0.1.nip.io",
                                     "localhost.evil",
                                     "0x7f.1",
                                     "0x7f000001",
                                     "127.1",
                                     "127.0.0.1.",
                                     "0127.0.0.1",
                                     "127.0.0.256",
                                     "128.0.0.1",
                                     "127.0.0.01",
                                     "2130706433",
                                     "localhost.",
                                     "evil-localhost",
                                     "[::2]",
                                     "[::ffff:8.8.8.8]",
                                     "[::1",
                                     "",
                                     "127.0.0",
                                     "127.0.0.1.2",
                                     "127..0.1",
                                     "[::1%25lo]"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert_msg(url_host_is_loopback(yes[i]), "%s should be loopback", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!url_host_is_loopback(no[i]), "%s should not be loopback", no[i]);
    ck_assert(!url_host_is_loopback(NULL));
}
END_TEST

START_TEST(url_cleartext_and_endpoint)
{
    ck_assert(!url_cleartext_remote("https://api.example.com"));
    ck_assert(!url_cleartext_remote("http://127.0.0.1:8765"));
    ck_assert(!url_cleartext_remote("HTTP://localhost/x"));
    ck_assert(!url_cleartext_remote("http://[::1]:80/"));
    ck_assert(!url_cleartext_remote("http://evil.example@127.0.0.1:9/"));
    ck_assert(url_cleartext_remote("http://127.evil.example"));
    ck_assert(url_cleartext_remote("http://127.0.0.1.nip.io:8765"));
    ck_assert(url_cleartext_remote("http://localhost.evil/"));
    ck_assert(url_cleartext_remote("http://0x7f.1"));
    ck_assert(url_cleartext_remote("http://127.0.0.1@evil.example"));
    ck_assert(url_cleartext_remote("http://evil.example/@127.0.0.1"));
    ck_assert(url_cleartext_remote("http://evil.example#@127.0.0.1"));
    ck_assert(url_cleartext_remote("http://api.example.com"));

    char *e = url_endpoint("http://user:pw@api.example.com:8080/v1?x=1");
    ck_assert_str_eq(e, "http://api.example.com:8080");
    free(e);
    e = url_endpoint("https://api.cloud.llamaindex.ai");
    ck_assert_str_eq(e, "https://api.cloud.llamaindex.ai");
    free(e);
    e = url_endpoint("http://[::1]:9/");
    ck_assert_str_eq(e, "http://[::1]:9");
    free(e);

    char *cause = NULL;
    ck_assert(url_base_valid("http://user:pw@h.example:1/base/", NULL));
    ck_assert(url_base_valid("https://api.cloud.llamaindex.ai", NULL));
    static const char *const bad[] = {"ftp://x",         "http://",       "http://u:p/w@h",
                                      "http://a@b@c",    "http://h:port", "http://h x",
                                      "http://h:123456", "http://[::1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!url_base_valid(bad[i], &cause), "%s should be refused", bad[i]);
        ck_assert_ptr_nonnull(cause);
        free(cause);
        cause = NULL;
    }
}
END_TEST

START_TEST(url_redact_userinfo)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"GET http://user:pw@h.example/api/v2/batches?x=1 (try 1)",
         "GET http://***@h.example/api/v2/batches?x=1 (try 1)"},
        {"http://tok@h", "http://***@h"},
        {"http://u:p/w@h/x", "http://***@h/x"},
        {"a https://h/x b http://u:p@g/y", "a https://h/x b http://***@g/y"},
        {"no url here", "no url here"},
        {"\"http://u:p@h\" and http://h", "\"http://***@h\" and http://h"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = url_redact(cases[i].in);
        ck_assert_str_eq(r, cases[i].out);
        free(r);
    }
    char *r = url_redact(NULL);
    ck_assert_str_eq(r, "");
    free(r);
}
END_TEST

/* ================================================================ retry */

START_TEST(retry_table)
{
    static const struct {
        long status;
        bool transport;
        const char *should, *after_ms, *after;
        bool no409;
        int attempt;
        int64_t want; /* -2: backoff without jitter */
    } rows[] = {
        {500, false, NULL, NULL, NULL, false, 0, 500},
        {502, false, NULL, NULL, NULL, false, 1, 1000},
        {503, false, NULL, NULL, NULL, false, 2, 2000},
        {503, false, NULL, NULL, NULL, false, 3, -1}, /* max 3 retries */
        {429, false, NULL, NULL, "1", false, 0, 1000},
        {429, false, NULL, "250", "7", false, 0, 250}, /* retry-after-ms first */
        {429, false, NULL, "bogus", "2", false, 0, 2000},
        {429, false, NULL, NULL, "120", false, 0, 120000}, /* honoured, as the server asks */
        {429, false, NULL, NULL, "3600", false, 0, 600000}, /* ... up to 10 minutes */
        {429, false, NULL, "900000", NULL, false, 0, 600000},
        {429, false, NULL, NULL, "-3", false, 1, 1000},
        {408, false, NULL, NULL, NULL, false, 0, 500},
        {409, false, NULL, NULL, NULL, false, 0, 500},
        {409, false, NULL, NULL, NULL, true, 0, -1}, /* cancel's 409 */
        {400, false, NULL, NULL, NULL, false, 0, -1},
        {404, false, NULL, NULL, NULL, false, 0, -1},
        {422, false, NULL, NULL, NULL, false, 0, -1},
        {401, false, NULL, NULL, NULL, false, 0, -1},
        {400, false, "true", NULL, NULL, false, 0, 500}, /* header overrides */
        {503, false, "false", NULL, NULL, false, 0, -1},
        {503, false, " FALSE ", NULL, NULL, false, 0, -1},
        {0, true, NULL, NULL, NULL, false, 0, 500}, /* connection error */
        {0, false, NULL, NULL, NULL, false, 0, -1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct retry_answer a = {rows[i].status,   rows[i].transport, rows[i].should,
                                 rows[i].after_ms, rows[i].after,     rows[i].no409};
        int64_t got = retry_delay_ms(&a, rows[i].attempt, 3, 0, 0.0);
        ck_assert_msg(got == rows[i].want, "row %zu: got %lld want %lld", i, (long long)got,
                      (long long)rows[i].want);
    }
}
END_TEST

START_TEST(retry_backoff_and_jitter)
{
    ck_assert_int_eq(retry_backoff_ms(0, 0.0), 500);
    ck_assert_int_eq(retry_backoff_ms(1, 0.0), 1000);
    ck_assert_int_eq(retry_backoff_ms(4, 0.0), 8000);
    ck_assert_int_eq(retry_backoff_ms(5, 0.0), 8000);
    ck_assert_int_eq(retry_backoff_ms(30, 0.0), 8000);
    ck_assert_int_eq(retry_backoff_ms(0, 0.999999), 375);
    ck_assert_int_eq(retry_backoff_ms(4, 1.0), 6000);
    for (double j = 0; j < 1.0; j += 0.01) {
        int64_t v = retry_backoff_ms(2, j);
        ck_assert(v <= 2000 && v >= 1500);
    }
}
END_TEST

START_TEST(retry_http_date)
{
    int64_t ms = 0;
    ck_assert(retry_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &ms));
    ck_assert_int_eq(ms, 784111777000LL);
    ck_assert(!retry_parse_http_date("Sun, 06 Nov 1994 08:49:37", &ms));
    ck_assert(!retry_parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT", &ms));
    ck_assert(!retry_parse_http_date("yesterday", &ms));
    ck_assert(!retry_parse_http_date(NULL, &ms));
    ck_assert(!retry_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing", &ms));
    /* Retry-After as a date: the difference from now. */
    struct retry_answer a = {.http_status = 503, .retry_after = "Sun, 06 Nov 1994 08:49:40 GMT"};
    ck_assert_int_eq(retry_delay_ms(&a, 0, 3, 784111777000LL, 0.0), 3000);
    /* A date in the past falls back to the backoff. */
    ck_assert_int_eq(retry_delay_ms(&a, 1, 3, 784111790000LL, 0.0), 1000);
}
END_TEST

/* The tests' knob scales the computed backoff only: a server's Retry-After is kept as asked,
 * and any scale outside (0, 1] is the real policy again. */
START_TEST(retry_scaled_for_tests)
{
    struct retry_answer a = {.http_status = 503};
    retry_scale_for_tests(0.1);
    ck_assert_int_eq(retry_delay_ms(&a, 0, 3, 0, 0.0), 50);
    ck_assert_int_eq(retry_delay_ms(&a, 2, 3, 0, 0.0), 200);
    ck_assert_int_eq(retry_delay_ms(&a, 3, 3, 0, 0.0), -1); /* still gives up after 3 */
    struct retry_answer limited = {.http_status = 429, .retry_after = "1"};
    ck_assert_int_eq(retry_delay_ms(&limited, 0, 3, 0, 0.0), 1000);
    retry_scale_for_tests(0.0);
    ck_assert_int_eq(retry_delay_ms(&a, 0, 3, 0, 0.0), 500);
    retry_scale_for_tests(2.0);
    ck_assert_int_eq(retry_delay_ms(&a, 1, 3, 0, 0.0), 1000);
    retry_scale_for_tests(1.0);
}
END_TEST

/* ================================================================ decoders */

static const char batch_json[] =
    "{\"id\":\"bat-1\",\"project_id\":\"p\",\"source_directory_id\":\"dir-1\","
    "\"config\":{\"job\":{\"type\":\"parse_v2\",\"configuration_id\":\"cfg-PARSE_AGENTIC\"}},"
    "\"status\":\"RUNNING\",\"created_at\":\"2026-11-28T18:11:19.117Z\","
    "\"updated_at\":null,\"unknown_field\":[1,2,{\"x\":null}],"
    "\"results\":[{\"source_directory_file_id\":\"dfl-1\","
    "\"job_reference\":{\"type\":\"parse_v2\",\"id\":\"pjb-1\"},\"error_message\":null},"
    "{\"source_directory_file_id\":\"dfl-2\",\"job_reference\":null,"
    "\"error_message\":\"unsupported\"}]}";

START_TEST(decode_batch_good)
{
    struct batch b;
    char *cause = NULL;
    ck_assert(decode_batch(batch_json, strlen(batch_json), &b, &cause));
    ck_assert_ptr_null(cause);
    ck_assert_str_eq(b.id, "bat-1");
    ck_assert_str_eq(b.source_directory_id, "dir-1");
    ck_assert_int_eq(b.job_type, JOB_TYPE_PARSE);
    ck_assert_str_eq(b.configuration_id, "cfg-PARSE_AGENTIC");
    ck_assert_int_eq(b.status, BATCH_RUNNING);
    ck_assert_int_eq(b.created_ms, 1795889479117LL);
    ck_assert_ptr_null(b.updated_at);
    ck_assert_int_eq(b.updated_ms, -1);
    ck_assert(b.has_results);
    ck_assert_uint_eq(b.n_results, 2);
    ck_assert_str_eq(b.results[0].job_id, "pjb-1");
    ck_assert_ptr_null(b.results[1].job_id);
    ck_assert_str_eq(b.results[1].error_message, "unsupported");
    batch_done(&b);

    const char *minimal = "{\"id\":\"bat-2\",\"status\":\"SHINY\",\"results\":null}";
    ck_assert(decode_batch(minimal, strlen(minimal), &b, &cause));
    ck_assert_int_eq(b.status, BATCH_UNKNOWN);
    ck_assert_str_eq(b.status_text, "SHINY");
    ck_assert(!b.has_results);
    ck_assert_int_eq(b.job_type, JOB_TYPE_UNKNOWN);
    batch_done(&b);
}
END_TEST

/* The streamed decoder, one byte at a time and all at once: the batch of decode_batch_good;
 * and refusals come at the byte that shows them, not at the end of the body. */
START_TEST(decode_batch_streamed)
{
    for (size_t chunk = 1; chunk <= strlen(batch_json); chunk += strlen(batch_json) - 1) {
        struct decode_batch_stream *s = decode_batch_stream_new();
        for (size_t at = 0; at < strlen(batch_json); at += chunk) {
            size_t k = strlen(batch_json) - at < chunk ? strlen(batch_json) - at : chunk;
            ck_assert(decode_batch_stream_feed(s, batch_json + at, k));
        }
        struct batch b;
        char *cause = NULL;
        ck_assert(decode_batch_stream_end(s, &b, &cause));
        decode_batch_stream_free(s);
        ck_assert_str_eq(b.id, "bat-1");
        ck_assert_str_eq(b.configuration_id, "cfg-PARSE_AGENTIC");
        ck_assert(b.has_results);
        ck_assert_uint_eq(b.n_results, 2);
        ck_assert_str_eq(b.results[0].job_id, "pjb-1");
        ck_assert_int_eq(b.results[0].job_type, JOB_TYPE_PARSE);
        ck_assert_str_eq(b.results[1].error_message, "unsupported");
        batch_done(&b);
    }

    /* garbage inside the results array: refused there, the rest never needed */
    struct decode_batch_stream *s = decode_batch_stream_new();
    const char *head = "{\"id\":\"b\",\"status\":\"X\",\"results\":[{\"source_directory_file_id\"";
    ck_assert(decode_batch_stream_feed(s, head, strlen(head)));
    ck_assert(!decode_batch_stream_feed(s, ":\"a\"}}", 6));
    struct batch b;
    char *cause = NULL;
    ck_assert(!decode_batch_stream_end(s, &b, &cause));
    ck_assert_str_eq(cause, "body: invalid JSON (unexpected character)");
    ck_assert_ptr_null(b.id);
    free(cause);
    decode_batch_stream_free(s);

    /* too many containers: refused as they pass, whatever follows */
    s = decode_batch_stream_new();
    ck_assert(decode_batch_stream_feed(s, "{\"results\":[", 12));
    bool refused = false;
    for (int i = 0; i < DECODE_MAX_CONTAINERS && !refused; i++)
        refused = !decode_batch_stream_feed(s, "{},", 3);
    ck_assert(refused);
    ck_assert(!decode_batch_stream_end(s, &b, &cause));
    ck_assert_str_eq(cause, "body: too many objects in one answer (over 250,000)");
    free(cause);
    decode_batch_stream_free(s);

    /* too deep inside one result: the depth left at its place, as for the whole body */
    s = decode_batch_stream_new();
    ck_assert(decode_batch_stream_feed(s, "{\"results\":[{\"x\":", 17));
    refused = false;
    for (int i = 0; i < DECODE_MAX_DEPTH && !refused; i++)
        refused = !decode_batch_stream_feed(s, "[", 1);
    for (int i = 0; i < DECODE_MAX_DEPTH && !refused; i++)
        refused = !decode_batch_stream_feed(s, "]", 1);
    if (!refused)
        refused = !decode_batch_stream_feed(s, "}", 1);
    ck_assert(refused);
    ck_assert(!decode_batch_stream_end(s, &b, &cause));
    ck_assert_str_eq(cause, "body: invalid JSON (nested too deeply)");
    free(cause);
    decode_batch_stream_free(s);

    /* nothing, and a body cut short */
    s = decode_batch_stream_new();
    ck_assert(!decode_batch_stream_end(s, &b, &cause));
    ck_assert_str_eq(cause, "body: empty body");
    free(cause);
    decode_batch_stream_free(s);
    s = decode_batch_stream_new();
    ck_assert(decode_batch_stream_feed(s, head, strlen(head)));
    ck_assert(!decode_batch_stream_end(s, &b, &cause));
    ck_assert_str_eq(cause, "body: invalid JSON (truncated JSON)");
    free(cause);
    decode_batch_stream_free(s);
}
END_TEST

/* Decoding body must fail with exactly this cause. */
static void batch_bad(const char *body, const char *want)
{
    struct batch b;
    char *cause = NULL;
    ck_assert_msg(!decode_batch(body, strlen(body), &b, &cause), "accepted: %s", body);
    ck_assert_ptr_nonnull(cause);
    ck_assert_msg(strcmp(cause, want) == 0, "cause '%s', want '%s'", cause, want);
    ck_assert_ptr_null(b.id);
    free(cause);
}

START_TEST(decode_batch_bad)
{
    batch_bad("{\"status\":\"RUNNING\"}", "id: missing");
    batch_bad("{\"id\":null,\"status\":\"RUNNING\"}", "id: missing");
    batch_bad("{\"id\":7,\"status\":\"RUNNING\"}", "id: expected a string");
    /* An empty ID would make a path that names the whole collection. */
    batch_bad("{\"id\":\"\",\"status\":\"RUNNING\"}", "id: empty");
    batch_bad("{\"id\":\"b\",\"status\":\"X\",\"results\":[{\"source_directory_file_id\":\"f\","
              "\"job_reference\":{\"type\":\"parse_v2\",\"id\":\"\"}}]}",
              "results[0].job_reference.id: empty");
    batch_bad("{\"id\":\"b\",\"status\":[]}", "status: expected a string");
    batch_bad("{\"id\":\"b\",\"status\":\"X\",\"config\":5}", "config: expected an object");
    batch_bad("{\"id\":\"b\",\"status\":\"X\",\"config\":{\"job\":{\"type\":1}}}",
              "config.job.type: expected a string");
    batch_bad("{\"id\":\"b\",\"status\":\"X\",\"results\":{}}", "results: expected an array");
    batch_bad("{\"id\":\"b\",\"status\":\"X\",\"results\":[{}]}",
              "results[0].source_directory_file_id: missing");
    batch_bad("{\"id\":\"b\",\"status\":\"X\",\"results\":[{\"source_directory_file_id\":\"f\","
              "\"job_reference\":{\"type\":\"parse_v2\"}}]}",
              "results[0].job_reference.id: missing");
    batch_bad("{\"id\":\"b\",\"status\":\"X\",\"created_at\":12}",
              "created_at: expected a string");
    batch_bad("[1,2]", "body: expected an object");
    batch_bad("{\"id\":\"b\",\"status\":\"X\"", "body: invalid JSON (truncated JSON)");
    batch_bad("{\"id\":\"b\",\"status\":\"X\"} x", "body: invalid JSON (unexpected character)");
    batch_bad("{\"id\":\"b\",\"status\":\"X\"}{}", "body: invalid JSON (unexpected character)");
    batch_bad("", "body: empty body");
    batch_bad("<html>502 Bad Gateway</html>", "body: invalid JSON (unexpected character)");
}
END_TEST

START_TEST(decode_truncated_everywhere)
{
    /* Every prefix of a good body fails cleanly (no crash, no leak). */
    size_t len = strlen(batch_json);
    for (size_t i = 0; i < len; i++) {
        struct batch b;
        char *cause = NULL;
        ck_assert(!decode_batch(batch_json, i, &b, &cause));
        ck_assert_ptr_nonnull(cause);
        free(cause);
    }
}
END_TEST

START_TEST(decode_pages)
{
    const char *page = "{\"items\":[{\"id\":\"bat-1\",\"status\":\"COMPLETED\"},"
                       "{\"id\":\"bat-2\",\"status\":\"FAILED\"}],"
                       "\"next_page_token\":\"abc\",\"total_size\":9}";
    struct batch *items;
    size_t n;
    char *token, *cause = NULL;
    ck_assert(decode_batch_page(page, strlen(page), &items, &n, &token, &cause));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(items[1].id, "bat-2");
    ck_assert_str_eq(token, "abc");
    for (size_t i = 0; i < n; i++)
        batch_done(&items[i]);
    free(items);
    free(token);

    const char *last[] = {"{\"items\":[]}", "{\"items\":[],\"next_page_token\":null}",
                          "{\"items\":[],\"next_page_token\":\"\",\"total_size\":null}"};
    for (int i = 0; i < 3; i++) {
        ck_assert(decode_batch_page(last[i], strlen(last[i]), &items, &n, &token, &cause));
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(token);
        free(items);
    }

    const char *bad = "{\"items\":[{\"id\":\"a\",\"status\":\"RUNNING\"},"
                      "{\"id\":\"b\",\"status\":\"RUNNING\"},{\"id\":\"c\",\"status\":\"X\"},"
                      "{\"id\":\"d\",\"status\":5}]}";
    /* one bad item is skipped, the good ones stay, and the reason comes back */
    ck_assert(decode_batch_page(bad, strlen(bad), &items, &n, &token, &cause));
    ck_assert_str_eq(cause, "1 of 4 items skipped (items[3].status: expected a string)");
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(items[0].id, "a");
    ck_assert_str_eq(items[2].id, "c");
    ck_assert_ptr_null(token);
    for (size_t i = 0; i < n; i++)
        batch_done(&items[i]);
    free(items);
    items = NULL;
    free(cause);
    cause = NULL;
    const char *noitems = "{\"next_page_token\":null}";
    ck_assert(!decode_batch_page(noitems, strlen(noitems), &items, &n, &token, &cause));
    ck_assert_str_eq(cause, "items: missing");
    free(cause);
    cause = NULL;
    const char *badtoken = "{\"items\":[],\"next_page_token\":3}";
    ck_assert(!decode_batch_page(badtoken, strlen(badtoken), &items, &n, &token, &cause));
    ck_assert_str_eq(cause, "next_page_token: expected a string");
    free(cause);
}
END_TEST

/* The two-step page decoding gives what decode_batch_page gives, causes included. */
START_TEST(decode_pages_in_two_steps)
{
    const char *page = "{\"items\":[{\"id\":\"bat-1\",\"status\":\"COMPLETED\"},"
                       "{\"id\":\"bat-2\",\"status\":\"FAILED\"}],"
                       "\"next_page_token\":\"abc\",\"total_size\":9}";
    struct batch *items = NULL;
    size_t n = 9;
    char *token = NULL, *cause = NULL;
    struct decode_page *pg = decode_page_begin(page, strlen(page), &token, &cause);
    ck_assert_ptr_nonnull(pg);
    ck_assert_str_eq(token, "abc");
    ck_assert(decode_page_batches(pg, &items, &n, &cause));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(items[0].id, "bat-1");
    ck_assert_int_eq(items[1].status, BATCH_FAILED);
    for (size_t i = 0; i < n; i++)
        batch_done(&items[i]);
    free(items);
    free(token);

    /* Envelope problems stop step one, with the same causes. */
    const char *envelopes[][2] = {
        {"{\"next_page_token\":null}", "items: missing"},
        {"{\"items\":{},\"next_page_token\":null}", "items: expected an array"},
        {"{\"items\":[],\"next_page_token\":3}", "next_page_token: expected a string"},
        {"[1,2]", "body: expected an object"},
        {"{\"items\":[", "body: invalid JSON (truncated JSON)"},
    };
    for (size_t i = 0; i < sizeof envelopes / sizeof envelopes[0]; i++) {
        token = (char *)"unset";
        ck_assert_ptr_null(
            decode_page_begin(envelopes[i][0], strlen(envelopes[i][0]), &token, &cause));
        ck_assert_ptr_null(token);
        ck_assert_str_eq(cause, envelopes[i][1]);
        free(cause);
        cause = NULL;
    }

    /* An item problem skips that item in step two (and frees the page); the token was known. */
    const char *bad = "{\"items\":[{\"id\":\"a\",\"status\":\"RUNNING\"},{\"id\":7,"
                      "\"status\":\"RUNNING\"}],\"next_page_token\":\"t2\"}";
    pg = decode_page_begin(bad, strlen(bad), &token, &cause);
    ck_assert_ptr_nonnull(pg);
    ck_assert_str_eq(token, "t2");
    free(token);
    ck_assert(decode_page_batches(pg, &items, &n, &cause));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(items[0].id, "a");
    ck_assert_str_eq(cause, "1 of 2 items skipped (items[1].id: expected a string)");
    batch_done(&items[0]);
    free(items);
    items = NULL;
    free(cause);
    cause = NULL;

    /* Every kind; a page nobody converts is freed as it is; an empty token means the end. */
    const char *jobs = "{\"items\":[{\"id\":\"pjb-1\",\"status\":\"COMPLETED\"}],"
                       "\"next_page_token\":\"\"}";
    struct job *jb;
    pg = decode_page_begin(jobs, strlen(jobs), &token, &cause);
    ck_assert_ptr_null(token);
    ck_assert(decode_page_jobs(pg, JOB_TYPE_PARSE, &jb, &n, &cause));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(jb[0].type, JOB_TYPE_PARSE);
    ck_assert_int_eq(jb[0].status, JOB_COMPLETED);
    job_done(&jb[0]);
    free(jb);
    const char *dirs = "{\"items\":[{\"id\":\"dir-1\",\"name\":\"n\"}]}";
    struct directory *d;
    pg = decode_page_begin(dirs, strlen(dirs), NULL, &cause);
    ck_assert(decode_page_directories(pg, &d, &n, &cause));
    ck_assert_str_eq(d[0].name, "n");
    directory_done(&d[0]);
    free(d);
    const char *files = "{\"items\":[{\"id\":\"dfl-1\",\"display_name\":\"a.pdf\"}]}";
    struct dir_file *f;
    pg = decode_page_begin(files, strlen(files), NULL, &cause);
    ck_assert(decode_page_dir_files(pg, &f, &n, &cause));
    ck_assert_str_eq(f[0].display_name, "a.pdf");
    dir_file_done(&f[0]);
    free(f);
    const char *cfgs = "{\"items\":[{\"id\":\"cfg-1\",\"version\":2}]}";
    struct config *c;
    pg = decode_page_begin(cfgs, strlen(cfgs), NULL, &cause);
    ck_assert(decode_page_configs(pg, &c, &n, &cause));
    ck_assert_str_eq(c[0].version, "2");
    config_done(&c[0]);
    free(c);
    pg = decode_page_begin(page, strlen(page), NULL, &cause);
    ck_assert_ptr_nonnull(pg);
    decode_page_free(pg);
    decode_page_free(NULL);
}
END_TEST

/* The token hint: what a plain page says, and nothing when the token is not plain. */
START_TEST(decode_token_hint)
{
    const struct {
        const char *body;
        const char *want; /* NULL: no hint */
    } cases[] = {
        {"{\"items\":[],\"next_page_token\":\"76317c31\",\"total_size\":9}", "76317c31"},
        {"{\"next_page_token\" :\n \"a-b_c.d~e=f+g/h\", \"items\":[]}", "a-b_c.d~e=f+g/h"},
        {"{\"items\":[],\"next_page_token\":null}", NULL},
        {"{\"items\":[]}", NULL},
        {"{\"items\":[],\"next_page_token\":\"\"}", NULL},
        {"{\"items\":[],\"next_page_token\":\"a\\/b\"}", NULL}, /* escaped: no guess */
        {"{\"items\":[],\"next_page_token\":\"ab", NULL},       /* truncated */
        {"{\"items\":[],\"next_page_token\":\"a b\"}", NULL},
        {"{\"items\":[],\"next_page_token\"", NULL},
        {"\"next_page_token\"", NULL},
        {"", NULL},
        /* The last key wins; a decoy in a string before it is ignored... */
        {"{\"items\":[{\"id\":\"\\\"next_page_token\\\":\\\"x\"}],\"next_page_token\":\"t\"}",
         "t"},
        /* (an escaped quote is not a key's quote, wherever it is)... */
        {"{\"next_page_token\":\"t\",\"items\":[{\"id\":\"\\\"next_page_token\\\":\\\"x\"}]}",
         "t"},
        /* ...but a nested key after the real one fools it: the caller's parse must confirm. */
        {"{\"next_page_token\":\"t\",\"items\":[{\"id\":\"x\",\"n\":{\"next_page_token\":\"u\"}}]"
         "}",
         "u"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = decode_page_token_hint(cases[i].body, strlen(cases[i].body));
        if (cases[i].want == NULL)
            ck_assert_msg(got == NULL, "case %zu: got %s", i, got);
        else
            ck_assert_msg(got != NULL && strcmp(got, cases[i].want) == 0, "case %zu: %s", i,
                          got ? got : "(null)");
        free(got);
    }
    ck_assert_ptr_null(decode_page_token_hint(NULL, 5));
    /* Not NUL-terminated: the scan stays inside len. */
    const char raw[] = "{\"next_page_token\":\"abc\"}XXXX";
    char *got = decode_page_token_hint(raw, strlen(raw) - 4);
    ck_assert_str_eq(got, "abc");
    free(got);
    ck_assert_ptr_null(decode_page_token_hint(raw, 23)); /* cut inside the token */
    /* Length bound. */
    size_t big = DECODE_TOKEN_HINT_MAX + 1;
    char *body = xmalloc(big + 64);
    int off = snprintf(body, 64, "{\"next_page_token\":\"");
    memset(body + off, 'a', big);
    strcpy(body + off + big, "\"}");
    ck_assert_ptr_null(decode_page_token_hint(body, strlen(body)));
    body[off + big - 1] = '"';
    body[off + big] = '}';
    body[off + big + 1] = '\0';
    got = decode_page_token_hint(body, strlen(body));
    ck_assert_uint_eq(strlen(got), DECODE_TOKEN_HINT_MAX);
    free(got);
    free(body);
}
END_TEST

START_TEST(decode_other_pages)
{
    char *token, *cause = NULL;
    size_t n;
    const char *dirs = "{\"items\":[{\"id\":\"dir-1\",\"name\":\"thousand\",\"type\":\"user\","
                       "\"description\":null,\"project_id\":\"p\"}]}";
    struct directory *d;
    ck_assert(decode_directory_page(dirs, strlen(dirs), &d, &n, &token, &cause));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(d[0].name, "thousand");
    ck_assert_ptr_null(d[0].description);
    directory_done(&d[0]);
    free(d);

    const char *files = "{\"items\":[{\"id\":\"dfl-1\",\"directory_id\":\"dir-1\","
                        "\"display_name\":\"\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8.pdf\","
                        "\"file_id\":\"f\",\"unique_id\":\"u\",\"deleted_at\":null}]}";
    struct dir_file *f;
    ck_assert(decode_dir_file_page(files, strlen(files), &f, &n, &token, &cause));
    ck_assert_str_eq(f[0].display_name, "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8.pdf");
    dir_file_done(&f[0]);
    free(f);

    const char *cfgs = "{\"items\":[{\"id\":\"cfg-1\",\"name\":\"fast\",\"product_type\":"
                       "\"parse_v2\",\"parameters\":{\"tier\":\"fast\"},\"version\":3},"
                       "{\"id\":\"cfg-2\",\"version\":\"v2\",\"parameters\":null}]}";
    struct config *c;
    ck_assert(decode_config_page(cfgs, strlen(cfgs), &c, &n, &token, &cause));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(c[0].tier, "fast");
    ck_assert_str_eq(c[0].version, "3");
    ck_assert_str_eq(c[1].version, "v2");
    ck_assert_ptr_null(c[1].tier);
    config_done(&c[0]);
    config_done(&c[1]);
    free(c);
    const char *badcfg = "{\"items\":[{\"id\":\"cfg-1\",\"parameters\":{\"tier\":4}}]}";
    ck_assert(decode_config_page(badcfg, strlen(badcfg), &c, &n, &token, &cause));
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(cause, "1 of 1 items skipped (items[0].parameters.tier: expected a string)");
    free(c);
    free(cause);
    cause = NULL;

    const char *jobs = "{\"items\":[{\"id\":\"pjb-1\",\"status\":\"FAILED\",\"error_message\":"
                       "\"PDF is encrypted\",\"name\":\"a.pdf\"},{\"id\":\"pjb-2\","
                       "\"status\":\"QUEUED\"}],\"next_page_token\":null}";
    struct job *j;
    ck_assert(decode_job_page(jobs, strlen(jobs), JOB_TYPE_PARSE, &j, &n, &token, &cause));
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(j[0].status, JOB_FAILED);
    ck_assert_int_eq(j[0].type, JOB_TYPE_PARSE);
    ck_assert_str_eq(j[0].error_message, "PDF is encrypted");
    ck_assert_int_eq(j[1].status, JOB_UNKNOWN);
    ck_assert_str_eq(j[1].status_text, "QUEUED");
    job_done(&j[0]);
    job_done(&j[1]);
    free(j);
    const char *nojobid = "{\"items\":[{\"status\":\"RUNNING\"}]}";
    ck_assert(
        decode_job_page(nojobid, strlen(nojobid), JOB_TYPE_EXTRACT, &j, &n, &token, &cause));
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(cause, "1 of 1 items skipped (items[0].id: missing)");
    free(j);
    free(cause);
}
END_TEST

START_TEST(decode_outputs)
{
    struct job j;
    struct job_output o;
    char *cause = NULL;
    const char *parse = "{\"job\":{\"id\":\"pjb-1\",\"status\":\"COMPLETED\","
                        "\"tier\":\"agentic\"},"
                        "\"markdown_full\":\"# Title\\n\\n| a |\",\"text_full\":null}";
    ck_assert(decode_parse_job(parse, strlen(parse), &j, &o, &cause));
    ck_assert_str_eq(j.tier, "agentic");
    ck_assert_str_eq(o.markdown, "# Title\n\n| a |");
    ck_assert_ptr_null(o.text);
    ck_assert_str_eq(o.job_id, "pjb-1");
    job_done(&j);
    job_output_done(&o);
    const char *nojob = "{\"markdown_full\":\"x\"}";
    ck_assert(!decode_parse_job(nojob, strlen(nojob), &j, &o, &cause));
    ck_assert_str_eq(cause, "job: missing");
    free(cause);
    cause = NULL;
    const char *badjob = "{\"job\":{\"id\":\"p\",\"status\":1}}";
    ck_assert(!decode_parse_job(badjob, strlen(badjob), &j, &o, &cause));
    ck_assert_str_eq(cause, "job.status: expected a string");
    free(cause);
    cause = NULL;

    const char *ext = "{\"id\":\"ejb-1\",\"status\":\"COMPLETED\",\"extract_result\":"
                      "{\"total\":12.5,\"vendor\":\"ACME/EU\",\"lines\":[1,2]}}";
    ck_assert(decode_extract_job(ext, strlen(ext), &j, &o, &cause));
    ck_assert_str_eq(o.json, "{\n  \"total\": 12.5,\n  \"vendor\": \"ACME/EU\",\n"
                             "  \"lines\": [\n    1,\n    2\n  ]\n}");
    job_done(&j);
    job_output_done(&o);
    const char *ext_null = "{\"id\":\"ejb-1\",\"status\":\"RUNNING\",\"extract_result\":null}";
    ck_assert(decode_extract_job(ext_null, strlen(ext_null), &j, &o, &cause));
    ck_assert_ptr_null(o.json);
    job_done(&j);
    job_output_done(&o);
}
END_TEST

/* ================================================================ exact JSON */

/* json_pretty_exact over a heap copy of exactly strlen(text) bytes (no NUL after it, so a
 * read past the end is a sanitizer error), or NULL. */
static char *pretty(const char *text)
{
    size_t len = strlen(text);
    char *copy = xmalloc(len ? len : 1);
    memcpy(copy, text, len);
    char *out = json_pretty_exact(copy, len);
    free(copy);
    return out;
}

/* The File screen's text for an extract job whose extract_result is the text result. */
static char *extract_shown(const char *result)
{
    char *body = xasprintf("{\"id\":\"ejb-1\",\"status\":\"COMPLETED\",\"extract_result\":%s}",
                           result);
    struct job j;
    struct job_output o;
    char *cause = NULL;
    ck_assert_msg(decode_extract_job(body, strlen(body), &j, &o, &cause), "%s", cause);
    char *shown = xstrdup(o.json);
    job_done(&j);
    job_output_done(&o);
    free(body);
    return shown;
}

START_TEST(exact_numbers_as_sent)
{
    char *shown = extract_shown("{\"big\":123456789012345678901234567890,\"neg0\":-0,"
                                "\"huge\":1E400,\"tiny\":0.1e-7,\"e\":1.0E+2,"
                                "\"negbig\":-98765432109876543210.50e-003,\"f\":-0.0}");
    ck_assert_str_eq(shown, "{\n  \"big\": 123456789012345678901234567890,\n"
                            "  \"neg0\": -0,\n  \"huge\": 1E400,\n  \"tiny\": 0.1e-7,\n"
                            "  \"e\": 1.0E+2,\n  \"negbig\": -98765432109876543210.50e-003,\n"
                            "  \"f\": -0.0\n}");
    free(shown);
    /* a bare number or literal as the whole result */
    shown = extract_shown("18446744073709551616");
    ck_assert_str_eq(shown, "18446744073709551616");
    free(shown);
    shown = extract_shown("[true,false,null]");
    ck_assert_str_eq(shown, "[\n  true,\n  false,\n  null\n]");
    free(shown);
}
END_TEST

START_TEST(exact_keys_kept_in_order_with_duplicates)
{
    char *shown = extract_shown("{\"b\":1,\"a\":2,\"b\":3,\"a\":{\"x\":1,\"x\":2}}");
    ck_assert_str_eq(shown, "{\n  \"b\": 1,\n  \"a\": 2,\n  \"b\": 3,\n"
                            "  \"a\": {\n    \"x\": 1,\n    \"x\": 2\n  }\n}");
    free(shown);
}
END_TEST

START_TEST(exact_strings_as_sent)
{
    /* escapes stay as sent: \u00e9, \u00E9, a surrogate pair, \/ and a raw UTF-8 é */
    char *shown = extract_shown("{\"name\":\"caf\\u00e9 \\u00E9 \\ud83d\\ude00 \\/ "
                                "caf\xc3\xa9\"}");
    ck_assert_str_eq(shown, "{\n  \"name\": \"caf\\u00e9 \\u00E9 \\ud83d\\ude00 \\/ "
                            "caf\xc3\xa9\"\n}");
    free(shown);
    /* braces, brackets, commas, colons, quotes and backslashes inside strings are text */
    shown = extract_shown("{\"s{\":\"a{b}[c],\\\"d\\\": \\\\e\\\\\",\"t\":[\"]\",\"}\",\"\\\\\"]}");
    ck_assert_str_eq(shown, "{\n  \"s{\": \"a{b}[c],\\\"d\\\": \\\\e\\\\\",\n"
                            "  \"t\": [\n    \"]\",\n    \"}\",\n    \"\\\\\"\n  ]\n}");
    free(shown);
    shown = extract_shown("\"just a string \\n\"");
    ck_assert_str_eq(shown, "\"just a string \\n\"");
    free(shown);
}
END_TEST

START_TEST(exact_nesting_and_empty_containers)
{
    char *shown =
        extract_shown(" { \"a\" : [ ] , \"b\":{ },\"c\":[[1,[2,{}]],{\"d\":{\"e\":[]}}]} ");
    ck_assert_str_eq(shown, "{\n"
                            "  \"a\": [],\n"
                            "  \"b\": {},\n"
                            "  \"c\": [\n"
                            "    [\n"
                            "      1,\n"
                            "      [\n"
                            "        2,\n"
                            "        {}\n"
                            "      ]\n"
                            "    ],\n"
                            "    {\n"
                            "      \"d\": {\n"
                            "        \"e\": []\n"
                            "      }\n"
                            "    }\n"
                            "  ]\n"
                            "}");
    free(shown);
    shown = extract_shown("{}");
    ck_assert_str_eq(shown, "{}");
    free(shown);
    shown = extract_shown("[]");
    ck_assert_str_eq(shown, "[]");
    free(shown);
}
END_TEST

/* Where json-c's printing and the exact one can agree (no empty containers, numbers and
 * strings json-c prints unchanged), they do: the layout did not change. */
START_TEST(exact_layout_matches_json_c)
{
    const char *docs[] = {
        "{\"total\":12.5,\"vendor\":\"ACME/EU\",\"lines\":[1,2]}",
        "{\"number\":\"INV-000123\",\"lines\":[{\"description\":\"Item 1\",\"quantity\":3,"
        "\"amount\":12.25},{\"description\":\"Item 2\",\"quantity\":1,\"amount\":0.5}],"
        "\"ok\":true,\"none\":null,\"deep\":[[[\"x\"]]]}",
        "[{\"a\":{\"b\":[1,{\"c\":-7}]}}]",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct json_object *o = decode_json(docs[i], strlen(docs[i]), NULL);
        ck_assert_ptr_nonnull(o);
        char *shown = pretty(docs[i]);
        ck_assert_str_eq(shown, json_object_to_json_string_ext(
                                    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                           JSON_C_TO_STRING_NOSLASHESCAPE));
        free(shown);
        json_object_put(o);
    }
}
END_TEST

/* Every element span of text as "a|b|c", or "BAD" when the walk refused it. */
static char *array_elements(const char *text)
{
    size_t pos = 0, a, b, len = strlen(text);
    bool bad = false;
    char *out = xstrdup("");
    while (json_array_next(text, len, &pos, &a, &b, &bad)) {
        char *next = xasprintf("%s%s%.*s", out, out[0] ? "|" : "", (int)(b - a), text + a);
        free(out);
        out = next;
    }
    if (bad) {
        free(out);
        out = xstrdup("BAD");
    }
    return out;
}

START_TEST(exact_array_elements)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"[]", ""},
        {" [ ] ", ""},
        {"[1]", "1"},
        {"[ {\"a\":[1,2]} , \"x,]\" ,null ]", "{\"a\":[1,2]}|\"x,]\"|null"},
        {"[1,]", "BAD"},
        {"[,1]", "BAD"},
        {"[1 2]", "BAD"},
        {"[1", "BAD"},
        {"[1]x", "BAD"},
        {"{\"a\":1}", "BAD"},
        {"[01]", "BAD"},
        {"", "BAD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = array_elements(cases[i].in);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "%s: got %s, want %s", cases[i].in, got,
                      cases[i].want);
        free(got);
    }
}
END_TEST

START_TEST(exact_member_span)
{
    size_t a = 0, b = 0;
    const char *body = "{\"x\":{\"extract_result\":1}, \"extract_result\" : [1, 2] ,\"y\":0}";
    ck_assert(json_member_span(body, strlen(body), "extract_result", &a, &b));
    ck_assert_uint_eq(b - a, 6);
    ck_assert(memcmp(body + a, "[1, 2]", 6) == 0);
    /* duplicates: the last wins, as in json-c */
    body = "{\"k\":1,\"k\":22}";
    ck_assert(json_member_span(body, strlen(body), "k", &a, &b));
    ck_assert(b - a == 2 && memcmp(body + a, "22", 2) == 0);
    /* keys compare unescaped, surrogate pairs included */
    body = "{\"extract\\u005fresult\":true,\"\\ud83d\\ude00\\n\":\"v\"}";
    ck_assert(json_member_span(body, strlen(body), "extract_result", &a, &b));
    ck_assert(b - a == 4 && memcmp(body + a, "true", 4) == 0);
    ck_assert(json_member_span(body, strlen(body), "\xf0\x9f\x98\x80\n", &a, &b));
    ck_assert(b - a == 3 && memcmp(body + a, "\"v\"", 3) == 0);
    ck_assert(!json_member_span(body, strlen(body), "extract", &a, &b));
    ck_assert(!json_member_span(body, strlen(body), "extract_result_", &a, &b));
    /* not there, not an object, not valid: false and outputs untouched */
    a = b = 99;
    const char *no[] = {"{}", "{\"x\":1}", "[{\"k\":1}]", "\"k\"", "{\"k\":1", "{\"k\":1}x",
                        "{\"k\":01}", "{\"k\" 1}", "{k:1}", "{\"k\":1,}", "", " "};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!json_member_span(no[i], strlen(no[i]), "k", &a, &b), "%s", no[i]);
    ck_assert(a == 99 && b == 99);
    ck_assert(!json_member_span(NULL, 5, "k", &a, &b));
    /* only body[0..len) is read: the member past len is not seen */
    body = "{\"k\":1}{\"k\":2}";
    ck_assert(json_member_span(body, 7, "k", &a, &b));
    ck_assert_uint_eq(a, 5);
}
END_TEST

START_TEST(exact_refuses_invalid_and_hostile)
{
    const char *bad[] = {"", "  ", "01", "-", "1.", ".5", "1e", "1e+", "+1", "tru", "truex",
                         "nul", "NaN", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}",
                         "{\"a\":1,}", "{1:2}", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\x01\"",
                         "\"abc", "\"abc\\", "\"abc\\\"", "[\"a\"", "{\"a\":[1}", "[1]]", "[1]x",
                         "{\"a\":1}}", "\"\\"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = pretty(bad[i]);
        ck_assert_msg(out == NULL, "accepted %s", bad[i]);
    }
    ck_assert_ptr_null(json_pretty_exact(NULL, 3));
    /* Every proper prefix of a valid object is refused, and nothing past it is read. */
    const char *doc = "{\"a\":[1,-2.5e+3,\"s\\\"\\u00e9}\",{\"b\":null}],\"c\":{},\"d\":true}";
    size_t len = strlen(doc);
    for (size_t n = 0; n < len; n++) {
        char *copy = xmalloc(n ? n : 1);
        memcpy(copy, doc, n);
        ck_assert_msg(json_pretty_exact(copy, n) == NULL, "prefix %zu", n);
        size_t a, b;
        ck_assert(!json_member_span(copy, n, "a", &a, &b));
        free(copy);
    }
    /* Depth: JSONEXACT_MAX_DEPTH levels print, one more is refused; 100,000 is no crash. */
    size_t deep = 100000;
    char *s = xmalloc(2 * deep);
    for (size_t i = 0; i < deep; i++) {
        s[i] = '[';
        s[2 * deep - 1 - i] = ']';
    }
    size_t max = JSONEXACT_MAX_DEPTH;
    /* (a long string inside, so the indentation stays within the growth bound) */
    size_t pad = 64 * 1024;
    char *padded = xmalloc(2 * max + pad + 2);
    memset(padded, '[', max);
    padded[max] = '"';
    memset(padded + max + 1, 'x', pad);
    padded[max + 1 + pad] = '"';
    memset(padded + max + 2 + pad, ']', max);
    char *out = json_pretty_exact(padded, 2 * max + pad + 2);
    ck_assert_ptr_nonnull(out);
    /* level i is "[", a newline and 2i spaces: the string starts at max^2 + 3 max */
    ck_assert(out[max * max + 3 * max - 1] == ' ' && out[max * max + 3 * max] == '"');
    free(out);
    free(padded);
    ck_assert_ptr_null(json_pretty_exact(s + deep - max - 1, 2 * max + 2));
    ck_assert_ptr_null(json_pretty_exact(s, 2 * deep));
    size_t a, b;
    char *obj = xasprintf("{\"k\":%.*s}", (int)(2 * max), s + deep - max);
    ck_assert(!json_member_span(obj, strlen(obj), "k", &a, &b)); /* 1 + 512 levels */
    free(obj);
    obj = xasprintf("{\"k\":%.*s}", (int)(2 * max - 2), s + deep - max + 1);
    ck_assert(json_member_span(obj, strlen(obj), "k", &a, &b));
    free(obj);
    free(s);
    /* Growth: indentation that would exceed JSONEXACT_MAX_GROWTH x the input is refused. */
    size_t d = 200, n = 20000;
    s = xmalloc(2 * d + 2 * n);
    size_t k = 0;
    for (size_t i = 0; i < d; i++)
        s[k++] = '[';
    for (size_t i = 0; i < n; i++) {
        s[k++] = '0';
        if (i + 1 < n)
            s[k++] = ',';
    }
    for (size_t i = 0; i < d; i++)
        s[k++] = ']';
    ck_assert_ptr_null(json_pretty_exact(s, k));
    free(s);
}
END_TEST

/* decode_extract_job with a result the exact path refuses or cannot indent. */
START_TEST(exact_fallbacks_in_decode)
{
    /* json-c takes NaN and raw control bytes; the lexer does not: json-c prints those. */
    char *shown = extract_shown("{\"x\":NaN,\"y\":1}");
    ck_assert_str_eq(shown, "{\n  \"x\": NaN,\n  \"y\": 1\n}");
    free(shown);
    shown = extract_shown("{\"x\":\"a\x01\"}");
    ck_assert_str_eq(shown, "{\n  \"x\": \"a\\u0001\"\n}");
    free(shown);
    /* Valid but too costly to indent (60 levels of tiny elements): kept exact, unindented. */
    struct sbuf {
        char *p;
        size_t n;
    } r = {xmalloc(60 * 2 + 3000 * 2 + 1), 0};
    for (int i = 0; i < 60; i++)
        r.p[r.n++] = '[';
    for (int i = 0; i < 3000; i++) {
        r.p[r.n++] = '0';
        r.p[r.n++] = ',';
    }
    r.p[r.n - 1] = ']';
    for (int i = 1; i < 60; i++)
        r.p[r.n++] = ']';
    r.p[r.n] = '\0';
    shown = extract_shown(r.p);
    ck_assert_str_eq(shown, r.p);
    free(shown);
    free(r.p);
    /* Deeper than decode's limit, an unterminated string: the decoder refuses cleanly. */
    struct job j;
    struct job_output o;
    char *cause = NULL;
    const char *unterminated = "{\"id\":\"ejb-1\",\"status\":\"COMPLETED\",\"extract_result\":\"ab";
    ck_assert(!decode_extract_job(unterminated, strlen(unterminated), &j, &o, &cause));
    ck_assert_ptr_null(o.json);
    free(cause);
    cause = NULL;
    char *deep = xmalloc(200 + 100);
    int k = sprintf(deep, "{\"id\":\"e\",\"status\":\"COMPLETED\",\"extract_result\":");
    for (int i = 0; i < 100; i++)
        deep[k++] = '[';
    for (int i = 0; i < 100; i++)
        deep[k++] = ']';
    deep[k++] = '}';
    ck_assert(!decode_extract_job(deep, (size_t)k, &j, &o, &cause));
    ck_assert_str_eq(cause, "body: invalid JSON (nested too deeply)");
    ck_assert_ptr_null(o.json);
    free(cause);
    free(deep);
}
END_TEST

/* The documented parse output: pages, some failed; usage beside the job or inside it. */
START_TEST(decode_output_pages_and_usage)
{
    struct job j;
    struct job_output o;
    char *cause = NULL;
    const char *pages =
        "{\"job\":{\"id\":\"pjb-1\",\"status\":\"COMPLETED\",\"usage\":{\"credits\":12}},"
        "\"markdown\":{\"pages\":[{\"page_number\":1,\"markdown\":\"# One\",\"success\":true},"
        "{\"page_number\":2,\"success\":false,\"error\":\"timed out\"},"
        "{\"page_number\":3,\"markdown\":\"three\"}]},"
        "\"text\":{\"pages\":[{\"page_number\":1,\"text\":\"One\"},"
        "{\"page_number\":2,\"success\":false,\"error\":\"timed out\"}]}}";
    ck_assert(decode_parse_job(pages, strlen(pages), &j, &o, &cause));
    ck_assert_str_eq(o.markdown, "# One\n\nthree");
    ck_assert_str_eq(o.text, "One");
    ck_assert_uint_eq(o.pages, 3);
    ck_assert_uint_eq(o.pages_failed, 1);
    ck_assert_str_eq(o.failed_pages, "2: timed out");
    ck_assert(j.has_credits);
    ck_assert(!j.unbilled);
    ck_assert(j.credits == 12.0);
    ck_assert(!j.has_pages);
    job_done(&j);
    job_output_done(&o);

    /* the full field wins for the text; the pages still count the failures */
    const char *both = "{\"job\":{\"id\":\"pjb-1\",\"status\":\"COMPLETED\"},"
                       "\"usage\":{\"credits\":null},\"markdown_full\":\"FULL\","
                       "\"markdown\":{\"pages\":[{\"page_number\":4,\"success\":false}]}}";
    ck_assert(decode_parse_job(both, strlen(both), &j, &o, &cause));
    ck_assert_str_eq(o.markdown, "FULL");
    ck_assert_ptr_null(o.text);
    ck_assert_uint_eq(o.pages_failed, 1);
    ck_assert_str_eq(o.failed_pages, "4: failed");
    ck_assert(!j.has_credits); /* null until billed */
    ck_assert(j.unbilled);
    job_done(&j);
    job_output_done(&o);

    const char *inside = "{\"job\":{\"id\":\"pjb-1\",\"status\":\"COMPLETED\","
                         "\"usage\":{\"credits\":null}}}";
    ck_assert(decode_parse_job(inside, strlen(inside), &j, &o, &cause));
    ck_assert(!j.has_credits);
    ck_assert(j.unbilled); /* not undone by the absent usage beside the job */
    job_done(&j);
    job_output_done(&o);

    const char *badpages = "{\"job\":{\"id\":\"pjb-1\",\"status\":\"COMPLETED\"},"
                           "\"markdown\":{\"pages\":{}}}";
    ck_assert(!decode_parse_job(badpages, strlen(badpages), &j, &o, &cause));
    ck_assert_str_eq(cause, "markdown.pages: expected an array");
    free(cause);
    cause = NULL;
    const char *badcredits = "{\"job\":{\"id\":\"pjb-1\",\"status\":\"COMPLETED\","
                             "\"usage\":{\"credits\":-3}}}";
    ck_assert(!decode_parse_job(badcredits, strlen(badcredits), &j, &o, &cause));
    ck_assert_str_eq(cause, "job.usage.credits: out of range");
    free(cause);
    cause = NULL;

    const char *ext = "{\"id\":\"ejb-1\",\"status\":\"COMPLETED\",\"usage\":{\"credits\":45.5,"
                      "\"extract_credits\":30,\"parse_credits\":15.5},"
                      "\"metadata\":{\"usage\":{\"num_pages_billed\":3,"
                      "\"num_pages_extracted\":3}}}";
    ck_assert(decode_extract_job(ext, strlen(ext), &j, &o, &cause));
    ck_assert(j.has_credits && j.credits == 45.5);
    ck_assert(j.has_pages);
    ck_assert_int_eq(j.pages_billed, 3);
    job_done(&j);
    job_output_done(&o);

    /* directory files carry deleted_at; directories expires_at */
    const char *files = "{\"items\":[{\"id\":\"dfl-1\",\"display_name\":\"a.pdf\","
                        "\"deleted_at\":\"2026-12-01T00:00:00Z\"},{\"id\":\"dfl-2\"}],"
                        "\"next_page_token\":null}";
    struct dir_file *f;
    size_t n;
    char *token = NULL;
    ck_assert(decode_dir_file_page(files, strlen(files), &f, &n, &token, &cause));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(f[0].deleted_at, "2026-12-01T00:00:00Z");
    ck_assert_ptr_null(f[1].deleted_at);
    for (size_t i = 0; i < n; i++)
        dir_file_done(&f[i]);
    free(f);
    free(token);
    const char *dirs = "{\"items\":[{\"id\":\"dir-1\",\"type\":\"ephemeral\","
                       "\"expires_at\":\"2026-12-01T00:00:00Z\"}]}";
    struct directory *d;
    ck_assert(decode_directory_page(dirs, strlen(dirs), &d, &n, &token, &cause));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(d[0].expires_at, "2026-12-01T00:00:00Z");
    ck_assert(d[0].expires_ms > 0);
    directory_done(&d[0]);
    free(d);
    free(token);
}
END_TEST

START_TEST(decode_big_and_deep)
{
    /* 5 MB of items decodes. */
    size_t count = 50000, cap = count * 120 + 64, len = 0;
    char *big = xmalloc(cap);
    len += (size_t)snprintf(big + len, cap - len, "{\"items\":[");
    for (size_t i = 0; i < count; i++)
        len += (size_t)snprintf(big + len, cap - len,
                                "%s{\"id\":\"pjb-%08zu\",\"status\":\"COMPLETED\",\"name\":"
                                "\"file-%08zu.pdf\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxx\"}",
                                i ? "," : "", i, i);
    len += (size_t)snprintf(big + len, cap - len, "]}");
    ck_assert(len > 5 * 1000 * 1000);
    struct job *j;
    size_t n;
    char *token, *cause = NULL;
    ck_assert(decode_job_page(big, len, JOB_TYPE_PARSE, &j, &n, &token, &cause));
    ck_assert_uint_eq(n, count);
    ck_assert_str_eq(j[count - 1].id, "pjb-00049999");
    for (size_t i = 0; i < n; i++)
        job_done(&j[i]);
    free(j);
    /* A 5 MB string is fine too. */
    size_t slen = 5 * 1024 * 1024;
    char *s = xmalloc(slen + 64);
    int k = snprintf(s, 64, "{\"job\":{\"id\":\"p\",\"status\":\"RUNNING\"},\"markdown_full\":\"");
    memset(s + k, 'a', slen);
    memcpy(s + k + slen, "\"}", 3);
    struct job job;
    struct job_output o;
    ck_assert(decode_parse_job(s, (size_t)k + slen + 2, &job, &o, &cause));
    ck_assert_uint_eq(strlen(o.markdown), slen);
    job_done(&job);
    job_output_done(&o);
    free(s);
    free(big);

    /* 10,000-deep nesting is refused, not a stack overflow. */
    size_t depth = 10000;
    char *deep = xmalloc(depth * 2 + 32);
    len = 0;
    len += (size_t)sprintf(deep, "{\"items\":");
    for (size_t i = 0; i < depth; i++)
        deep[len++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[len++] = ']';
    deep[len++] = '}';
    ck_assert(!decode_job_page(deep, len, JOB_TYPE_PARSE, &j, &n, &token, &cause));
    ck_assert_str_eq(cause, "body: invalid JSON (nested too deeply)");
    free(cause);
    free(deep);
}
END_TEST

START_TEST(decode_garbage_never_crashes)
{
    /* A cheap deterministic fuzz: random mutations of valid bodies. */
    unsigned seed = 12345;
    const char *bodies[] = {batch_json, "{\"items\":[{\"id\":\"a\",\"status\":\"RUNNING\"}]}"};
    for (int round = 0; round < 4000; round++) {
        const char *src = bodies[round % 2];
        size_t len = strlen(src);
        char *b = xmalloc(len + 1);
        memcpy(b, src, len + 1);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            b[(seed >> 8) % len] = (char)(seed >> 20);
        }
        struct batch bt;
        struct batch *items;
        size_t n;
        char *token = NULL, *cause = NULL;
        if (decode_batch(b, len, &bt, &cause))
            batch_done(&bt);
        free(cause);
        cause = NULL;
        if (decode_batch_page(b, len, &items, &n, &token, &cause)) {
            for (size_t i = 0; i < n; i++)
                batch_done(&items[i]);
            free(items);
            free(token);
        }
        free(cause);
        cause = NULL;
        /* The hint and the two steps survive the same bytes (and free what they make). */
        free(decode_page_token_hint(b, len));
        token = NULL;
        struct decode_page *pg = decode_page_begin(b, len, &token, &cause);
        free(token);
        if (pg != NULL && decode_page_batches(pg, &items, &n, &cause)) {
            for (size_t i = 0; i < n; i++)
                batch_done(&items[i]);
            free(items);
        }
        free(cause);
        struct net_error e;
        errbody_format(422, b, len, &e);
        ck_assert_ptr_nonnull(e.message);
        net_error_done(&e);
        free(b);
    }
}
END_TEST

START_TEST(decode_nul_kept_visible_or_refused)
{
    char *cause = NULL, *token = NULL;
    struct directory *dirs = NULL;
    size_t n = 0;

    /* A name with a NUL: everything after it stays, the NUL shows as "\0". */
    const char *d1 = "{\"items\":[{\"id\":\"dir-1\",\"name\":\"Pay\\u0000rolls (copy)\"}],"
                     "\"next_page_token\":null}";
    ck_assert(decode_directory_page(d1, strlen(d1), &dirs, &n, &token, &cause));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(dirs[0].name, "Pay\\0rolls (copy)");
    directory_done(&dirs[0]);
    free(dirs);

    /* An ID with a NUL would name another object once cut: refused, with its path. */
    const char *d2 = "{\"items\":[{\"id\":\"dir-1\\u0000../x\",\"name\":\"n\"}],"
                     "\"next_page_token\":null}";
    ck_assert(decode_directory_page(d2, strlen(d2), &dirs, &n, &token, &cause));
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(cause, "1 of 1 items skipped (items[0].id: contains a NUL character)");
    free(dirs);
    free(cause);
    cause = NULL;
    const char *d3 = "{\"items\":[],\"next_page_token\":\"abc\\u0000def\"}";
    ck_assert(!decode_directory_page(d3, strlen(d3), &dirs, &n, &token, &cause));
    ck_assert_str_eq(cause, "next_page_token: contains a NUL character");
    free(cause);
    cause = NULL;

    /* A batch: the per-file error keeps its tail; a file ID with a NUL is refused. */
    struct batch b;
    const char *b1 = "{\"id\":\"bat-1\",\"status\":\"FAILED\",\"source_directory_id\":\"dir-1\","
                     "\"results\":[{\"source_directory_file_id\":\"dfl-1\","
                     "\"error_message\":\"timeout\\u0000; also: disk full\"}]}";
    ck_assert(decode_batch(b1, strlen(b1), &b, &cause));
    ck_assert_str_eq(b.results[0].error_message, "timeout\\0; also: disk full");
    batch_done(&b);
    const char *b2 =
        "{\"id\":\"bat-1\",\"status\":\"FAILED\",\"source_directory_id\":\"dir\\u0000\"}";
    ck_assert(!decode_batch(b2, strlen(b2), &b, &cause));
    ck_assert_str_eq(cause, "source_directory_id: contains a NUL character");
    free(cause);
    cause = NULL;

    /* Output text and job fields. */
    struct job j;
    struct job_output out;
    const char *p1 = "{\"job\":{\"id\":\"pjb-1\",\"status\":\"COMPLETED\",\"name\":\"a\\u0000b\"},"
                     "\"markdown_full\":\"# T\\u0000itle\"}";
    ck_assert(decode_parse_job(p1, strlen(p1), &j, &out, &cause));
    ck_assert_str_eq(j.name, "a\\0b");
    ck_assert_str_eq(out.markdown, "# T\\0itle");
    job_done(&j);
    job_output_done(&out);

    /* An error body's 422 message keeps its tail too (the NUL shows as '?'). */
    struct net_error e;
    const char *v = "{\"detail\":[{\"loc\":[\"body\",\"x\"],\"msg\":\"bad\\u0000 value\"}]}";
    errbody_format(422, v, strlen(v), &e);
    ck_assert_str_eq(e.message, "x: bad? value");
    net_error_done(&e);
}
END_TEST

START_TEST(encode_create_body)
{
    char *s = decode_create_body("dir-\"1\"", JOB_TYPE_EXTRACT, "cfg-2");
    ck_assert_str_eq(s, "{\"source_directory_id\":\"dir-\\\"1\\\"\",\"config\":{\"job\":"
                        "{\"type\":\"extract_v2\",\"configuration_id\":\"cfg-2\"}}}");
    free(s);
}
END_TEST

START_TEST(encode_resubmit_bodies)
{
    char *s = decode_directory_create_body("Invoices \"2024\" retry 2026-12-04", false);
    ck_assert_str_eq(s, "{\"name\":\"Invoices \\\"2024\\\" retry 2026-12-04\",\"type\":\"user\"}");
    free(s);
    s = decode_file_add_body("f-1", "a/b \x01.pdf");
    ck_assert_str_eq(s, "{\"file_id\":\"f-1\",\"display_name\":\"a/b \\u0001.pdf\"}");
    free(s);
    s = decode_file_add_body("f-1", NULL);
    ck_assert_str_eq(s, "{\"file_id\":\"f-1\"}");
    free(s);
}
END_TEST

START_TEST(resubmit_phase_names)
{
    ck_assert_str_eq(net_resubmit_phase_name(NET_RESUBMIT_FIND_DIR), "looking for the directory");
    ck_assert_str_eq(net_resubmit_phase_name(NET_RESUBMIT_ADD_FILES), "adding files");
    ck_assert_str_eq(net_resubmit_phase_name(NET_RESUBMIT_DONE), "done");
    ck_assert_str_eq(net_resubmit_phase_name((enum net_resubmit_phase)99), "done");
}
END_TEST

START_TEST(decode_created_directory_and_file)
{
    const char *dir = "{\"id\":\"dir-1\",\"name\":\"n\",\"project_id\":\"p\",\"type\":\"user\","
                      "\"description\":null,\"created_at\":\"2026-12-04T11:05:10.760Z\","
                      "\"updated_at\":null,\"deleted_at\":null,\"expires_at\":null}";
    struct directory d;
    char *cause = NULL;
    ck_assert(decode_directory(dir, strlen(dir), &d, &cause));
    ck_assert_str_eq(d.id, "dir-1");
    ck_assert_str_eq(d.name, "n");
    ck_assert_ptr_null(d.description);
    directory_done(&d);
    ck_assert(!decode_directory("{\"name\":\"n\"}", 12, &d, &cause));
    ck_assert_ptr_nonnull(cause);
    free(cause);
    cause = NULL;
    const char *f = "{\"id\":\"dfl-1\",\"directory_id\":\"dir-1\",\"display_name\":\"a.pdf\","
                    "\"project_id\":\"p\",\"unique_id\":\"u\",\"file_id\":\"f-1\","
                    "\"metadata\":{\"k\":1},\"created_at\":null,\"updated_at\":null,"
                    "\"deleted_at\":null}";
    struct dir_file df;
    ck_assert(decode_dir_file(f, strlen(f), &df, &cause));
    ck_assert_str_eq(df.id, "dfl-1");
    ck_assert_str_eq(df.file_id, "f-1");
    ck_assert_str_eq(df.display_name, "a.pdf");
    dir_file_done(&df);
    ck_assert(!decode_dir_file("[1]", 3, &df, &cause));
    free(cause);
}
END_TEST

/* ================================================================ error bodies */

START_TEST(errbody_cases)
{
    struct net_error e;
    const char *v422 = "{\"detail\":[{\"loc\":[\"body\",\"config\",\"job\",\"type\"],"
                       "\"msg\":\"value is not a valid enumeration member\",\"type\":\"x\"}]}";
    errbody_format(422, v422, strlen(v422), &e);
    ck_assert_int_eq(e.http_status, 422);
    ck_assert_str_eq(e.message, "config.job.type: value is not a valid enumeration member");
    ck_assert_str_eq(e.field, "config.job.type");
    net_error_done(&e);

    const char *two = "{\"detail\":[{\"loc\":[\"body\",\"webhook_configurations\",0,"
                      "\"webhook_url\"],\"msg\":\"bad url\"},{\"loc\":[\"query\",\"page_size\"],"
                      "\"msg\":\"too big\"}]}";
    errbody_format(422, two, strlen(two), &e);
    ck_assert_str_eq(e.message, "webhook_configurations.0.webhook_url: bad url; "
                                "query.page_size: too big");
    ck_assert_str_eq(e.field, "webhook_configurations.0.webhook_url");
    net_error_done(&e);

    const char *str = "{\"detail\":\"Batch bat-1 not found\"}";
    errbody_format(404, str, strlen(str), &e);
    ck_assert_str_eq(e.message, "Batch bat-1 not found");
    ck_assert_ptr_null(e.field);
    net_error_done(&e);

    const char *hostile = "{\"detail\":\"a\\u001b[31mred\\u0007\\u009b\"}";
    errbody_format(400, hostile, strlen(hostile), &e);
    ck_assert_str_eq(e.message, "a?[31mred??");
    net_error_done(&e);

    errbody_format(401, str, strlen(str), &e);
    ck_assert_str_eq(e.message, "unauthorized \xe2\x80\x94 check LLAMA_CLOUD_API_KEY");
    net_error_done(&e);

    const char *html = "<html>\r\n<h1>503 Service Unavailable</h1></html>";
    errbody_format(503, html, strlen(html), &e);
    ck_assert_str_eq(e.message, "HTTP 503: <html>?"
                                "?<h1>503 Service Unavailable</h1></html>");
    net_error_done(&e);

    errbody_format(502, "", 0, &e);
    ck_assert_str_eq(e.message, "HTTP 502");
    net_error_done(&e);
    errbody_format(500, NULL, 0, &e);
    ck_assert_str_eq(e.message, "HTTP 500");
    net_error_done(&e);

    /* A long body is cut to 200 bytes, never inside a UTF-8 sequence. */
    char long_body[1000];
    for (int i = 0; i < 333; i++)
        memcpy(long_body + i * 3, "\xe2\x9c\x93", 3);
    errbody_format(500, long_body, 999, &e);
    ck_assert_uint_eq(strlen(e.message), strlen("HTTP 500: ") + 198);
    net_error_done(&e);

    /* Unusable detail shapes fall back to the raw text. */
    const char *odd = "{\"detail\":[1,2]}";
    errbody_format(422, odd, strlen(odd), &e);
    ck_assert_str_eq(e.message, "HTTP 422: {\"detail\":[1,2]}");
    net_error_done(&e);
}
END_TEST

/* True when s holds a prefix of key at least n bytes long anywhere. */
static bool holds_key_prefix(const char *s, const char *key, size_t n)
{
    char *p = xstrndup(key, n);
    bool found = strstr(s, p) != NULL;
    free(p);
    return found;
}

START_TEST(errbody_key_masked_before_the_cut)
{
    static const char key[] = "llx-SECRETKEY-0123456789abcdef";
    const size_t k = sizeof key - 1;
    struct net_error e;
    log_set_secret(key);

    /* A server echoing the key across the 500-byte cut of a detail string: before the fix
     * the cut came first and "llx-SECRETKEY-0" stayed on screen and in the log. */
    for (size_t at = ERRBODY_MAX - k; at <= ERRBODY_MAX; at++) {
        char detail[ERRBODY_MAX + 64];
        memset(detail, 'a', at);
        memcpy(detail + at, key, k);
        detail[at + k] = '\0';
        char *body = xasprintf("{\"detail\":\"%s and %s again\"}", detail, key);
        errbody_format(400, body, strlen(body), &e);
        ck_assert_uint_le(strlen(e.message), ERRBODY_MAX);
        ck_assert_msg(!holds_key_prefix(e.message, key, ERRBODY_PREFIX_MIN),
                      "key prefix shown with the key at %zu: %s", at, e.message);
        if (at < ERRBODY_MAX) /* some of it was before the cut: shown masked */
            ck_assert_ptr_nonnull(strchr(e.message, '*'));
        net_error_done(&e);
        free(body);
    }

    /* The raw (non-JSON) path cuts at 200 bytes. */
    for (size_t at = ERRBODY_RAW_MAX - k; at <= ERRBODY_RAW_MAX; at++) {
        char body[ERRBODY_RAW_MAX + 64];
        memset(body, '<', at);
        memcpy(body + at, key, k);
        errbody_format(502, body, at + k, &e);
        ck_assert_msg(!holds_key_prefix(e.message, key, ERRBODY_PREFIX_MIN),
                      "key prefix shown with the raw key at %zu: %s", at, e.message);
        net_error_done(&e);
    }

    /* Every occurrence, also one written with JSON escapes and one after a control byte. */
    const char *esc = "{\"detail\":\"\\u006clx-SECRETKEY-0123456789abcdef|"
                      "\\u001bllx-SECRETKEY-0123456789abcdef|llx-SECRETKEY-0123456789abcdef\"}";
    errbody_format(404, esc, strlen(esc), &e);
    ck_assert_str_eq(e.message, "******************************|?******************************|"
                                "******************************");
    net_error_done(&e);

    /* A body that itself holds only part of the key, cut inside that part. */
    char part[ERRBODY_RAW_MAX + 64];
    memset(part, 'x', ERRBODY_RAW_MAX - 8);
    memcpy(part + ERRBODY_RAW_MAX - 8, key, 20);
    errbody_format(500, part, ERRBODY_RAW_MAX + 12, &e);
    ck_assert(!holds_key_prefix(e.message, key, ERRBODY_PREFIX_MIN));
    ck_assert(strstr(e.message, "xx********") != NULL);
    net_error_done(&e);

    /* The 422 list: path and message joined, then masked, then cut. */
    char *v422 = xasprintf("{\"detail\":[{\"loc\":[\"body\",\"x\"],\"msg\":\"%0*d%s\"}]}",
                           ERRBODY_MAX - 10, 0, key);
    errbody_format(422, v422, strlen(v422), &e);
    ck_assert(!holds_key_prefix(e.message, key, ERRBODY_PREFIX_MIN));
    net_error_done(&e);
    free(v422);

    log_set_secret(NULL);
}
END_TEST

START_TEST(errbody_scrub_pure)
{
    char s[] = "k3yk3y-k3\0k3y";
    errbody_scrub(s, sizeof s - 1, "k3y");
    ck_assert_int_eq(memcmp(s, "******-k3\0***", sizeof s - 1), 0);
    char t[] = "abc";
    errbody_scrub(t, 3, NULL);
    errbody_scrub(t, 3, "");
    errbody_scrub(t, 3, "abcd");
    ck_assert_str_eq(t, "abc");
}
END_TEST

/* ================================================================ the debug log */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = xcalloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(log_file_private_and_redacted)
{
    char dir[] = "/tmp/bt-log-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *path = xasprintf("%s/debug.log", dir);
    umask(022);
    char *cause = NULL;
    ck_assert(log_open(path, &cause));
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    log_set_secret("llx-LOGKEY");
    log_printf("net", "GET %s (try 1)", "http://alice:hunter2@api.example.com/api/v2/batches");
    log_printf("net", "key llx-LOGKEY in a line");
    log_close();
    char *text = read_all(path);
    ck_assert_ptr_null(strstr(text, "hunter2"));
    ck_assert_ptr_null(strstr(text, "alice"));
    ck_assert_ptr_null(strstr(text, "llx-LOGKEY"));
    ck_assert_ptr_nonnull(strstr(text, "GET http://***@api.example.com/api/v2/batches (try 1)"));
    free(text);

    /* A link planted where the log goes is refused, with what it points at; the target is
     * left alone. */
    char *target = xasprintf("%s/target", dir), *link = xasprintf("%s/link.log", dir);
    FILE *t = fopen(target, "w");
    ck_assert_ptr_nonnull(t);
    fputs("precious\n", t);
    fclose(t);
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert(!log_open(link, &cause));
    ck_assert_ptr_nonnull(cause);
    ck_assert_ptr_nonnull(strstr(cause, "symbolic link"));
    ck_assert_ptr_nonnull(strstr(cause, target));
    free(cause);
    cause = NULL;
    text = read_all(target);
    ck_assert_str_eq(text, "precious\n");
    free(text);

    /* A FIFO is refused at once (no reader would block the start). */
    char *fifo = xasprintf("%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert(!log_open(fifo, &cause));
    ck_assert_ptr_nonnull(cause);
    free(cause);

    unlink(fifo);
    unlink(link);
    unlink(target);
    unlink(path);
    rmdir(dir);
    free(fifo);
    free(link);
    free(target);
    free(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("net-unit");
    TCase *t = tcase_create("url");
    tcase_add_test(t, url_base_with_or_without_slash);
    tcase_add_test(t, url_ids_escaped);
    tcase_add_test(t, url_list_filters_and_scope);
    tcase_add_test(t, url_job_ids_repeat);
    tcase_add_test(t, url_loopback_is_literal_only);
    tcase_add_test(t, url_cleartext_and_endpoint);
    tcase_add_test(t, url_redact_userinfo);
    suite_add_tcase(s, t);
    t = tcase_create("retry");
    tcase_add_test(t, retry_table);
    tcase_add_test(t, retry_backoff_and_jitter);
    tcase_add_test(t, retry_http_date);
    tcase_add_test(t, retry_scaled_for_tests);
    suite_add_tcase(s, t);
    t = tcase_create("decode");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, decode_batch_good);
    tcase_add_test(t, decode_batch_bad);
    tcase_add_test(t, decode_batch_streamed);
    tcase_add_test(t, decode_truncated_everywhere);
    tcase_add_test(t, decode_pages);
    tcase_add_test(t, decode_pages_in_two_steps);
    tcase_add_test(t, decode_token_hint);
    tcase_add_test(t, decode_other_pages);
    tcase_add_test(t, decode_outputs);
    tcase_add_test(t, decode_output_pages_and_usage);
    tcase_add_test(t, decode_big_and_deep);
    tcase_add_test(t, decode_garbage_never_crashes);
    tcase_add_test(t, encode_create_body);
    tcase_add_test(t, encode_resubmit_bodies);
    tcase_add_test(t, decode_created_directory_and_file);
    tcase_add_test(t, resubmit_phase_names);
    tcase_add_test(t, decode_nul_kept_visible_or_refused);
    suite_add_tcase(s, t);
    t = tcase_create("jsonexact");
    tcase_add_test(t, exact_numbers_as_sent);
    tcase_add_test(t, exact_keys_kept_in_order_with_duplicates);
    tcase_add_test(t, exact_strings_as_sent);
    tcase_add_test(t, exact_nesting_and_empty_containers);
    tcase_add_test(t, exact_layout_matches_json_c);
    tcase_add_test(t, exact_member_span);
    tcase_add_test(t, exact_array_elements);
    tcase_add_test(t, exact_refuses_invalid_and_hostile);
    tcase_add_test(t, exact_fallbacks_in_decode);
    suite_add_tcase(s, t);
    t = tcase_create("errbody");
    tcase_add_test(t, errbody_cases);
    tcase_add_test(t, errbody_key_masked_before_the_cut);
    tcase_add_test(t, errbody_scrub_pure);
    suite_add_tcase(s, t);
    t = tcase_create("log");
    tcase_add_test(t, log_file_private_and_redacted);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
