/* main.c -- batchtop's entry point: command line, environment, then the terminal UI. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#if HAVE_MALLOC_H
#include <malloc.h>
#endif
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
#include "tui/settings.h"
#include "tui/term.h"
#include "tui/text.h"

#define DEFAULT_BASE_URL "https://api.cloud.llamaindex.ai"

static void usage(FILE *out)
{
    fputs("Usage: batchtop [OPTION]...\n"
          "Launch and watch LlamaCloud document-processing batches.\n\n"
          "  --profile NAME          use [profile NAME] of the configuration file\n"
          "                          (default $BATCHTOP_PROFILE)\n"
          "  --print-config          print the effective settings and where each comes\n"
          "                          from, then exit (never the key)\n"
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
          "The API key is read from LLAMA_CLOUD_API_KEY, else from api_key_command in the\n"
          "configuration file ($XDG_CONFIG_HOME/batchtop/config, else\n"
          "~/.config/batchtop/config; see batchtop(1)). Press ? inside for every key.\n"
          "Subcommands for scripts (list, get, results, output, create, cancel, wait, dirs,\n"
          "configs, resubmit): see `batchtop help`.\n",
          out);
}

/* ---- profiles: what a switch inside the TUI needs ---- */

static struct settings_args g_args; /* the command line, which a profile never overrides */
static struct app_options g_base;   /* what no profile changes (log, cache, custom headers) */
struct loaded {
    struct settings st;
    char *key;
};
static struct loaded *g_loaded; /* every profile loaded this run; freed at exit, so the strings
                                   of the options in use stay valid */
static size_t g_n_loaded;
static struct notify_config g_notify; /* [notify] of the file read at start (shallow) */

static void fill_options(struct app_options *o, const struct loaded *l)
{
    *o = g_base;
    o->base_url = l->st.base_url;
    o->api_key = l->key;
    o->project_id = l->st.project_id;
    o->organization_id = l->st.organization_id;
    o->refresh_s = l->st.refresh_s;
    o->readonly = l->st.readonly;
    o->color = g_base.color; /* colours were set up at start */
    o->profile = l->st.profile;
    o->production = l->st.production;
    o->confirm_create = l->st.confirm_create;
}

static bool switch_to(const char *profile, struct app_options *out, char **why)
{
    struct settings_args args = g_args;
    args.profile = profile;
    args.no_profile = profile == NULL;
    struct loaded l;
    char *path = settings_path(), *cause = NULL;
    bool ok = settings_load(&l.st, path, &args, NULL, why);
    free(path);
    if (!ok)
        return false;
    if (!url_base_valid(l.st.base_url, &cause)) {
        char *shown = url_redact(l.st.base_url);
        *why = xasprintf("the base URL %s is not usable: %s", shown, cause ? cause : "invalid");
        free(shown);
        free(cause);
        settings_done(&l.st);
        return false;
    }
    l.key = settings_api_key(&l.st, why);
    if (l.key == NULL) {
        settings_done(&l.st);
        return false;
    }
    log_set_secret(l.key);
    g_loaded = xreallocarray(g_loaded, g_n_loaded + 1, sizeof *g_loaded);
    g_loaded[g_n_loaded++] = l;
    fill_options(out, &g_loaded[g_n_loaded - 1]);
    out->profiles = (const char *const *)g_loaded[0].st.profiles;
    out->n_profiles = g_loaded[0].st.n_profiles;
    out->switch_to = switch_to;
    return true;
}

