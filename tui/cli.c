/* cli.c -- batchtop's subcommands: the network thread of the TUI, driven from a script. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#if HAVE_MALLOC_H
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/clock.h"
#include "model/detail.h"
#include "model/localsrc.h"
#include "model/strmap.h"
#include "model/xalloc.h"
#include "net/encode.h"
#include "net/log.h"
#include "net/net.h"
#include "net/snapshot.h"
#include "net/url.h"
#include "tui/cli.h"
#include "tui/cli_out.h"
#include "tui/cli_results.h"
#include "tui/notify.h"
#include "tui/settings.h"
#include "tui/text.h"

#define DEFAULT_BASE_URL "https://api.cloud.llamaindex.ai"
#define CREATE_TRIES 5 /* sends of a create the server showed it did not make */
#define FIND_TRIES 8   /* look-ups of a create whose outcome was unknown */

enum sub {
    S_LIST,
    S_GET,
    S_RESULTS,
    S_OUTPUT,
    S_CREATE,
    S_CANCEL,
    S_WAIT,
    S_DIRS,
    S_CONFIGS,
    S_RESUBMIT,
    S_HELP,
    S_COUNT
};

#define M(s) (1u << (s))
#define ALL_SUBS (M(S_COUNT) - 1)
#define ROWS                                                                                      \
    (M(S_LIST) | M(S_GET) | M(S_RESULTS) | M(S_CREATE) | M(S_WAIT) | M(S_DIRS) | M(S_CONFIGS) |   \
     M(S_CANCEL) | M(S_RESUBMIT))

static const struct sub_info {
    const char *name, *args, *what;
} subs[S_COUNT] = {
    [S_LIST] = {"list",
                "[--status S]... [--directory DIR_ID] [--since T] [--until T] "
                "[--limit N] [--ids] [--cached]",
                "every batch, newest first (filters: status, directory, created time)"},
    [S_GET] = {"get", "BATCH_ID", "one batch and how many of its files are in each job status"},
    [S_RESULTS] = {"results", "BATCH_ID [--failed] [--status S]...",
                   "one row per file: name, file ID, job ID, job status, error"},
    [S_OUTPUT] = {"output", "BATCH_ID FILE | JOB_ID [--markdown|--text|--json] [-o FILE]",
                  "a job's output (FILE: the file's name or dfl- ID in the batch)"},
    [S_CREATE] = {"create",
                  "--directory DIR_ID|--from PATH --type parse_v2|extract_v2 --config CFG_ID "
                  "[--name NAME] [--ephemeral] [--hidden] [--yes] [--no-batch] "
                  "[--wait [--jobs] [--timeout D] [--notify]]",
                  "start a batch (never twice, even when an answer is lost); prints its ID"},
    [S_CANCEL] = {"cancel", "BATCH_ID...", "ask the server to cancel batches"},
    [S_WAIT] = {"wait", "BATCH_ID... [--timeout D] [--jobs] [--notify]",
                "follow batches until they end; with --jobs, until every file's job ends"},
    [S_DIRS] = {"dirs", "", "the project's directories"},
    [S_CONFIGS] = {"configs", "[--type parse_v2|extract_v2]", "saved configurations"},
    [S_RESUBMIT] = {"resubmit",
                    "BATCH_ID [--failed|--not-completed] [--name NAME] "
                    "[--type parse_v2|extract_v2] [--config CFG_ID] [--wait [--jobs] "
                    "[--timeout D] [--notify]]",
                    "run a batch's failed files again as a new batch (never twice)"},
    [S_HELP] = {"help", "[SUBCOMMAND]", "this help, or one subcommand's"},
};

enum opt_id {
    OPT_BASE_URL = 256,
    OPT_PROJECT,
    OPT_ORG,
    OPT_LOG,
    OPT_NO_CACHE,
    OPT_REFRESH,
    OPT_NO_COLOR,
    OPT_READONLY,
    OPT_PROFILE,
    OPT_NOTIFY,
    OPT_HELP,
    OPT_VERSION,
    OPT_JSON,
    OPT_JSONL,
    OPT_CSV,
    OPT_STATUS,
    OPT_DIRECTORY,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_LIMIT,
    OPT_IDS,
    OPT_CACHED,
    OPT_FAILED,
    OPT_MARKDOWN,
    OPT_TEXT,
    OPT_OUTFILE,
    OPT_TYPE,
    OPT_CONFIG,
    OPT_WAIT,
    OPT_JOBS,
    OPT_TIMEOUT,
    OPT_NOT_COMPLETED,
    OPT_NAME,
    OPT_FROM,
    OPT_EPHEMERAL,
    OPT_HIDDEN,
    OPT_YES,
    OPT_NO_BATCH,
};

static const struct option long_opts[] = {
    {"base-url", required_argument, NULL, OPT_BASE_URL},
    {"project-id", required_argument, NULL, OPT_PROJECT},
    {"organization-id", required_argument, NULL, OPT_ORG},
    {"log", required_argument, NULL, OPT_LOG},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"refresh", required_argument, NULL, OPT_REFRESH},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"notify", no_argument, NULL, OPT_NOTIFY},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"json", no_argument, NULL, OPT_JSON},
    {"jsonl", no_argument, NULL, OPT_JSONL},
    {"csv", no_argument, NULL, OPT_CSV},
    {"status", required_argument, NULL, OPT_STATUS},
    {"directory", required_argument, NULL, OPT_DIRECTORY},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"ids", no_argument, NULL, OPT_IDS},
    {"cached", no_argument, NULL, OPT_CACHED},
    {"failed", no_argument, NULL, OPT_FAILED},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"text", no_argument, NULL, OPT_TEXT},
    {"output", required_argument, NULL, OPT_OUTFILE},
    {"type", required_argument, NULL, OPT_TYPE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"wait", no_argument, NULL, OPT_WAIT},
    {"jobs", no_argument, NULL, OPT_JOBS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"not-completed", no_argument, NULL, OPT_NOT_COMPLETED},
    {"name", required_argument, NULL, OPT_NAME},
    {"from", required_argument, NULL, OPT_FROM},
    {"ephemeral", no_argument, NULL, OPT_EPHEMERAL},
    {"hidden", no_argument, NULL, OPT_HIDDEN},
    {"yes", no_argument, NULL, OPT_YES},
    {"no-batch", no_argument, NULL, OPT_NO_BATCH},
    {NULL, 0, NULL, 0},
};

/* Which subcommands take each option (the global ones: all). */
static unsigned opt_subs(int id)
{
    switch (id) {
    case OPT_JSON:
    case OPT_JSONL:
    case OPT_CSV:
        return ROWS | M(S_OUTPUT);
    case OPT_STATUS:
        return M(S_LIST) | M(S_RESULTS);
    case OPT_DIRECTORY:
        return M(S_LIST) | M(S_CREATE);
    case OPT_SINCE:
    case OPT_UNTIL:
    case OPT_LIMIT:
    case OPT_IDS:
    case OPT_CACHED:
        return M(S_LIST);
    case OPT_FAILED:
        return M(S_RESULTS) | M(S_RESUBMIT);
    case OPT_NOT_COMPLETED:
        return M(S_RESUBMIT);
    case OPT_NAME:
        return M(S_RESUBMIT) | M(S_CREATE);
    case OPT_FROM:
    case OPT_EPHEMERAL:
    case OPT_HIDDEN:
    case OPT_YES:
    case OPT_NO_BATCH:
        return M(S_CREATE);
    case OPT_MARKDOWN:
    case OPT_TEXT:
    case 'o':
    case OPT_OUTFILE:
        return M(S_OUTPUT);
    case OPT_TYPE:
        return M(S_CREATE) | M(S_CONFIGS) | M(S_RESUBMIT);
    case OPT_CONFIG:
    case OPT_WAIT:
        return M(S_CREATE) | M(S_RESUBMIT);
    case OPT_JOBS:
    case OPT_TIMEOUT:
        return M(S_WAIT) | M(S_CREATE) | M(S_RESUBMIT);
    default:
        return ALL_SUBS;
    }
}

struct cli {
    enum sub sub;
    const char *prog; /* "batchtop list" for messages */
    /* connection */
    const char *base_url, *api_key, *project_id, *organization_id, *log_path;
    int refresh_s; /* 0 until given: then the configuration's, else 5 */
    bool no_cache, readonly, color;
    const char *profile;
    bool notify;              /* wait --notify: run [notify] command for each batch */
    struct settings settings; /* the configuration file, the environment and the options */
    char *key;                /* from LLAMA_CLOUD_API_KEY or api_key_command; wiped at exit */
    /* output */
    enum out_format fmt;
    bool tty_out, tty_err;
    /* options */
    char **statuses;
    size_t n_statuses;
    const char *directory, *config, *outfile, *name;
    const char *from; /* create --from: a local folder, file or glob */
    enum job_type type;
    bool type_set, ids, cached, failed, not_completed, wait, jobs;
    bool ephemeral, hidden, yes, no_batch; /* create --from */
    int doc;                               /* output: 0 default, 1 markdown, 2 text, 3 json */
    int64_t since_ms, until_ms, timeout_ms;
    long limit;
    char **args;
    size_t n_args;
    const char *resubmit_of; /* resubmit --wait: the original, named in each JSON row */
    /* session */
    struct net *net;
    struct net_msg *queue;
    int64_t deadline; /* clock_mono_ms() when --timeout ends, 0 for none */
    struct out_text line; /* list_row's JSON, reused row after row */
};

/* ---- signals: SIGINT and SIGTERM end the poll through a pipe ---- */

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    int saved = errno;
    got_signal = sig;
    if (sig_pipe[1] >= 0)
        (void)!write(sig_pipe[1], "x", 1);
    errno = saved;
}

static bool signals_install(void)
{
    if (pipe(sig_pipe) != 0)
        return false;
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
        fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return true;
}

static int signal_status(void)
{
    return got_signal == SIGTERM ? 128 + SIGTERM : CLI_INTERRUPTED;
}

/* ---- messages ---- */

static void err_line(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void err_line(const struct cli *c, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    /* server text is in it: never an escape byte on the operator's terminal */
    char *clean = text_clean(text ? text : "error");
    fprintf(stderr, "%s: %s\n", c->prog, clean);
    free(clean);
    free(text);
}

/* "422 config.job.type: not valid" (the field is already in the message when the API named it). */
static char *error_text(const struct net_error *e)
{
    const char *msg = e->message ? e->message : "unknown error";
    if (e->http_status > 0)
        return xasprintf("%d %s", e->http_status, msg);
    return xstrdup(msg);
}

static void api_error(const struct cli *c, const char *what, const struct net_error *e)
{
    char *t = error_text(e);
    if (what != NULL)
        err_line(c, "%s: %s", what, t);
    else
        err_line(c, "%s", t);
    free(t);
}

/*
 * The next message from the net thread, oldest first. NULL with *rc set when the wait ended:
 * a signal (130), the --timeout deadline (CLI_TIMEOUT), or `until` (clock_mono_ms, 0: none)
 * passed (CLI_OK). Sleeps in poll: nothing runs while nothing arrives.
 */
static struct net_msg *next_msg(struct cli *c, int64_t until, int *rc)
{
    for (;;) {
        if (got_signal) {
            *rc = signal_status();
            return NULL;
        }
        if (c->queue != NULL) {
            struct net_msg *m = c->queue;
            c->queue = m->next;
            m->next = NULL;
            return m;
        }
        int64_t now = clock_mono_ms(), end = 0;
        if (c->deadline > 0)
            end = c->deadline;
        if (until > 0 && (end == 0 || until < end))
            end = until;
        if (end > 0 && now >= end) {
            *rc = end == c->deadline && c->deadline > 0 ? CLI_TIMEOUT : CLI_OK;
            return NULL;
        }
        struct pollfd fds[2] = {{net_fd(c->net), POLLIN, 0}, {sig_pipe[0], POLLIN, 0}};
        int timeout = -1;
        if (end > 0)
            timeout = end - now > INT_MAX ? INT_MAX : (int)(end - now);
        if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
            *rc = CLI_API_ERROR;
            return NULL;
        }
        if (fds[1].revents & POLLIN) {
            char buf[16];
            while (read(sig_pipe[0], buf, sizeof buf) > 0)
                ;
        }
        if (fds[0].revents & POLLIN)
            c->queue = net_take_messages(c->net);
    }
}

static bool net_open(struct cli *c, bool no_usage, bool sequential)
{
    struct net_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = c->base_url;
    cfg.api_key = c->api_key;
    cfg.project_id = c->project_id;
    cfg.organization_id = c->organization_id;
    cfg.custom_headers = getenv("LLAMA_CLOUD_CUSTOM_HEADERS");
    cfg.refresh_s = c->refresh_s;
    cfg.no_usage = no_usage;
    cfg.sequential_list = sequential;
    char *cause = NULL;
    c->net = net_start(&cfg, &cause);
    if (c->net == NULL) {
        err_line(c, "cannot start: %s", cause ? cause : "error");
        free(cause);
        return false;
    }
    return true;
}

