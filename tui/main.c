/* main.c -- batchtop's entry point: command line, environment, then the terminal UI. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "net/log.h"
#include "net/url.h"
#include "tui/app.h"
#include "tui/cli.h"
#include "tui/demo.h"
#include "tui/term.h"
#include "tui/text.h"

#define DEFAULT_BASE_URL "https://api.cloud.llamaindex.ai"

static void usage(FILE *out)
{
    fputs("Usage: batchtop [OPTION]...\n"
          "Launch and watch LlamaCloud document-processing batches.\n\n"
          "  --base-url URL          API base URL (default $LLAMA_CLOUD_BASE_URL, else US)\n"
          "  --project-id ID         send project_id with every request\n"
          "  --organization-id ID    send organization_id with every request\n"
          "  --refresh SECONDS       live refresh interval (default 5, at least 2)\n"
          "  --readonly              refuse create and cancel\n"
          "  --no-color              no colour (also when NO_COLOR is set)\n"
          "  --log FILE              write a debug log to FILE (never the key)\n"
          "  --no-cache              read and write no snapshot of the list\n"
          "                          (~/.cache/batchtop/)\n"
          "  --demo                  start batchtop-sim and connect to it (no key needed)\n"
          "  --version               print the version and exit\n"
          "  --help                  print this help and exit\n\n"
          "The API key is read from LLAMA_CLOUD_API_KEY. Press ? inside for every key.\n"
          "Subcommands for scripts (list, get, results, output, create, cancel, wait, dirs,\n"
          "configs, resubmit): see `batchtop help`.\n",
          out);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"base-url", required_argument, NULL, 'b'},
        {"project-id", required_argument, NULL, 'p'},
        {"organization-id", required_argument, NULL, 'o'},
        {"refresh", required_argument, NULL, 'r'},
        {"readonly", no_argument, NULL, 'R'},
        {"no-color", no_argument, NULL, 'C'},
        {"log", required_argument, NULL, 'l'},
        {"demo", no_argument, NULL, 'd'},
        {"no-cache", no_argument, NULL, 'N'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct app_options opt;
    memset(&opt, 0, sizeof opt);
    opt.refresh_s = 5;
    opt.color = true;
    const char *base_url = NULL;
    int c;

    setlocale(LC_ALL, "");
    if (cli_subcommand(argc, argv) != NULL) {
        text_init();
        return cli_main(argc, argv);
    }
    term_alloc_failure_install();
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("batchtop %s\n", PACKAGE_VERSION);
            return 0;
        case 'b':
            base_url = optarg;
            break;
        case 'p':
            opt.project_id = optarg;
            break;
        case 'o':
            opt.organization_id = optarg;
            break;
        case 'r': {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v <= 0 || v > 86400) {
                fprintf(stderr, "batchtop: --refresh wants whole seconds (2 to 86400), not '%s'\n",
                        optarg);
                return 2;
            }
            if (v < 2) {
                fprintf(stderr, "batchtop: --refresh %ld is below the floor; using 2 s\n", v);
                v = 2;
            }
            opt.refresh_s = (int)v;
            break;
        }
        case 'R':
            opt.readonly = true;
            break;
        case 'C':
            opt.color = false;
            break;
        case 'l':
            opt.log_path = optarg;
            break;
        case 'd':
            opt.demo = true;
            break;
        case 'N':
            opt.no_cache = true;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "batchtop: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    const char *no_color = getenv("NO_COLOR");
    if (no_color && no_color[0])
        opt.color = false;

    const char *env_key = getenv("LLAMA_CLOUD_API_KEY");
    if (!opt.demo && (!env_key || !env_key[0])) {
        fputs("batchtop: no API key: set LLAMA_CLOUD_API_KEY (or try --demo)\n", stderr);
        return 2;
    }
    if (!base_url)
        base_url = getenv("LLAMA_CLOUD_BASE_URL");
    if (!base_url || !base_url[0])
        base_url = DEFAULT_BASE_URL;
    if (!opt.demo) {
        char *cause = NULL;
        if (!url_base_valid(base_url, &cause)) {
            char *shown = url_redact(base_url);
            fprintf(stderr, "batchtop: the base URL %s is not usable: %s\n", shown, cause);
            free(shown);
            free(cause);
            return 2;
        }
    }
    /* Said again in the header for as long as batchtop runs (this line is seen after exit). */
    if (!opt.demo && url_cleartext_remote(base_url))
        fputs("batchtop: warning: the base URL uses http:// to a remote host; "
              "the API key travels in clear text\n",
              stderr);
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fputs("batchtop: needs a terminal (stdin and stdout must be a tty)\n", stderr);
        return 2;
    }
    {
        char *cause = NULL;
        if (!term_check(&cause)) {
            fprintf(stderr, "batchtop: %s\n", cause);
            free(cause);
            return 2;
        }
    }

    text_init();
    if (opt.log_path) {
        char *cause = NULL;
        if (!log_open(opt.log_path, &cause)) {
            fprintf(stderr, "batchtop: --log %s: %s\n", opt.log_path, cause ? cause : "error");
            free(cause);
            return 2;
        }
    }

    char *demo_url = NULL, *demo_key = NULL;
    if (opt.demo) {
        char *cause = NULL;
        if (!demo_start(&demo_url, &demo_key, &cause)) {
            fprintf(stderr, "batchtop: --demo: %s\n", cause ? cause : "cannot start batchtop-sim");
            free(cause);
            return 2;
        }
        atexit(demo_stop);
        term_set_exit_hook(demo_stop);
        opt.base_url = demo_url;
        opt.api_key = demo_key;
    } else {
        opt.base_url = base_url;
        opt.api_key = env_key;
    }
    opt.custom_headers = getenv("LLAMA_CLOUD_CUSTOM_HEADERS");
    log_set_secret(opt.api_key);
    if (log_enabled())
        log_printf("ui", "batchtop %s starting; endpoint %s", PACKAGE_VERSION,
                   opt.demo ? "demo simulator" : "set");

    int rc = app_run(&opt);
    tui_done();
    demo_stop();
    log_close();
    free(demo_url);
    free(demo_key);
    return rc;
}