static void free_loaded(void)
{
    for (size_t i = 0; i < g_n_loaded; i++) {
        settings_key_free(g_loaded[i].key);
        settings_done(&g_loaded[i].st);
    }
    free(g_loaded);
    g_loaded = NULL;
    g_n_loaded = 0;
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
        {"profile", required_argument, NULL, 'P'},
        {"print-config", no_argument, NULL, 'S'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct app_options opt;
    memset(&opt, 0, sizeof opt);
    opt.refresh_s = 5;
    opt.color = true;
    struct settings_args sargs;
    memset(&sargs, 0, sizeof sargs);
    bool print_config = false;
    int c;

    setlocale(LC_ALL, "");
    if (cli_subcommand(argc, argv) != NULL) {
        text_init();
        return cli_main(argc, argv);
    }
    term_alloc_failure_install();
#if HAVE_MALLOC_H && HAVE_MALLOPT && defined(M_ARENA_MAX)
    /* One malloc arena for both threads (before the net thread starts). What the net thread
     * allocates (a batch's 100,000 results, names, statuses) is freed by the UI thread and
     * the other way round; with an arena each, memory freed in one was not reused by the
     * other, and a 100,000-file batch's peak RSS was ~10-30 MB higher (issue 14). */
    mallopt(M_ARENA_MAX, 1);
#endif
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("batchtop %s\n", PACKAGE_VERSION);
            return 0;
        case 'b':
            sargs.base_url = optarg;
            break;
        case 'p':
            sargs.project_id = optarg;
            break;
        case 'o':
            sargs.organization_id = optarg;
            break;
        case 'P':
            sargs.profile = optarg;
            break;
        case 'S':
            print_config = true;
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
            sargs.refresh_s = (int)v;
            break;
        }
        case 'R':
            sargs.readonly = true;
            break;
        case 'C':
            sargs.no_color = true;
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
    /* the configuration file, the environment and the options, in that order of strength */
    struct settings st;
    char *path = settings_path(), *why = NULL;
    bool loaded = settings_load(&st, path, &sargs, stderr, &why);
    free(path);
    if (!loaded) {
        fprintf(stderr, "batchtop: %s\n", why);
        free(why);
        return 2;
    }
    if (print_config) {
        settings_print(&st, stdout);
        settings_done(&st);
        return 0;
    }
    settings_apply_colors(&st);
    if (!settings_apply_keys(&st, &why)) {
        fprintf(stderr, "batchtop: %s\n", why);
        free(why);
        settings_done(&st);
        return 2;
    }
    const char *base_url = st.base_url;
    opt.project_id = st.project_id;
    opt.organization_id = st.organization_id;
    opt.refresh_s = st.refresh_s;
    opt.readonly = st.readonly;
    opt.color = st.color;
    opt.profile = st.profile;
    opt.production = st.production;
    opt.confirm_create = st.confirm_create;
    if (!opt.demo) {
        char *cause = NULL;
        if (!url_base_valid(base_url, &cause)) {
            char *shown = url_redact(base_url);
            fprintf(stderr, "batchtop: the base URL %s is not usable: %s\n", shown, cause);
            free(shown);
            free(cause);
            settings_done(&st);
            return 2;
        }
    }
    char *key = NULL;
    if (!opt.demo) {
        key = settings_api_key(&st, &why);
        if (key == NULL) {
            fprintf(stderr, "batchtop: %s%s\n", why,
                    st.s[SETTING_API_KEY_COMMAND].value ? "" : " (or try --demo)");
            free(why);
            settings_done(&st);
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
        settings_key_free(key);
        settings_done(&st);
        return 2;
    }
    {
        char *cause = NULL;
        if (!term_check(&cause)) {
            fprintf(stderr, "batchtop: %s\n", cause);
            free(cause);
            settings_key_free(key);
            settings_done(&st);
            return 2;
        }
    }

    text_init();
    if (opt.log_path) {
        char *cause = NULL;
        if (!log_open(opt.log_path, &cause)) {
            fprintf(stderr, "batchtop: --log %s: %s\n", opt.log_path, cause ? cause : "error");
            free(cause);
            settings_key_free(key);
            settings_done(&st);
            return 2;
        }
    }

    char *demo_url = NULL, *demo_key = NULL;
    if (opt.demo) {
        char *cause = NULL;
        if (!demo_start(&demo_url, &demo_key, &cause)) {
            fprintf(stderr, "batchtop: --demo: %s\n", cause ? cause : "cannot start batchtop-sim");
            free(cause);
            settings_key_free(key);
            settings_done(&st);
            return 2;
        }
        atexit(demo_stop);
        term_set_exit_hook(demo_stop);
        opt.base_url = demo_url;
        opt.api_key = demo_key;
    } else {
        opt.base_url = base_url;
        opt.api_key = key;
    }
    opt.custom_headers = getenv("LLAMA_CLOUD_CUSTOM_HEADERS");
    log_set_secret(opt.api_key);
    g_notify = st.notify;
    opt.notify = &g_notify;
    /* kept for the profile switcher (P), which loads the file again for another profile */
    g_args = sargs;
    g_base = opt;
    g_loaded = xcalloc(1, sizeof *g_loaded);
    g_loaded[0].st = st; /* moved: freed by free_loaded */
    g_loaded[0].key = key;
    g_n_loaded = 1;
    if (!opt.demo) {
        opt.profiles = (const char *const *)st.profiles;
        opt.n_profiles = st.n_profiles;
        opt.switch_to = switch_to;
    }
    if (log_enabled())
        log_printf("ui", "batchtop %s starting; endpoint %s", PACKAGE_VERSION,
                   opt.demo ? "demo simulator" : "set");

    int rc = app_run(&opt);
    tui_done();
    demo_stop();
    log_close();
    free(demo_url);
    free(demo_key);
    free_loaded();
    return rc;
}
