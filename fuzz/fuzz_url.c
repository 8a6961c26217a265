/* fuzz_url.c -- libFuzzer target for URL building (net/url.h) and the create body encoder. */
#include "config.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "net/decode.h"
#include "net/url.h"

/*
 * Input: newline-separated fields: id, second id, page token, project id. Checked contracts
 * (url.h): an escaped value holds only A-Z a-z 0-9 - _ ~ and %XX and decodes back to the
 * original bytes, so a path built from an ID is always exactly one segment ("../x?y#z%" can
 * never change the route); every URL starts with the base and its path is the expected one.
 * decode_create_body's JSON parses back to the same IDs.
 */

#define BASE "http://127.0.0.1:9"

static bool unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '~';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Check that esc[0..n) is a strict escape of orig. */
static void check_escaped(const char *esc, size_t n, const char *orig)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (esc[i] == '%') {
            FUZZ_CHECK(i + 2 < n);
            int hi = hexval(esc[i + 1]), lo = hexval(esc[i + 2]);
            FUZZ_CHECK(hi >= 0 && lo >= 0);
            FUZZ_CHECK((unsigned char)orig[o] == (unsigned)(hi * 16 + lo));
            FUZZ_CHECK(!unreserved(orig[o]));
            i += 2;
        } else {
            FUZZ_CHECK(unreserved(esc[i]));
            FUZZ_CHECK(orig[o] == esc[i]);
        }
        o++;
    }
    FUZZ_CHECK(orig[o] == '\0');
}

/* url must be BASE + prefix + escaped(id) + suffix, then nothing or a query. */
static void check_path(char *url, const char *prefix, const char *id, const char *suffix)
{
    size_t bl = strlen(BASE), pl = strlen(prefix), sl = strlen(suffix);
    FUZZ_CHECK(strncmp(url, BASE, bl) == 0);
    FUZZ_CHECK(strncmp(url + bl, prefix, pl) == 0);
    const char *seg = url + bl + pl;
    size_t end = strcspn(seg, "?");
    FUZZ_CHECK(end >= sl && strncmp(seg + end - sl, suffix, sl) == 0);
    check_escaped(seg, end - sl, id);
    FUZZ_CHECK(strchr(url, '#') == NULL);
    free(url);
}

static const char *field(char **p)
{
    char *s = *p, *nl = strchr(s, '\n');
    if (nl != NULL) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

static void check_create_body(const char *dir, const char *cfg, enum job_type type)
{
    char *body = decode_create_body(dir, type, cfg);
    struct json_object *root = json_tokener_parse(body), *config, *job, *v;
    FUZZ_CHECK(root != NULL);
    FUZZ_CHECK(json_object_object_get_ex(root, "source_directory_id", &v));
    FUZZ_CHECK(strcmp(json_object_get_string(v), dir) == 0);
    FUZZ_CHECK(json_object_object_get_ex(root, "config", &config));
    FUZZ_CHECK(json_object_object_get_ex(config, "job", &job));
    FUZZ_CHECK(json_object_object_get_ex(job, "configuration_id", &v));
    FUZZ_CHECK(strcmp(json_object_get_string(v), cfg) == 0);
    FUZZ_CHECK(json_object_object_get_ex(job, "type", &v));
    FUZZ_CHECK(strcmp(json_object_get_string(v), type == JOB_TYPE_PARSE ? "parse_v2"
                                                                         : "extract_v2") == 0);
    json_object_put(root);
    free(body);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    FUZZ_CHECK(buf != NULL);
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *p = buf;
    const char *id = field(&p), *id2 = field(&p), *token = field(&p), *project = field(&p);

    char *esc = url_escape(id);
    check_escaped(esc, strlen(esc), id);
    free(esc);

    struct url_ctx c = {.base_url = BASE "/", .project_id = project, .page_size = 100};
    check_path(url_batch_get(&c, id, true), "/api/v2/batches/", id, "");
    check_path(url_batch_cancel(&c, id), "/api/v2/batches/", id, "/cancel");
    check_path(url_directory_files(&c, id, token), "/api/v1/beta/directories/", id, "/files");
    check_path(url_job_get(&c, JOB_TYPE_PARSE, id), "/api/v2/parse/", id, "");
    check_path(url_job_get(&c, JOB_TYPE_EXTRACT, id), "/api/v2/extract/", id, "");

    struct url_batch_filter f = {.status = id, .source_directory_id = id2,
                                 .created_at_on_or_after = token};
    char *u = url_batch_list(&c, &f, token);
    check_path(u, "/api/v2/batches", "", "");
    const char *ids[] = {id, id2, token};
    u = url_job_list(&c, JOB_TYPE_PARSE, ids, 3, token);
    size_t hits = 0;
    for (const char *q = u; (q = strstr(q, "job_ids=")) != NULL; q++)
        hits++;
    /* empty values are not sent (url.c sb_param), every other one is */
    FUZZ_CHECK(hits == (size_t)(id[0] != '\0') + (id2[0] != '\0') + (token[0] != '\0'));
    check_path(u, "/api/v2/parse", "", "");
    check_path(url_config_list(&c, id, token), "/api/v1/beta/configurations", "", "");
    check_path(url_directory_list(&c, id2, token), "/api/v1/beta/directories", "", "");
    check_path(url_directory_get(&c, id), "/api/v1/beta/directories/", id, "");
    check_path(url_directory_file_add(&c, id), "/api/v1/beta/directories/", id, "/files");
    check_path(url_directory_create(&c), "/api/v1/beta/directories", "", "");

    check_create_body(id, id2, JOB_TYPE_PARSE);
    check_create_body(id2, id, JOB_TYPE_EXTRACT);
    free(buf);
    return 0;
}