static uint64_t submit(struct cli *c, struct net_cmd *cmd)
{
    return net_submit(c->net, cmd);
}

/* ---- parsing values ---- */

/* "90s", "10m", "2h", "7d" or plain seconds, into ms; false when it is none of those. */
static bool parse_duration(const char *s, int64_t *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || v > 1e9)
        return false;
    double unit = 1000;
    if (*end == 's' || *end == '\0')
        unit = 1000;
    else if (*end == 'm')
        unit = 60e3;
    else if (*end == 'h')
        unit = 3600e3;
    else if (*end == 'd')
        unit = 86400e3;
    else
        return false;
    if (*end != '\0' && end[1] != '\0')
        return false;
    *ms = (int64_t)(v * unit);
    return true;
}

/* A time: ISO-8601, or a duration meaning that long ago. */
static bool parse_time(const char *s, int64_t *ms)
{
    int64_t ago;
    if (clock_parse_iso8601(s, ms))
        return true;
    if (parse_duration(s, &ago)) {
        *ms = clock_now_ms() - ago;
        return true;
    }
    return false;
}

static char *upper(const char *s)
{
    char *u = xstrdup(s);
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

/* ---- help ---- */

static void usage_all(FILE *f)
{
    fputs("Usage: batchtop [OPTION]...              the terminal UI\n"
          "       batchtop SUBCOMMAND [OPTION]... [ARG]...\n\n"
          "Subcommands, for shells, cron jobs and CI:\n",
          f);
    for (int s = 0; s < S_COUNT; s++)
        fprintf(f, "  %-8s %s\n", subs[s].name, subs[s].what);
    fputs("\nOptions of every subcommand:\n"
          "  --base-url URL  --project-id ID  --organization-id ID  --log FILE  --no-cache\n"
          "  --refresh SECONDS (polling interval of wait, default 5)  --no-color  --readonly\n"
          "  --profile NAME (a [profile NAME] of ~/.config/batchtop/config; see batchtop(1))\n"
          "Output (list, get, results, dirs, configs, cancel, wait, create, resubmit):\n"
          "  --json   one JSON document (the API's field names and values)\n"
          "  --jsonl  one JSON object per line, printed as pages arrive\n"
          "  --csv    RFC 4180 with a header row\n"
          "  default: a table on a terminal, tab-separated values with a header otherwise\n\n"
          "Exit status: 0 success; 1 API or network error (after retries); 2 usage or\n"
          "configuration error (a missing key too); 3 wait: a batch FAILED or CANCELLED, or\n"
          "(--jobs) a job did not complete; 4 wait: --timeout reached; 130 interrupted.\n"
          "(create --wait and resubmit --wait exit as wait does.)\n"
          "The API key is read from LLAMA_CLOUD_API_KEY, else from the configuration's\n"
          "api_key_command. See `batchtop help SUBCOMMAND`.\n",
          f);
}

static void usage_sub(FILE *f, enum sub s)
{
    fprintf(f, "Usage: batchtop %s %s\n%s.\n", subs[s].name, subs[s].args, subs[s].what);
    switch (s) {
    case S_LIST:
        fputs("\n  --status S      only batches in status S (repeat for several): PENDING,\n"
              "                  THROTTLED, RUNNING, COMPLETED, FAILED, CANCELLED\n"
              "  --directory ID  only batches of this source directory (asked of the server)\n"
              "  --since T       created at or after T; --until T: at or before T. T is an\n"
              "                  ISO-8601 time or a duration ago (90s, 10m, 2h, 7d)\n"
              "  --limit N       the newest N only\n"
              "  --ids           print batch IDs only, one per line\n"
              "  --cached        read only the snapshot cache of the last listing (no network)\n",
              f);
        break;
    case S_RESULTS:
        fputs("\n  --failed        only files whose job FAILED or that could not be mapped\n"
              "  --status S      only files whose job is in status S (PENDING, RUNNING,\n"
              "                  COMPLETED, FAILED, CANCELLED; NONE: no job)\n",
              f);
        break;
    case S_OUTPUT:
        fputs("\n  --markdown      parse: the markdown (default)\n"
              "  --text          parse: the plain text\n"
              "  --json          extract: the result as sent (default); parse: a JSON object\n"
              "                  with markdown and text\n"
              "  -o, --output FILE  write to FILE (replaced whole, never through a link)\n",
              f);
        break;
    case S_CREATE:
        fputs("\n  --directory ID  the source directory (one that exists)\n"
              "  --from PATH     a local folder (walked), a file, or a glob (\"scans/*.pdf\"):\n"
              "                  a directory is made for it, every file uploaded, then the batch\n"
              "  --name NAME     the directory's name (--from; default \"<folder> <YYYY-MM-DD>\"\n"
              "                  with the local date)\n"
              "  --ephemeral     an ephemeral directory (--from; default: user)\n"
              "  --hidden        upload dot-files and dot-folders too (--from)\n"
              "  --yes           upload more than 1,000 files (a batch's limit) all the same\n"
              "  --no-batch      upload only (--from); print the directory's ID\n"
              "  --wait          then wait for it (see wait); --jobs, --timeout D as there\n"
              "A create whose answer was lost is looked up before it is sent again, so a\n"
              "retried create never makes a second batch.\n"
              "With --from, a file's unique_id is its SHA-256 and its display_name its path in\n"
              "the folder. Run again (the same folder, the same day), it finds the directory\n"
              "and uploads only what is not there yet: an interrupted upload resumes, a file\n"
              "changed since its upload goes again (the old entry is named, never deleted),\n"
              "and a batch already over the directory is printed: nothing is made twice.\n"
              "Files that cannot be read or are refused are named on stderr and the batch\n"
              "runs over the rest; progress (files, bytes, rate, ETA) on stderr when it is a\n"
              "terminal; a summary line on stderr; the batch's ID on stdout as above.\n",
              f);
        break;
    case S_RESUBMIT:
        fputs("\n  --failed        the files whose job FAILED or that could not be mapped\n"
              "                  (the default)\n"
              "  --not-completed every file whose job did not complete: failed, cancelled,\n"
              "                  never run or still pending\n"
              "  --name NAME     the new directory's name (default: \"<the directory's name>\n"
              "                  retry <YYYY-MM-DD>\", the date in UTC; the directory ID when\n"
              "                  its name cannot be read)\n"
              "  --type T, --config CFG_ID  the job (default: the batch's; a new --type needs\n"
              "                  a --config)\n"
              "  --wait          then wait for the new batch (see wait); --jobs, --timeout D,\n"
              "                  --notify as there\n"
              "A directory of that name is made (or found) with the same stored files, then a\n"
              "batch over it. Run again after an interruption, it finds the directory, adds\n"
              "only the files it lacks and never makes a second batch: a batch already over\n"
              "the directory is printed and nothing is created. With no file to run again it\n"
              "says so on stderr, prints nothing and exits 0. Prints the new batch as create\n"
              "does (JSON adds resubmit_of); progress on stderr when it is a terminal.\n",
              f);
        break;
    case S_WAIT:
        fputs("\n  --jobs          also wait until every file's job has ended (the API may say\n"
              "                  COMPLETED before the jobs end)\n"
              "  --timeout D     give up after D (90s, 10m, 2h); exit status 4\n"
              "  --notify        run the configuration's [notify] command as each batch ends\n"
              "                  (BATCHTOP_BATCH_ID, BATCHTOP_STATUS, BATCHTOP_FILES_FAILED)\n"
              "Progress goes to stderr when it is a terminal; one line per batch to stdout.\n"
              "Exit status 0 when every batch COMPLETED (and with --jobs every job too),\n"
              "3 when one FAILED or was CANCELLED or a job did not complete, 4 on timeout.\n",
              f);
        break;
    default:
        break;
    }
    if (ROWS & M(s))
        fputs("\nOutput: a table on a terminal, tab-separated values otherwise, or\n"
              "  --json   one JSON document    --jsonl  one JSON object per line\n"
              "  --csv    RFC 4180 with a header row\n",
              f);
    fputs("Options of every subcommand: see batchtop help.\n", f);
}

/* ---- the batch list ---- */

static bool batch_wanted(const struct cli *c, const struct batch *b)
{
    if (c->n_statuses > 0) {
        const char *st = batch_status_text(b);
        bool any = false;
        for (size_t i = 0; i < c->n_statuses && !any; i++)
            any = st != NULL && strcmp(st, c->statuses[i]) == 0;
        if (!any)
            return false;
    }
    if (c->since_ms != INT64_MIN && (b->created_ms < 0 || b->created_ms < c->since_ms))
        return false;
    if (c->until_ms != INT64_MIN && (b->created_ms < 0 || b->created_ms > c->until_ms))
        return false;
    return true;
}

static const char *const list_heads[] = {"ID",        "STATUS",  "TYPE",   "CONFIG",
                                         "DIRECTORY", "CREATED", "UPDATED"};

static void list_row(struct cli *c, struct out *o, const struct batch *b)
{
    if (c->ids) {
        fprintf(stdout, "%s\n", b->id);
        return;
    }
    const char *type = b->job_type_text ? b->job_type_text : job_type_name(b->job_type);
    const char *cells[] = {
        b->id,         batch_status_text(b), type, b->configuration_id, b->source_directory_id,
        b->created_at, b->updated_at};
    if (!out_wants_json(o)) {
        out_row(o, cells, NULL);
        return;
    }
    /* the JSON written straight from the batch (no json-c objects): thousands of rows */
    c->line.len = 0;
    out_text_batch(&c->line, b, out_tty(o));
    out_row_text(o, cells, &c->line);
}

static int newest_first(const void *x, const void *y)
{
    const struct batch *a = x, *b = y;
    if (a->created_ms != b->created_ms)
        return a->created_ms > b->created_ms ? -1 : 1;
    return strcmp(a->id ? a->id : "", b->id ? b->id : "");
}

#define LIST_SAVE_EVERY_S 60 /* a script that lists in a loop rewrites the snapshot this often */

/* What the last snapshot knew beyond the batch (names, progress, cost) is kept for the TUI.
 * Written at most once a minute, as the TUI does: reading the old one and writing 10,000
 * batches costs more than the listing itself on a near server. */
static void list_save_snapshot(struct cli *c, const struct batch *all, size_t n)
{
    char *path = snapshot_path(c->base_url, c->project_id, c->organization_id), *why = NULL;
    if (path == NULL)
        return;
    struct stat st;
    if (stat(path, &st) == 0 && time(NULL) - st.st_mtime < LIST_SAVE_EVERY_S) {
        free(path);
        return;
    }
    struct snapshot old, s;
    memset(&old, 0, sizeof old);
    memset(&s, 0, sizeof s);
    bool have_old = snapshot_load(path, &old, &why) &&
                    snapshot_matches(&old, c->base_url, c->project_id, c->organization_id);
    free(why);
    why = NULL;
    s.endpoint = (char *)c->base_url;
    s.project_id = (char *)c->project_id;
    s.organization_id = (char *)c->organization_id;
    s.saved_ms = clock_now_ms();
    s.entries = xcalloc(n ? n : 1, sizeof *s.entries);
    for (size_t i = 0; i < n; i++) {
        struct snapshot_entry *e = &s.entries[s.n++];
        e->batch = all[i]; /* borrowed */
        e->files_done = e->files_total = -1;
    }
    if (have_old) {
        struct strmap byid;
        strmap_init(&byid, NULL);
        for (size_t j = 0; j < old.n; j++)
            if (old.entries[j].batch.id != NULL)
                strmap_put(&byid, old.entries[j].batch.id, &old.entries[j]);
        for (size_t i = 0; i < s.n; i++) {
            const struct snapshot_entry *o = strmap_get(&byid, s.entries[i].batch.id);
            if (o == NULL)
                continue;
            s.entries[i].directory_name = o->directory_name;
            s.entries[i].resubmit_of = o->resubmit_of; /* links the TUI made */
            s.entries[i].resubmitted_as = o->resubmitted_as;
            if (o->batch.status == s.entries[i].batch.status) {
                s.entries[i].files_done = o->files_done;
                s.entries[i].files_total = o->files_total;
                s.entries[i].credits_known = o->credits_known;
                s.entries[i].credits_partial = o->credits_partial;
                s.entries[i].credits = o->credits;
            }
        }
        strmap_done(&byid);
    }
    if (!snapshot_save(path, &s, &why) && log_enabled())
        log_printf("cli", "cache %s not written: %s", path, why ? why : "failed");
    free(why);
    free(s.entries);
    snapshot_done(&old);
    free(path);
}

static int cmd_list_cached(struct cli *c)
{
    char *path = snapshot_path(c->base_url, c->project_id, c->organization_id), *why = NULL;
    struct snapshot s;
    memset(&s, 0, sizeof s);
    if (path == NULL || !snapshot_load(path, &s, &why)) {
        if (!c->ids) /* completion scripts ask quietly */
            err_line(c, "no snapshot cache to read%s%s", why ? ": " : "", why ? why : "");
        free(why);
        free(path);
        return CLI_API_ERROR;
    }
    free(path);
    if (!snapshot_matches(&s, c->base_url, c->project_id, c->organization_id)) {
        if (!c->ids)
            err_line(c, "the snapshot cache belongs to another endpoint or project");
        snapshot_done(&s);
        return CLI_API_ERROR;
    }
    struct batch *all = xcalloc(s.n ? s.n : 1, sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.entries[i].batch.id != NULL && batch_wanted(c, &s.entries[i].batch))
            all[n++] = s.entries[i].batch; /* borrowed */
    qsort(all, n, sizeof *all, newest_first);
    if (c->limit > 0 && (size_t)c->limit < n)
        n = (size_t)c->limit;
    struct out *o = c->ids ? NULL : out_new(stdout, c->fmt, c->tty_out, c->color, list_heads, 7);
    for (size_t i = 0; i < n; i++)
        list_row(c, o, &all[i]);
    bool ok = o ? out_end(o) : fflush(stdout) == 0;
    free(all);
    snapshot_done(&s);
    return ok ? CLI_OK : CLI_API_ERROR;
}

/* Whether this listing rewrites the snapshot cache (list_save_snapshot's rule). */
static bool list_saves_snapshot(const struct cli *c)
{
    if (c->no_cache || c->directory != NULL)
        return false; /* a --directory list is only part of the project's */
    char *path = snapshot_path(c->base_url, c->project_id, c->organization_id);
    if (path == NULL)
        return false;
    struct stat st;
    bool due = stat(path, &st) != 0 || time(NULL) - st.st_mtime >= LIST_SAVE_EVERY_S;
    free(path);
    return due;
}

static int cmd_list(struct cli *c)
{
    if (c->cached)
        return cmd_list_cached(c);
    /* the API does not say how it sorts: --limit waits for every page and keeps the newest */
    if (!net_open(c, true, false))
        return CLI_API_ERROR;
    /* Streamed (no table to align, no --limit to sort for): each page is printed as it comes
     * and freed, and the thread sends each batch once and keeps nothing (stream_only); only
     * a snapshot to write keeps the batches, copied out of the pages. */
    bool stream =
        c->limit <= 0 && (c->ids || c->fmt == OUT_JSONL || c->fmt == OUT_TSV || c->fmt == OUT_CSV);
    bool keep = stream && list_saves_snapshot(c);
    struct batch *kept = NULL;
    size_t n_kept = 0, cap_kept = 0;
    if (stream && !c->tty_out) {
        /* a page (about 33 KB of JSON lines) in one write when it is flushed, not eight */
        static char buf[1 << 16];
        setvbuf(stdout, buf, _IOFBF, sizeof buf);
    }
    struct net_cmd *cmd = net_cmd_new(NET_CMD_WATCH_LIST);
    if (c->directory)
        cmd->source_directory_id = xstrdup(c->directory);
    cmd->stream_only = stream;
    submit(c, cmd);
    struct out *o = c->ids ? NULL : out_new(stdout, c->fmt, c->tty_out, c->color, list_heads, 7);
    struct strmap printed; /* the whole list at once: its duplicates (a shifted cursor) */
    strmap_init(&printed, NULL);
    size_t count = 0;
    int rc = CLI_OK;
    bool done = false;
    while (!done) {
        struct net_msg *m = next_msg(c, 0, &rc);
        if (m == NULL)
            break;
        if (m->type == NET_MSG_LIST_PAGE && stream) {
            /* stream_only: every batch comes once (the thread dedupes by ID) */
            for (size_t i = 0; i < m->n_batches; i++) {
                const struct batch *b = &m->batches[i];
                if (b->id != NULL && batch_wanted(c, b)) {
                    list_row(c, o, b);
                    count++;
                }
            }
            fflush(stdout); /* a reader sees each page as it arrives */
            if (keep) {
                if (n_kept + m->n_batches > cap_kept) {
                    cap_kept = cap_kept ? cap_kept : 256;
                    while (n_kept + m->n_batches > cap_kept)
                        cap_kept *= 2;
                    kept = xreallocarray(kept, cap_kept, sizeof *kept);
                }
                for (size_t i = 0; i < m->n_batches; i++) /* the page's own are views */
                    batch_copy_without_results(&kept[n_kept++], &m->batches[i]);
            }
        } else if (m->type == NET_MSG_LIST_FULL && m->streamed) {
            if (keep) {
                qsort(kept, n_kept, sizeof *kept, newest_first);
                list_save_snapshot(c, kept, n_kept);
            }
            done = true;
        } else if (m->type == NET_MSG_LIST_FULL) {
            struct batch *all = m->batches;
            size_t n = m->n_batches;
            qsort(all, n, sizeof *all, newest_first);
            for (size_t i = 0; i < n && (c->limit <= 0 || (long)count < c->limit); i++) {
                if (all[i].id == NULL || strmap_has(&printed, all[i].id) ||
                    !batch_wanted(c, &all[i]))
                    continue;
                strmap_put(&printed, all[i].id, NULL);
                list_row(c, o, &all[i]);
                count++;
            }
            /* the whole list of the project (a --directory list is only part of it) */
            if (!c->no_cache && c->directory == NULL)
                list_save_snapshot(c, all, n);
            done = true;
        } else if (m->type == NET_MSG_LIST_FAILED) {
            api_error(c, "listing batches", &m->error);
            rc = CLI_API_ERROR;
            done = true;
        } else if (m->type == NET_MSG_NOTICE && m->error.message) {
            err_line(c, "note: %s", m->error.message);
        }
        net_msg_free(m);
    }
    strmap_done(&printed);
    for (size_t i = 0; i < n_kept; i++)
        batch_done(&kept[i]);
    free(kept);
    bool ok = o ? out_end(o) : fflush(stdout) == 0;
    if (!ok && rc == CLI_OK)
        rc = CLI_API_ERROR;
    return rc;
}

/* ---- one batch: its round of results, names and job statuses ---- */

struct watched {
    struct batch_detail *d;
    bool have_batch, names_known, round_ok;
    struct net_error error; /* the last failure said of it */
    bool keep_files;        /* keep the directory's files (resubmit: their file_id) */
    struct dir_file *files; /* when keep_files: every file of the directory, owned */
    size_t n_files;
};

/* Apply one message about the watched batch; true when it ended a round. */
static bool watched_apply(struct watched *w, const struct net_msg *m)
{
    switch (m->type) {
    case NET_MSG_BATCH:
        if (m->n_batches > 0) {
            detail_set_batch(w->d, &m->batches[0]);
            w->have_batch = true;
            if (m->batches[0].source_directory_id == NULL)
                w->names_known = true;
        }
        break;
    case NET_MSG_BATCH_FAILED:
        net_error_done(&w->error);
        w->error.http_status = m->error.http_status;
        w->error.message = xstrdup(m->error.message ? m->error.message : "failed");
        break;
    case NET_MSG_DIR_FILES:
        if (m->ok && w->keep_files && w->files == NULL) {
            w->files = xcalloc(m->n_files ? m->n_files : 1, sizeof *w->files);
            for (size_t i = 0; i < m->n_files; i++)
                dir_file_copy(&w->files[i], &m->files[i]);
            w->n_files = m->n_files;
        }
        if (m->ok)
            detail_set_names(w->d, m->files, m->n_files);
        else
            detail_set_names_error(w->d, m->error.message ? m->error.message : "unavailable");
        w->names_known = true;
        break;
    case NET_MSG_JOBS:
        detail_set_jobs(w->d, m->jobs, m->n_jobs);
        break;
    case NET_MSG_WATCH_ROUND:
        w->round_ok = m->ok;
        return true;
    default:
        break;
    }
    return false;
}

/* Watch id until one whole round (and the file names) came; rc on failure. */
static bool watch_once(struct cli *c, const char *id, struct watched *w, int *rc)
{
    bool keep = w->keep_files;
    memset(w, 0, sizeof *w);
    w->keep_files = keep;
    w->d = detail_new(id);
    struct net_cmd *cmd = net_cmd_new(NET_CMD_WATCH_BATCH);
    cmd->id = xstrdup(id);
    submit(c, cmd);
    bool round = false;
    for (;;) {
        if (round && w->have_batch && w->names_known)
            return true;
        struct net_msg *m = next_msg(c, 0, rc);
        if (m == NULL)
            return false;
        if (m->id != NULL && strcmp(m->id, id) != 0 && m->type != NET_MSG_DIR_FILES) {
            net_msg_free(m);
            continue;
        }
        bool ended = watched_apply(w, m);
        net_msg_free(m);
        if (ended && !w->round_ok) {
            api_error(c, id, &w->error);
            *rc = CLI_API_ERROR;
            return false;
        }
        round = round || ended;
    }
}

static void watched_done(struct watched *w)
{
    detail_free(w->d);
    net_error_done(&w->error);
    for (size_t i = 0; i < w->n_files; i++)
        dir_file_done(&w->files[i]);
    free(w->files);
}

/* Open c->args[0] for one round (w zeroed first, keep_files as set). */
static int open_one(struct cli *c, struct watched *w, bool no_usage)
{
    int rc = CLI_OK;
    if (!net_open(c, no_usage, false))
        return CLI_API_ERROR;
    if (!watch_once(c, c->args[0], w, &rc)) {
        if (rc == CLI_OK)
            rc = CLI_API_ERROR;
        return rc;
    }
    return CLI_OK;
}

static const char *const get_keys[] = {"ID",        "STATUS",  "TYPE",      "CONFIG",  "DIRECTORY",
                                       "CREATED",   "UPDATED", "FILES",     "PENDING", "RUNNING",
                                       "COMPLETED", "FAILED",  "CANCELLED", "NO_JOB"};
#define GET_KEYS (sizeof get_keys / sizeof get_keys[0])

static int cmd_get(struct cli *c)
{
    struct watched w;
    memset(&w, 0, sizeof w);
    int rc = open_one(c, &w, true);
    if (rc != CLI_OK) {
        watched_done(&w);
        return rc;
    }
    const struct batch *b = detail_batch(w.d);
    struct detail_counts k;
    detail_counts(w.d, &k);
    char num[7][32];
    size_t vals[7] = {k.total,
                      k.by_status[JOB_PENDING],
                      k.by_status[JOB_RUNNING],
                      k.by_status[JOB_COMPLETED],
                      k.by_status[JOB_FAILED],
                      k.by_status[JOB_CANCELLED],
                      k.no_job + k.mapping_errors + k.unknown};
    for (int i = 0; i < 7; i++)
        snprintf(num[i], sizeof num[i], "%zu", vals[i]);
    const char *type = b->job_type_text ? b->job_type_text : job_type_name(b->job_type);
    const char *cells[GET_KEYS] = {b->id,
                                   batch_status_text(b),
                                   type,
                                   b->configuration_id,
                                   b->source_directory_id,
                                   b->created_at,
                                   b->updated_at,
                                   num[0],
                                   num[1],
                                   num[2],
                                   num[3],
                                   num[4],
                                   num[5],
                                   num[6]};
    bool ok;
    if (c->fmt == OUT_JSON || c->fmt == OUT_JSONL) {
        struct json_object *o = encode_batch(b, false), *counts = json_object_new_object();
        json_object_object_add(o, "file_count", json_object_new_int64((int64_t)k.total));
        for (int i = 1; i < 7; i++)
            json_object_object_add(counts, get_keys[7 + i],
                                   json_object_new_int64((int64_t)vals[i]));
        json_object_object_add(o, "file_counts_by_job_status", counts);
        out_json(stdout, o, c->tty_out);
        ok = fflush(stdout) == 0;
    } else if (c->fmt == OUT_CSV) {
        struct out *o = out_new(stdout, c->fmt, c->tty_out, c->color, get_keys, GET_KEYS);
        out_row(o, cells, NULL);
        ok = out_end(o);
    } else {
        /* one field per line: a batch reads down, not across */
        static const char *const heads[] = {"FIELD", "VALUE"};
        struct out *o = out_new(stdout, c->fmt, c->tty_out, c->color, heads, 2);
        for (size_t i = 0; i < GET_KEYS; i++) {
            const char *row[] = {get_keys[i], cells[i]};
            out_row(o, row, NULL);
        }
        ok = out_end(o);
    }
    watched_done(&w);
    return ok ? CLI_OK : CLI_API_ERROR;
}

static bool row_wanted(const struct cli *c, const struct detail_row *r)
{
    if (c->failed && r->mapping_error == NULL && !(r->job_known && r->job_status == JOB_FAILED))
        return false;
    if (c->n_statuses == 0)
        return true;
    const char *st = results_row_status(r);
    for (size_t i = 0; i < c->n_statuses; i++)
        if (strcmp(st, c->statuses[i]) == 0)
            return true;
    return false;
}

static int cmd_results(struct cli *c)
{
    struct watched w;
    memset(&w, 0, sizeof w);
    int rc = open_one(c, &w, true);
    if (rc != CLI_OK) {
        watched_done(&w);
        return rc;
    }
    struct results_out *o =
        results_out_new(stdout, c->fmt, c->tty_out, c->color, detail_batch(w.d));
    for (size_t i = 0; i < detail_row_count(w.d); i++) {
        const struct detail_row *r = detail_row_at(w.d, i);
        if (!r->not_mapped && row_wanted(c, r))
            results_out_row(o, r);
    }
    bool ok = results_out_end(o);
    watched_done(&w);
    return ok ? CLI_OK : CLI_API_ERROR;
}

/* ---- output ---- */

/* Write text to path whole: a temporary file beside it, then rename, so a reader never sees
 * half of it and a link at path is replaced, never followed. */
static bool write_file(struct cli *c, const char *path, const char *text, size_t len)
{
    char *tmp = xasprintf("%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        err_line(c, "%s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    bool ok = true;
    for (size_t off = 0; ok && off < len;) {
        ssize_t k = write(fd, text + off, len - off);
        if (k < 0 && errno == EINTR)
            continue;
        ok = k > 0;
        off += k > 0 ? (size_t)k : 0;
    }
    if (close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        err_line(c, "%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

/* The file's row of a batch by its name or its dfl- ID. */
static const struct detail_row *find_file(struct batch_detail *d, const char *file, size_t *hits)
{
    const struct detail_row *found = NULL;
    *hits = 0;
    for (size_t i = 0; i < detail_row_count(d); i++) {
        const struct detail_row *r = detail_row_at(d, i);
        if (r->file_id && strcmp(r->file_id, file) == 0) {
            *hits = 1;
            return r;
        }
        if (r->display_name && strcmp(r->display_name, file) == 0) {
            found = r;
            (*hits)++;
        }
    }
    return found;
}

static int fetch_output(struct cli *c, const char *job_id, enum job_type type, bool guess,
                        struct net_msg **out)
{
    int rc = CLI_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct net_cmd *cmd = net_cmd_new(NET_CMD_FETCH_OUTPUT);
        cmd->id = xstrdup(job_id);
        cmd->job_type = type;
        uint64_t req = submit(c, cmd);
        struct net_msg *m;
        while ((m = next_msg(c, 0, &rc)) != NULL) {
            if (m->req == req && (m->type == NET_MSG_OUTPUT || m->type == NET_MSG_OUTPUT_FAILED))
                break;
            net_msg_free(m);
        }
        if (m == NULL)
            return rc;
        if (m->type == NET_MSG_OUTPUT) {
            *out = m;
            return CLI_OK;
        }
        /* a bare job ID may be either kind: a 404 as parse asks again as extract */
        if (guess && attempt == 0 && m->error.http_status == 404) {
            net_msg_free(m);
            type = JOB_TYPE_EXTRACT;
            continue;
        }
        api_error(c, job_id, &m->error);
        net_msg_free(m);
        return CLI_API_ERROR;
    }
    return CLI_API_ERROR;
}

static int cmd_output(struct cli *c)
{
    const char *job_id = NULL;
    enum job_type type = JOB_TYPE_PARSE;
    bool guess = false;
    struct watched w;
    memset(&w, 0, sizeof w);
    int rc;
    if (c->n_args == 1) {
        if (!net_open(c, true, false))
            return CLI_API_ERROR;
        job_id = c->args[0];
        guess = true;
    } else {
        rc = open_one(c, &w, true);
        if (rc != CLI_OK) {
            watched_done(&w);
            return rc;
        }
        size_t hits = 0;
        const struct detail_row *r = find_file(w.d, c->args[1], &hits);
        if (r == NULL || hits != 1) {
            err_line(c,
                     hits > 1 ? "%zu files of %s are named '%s': give its dfl- ID"
                              : "%.0zu%s has no file '%s'",
                     hits, c->args[0], c->args[1]);
            watched_done(&w);
            return CLI_API_ERROR;
        }
        if (r->job_id == NULL) {
            err_line(c, "'%s' has no job%s%s", c->args[1], r->mapping_error ? ": " : " yet",
                     r->mapping_error ? r->mapping_error : "");
            watched_done(&w);
            return CLI_API_ERROR;
        }
        job_id = r->job_id;
        type = r->job_type == JOB_TYPE_EXTRACT ? JOB_TYPE_EXTRACT : JOB_TYPE_PARSE;
    }
    struct net_msg *m = NULL;
    rc = fetch_output(c, job_id, type, guess, &m);
    if (rc != CLI_OK) {
        watched_done(&w);
        return rc;
    }
    const struct job_output *out = &m->output;
    const struct job *job = m->n_jobs > 0 ? &m->jobs[0] : NULL;
    char *doc = NULL;
    int want = c->doc ? c->doc : out->type == JOB_TYPE_EXTRACT ? 3 : 1;
    if (out->type == JOB_TYPE_EXTRACT) {
        if (want != 3) {
            err_line(c, "%s is an extract job: its output is JSON (--json)", job_id);
            rc = CLI_USAGE;
        } else if (out->json == NULL) {
            err_line(c, "%s has no result yet (job %s)", job_id,
                     job && job->status_text ? job->status_text : "not finished");
            rc = CLI_API_ERROR;
        } else {
            doc = xasprintf("%s\n", out->json);
        }
    } else if (want == 3) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "job_id", encode_str(job_id));
        json_object_object_add(o, "status", encode_str(job ? job->status_text : NULL));
        json_object_object_add(o, "markdown", encode_str(out->markdown));
        json_object_object_add(o, "text", encode_str(out->text));
        json_object_object_add(o, "pages_failed",
                               json_object_new_int64((int64_t)out->pages_failed));
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (f != NULL) {
            out_json(f, o, c->outfile == NULL && c->tty_out);
            fclose(f);
            doc = buf;
        } else {
            json_object_put(o);
        }
    } else {
        const char *t = want == 2 ? out->text : out->markdown;
        if (t == NULL) {
            err_line(c, "%s has no %s yet (job %s)", job_id, want == 2 ? "text" : "markdown",
                     job && job->status_text ? job->status_text : "not finished");
            rc = CLI_API_ERROR;
        } else {
            doc = xstrdup(t);
        }
    }
    if (doc != NULL) {
        size_t len = strlen(doc);
        if (c->outfile != NULL) {
            if (!write_file(c, c->outfile, doc, len))
                rc = CLI_API_ERROR;
        } else if (c->tty_out && want != 3) {
            /* a document from the server, on a terminal: sanitized line by line */
            for (char *line = doc, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                nl = strchr(line, '\n');
                if (nl)
                    *nl = '\0';
                char *clean = text_clean(line);
                puts(clean);
                free(clean);
            }
        } else {
            fwrite(doc, 1, len, stdout);
        }
        free(doc);
    }
    if (out->pages_failed > 0)
        err_line(c, "note: %zu page(s) of %s failed: %s", out->pages_failed, job_id,
                 out->failed_pages ? out->failed_pages : "");
    net_msg_free(m);
    watched_done(&w);
    if (fflush(stdout) != 0 && rc == CLI_OK)
        rc = CLI_API_ERROR;
    return rc;
}

/* ---- dirs, configs ---- */

static int cmd_dirs(struct cli *c)
{
    if (!net_open(c, true, false))
        return CLI_API_ERROR;
    uint64_t req = submit(c, net_cmd_new(NET_CMD_LIST_DIRECTORIES));
    int rc = CLI_OK;
    struct net_msg *m;
    while ((m = next_msg(c, 0, &rc)) != NULL) {
        if (m->req == req && m->type == NET_MSG_DIRECTORIES)
            break;
        net_msg_free(m);
    }
    if (m == NULL)
        return rc;
    if (!m->ok) {
        api_error(c, "listing directories", &m->error);
        net_msg_free(m);
        return CLI_API_ERROR;
    }
    static const char *const heads[] = {"ID", "NAME", "TYPE", "CREATED", "EXPIRES"};
    struct out *o = out_new(stdout, c->fmt, c->tty_out, c->color, heads, 5);
    for (size_t i = 0; i < m->n_directories; i++) {
        const struct directory *d = &m->directories[i];
        const char *cells[] = {d->id, d->name, d->type, d->created_at, d->expires_at};
        out_row(o, cells, c->fmt >= OUT_JSON ? encode_directory(d) : NULL);
    }
    net_msg_free(m);
    return out_end(o) ? CLI_OK : CLI_API_ERROR;
}

static int cmd_configs(struct cli *c)
{
    if (!net_open(c, true, false))
        return CLI_API_ERROR;
    enum job_type types[2] = {JOB_TYPE_PARSE, JOB_TYPE_EXTRACT};
    int n_types = 2;
    if (c->type_set) {
        types[0] = c->type;
        n_types = 1;
    }
    struct net_msg *answers[2] = {NULL, NULL};
    uint64_t reqs[2] = {0, 0};
    for (int t = 0; t < n_types; t++) {
        struct net_cmd *cmd = net_cmd_new(NET_CMD_LIST_CONFIGS);
        cmd->job_type = types[t];
        reqs[t] = submit(c, cmd);
    }
    int rc = CLI_OK, got = 0;
    while (got < n_types) {
        struct net_msg *m = next_msg(c, 0, &rc);
        if (m == NULL)
            break;
        for (int t = 0; t < n_types; t++)
            if (m->type == NET_MSG_CONFIGS && m->req == reqs[t] && answers[t] == NULL) {
                answers[t] = m;
                got++;
                m = NULL;
                break;
            }
        net_msg_free(m);
    }
    if (got == n_types) {
        for (int t = 0; t < n_types && rc == CLI_OK; t++)
            if (!answers[t]->ok) {
                api_error(c, "listing configurations", &answers[t]->error);
                rc = CLI_API_ERROR;
            }
    }
    if (got == n_types && rc == CLI_OK) {
        static const char *const heads[] = {"ID", "NAME", "TYPE", "TIER", "VERSION", "UPDATED"};
        struct out *o = out_new(stdout, c->fmt, c->tty_out, c->color, heads, 6);
        for (int t = 0; t < n_types; t++)
            for (size_t i = 0; i < answers[t]->n_configs; i++) {
                const struct config *g = &answers[t]->configs[i];
                const char *cells[] = {g->id,   g->name,    g->product_type,
                                       g->tier, g->version, g->updated_at};
                out_row(o, cells, c->fmt >= OUT_JSON ? encode_config(g) : NULL);
            }
        if (!out_end(o))
            rc = CLI_API_ERROR;
    }
    for (int t = 0; t < 2; t++)
        net_msg_free(answers[t]);
    return rc;
}

/* ---- cancel ---- */

static int cmd_cancel(struct cli *c)
{
    if (c->readonly) {
        err_line(c, "--readonly: cancel refused");
        return CLI_USAGE;
    }
    if (!net_open(c, true, false))
        return CLI_API_ERROR;
    uint64_t *reqs = xcalloc(c->n_args, sizeof *reqs);
    struct net_msg **answers = xcalloc(c->n_args, sizeof *answers);
    for (size_t i = 0; i < c->n_args; i++) {
        struct net_cmd *cmd = net_cmd_new(NET_CMD_CANCEL);
        cmd->id = xstrdup(c->args[i]);
        reqs[i] = submit(c, cmd);
    }
    int rc = CLI_OK;
    size_t got = 0;
    while (got < c->n_args) {
        struct net_msg *m = next_msg(c, 0, &rc);
        if (m == NULL)
            break;
        for (size_t i = 0; m != NULL && i < c->n_args; i++)
            if (m->type == NET_MSG_CANCELLED && m->req == reqs[i] && answers[i] == NULL) {
                answers[i] = m;
                got++;
                m = NULL;
            }
        net_msg_free(m);
    }
    struct out *o = out_new(stdout, c->fmt, c->tty_out, c->color, list_heads, 7);
    for (size_t i = 0; i < c->n_args; i++) {
        struct net_msg *m = answers[i];
        if (m == NULL)
            continue;
        if (m->ok && m->n_batches > 0) {
            c->ids = false;
            list_row(c, o, &m->batches[0]);
        } else if (m->already_finished) {
            err_line(c, "%s had already finished: nothing to cancel", c->args[i]);
            if (rc == CLI_OK)
                rc = CLI_API_ERROR;
        } else if (!m->ok) {
            api_error(c, c->args[i], &m->error);
            if (rc == CLI_OK)
                rc = CLI_API_ERROR;
        }
        net_msg_free(m);
    }
    if (!out_end(o) && rc == CLI_OK)
        rc = CLI_API_ERROR;
    free(answers);
    free(reqs);
    return rc;
}

/* ---- wait ---- */

static void format_elapsed(int64_t ms, char *buf, size_t len)
{
    long s = (long)(ms / 1000);
    if (s >= 3600)
        snprintf(buf, len, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
    else if (s >= 60)
        snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, len, "%lds", s);
}

/* "bat-… RUNNING 412/1,000 files, 3 failed, 2m10s" */
static char *wait_line(const struct batch_detail *d, const char *id, int64_t elapsed_ms,
                       const char *extra)
{
    const struct batch *b = detail_batch(d);
    size_t done = 0, total = 0;
    char t1[32], t2[32], el[32];
    struct detail_counts k;
    detail_counts(d, &k);
    format_elapsed(elapsed_ms, el, sizeof el);
    size_t failed = k.by_status[JOB_FAILED] + k.mapping_errors;
    const char *st = b ? batch_status_text(b) : "unknown";
    if (b != NULL && detail_progress(d, &done, &total)) {
        text_thousands((long)done, t1, sizeof t1);
        text_thousands((long)total, t2, sizeof t2);
        return xasprintf("%s %s %s/%s files, %zu failed, %s%s", id, st, t1, t2, failed, el,
                         extra ? extra : "");
    }
    return xasprintf("%s %s, %s%s", id, st, el, extra ? extra : "");
}

static void progress_show(const struct cli *c, const char *line)
{
    if (!c->tty_err)
        return;
    char *clean = text_clean(line);
    fprintf(stderr, "\r\033[K%s", clean);
    fflush(stderr);
    free(clean);
}

static void progress_clear(const struct cli *c)
{
    if (c->tty_err) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* Whether the watched batch is over for this wait, and how it ended. */
static bool wait_over(const struct cli *c, struct watched *w, int *outcome)
{
    const struct batch *b = detail_batch(w->d);
    if (b == NULL || !batch_status_is_terminal(b->status))
        return false;
    if (b->status != BATCH_COMPLETED) {
        *outcome = CLI_UNFINISHED;
        return true;
    }
    if (!c->jobs) {
        *outcome = CLI_OK;
        return true;
    }
    if (detail_is_live(w->d) || !w->names_known)
        return false;
    struct detail_counts k;
    detail_counts(w->d, &k);
    *outcome = k.by_status[JOB_COMPLETED] == k.total ? CLI_OK : CLI_UNFINISHED;
    return true;
}

static const char *const wait_heads[] = {"ID",     "STATUS",  "FILES_DONE", "FILES",
                                         "FAILED", "SECONDS", "OUTCOME"};

/* The final line of a batch: the human line (table, TSV), or a row of o (JSON, CSV). */
static void wait_print(struct cli *c, struct out *o, const struct watched *w, const char *id,
                       int outcome, int64_t elapsed_ms)
{
    const struct batch *b = detail_batch(w->d);
    struct detail_counts k;
    size_t done = 0, total = 0;
    detail_counts(w->d, &k);
    bool known = detail_progress(w->d, &done, &total);
    size_t failed = k.by_status[JOB_FAILED] + k.mapping_errors;
    const char *how = outcome == CLI_OK ? "success" : "unfinished";
    if (o == NULL) {
        char *line = wait_line(w->d, id, elapsed_ms, NULL);
        char *clean = c->tty_out ? text_clean(line) : NULL;
        puts(clean ? clean : line);
        free(clean);
        free(line);
        fflush(stdout);
        return;
    }
    char n_done[24], n_total[24], n_failed[24], secs[24];
    snprintf(n_done, sizeof n_done, "%zu", done);
    snprintf(n_total, sizeof n_total, "%zu", total);
    snprintf(n_failed, sizeof n_failed, "%zu", failed);
    snprintf(secs, sizeof secs, "%lld", (long long)(elapsed_ms / 1000));
    const char *cells[] = {id,
                           b ? batch_status_text(b) : NULL,
                           known ? n_done : NULL,
                           known ? n_total : NULL,
                           n_failed,
                           secs,
                           how};
    struct json_object *obj = NULL;
    if (c->fmt == OUT_JSON || c->fmt == OUT_JSONL) {
        obj = b ? encode_batch(b, false) : json_object_new_object();
        json_object_object_add(obj, "file_count",
                               known ? json_object_new_int64((int64_t)total) : NULL);
        json_object_object_add(obj, "files_done",
                               known ? json_object_new_int64((int64_t)done) : NULL);
        json_object_object_add(obj, "failed_file_count", json_object_new_int64((int64_t)failed));
        json_object_object_add(obj, "wait_seconds", json_object_new_int64(elapsed_ms / 1000));
        json_object_object_add(obj, "wait_outcome", json_object_new_string(how));
        if (c->resubmit_of != NULL)
            json_object_object_add(obj, "resubmit_of", encode_str(c->resubmit_of));
    }
    out_row(o, cells, obj);
    fflush(stdout);
}

/* wait --notify: the [notify] command for a batch that ended, waited for; its failure is said
 * on standard error and changes nothing else. */
static void notify_ended(struct cli *c, const struct watched *w, const char *id)
{
    const struct batch *b = detail_batch(w->d);
    struct detail_counts k;
    detail_counts(w->d, &k);
    size_t done = 0, total = 0;
    long failed = detail_progress(w->d, &done, &total)
                      ? (long)(k.by_status[JOB_FAILED] + k.mapping_errors)
                      : -1;
    char *why = NULL, err[512];
    size_t len = 0;
    int fd = -1;
    pid_t pid = notify_spawn(c->settings.notify.command, id, b ? batch_status_text(b) : "UNKNOWN",
                             failed, &fd, &why);
    if (pid < 0) {
        err_line(c, "%s", why);
        free(why);
        return;
    }
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            break;
        if (!notify_read(fd, err, &len, sizeof err))
            break;
    }
    close(fd);
    char *failure = NULL;
    while (!notify_reaped(pid, err, len, &failure))
        poll(NULL, 0, 10); /* it closed its standard error: it ends in a moment */
    if (failure) {
        char *clean = text_clean(failure);
        err_line(c, "%s (for %s)", clean, id);
        free(clean);
        free(failure);
    }
}

/* Follow one batch until it ends; prints its final line (or row of o). Returns its outcome. */
static int wait_one(struct cli *c, struct out *o, const char *id, int64_t started)
{
    struct watched w;
    memset(&w, 0, sizeof w);
    w.d = detail_new(id);
    struct net_cmd *cmd = net_cmd_new(NET_CMD_WATCH_BATCH);
    cmd->id = xstrdup(id);
    submit(c, cmd);
    int rc = CLI_OK, outcome = CLI_OK;
    bool over = false, rounds = false, mid_round = false;
    while (!over) {
        struct net_msg *m = next_msg(c, 0, &rc);
        if (m == NULL)
            break;
        if (m->id != NULL && strcmp(m->id, id) != 0 && m->type != NET_MSG_DIR_FILES) {
            net_msg_free(m);
            continue;
        }
        bool ended = watched_apply(&w, m);
        enum net_msg_type type = m->type;
        net_msg_free(m);
        if (type == NET_MSG_BATCH_FAILED && w.error.http_status >= 400 &&
            w.error.http_status < 500 && w.error.http_status != 408 &&
            w.error.http_status != 429) {
            /* 404, 401, 403: asking again will not help */
            progress_clear(c);
            api_error(c, id, &w.error);
            rc = CLI_API_ERROR;
            break;
        }
        rounds = rounds || ended;
        if (type == NET_MSG_BATCH)
            mid_round = true; /* its job statuses follow before the round ends */
        else if (ended)
            mid_round = false;
        /* at a round's end, and when the names come between rounds: they may come last, and
         * the net thread does not ask again about a batch that has ended */
        if (!rounds || mid_round || !(ended || type == NET_MSG_DIR_FILES))
            continue;
        over = wait_over(c, &w, &outcome);
        if (over) {
            progress_clear(c);
            wait_print(c, o, &w, id, outcome, clock_mono_ms() - started);
            if (c->notify)
                notify_ended(c, &w, id);
        } else if (ended) {
            char *line =
                wait_line(w.d, id, clock_mono_ms() - started, w.round_ok ? NULL : " (retrying)");
            progress_show(c, line);
            free(line);
        }
    }
    if (!over) {
        progress_clear(c);
        if (rc == CLI_TIMEOUT || rc == CLI_INTERRUPTED || rc == 128 + SIGTERM) {
            char *line = wait_line(w.d, id, clock_mono_ms() - started,
                                   rc == CLI_TIMEOUT ? " (timed out)" : " (interrupted)");
            char *clean = text_clean(line);
            fprintf(stderr, "%s: %s\n", c->prog, clean);
            free(clean);
            free(line);
        }
    }
    watched_done(&w);
    return over ? outcome : rc;
}

static int run_wait(struct cli *c, char **ids, size_t n)
{
    int64_t started = clock_mono_ms();
    if (c->timeout_ms > 0)
        c->deadline = started + c->timeout_ms;
    /* table and TSV: one human line a batch; the other formats: one row a batch */
    struct out *o = c->fmt == OUT_TABLE || c->fmt == OUT_TSV
                        ? NULL
                        : out_new(stdout, c->fmt, c->tty_out, c->color, wait_heads, 7);
    int worst = CLI_OK;
    for (size_t i = 0; i < n; i++) {
        int rc = wait_one(c, o, ids[i], started);
        if (rc == CLI_TIMEOUT || rc == CLI_INTERRUPTED || rc == 128 + SIGTERM) {
            worst = rc;
            break;
        }
        /* an error outranks an unfinished batch: the caller cannot trust the answer */
        if (rc == CLI_API_ERROR || (rc == CLI_UNFINISHED && worst == CLI_OK))
            worst = rc;
    }
    if (o != NULL && !out_end(o) && worst == CLI_OK)
        worst = CLI_API_ERROR;
    return worst;
}

static int cmd_wait(struct cli *c)
{
    /* statuses only: a finished job's cost is not asked (one request per job saved) */
    if (!net_open(c, true, false))
        return CLI_API_ERROR;
    return run_wait(c, c->args, c->n_args);
}

/* ---- create ---- */

/* Wait ms (messages meanwhile dropped); CLI_OK, or why the wait ended early. */
static int pause_for(struct cli *c, int64_t ms)
{
    int rc = CLI_OK;
    int64_t until = clock_mono_ms() + ms;
    struct net_msg *m;
    while ((m = next_msg(c, until, &rc)) != NULL)
        net_msg_free(m);
    return rc;
}

/* A create, or the look-up of one whose outcome was unknown (since: its lower bound). */
static struct net_cmd *create_cmd(const struct cli *c, enum net_cmd_type type, const char *since)
{
    struct net_cmd *cmd = net_cmd_new(type);
    cmd->source_directory_id = xstrdup(c->directory);
    cmd->configuration_id = xstrdup(c->config);
    cmd->job_type = c->type;
    cmd->since = since ? xstrdup(since) : NULL;
    cmd->create_strict = true; /* this process has seen no batches of its own */
    return cmd;
}

/* The batch a create made, on stdout: its ID (bat=$(batchtop create ...)), or a row of the
 * chosen format; nothing when --wait prints it in its one document. */
static void create_print(struct cli *c, const struct batch *made)
{
    if (c->wait && c->fmt != OUT_TABLE && c->fmt != OUT_TSV) {
        /* one document: the wait's row holds the batch */
    } else if (c->fmt == OUT_JSON || c->fmt == OUT_JSONL) {
        out_json(stdout, encode_batch(made, false), c->tty_out);
    } else if (c->fmt == OUT_CSV) {
        struct out *o = out_new(stdout, c->fmt, c->tty_out, c->color, list_heads, 7);
        list_row(c, o, made);
        out_end(o);
    } else {
        printf("%s\n", made->id);
    }
    fflush(stdout);
}

static int cmd_create_from(struct cli *c);

static int cmd_create(struct cli *c)
{
    if (c->readonly) {
        err_line(c, "--readonly: create refused");
        return CLI_USAGE;
    }
    if (c->from != NULL)
        return cmd_create_from(c);
    if (!net_open(c, true, false))
        return CLI_API_ERROR;
    int rc = CLI_OK, sends = 0, finds = 0;
    uint64_t req = submit(c, create_cmd(c, NET_CMD_CREATE, NULL));
    sends++;
    char *created = NULL;
    struct batch made;
    memset(&made, 0, sizeof made);
    while (created == NULL) {
        struct net_msg *m = next_msg(c, 0, &rc);
        if (m == NULL)
            return rc;
        if (m->type != NET_MSG_CREATED || m->req != req) {
            net_msg_free(m);
            continue;
        }
        switch (m->create_outcome) {
        case NET_CREATE_OK:
            batch_copy(&made, &m->batches[0]);
            created = xstrdup(made.id);
            break;
        case NET_CREATE_REFUSED: {
            /* nothing was made; a refusal that may pass (no answer, 408, 429, 5xx after the
             * net thread's own retries) is sent again after a pause */
            int st = m->error.http_status;
            bool transient = st == 0 || st == 408 || st == 429 || st >= 500;
            if (!transient || sends >= CREATE_TRIES) {
                api_error(c, NULL, &m->error);
                net_msg_free(m);
                return CLI_API_ERROR;
            }
            int wrc = pause_for(c, 1000LL << (sends - 1 < 3 ? sends - 1 : 3));
            if (wrc != CLI_OK) {
                net_msg_free(m);
                return wrc;
            }
            req = submit(c, create_cmd(c, NET_CMD_CREATE, NULL));
            sends++;
            break;
        }
        case NET_CREATE_NOT_CREATED:
            /* the look-up showed nothing was made: sending again cannot make a second one */
            if (sends >= CREATE_TRIES) {
                api_error(c, "not created", &m->error);
                net_msg_free(m);
                return CLI_API_ERROR;
            }
            req = submit(c, create_cmd(c, NET_CMD_CREATE, NULL));
            sends++;
            break;
        case NET_CREATE_UNKNOWN: {
            if (++finds > FIND_TRIES) {
                err_line(c,
                         "the outcome is unknown (the server did not answer); look before "
                         "creating again: batchtop list --directory %s",
                         c->directory);
                net_msg_free(m);
                return CLI_API_ERROR;
            }
            /* look again after a pause that grows: 1, 2, 4 ... 8 s */
            int wrc = pause_for(c, 1000LL << (finds - 1 < 3 ? finds - 1 : 3));
            if (wrc != CLI_OK) {
                net_msg_free(m);
                return wrc;
            }
            req = submit(c, create_cmd(c, NET_CMD_FIND_CREATED, m->since));
            break;
        }
        }
        net_msg_free(m);
    }
    create_print(c, &made);
    batch_done(&made);
    if (c->wait)
        rc = run_wait(c, &created, 1);
    free(created);
    return rc;
}

/* ---- resubmit ---- */

/* The files to run again, as the directory lists them (borrowed from w->files). --failed: a job
 * FAILED or a mapping error; --not-completed: every file whose job did not complete, those
 * never mapped included (a deleted file the batch never had is not). *unmatched counts rows
 * whose file the directory's list lacks. Caller frees the array, not the files. */
static const struct dir_file **resubmit_pick(const struct cli *c, const struct watched *w,
                                             size_t *n, size_t *unmatched)
{
    struct strmap rows, files;
    strmap_init(&rows, NULL);
    strmap_init(&files, NULL);
    for (size_t i = 0; i < detail_row_count(w->d); i++) {
        const struct detail_row *r = detail_row_at(w->d, i);
        if (r->file_id != NULL)
            strmap_put(&rows, r->file_id, (void *)r);
    }
    for (size_t i = 0; i < w->n_files; i++)
        if (w->files[i].id != NULL)
            strmap_put(&files, w->files[i].id, (void *)&w->files[i]);
    const struct dir_file **out = xcalloc(w->n_files + detail_row_count(w->d) + 1, sizeof *out);
    *n = *unmatched = 0;
    if (c->not_completed) {
        for (size_t i = 0; i < w->n_files; i++) {
            const struct dir_file *f = &w->files[i];
            const struct detail_row *r = f->id ? strmap_get(&rows, f->id) : NULL;
            if (r == NULL && f->deleted_at != NULL)
                continue; /* gone before the batch could have it */
            if (r != NULL && r->job_known && r->job_status == JOB_COMPLETED)
                continue;
            out[(*n)++] = f;
        }
    } else {
        for (size_t i = 0; i < detail_row_count(w->d); i++) {
            const struct detail_row *r = detail_row_at(w->d, i);
            if (r->mapping_error == NULL && !(r->job_known && r->job_status == JOB_FAILED))
                continue;
            const struct dir_file *f = r->file_id ? strmap_get(&files, r->file_id) : NULL;
            if (f == NULL)
                (*unmatched)++;
            else
                out[(*n)++] = f;
        }
    }
    strmap_done(&rows);
    strmap_done(&files);
    return out;
}

/* The name of directory id from the project's directory list; NULL when it cannot be had. */
static char *directory_name(struct cli *c, const char *id, int *rc)
{
    uint64_t req = submit(c, net_cmd_new(NET_CMD_LIST_DIRECTORIES));
    struct net_msg *m;
    while ((m = next_msg(c, 0, rc)) != NULL) {
        if (m->req == req && m->type == NET_MSG_DIRECTORIES)
            break;
        net_msg_free(m);
    }
    if (m == NULL)
        return NULL;
    char *name = NULL;
    for (size_t i = 0; m->ok && i < m->n_directories && name == NULL; i++)
        if (xstreq(m->directories[i].id, id) && m->directories[i].name != NULL &&
            m->directories[i].name[0] != '\0')
            name = xstrdup(m->directories[i].name);
    if (!m->ok)
        api_error(c, "note: the directory's name cannot be read", &m->error);
    net_msg_free(m);
    return name;
}

static void resubmit_progress(const struct cli *c, const struct net_msg *m)
{
    if (!c->tty_err)
        return;
    char t1[32], t2[32];
    text_thousands((long)m->progress_done, t1, sizeof t1);
    text_thousands((long)m->progress_total, t2, sizeof t2);
    char *line = xasprintf("resubmit %s: %s, %s/%s files in the directory", c->args[0],
                           net_resubmit_phase_name(m->resubmit_phase), t1, t2);
    progress_show(c, line);
    free(line);
}

/* A command that makes a directory, fills it and creates a batch over it (RESUBMIT, UPLOAD):
 * each send finds what the last one made, so it is sent again after an answer that may pass
 * (no answer, 408, 429, 5xx, an unknown create outcome). */
struct flow {
    enum net_msg_type end; /* RESUBMITTED or UPLOADED */
    const char *what;      /* "resubmit", "create --from": for the hint */
    struct net_cmd *(*make)(const struct cli *c, const void *arg);
    const void *arg;
    /* every other message of the command (progress, a file's end); may be NULL */
    void (*seen)(struct cli *c, const struct net_msg *m, void *state);
    void *state;
};

/* Run f to its end: CLI_OK with its successful end message in *end (caller frees; batches[0]
 * is the batch made or found over the directory, none for an upload with no_batch), and
 * *found_only when this process created nothing. */
static int flow_send(struct cli *c, const struct flow *f, struct net_msg **end, bool *found_only)
{
    int rc = CLI_OK;
    bool created_something = false;
    *end = NULL;
    for (int tries = 1;; tries++) {
        uint64_t req = submit(c, f->make(c, f->arg));
        struct net_msg *m = NULL;
        while ((m = next_msg(c, 0, &rc)) != NULL) {
            if (m->req == req && m->type == f->end)
                break;
            if (m->req == req &&
                (m->type == NET_MSG_RESUBMIT_PROGRESS || m->type == NET_MSG_UPLOAD_PROGRESS) &&
                m->resubmit_phase >= NET_RESUBMIT_CREATE_DIR &&
                m->resubmit_phase != NET_RESUBMIT_LIST_FILES)
                created_something = true; /* it may have made something: not "found" */
            if (m->req == req && f->seen != NULL)
                f->seen(c, m, f->state);
            net_msg_free(m);
        }
        if (m == NULL) {
            progress_clear(c);
            return rc;
        }
        if (m->ok) {
            progress_clear(c);
            *found_only = m->already_finished && !created_something;
            *end = m;
            return CLI_OK;
        }
        int st = m->error.http_status;
        bool transient = m->create_outcome == NET_CREATE_UNKNOWN || st == 0 || st == 408 ||
                         st == 429 || st >= 500;
        if (m->type == NET_MSG_UPLOADED && m->upload.files_failed > 0 &&
            m->upload.files_sent + m->upload.files_present == 0)
            transient = false; /* every file failed for good: sending them again changes nothing */
        if (!transient || tries >= CREATE_TRIES) {
            progress_clear(c);
            if (m->create_outcome == NET_CREATE_UNKNOWN)
                err_line(c,
                         "%s; the batch may exist: run the same %s again to find it "
                         "(it never makes a second one)",
                         m->error.message ? m->error.message : "outcome unknown", f->what);
            else
                err_line(c, "%s", m->error.message ? m->error.message : "failed");
            net_msg_free(m);
            return CLI_API_ERROR;
        }
        net_msg_free(m);
        /* try again after a pause that grows: 1, 2, 4, 8 s */
        int wrc = pause_for(c, 1000LL << (tries - 1 < 3 ? tries - 1 : 3));
        if (wrc != CLI_OK) {
            progress_clear(c);
            return wrc;
        }
    }
}

struct resubmit_arg {
    const struct batch *orig;
    const char *name;
    const struct dir_file *const *files;
    size_t n;
};

static struct net_cmd *resubmit_make(const struct cli *c, const void *arg)
{
    const struct resubmit_arg *a = arg;
    struct net_cmd *cmd = net_cmd_new(NET_CMD_RESUBMIT);
    cmd->id = xstrdup(a->orig->id);
    cmd->name = xstrdup(a->name);
    cmd->job_type = c->type_set ? c->type : a->orig->job_type;
    cmd->configuration_id = xstrdup(c->config ? c->config : a->orig->configuration_id);
    cmd->files = xcalloc(a->n ? a->n : 1, sizeof *cmd->files);
    for (size_t i = 0; i < a->n; i++)
        dir_file_copy(&cmd->files[i], a->files[i]);
    cmd->n_files = a->n;
    return cmd;
}

static void resubmit_seen(struct cli *c, const struct net_msg *m, void *state)
{
    if (m->type == NET_MSG_RESUBMIT_PROGRESS)
        resubmit_progress(c, m);
}

/* Send the resubmit; the batch (made, or found over the directory) goes to *out; *found_only
 * when this process created nothing. */
static int resubmit_send(struct cli *c, const struct batch *orig, const char *name,
                         const struct dir_file *const *files, size_t n, struct batch *out,
                         bool *found_only)
{
    struct resubmit_arg a = {orig, name, files, n};
    struct flow f = {NET_MSG_RESUBMITTED, "resubmit", resubmit_make, &a, resubmit_seen, NULL};
    struct net_msg *end = NULL;
    int rc = flow_send(c, &f, &end, found_only);
    if (rc != CLI_OK || end == NULL)
        return rc != CLI_OK ? rc : CLI_API_ERROR;
    if (end->n_batches == 0) {
        err_line(c, "resubmit: the answer holds no batch");
        net_msg_free(end);
        return CLI_API_ERROR;
    }
    batch_copy(out, &end->batches[0]);
    net_msg_free(end);
    return CLI_OK;
}

/* ---- create --from: a local folder uploaded, then the batch ---- */

struct upload_seen {
    struct strmap told; /* display names already named on stderr (a resend repeats them) */
    int64_t base_bytes; /* bytes_done when the first upload started: what was there */
    size_t failed, stale;
};

static void upload_progress(const struct cli *c, const struct net_msg *m, struct upload_seen *us)
{
    if (!c->tty_err)
        return;
    const struct net_upload_progress *u = &m->upload;
    char done[32], total[32], line[256];
    text_thousands((long)(u->files_present + u->files_sent), done, sizeof done);
    text_thousands((long)u->files_total, total, sizeof total);
    if (m->resubmit_phase != NET_RESUBMIT_ADD_FILES) {
        snprintf(line, sizeof line, "upload: %s, %zu/%zu files hashed",
                 net_resubmit_phase_name(m->resubmit_phase), u->files_hashed, u->files_total);
    } else {
        double mib = 1024.0 * 1024.0, rate = 0;
        int64_t el = u->started_ms > 0 ? clock_now_ms() - u->started_ms : 0;
        if (u->started_ms > 0 && us->base_bytes < 0)
            us->base_bytes = u->bytes_done;
        if (el > 500 && us->base_bytes >= 0)
            rate = (double)(u->bytes_done - us->base_bytes) * 1000.0 / (double)el;
        char eta[32] = "";
        if (rate > 0) {
            long s = (long)((double)(u->bytes_total - u->bytes_done) / rate);
            snprintf(eta, sizeof eta, ", ETA %ld:%02ld", s / 60, s % 60);
        }
        snprintf(line, sizeof line, "upload: %s/%s files, %.1f/%.1f MiB, %.1f MiB/s%s%s%zu failed",
                 done, total, (double)u->bytes_done / mib, (double)u->bytes_total / mib,
                 rate / mib, eta, ", ", u->files_failed);
    }
    progress_show(c, line);
}

static void upload_seen_msg(struct cli *c, const struct net_msg *m, void *state)
{
    struct upload_seen *us = state;
    if (m->type == NET_MSG_UPLOAD_PROGRESS) {
        upload_progress(c, m, us);
        return;
    }
    if (m->type == NET_MSG_NOTICE && m->error.message != NULL &&
        !strmap_has(&us->told, m->error.message)) {
        strmap_put(&us->told, m->error.message, NULL);
        progress_clear(c);
        err_line(c, "note: %s", m->error.message);
        return;
    }
    if (m->type != NET_MSG_UPLOAD_FILE || m->id == NULL)
        return;
    if (m->upload_state == NET_UPLOAD_FAILED && !strmap_has(&us->told, m->id)) {
        strmap_put(&us->told, m->id, NULL);
        progress_clear(c);
        err_line(c, "%s; not uploaded", m->error.message ? m->error.message : m->id);
        us->failed++;
    } else if (m->stale_entry != NULL && m->upload_state != NET_UPLOAD_FAILED) {
        char *key = xasprintf("stale\n%s", m->id);
        if (!strmap_has(&us->told, key)) {
            strmap_put(&us->told, key, NULL);
            progress_clear(c);
            err_line(c,
                     "%s changed since it was uploaded: uploaded again; the old entry %s "
                     "stays in the directory",
                     m->id, m->stale_entry);
            us->stale++;
        }
        free(key);
    }
}

struct upload_arg {
    const struct local_scan *scan;
    const char *name;
};

static struct net_cmd *upload_make(const struct cli *c, const void *arg)
{
    const struct upload_arg *a = arg;
    struct net_cmd *cmd = net_cmd_new(NET_CMD_UPLOAD);
    cmd->name = xstrdup(a->name);
    cmd->ephemeral = c->ephemeral;
    cmd->no_batch = c->no_batch;
    cmd->job_type = c->type;
    cmd->configuration_id = c->config ? xstrdup(c->config) : NULL;
    cmd->locals = xcalloc(a->scan->n_files ? a->scan->n_files : 1, sizeof *cmd->locals);
    for (size_t i = 0; i < a->scan->n_files; i++)
        local_file_copy(&cmd->locals[i], &a->scan->files[i]);
    cmd->n_locals = a->scan->n_files;
    return cmd;
}

/* The scan, its problems on stderr; CLI_OK to go on, else the exit status. */
static int upload_scan(struct cli *c, struct local_scan *scan)
{
    char *err = NULL;
    if (localsrc_scan(c->from, c->hidden, scan, &err) != 0) {
        err_line(c, "--from: %s", err ? err : "cannot be read");
        free(err);
        return CLI_USAGE;
    }
    for (size_t i = 0; i < scan->n_problems; i++)
        err_line(c, "%s: %s; skipped", scan->problems[i].path, scan->problems[i].reason);
    if (scan->hidden_skipped > 0)
        err_line(c, "%zu hidden file%s or folder%s skipped (--hidden includes them)",
                 scan->hidden_skipped, scan->hidden_skipped == 1 ? "" : "s",
                 scan->hidden_skipped == 1 ? "" : "s");
    if (scan->n_files == 0) {
        err_line(c, "nothing to upload: %s holds no readable file%s", c->from,
                 scan->n_problems > 0 ? " (see above)" : "");
        return CLI_USAGE;
    }
    if (scan->n_files > LOCALSRC_MAX_FILES && !c->yes && !c->no_batch) {
        char n[32], max[32];
        text_thousands((long)scan->n_files, n, sizeof n);
        text_thousands(LOCALSRC_MAX_FILES, max, sizeof max);
        err_line(c,
                 "%s holds %s files, more than the %s a batch takes; nothing was uploaded "
                 "(--yes uploads them all anyway)",
                 c->from, n, max);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int cmd_create_from(struct cli *c)
{
    struct local_scan scan;
    int rc = upload_scan(c, &scan);
    if (rc != CLI_OK) {
        local_scan_done(&scan);
        return rc;
    }
    /* the same name the same day: a second run finds the directory and resumes */
    char *name = c->name ? xstrdup(c->name) : localsrc_default_name(&scan, time(NULL));
    if (!net_open(c, true, false)) {
        free(name);
        local_scan_done(&scan);
        return CLI_API_ERROR;
    }
    struct upload_seen us = {.base_bytes = -1};
    strmap_init(&us.told, NULL);
    struct upload_arg a = {&scan, name};
    struct flow f = {NET_MSG_UPLOADED, "create --from", upload_make, &a, upload_seen_msg, &us};
    struct net_msg *end = NULL;
    bool found_only = false;
    rc = flow_send(c, &f, &end, &found_only);
    local_scan_done(&scan);
    strmap_done(&us.told);
    if (rc != CLI_OK || end == NULL) {
        free(name);
        return rc != CLI_OK ? rc : CLI_API_ERROR;
    }
    const struct directory *d = end->n_directories > 0 ? &end->directories[0] : NULL;
    const struct net_upload_progress *u = &end->upload;
    if (found_only) {
        err_line(c, "already created: %s runs over directory \"%s\"; nothing was uploaded",
                 end->n_batches > 0 ? end->batches[0].id : "a batch", name);
    } else {
        char *text = text_clean(name);
        fprintf(stderr,
                "%s: %zu file%s uploaded, %zu already there, %zu failed, in directory "
                "\"%s\" (%s)\n",
                c->prog, u->files_sent, u->files_sent == 1 ? "" : "s", u->files_present,
                u->files_failed, text, d && d->id ? d->id : "?");
        free(text);
    }
    free(name);
    if (c->no_batch || end->n_batches == 0) {
        printf("%s\n", d && d->id ? d->id : ""); /* dir=$(batchtop create --from . --no-batch) */
        fflush(stdout);
        net_msg_free(end);
        return CLI_OK;
    }
    create_print(c, &end->batches[0]);
    char *id = xstrdup(end->batches[0].id);
    net_msg_free(end);
    if (c->wait)
        rc = run_wait(c, &id, 1);
    free(id);
    return rc;
}

static int cmd_resubmit(struct cli *c)
{
    if (c->readonly) {
        err_line(c, "--readonly: resubmit refused");
        return CLI_USAGE;
    }
    struct watched w;
    memset(&w, 0, sizeof w);
    w.keep_files = true;
    int rc = open_one(c, &w, true);
    if (rc != CLI_OK) {
        watched_done(&w);
        return rc;
    }
    /* everything needed is here: the original need not be polled meanwhile */
    submit(c, net_cmd_new(NET_CMD_WATCH_BATCH));
    const struct batch *b = detail_batch(w.d);
    if (w.files == NULL) {
        const char *why = detail_names_error(w.d);
        err_line(c, "the files of %s's directory cannot be listed%s%s", b->id, why ? ": " : "",
                 why ? why : "");
        watched_done(&w);
        return CLI_API_ERROR;
    }
    if (c->type_set && c->type != b->job_type && c->config == NULL) {
        err_line(c, "--type differs from the batch's: give its --config too");
        watched_done(&w);
        return CLI_USAGE;
    }
    size_t n, unmatched;
    const struct dir_file **files = resubmit_pick(c, &w, &n, &unmatched);
    if (unmatched > 0) {
        err_line(c, "%zu file%s of %s %s not in its directory's list; nothing was sent", unmatched,
                 unmatched == 1 ? "" : "s", b->id, unmatched == 1 ? "is" : "are");
        free(files);
        watched_done(&w);
        return CLI_API_ERROR;
    }
    if (n == 0) {
        err_line(c, "nothing to resubmit: %s has no %s files", b->id,
                 c->not_completed ? "uncompleted" : "failed");
        free(files);
        watched_done(&w);
        return CLI_OK;
    }
    char *name = c->name != NULL ? xstrdup(c->name) : NULL;
    if (name == NULL) {
        /* "<name> retry <date>": a second run the same day finds the same directory */
        char *dir_name = directory_name(c, b->source_directory_id, &rc);
        if (dir_name == NULL && rc != CLI_OK) {
            free(files);
            watched_done(&w);
            return rc;
        }
        char today[40];
        clock_format_iso8601(clock_now_ms(), today, sizeof today);
        today[10] = '\0';
        name = xasprintf("%s retry %s", dir_name ? dir_name : b->source_directory_id, today);
        free(dir_name);
    }
    struct batch made;
    memset(&made, 0, sizeof made);
    bool found_only = false;
    rc = resubmit_send(c, b, name, files, n, &made, &found_only);
    free(files);
    if (rc != CLI_OK) {
        free(name);
        watched_done(&w);
        return rc;
    }
    if (found_only)
        err_line(c, "already resubmitted: %s runs over directory \"%s\"; nothing was created",
                 made.id, name);
    if (c->wait && c->fmt != OUT_TABLE && c->fmt != OUT_TSV) {
        /* one document: the wait's row holds the batch */
    } else if (c->fmt == OUT_JSON || c->fmt == OUT_JSONL) {
        struct json_object *o = encode_batch(&made, false);
        json_object_object_add(o, "resubmit_of", encode_str(b->id));
        out_json(stdout, o, c->tty_out);
    } else if (c->fmt == OUT_CSV) {
        struct out *o = out_new(stdout, c->fmt, c->tty_out, c->color, list_heads, 7);
        list_row(c, o, &made);
        out_end(o);
    } else {
        printf("%s\n", made.id); /* bat=$(batchtop resubmit ...) */
    }
    fflush(stdout);
    char *id = xstrdup(made.id);
    char *orig = xstrdup(b->id);
    batch_done(&made);
    free(name);
    watched_done(&w);
    c->resubmit_of = orig;
    if (c->wait)
        rc = run_wait(c, &id, 1);
    c->resubmit_of = NULL;
    free(orig);
    free(id);
    return rc;
}

/* ---- the command line ---- */

static enum sub sub_find(const char *name)
{
    for (int s = 0; s < S_COUNT; s++)
        if (strcmp(subs[s].name, name) == 0)
            return (enum sub)s;
    return S_COUNT;
}

/* Options of the TUI's table that take a value (to skip it when looking for the word). */
static bool takes_value(const char *arg)
{
    static const char *const with[] = {
        "--base-url", "--project-id", "--organization-id", "--log",     "--refresh",
        "--status",   "--directory",  "--since",           "--until",   "--limit",
        "--output",   "--type",       "--config",          "--timeout", "-o",
        "--name",     "--from"};
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
        if (strcmp(arg, with[i]) == 0)
            return true;
    return false;
}

const char *cli_subcommand(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1 < argc && sub_find(argv[i + 1]) != S_COUNT ? argv[i + 1] : NULL;
        if (a[0] == '-') {
            if (takes_value(a))
                i++;
            continue;
        }
        return sub_find(a) != S_COUNT ? a : NULL;
    }
    return NULL;
}

static int usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(struct cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see batchtop help %s)\n", subs[c->sub].name);
    return CLI_USAGE;
}

static bool valid_batch_status(const char *s)
{
    for (int st = 0; st < BATCH_STATUS_COUNT; st++)
        if (st != BATCH_UNKNOWN && strcmp(batch_status_name((enum batch_status)st), s) == 0)
            return true;
    return false;
}

static bool valid_job_status(const char *s)
{
    if (strcmp(s, "NONE") == 0)
        return true;
    for (int st = 0; st < JOB_STATUS_COUNT; st++)
        if (st != JOB_UNKNOWN && strcmp(job_status_name((enum job_status)st), s) == 0)
            return true;
    return false;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
    int opt, formats = 0;
    const char *sub_word = cli_subcommand(argc, argv);
    c->sub = sub_find(sub_word);
    static char prog[64];
    snprintf(prog, sizeof prog, "batchtop %s", sub_word);
    c->prog = prog;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:", long_opts, NULL)) != -1) {
        if (opt == '?')
            return usage_error(c, "unknown option '%s'", argv[optind - 1]);
        if (opt == ':')
            return usage_error(c, "%s needs a value", argv[optind - 1]);
        if (!(opt_subs(opt) & M(c->sub)))
            return usage_error(c, "'%s' is not an option of this subcommand", argv[optind - 1]);
        switch (opt) {
        case OPT_BASE_URL:
            c->base_url = optarg;
            break;
        case OPT_PROJECT:
            c->project_id = optarg;
            break;
        case OPT_ORG:
            c->organization_id = optarg;
            break;
        case OPT_LOG:
            c->log_path = optarg;
            break;
        case OPT_NO_CACHE:
            c->no_cache = true;
            break;
        case OPT_NO_COLOR:
            c->color = false;
            break;
        case OPT_READONLY:
            c->readonly = true;
            break;
        case OPT_PROFILE:
            c->profile = optarg;
            break;
        case OPT_NOTIFY:
            c->notify = true;
            break;
        case OPT_HELP:
            usage_sub(stdout, c->sub == S_HELP ? S_HELP : c->sub);
            exit(CLI_OK);
        case OPT_VERSION:
            printf("batchtop %s\n", PACKAGE_VERSION);
            exit(CLI_OK);
        case OPT_REFRESH: {
            int64_t ms;
            if (!parse_duration(optarg, &ms) || ms < 1000 || ms > 86400000)
                return usage_error(c, "--refresh wants seconds (2 to 86400), not '%s'", optarg);
            c->refresh_s = ms < 2000 ? 2 : (int)(ms / 1000);
            break;
        }
        case OPT_JSON:
            c->fmt = OUT_JSON;
            formats++;
            break;
        case OPT_JSONL:
            c->fmt = OUT_JSONL;
            formats++;
            break;
        case OPT_CSV:
            c->fmt = OUT_CSV;
            formats++;
            break;
        case OPT_STATUS: {
            char *u = upper(optarg);
            if (c->sub == S_LIST ? !valid_batch_status(u) : !valid_job_status(u)) {
                free(u);
                return usage_error(c, "no such status '%s'", optarg);
            }
            c->statuses = xreallocarray(c->statuses, c->n_statuses + 1, sizeof *c->statuses);
            c->statuses[c->n_statuses++] = u;
            break;
        }
        case OPT_DIRECTORY:
            c->directory = optarg;
            break;
        case OPT_SINCE:
            if (!parse_time(optarg, &c->since_ms))
                return usage_error(c, "--since wants an ISO-8601 time or a duration, not '%s'",
                                   optarg);
            break;
        case OPT_UNTIL:
            if (!parse_time(optarg, &c->until_ms))
                return usage_error(c, "--until wants an ISO-8601 time or a duration, not '%s'",
                                   optarg);
            break;
        case OPT_LIMIT: {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v <= 0)
                return usage_error(c, "--limit wants a positive number, not '%s'", optarg);
            c->limit = v;
            break;
        }
        case OPT_IDS:
            c->ids = true;
            break;
        case OPT_CACHED:
            c->cached = true;
            break;
        case OPT_FAILED:
            c->failed = true;
            break;
        case OPT_NOT_COMPLETED:
            c->not_completed = true;
            break;
        case OPT_NAME:
            c->name = optarg;
            break;
        case OPT_FROM:
            c->from = optarg;
            break;
        case OPT_EPHEMERAL:
            c->ephemeral = true;
            break;
        case OPT_HIDDEN:
            c->hidden = true;
            break;
        case OPT_YES:
            c->yes = true;
            break;
        case OPT_NO_BATCH:
            c->no_batch = true;
            break;
        case OPT_MARKDOWN:
            c->doc = 1;
            formats++;
            break;
        case OPT_TEXT:
            c->doc = 2;
            formats++;
            break;
        case 'o':
        case OPT_OUTFILE:
            c->outfile = optarg;
            break;
        case OPT_TYPE:
            c->type = job_type_parse(optarg);
            if (c->type != JOB_TYPE_PARSE && c->type != JOB_TYPE_EXTRACT)
                return usage_error(c, "--type is parse_v2 or extract_v2, not '%s'", optarg);
            c->type_set = true;
            break;
        case OPT_CONFIG:
            c->config = optarg;
            break;
        case OPT_WAIT:
            c->wait = true;
            break;
        case OPT_JOBS:
            c->jobs = true;
            break;
        case OPT_TIMEOUT:
            if (!parse_duration(optarg, &c->timeout_ms) || c->timeout_ms <= 0)
                return usage_error(c, "--timeout wants a duration (90s, 10m, 2h), not '%s'",
                                   optarg);
            break;
        default:
            return usage_error(c, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (formats > 1)
        return usage_error(c, "%sone output format at a time", "");
    if (c->sub == S_OUTPUT && c->fmt == OUT_JSON)
        c->doc = 3;
    if (c->sub == S_OUTPUT && (c->fmt == OUT_JSONL || c->fmt == OUT_CSV))
        return usage_error(c, "%soutput takes --markdown, --text or --json", "");
    /* the words after the subcommand's own */
    bool seen_sub = false;
    for (int i = optind; i < argc; i++) {
        if (!seen_sub && strcmp(argv[i], sub_word) == 0) {
            seen_sub = true;
            continue;
        }
        c->args = xreallocarray(c->args, c->n_args + 1, sizeof *c->args);
        c->args[c->n_args++] = argv[i];
    }
    return -1;
}

static int check_args(struct cli *c)
{
    size_t n = c->n_args;
    if (c->notify && c->sub != S_WAIT && c->sub != S_CREATE && c->sub != S_RESUBMIT)
        return usage_error(c, "%s--notify goes with wait, create --wait and resubmit --wait", "");
    switch (c->sub) {
    case S_LIST:
    case S_DIRS:
    case S_CONFIGS:
        if (n > 0)
            return usage_error(c, "unexpected argument '%s'", c->args[0]);
        if (c->ids && c->fmt != OUT_TABLE && c->fmt != OUT_TSV)
            return usage_error(c, "%s--ids prints IDs only: no output format with it", "");
        break;
    case S_GET:
    case S_RESULTS:
        if (n != 1)
            return usage_error(c, n ? "one batch ID, not %s" : "a batch ID is needed%s",
                               n ? "several" : "");
        break;
    case S_OUTPUT:
        if (n != 1 && n != 2)
            return usage_error(c, "%sBATCH_ID FILE, or JOB_ID", "");
        break;
    case S_CANCEL:
    case S_WAIT:
        if (n == 0)
            return usage_error(c, "%sat least one batch ID is needed", "");
        break;
    case S_RESUBMIT:
        if (n != 1)
            return usage_error(c, n ? "one batch ID, not %s" : "a batch ID is needed%s",
                               n ? "several" : "");
        if (c->failed && c->not_completed)
            return usage_error(c, "%s--failed or --not-completed, not both", "");
        if (c->name != NULL && c->name[0] == '\0')
            return usage_error(c, "%s--name wants a name", "");
        if ((c->jobs || c->timeout_ms > 0 || c->notify) && !c->wait)
            return usage_error(c, "%s--jobs, --timeout and --notify go with --wait", "");
        break;
    case S_CREATE:
        if (n > 0)
            return usage_error(c, "unexpected argument '%s'", c->args[0]);
        if (c->directory != NULL && c->from != NULL)
            return usage_error(c, "%s--directory or --from, not both", "");
        if (c->from == NULL && (c->name || c->ephemeral || c->hidden || c->yes || c->no_batch))
            return usage_error(c,
                               "%s--name, --ephemeral, --hidden, --yes and --no-batch go "
                               "with --from",
                               "");
        if (c->from != NULL && c->from[0] == '\0')
            return usage_error(c, "%s--from wants a folder, a file or a glob", "");
        if (c->name != NULL && c->name[0] == '\0')
            return usage_error(c, "%s--name wants a name", "");
        if (c->no_batch && c->wait)
            return usage_error(c, "%s--no-batch makes no batch to --wait for", "");
        if (!c->no_batch &&
            ((c->directory == NULL && c->from == NULL) || c->config == NULL || !c->type_set))
            return usage_error(c, "%s--directory (or --from), --type and --config are all needed",
                               "");
        if ((c->jobs || c->timeout_ms > 0 || c->notify) && !c->wait)
            return usage_error(c, "%s--jobs, --timeout and --notify go with --wait", "");
        break;
    default:
        break;
    }
    /* an ID goes into a URL path: escaped there, but a word that cannot be an ID is a typo */
    for (size_t i = 0; i < n && c->sub != S_HELP; i++)
        if (!text_is_safe_id(c->args[i]) && !(c->sub == S_OUTPUT && i == 1))
            return usage_error(c, "'%s' is not an ID", c->args[i]);
    return -1;
}

int cli_main(int argc, char **argv)
{
#if HAVE_MALLOC_H && HAVE_MALLOPT && defined(M_TRIM_THRESHOLD)
    /* The net thread's heap holds one page's parse at a time: glibc gives its top back
     * (madvise) after each page and faults the same pages in again for the next: about 30 % of a
     * 10,000-batch list's CPU time on loopback. A command lives seconds to minutes and its
     * peak is what it is: keep freed memory for reuse. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
    struct cli c;
    memset(&c, 0, sizeof c);
    c.color = true;
    c.since_ms = c.until_ms = INT64_MIN;
    c.tty_out = isatty(STDOUT_FILENO);
    c.tty_err = isatty(STDERR_FILENO);
    int rc = parse_args(&c, argc, argv);
    if (rc < 0)
        rc = check_args(&c);
    if (rc >= 0)
        goto out;
    if (c.sub == S_HELP) {
        if (c.n_args == 0) {
            usage_all(stdout);
        } else if (sub_find(c.args[0]) == S_COUNT) {
            rc = usage_error(&c, "no subcommand '%s'", c.args[0]);
            goto out;
        } else {
            usage_sub(stdout, sub_find(c.args[0]));
        }
        rc = CLI_OK;
        goto out;
    }
    if (c.fmt == OUT_TABLE && !c.tty_out)
        c.fmt = OUT_TSV;
    /* the configuration file, the environment, the options: as the TUI reads them */
    struct settings_args sargs = {
        .profile = c.profile,
        .base_url = c.base_url,
        .project_id = c.project_id,
        .organization_id = c.organization_id,
        .refresh_s = c.refresh_s,
        .readonly = c.readonly,
        .no_color = !c.color,
    };
    char *path = settings_path(), *why = NULL;
    bool loaded = settings_load(&c.settings, path, &sargs, stderr, &why);
    free(path);
    if (!loaded) {
        err_line(&c, "%s", why);
        free(why);
        rc = CLI_USAGE;
        goto out;
    }
    c.base_url = c.settings.base_url;
    c.project_id = c.settings.project_id;
    c.organization_id = c.settings.organization_id;
    c.refresh_s = c.settings.refresh_s;
    c.readonly = c.settings.readonly;
    c.color = c.settings.color;
    if (c.notify && c.settings.notify.command == NULL) {
        err_line(&c, "--notify: the configuration file has no [notify] command");
        rc = CLI_USAGE;
        goto out;
    }
    /* everything checked before any request: key, URL, log */
    bool offline = c.sub == S_LIST && c.cached;
    if (!offline) {
        c.key = settings_api_key(&c.settings, &why);
        if (c.key == NULL) {
            err_line(&c, "%s", why);
            free(why);
            rc = CLI_USAGE;
            goto out;
        }
    }
    c.api_key = c.key;
    char *cause = NULL;
    if (!url_base_valid(c.base_url, &cause)) {
        char *shown = url_redact(c.base_url);
        err_line(&c, "the base URL %s is not usable: %s", shown, cause ? cause : "invalid");
        free(shown);
        free(cause);
        rc = CLI_USAGE;
        goto out;
    }
    if (!offline && url_cleartext_remote(c.base_url))
        err_line(&c, "warning: the base URL uses http:// to a remote host; the API key "
                     "travels in clear text");
    log_set_secret(c.api_key);
    if (c.log_path != NULL && !log_open(c.log_path, &cause)) {
        err_line(&c, "--log %s: %s", c.log_path, cause ? cause : "error");
        free(cause);
        rc = CLI_USAGE;
        goto out;
    }
    if (log_enabled())
        log_printf("cli", "batchtop %s %s starting", PACKAGE_VERSION, subs[c.sub].name);
    if (!signals_install()) {
        err_line(&c, "cannot set up signals: %s", strerror(errno));
        rc = CLI_API_ERROR;
        goto out;
    }
    switch (c.sub) {
    case S_LIST:
        rc = cmd_list(&c);
        break;
    case S_GET:
        rc = cmd_get(&c);
        break;
    case S_RESULTS:
        rc = cmd_results(&c);
        break;
    case S_OUTPUT:
        rc = cmd_output(&c);
        break;
    case S_CREATE:
        rc = cmd_create(&c);
        break;
    case S_CANCEL:
        rc = cmd_cancel(&c);
        break;
    case S_WAIT:
        rc = cmd_wait(&c);
        break;
    case S_DIRS:
        rc = cmd_dirs(&c);
        break;
    case S_CONFIGS:
        rc = cmd_configs(&c);
        break;
    case S_RESUBMIT:
        rc = cmd_resubmit(&c);
        break;
    default:
        rc = CLI_USAGE;
        break;
    }
    if (got_signal && rc != CLI_OK)
        rc = signal_status();
out:
    if (c.net != NULL)
        net_stop(c.net);
    while (c.queue != NULL) {
        struct net_msg *m = c.queue;
        c.queue = m->next;
        net_msg_free(m);
    }
    log_close();
    for (size_t i = 0; i < c.n_statuses; i++)
        free(c.statuses[i]);
    free(c.statuses);
    free(c.args);
    out_text_done(&c.line);
    settings_key_free(c.key);
    settings_done(&c.settings);
    return rc;
}
