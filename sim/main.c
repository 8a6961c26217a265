/* main.c -- batchtop-sim's entry point: options, signals, start and clean stop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "sim/faults.h"
#include "sim/server.h"
#include "sim/world.h"

static int signal_pipe[2] = {-1, -1};

/* Async-signal-safe: one byte naming the signal, nothing else. */
static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(signal_pipe[1], &b, 1);
    (void)n;
    errno = saved;
}

static void usage(FILE *out)
{
    fputs("Usage: batchtop-sim [OPTION]...\n"
          "A local, seeded simulator of the LlamaCloud batches API for batchtop, its tests and\n"
          "benchmarks. Prints \"listening on http://HOST:PORT\" then \"project_id UUID\".\n"
          "\n"
          "  --listen HOST:PORT        address to listen on (default 127.0.0.1:8765; port 0\n"
          "                            picks a free one)\n"
          "  --api-key KEY             bearer key clients must send (default: the environment\n"
          "                            variable BATCHTOP_SIM_API_KEY, else llx-sim)\n"
          "  --seed N                  seed of the world and of the faults (default: random)\n"
          "  --directories N           regular source directories (default 6), besides\n"
          "                            \"thousand\" (1,000 files) and \"big-1001\" (1,001 files)\n"
          "  --files-per-directory N   files in each regular directory (default 20, at\n"
          "                            most 1,000 or --max-files)\n"
          "  --batches N               pre-existing batches, in every status (default 12)\n"
          "  --speed F                 lifecycle speed: 1 = a 20-file batch in about 30 s,\n"
          "                            20 = about 1.5 s (default 1)\n"
          "  --page-size-max N         largest page served; bigger page_size is clamped\n"
          "                            (default 100)\n"
          "  --batch-fail-rate P       share of new batches failing at orchestration level\n"
          "                            (default 0)\n"
          "  --fail-rate P             share of requests answered 500/502/503 (some with\n"
          "                            x-should-retry: true)\n"
          "  --rate-limit N            requests per second; more are answered 429 with\n"
          "                            Retry-After: 1\n"
          "  --rtt MS                  a fixed delay before every answer, like a distant\n"
          "                            server; concurrent requests wait independently; not a\n"
          "                            fault (SIGUSR1 leaves it on) (default 0)\n"
          "  --latency MS              add a random latency of 0..MS milliseconds\n"
          "  --reset-rate P            share of connections dropped without an answer\n"
          "  --malformed-rate P        share of 200 GET bodies truncated or garbled\n"
          "  --ambiguous-create-rate P share of creates (batch, directory, directory file,\n"
          "                            upload) that succeed but answer 500\n"
          "  --hostile-strings         put terminal escapes and control characters into file\n"
          "                            names, configuration names, errors and job output, and a\n"
          "                            30-digit number into extract results\n"
          "  --results-while-running null|partial\n"
          "                            results of an active batch: null until it ends, or the\n"
          "                            files mapped so far (default partial)\n"
          "  --complete-early          COMPLETED once every file is mapped to a job, while\n"
          "                            jobs still run (what the SDK's wording allows)\n"
          "  --throttle-jobs           extract jobs report THROTTLED for the first half of\n"
          "                            their wait\n"
          "  --page-size-refuse N      answer 422 to a page_size above N instead of clamping\n"
          "  --sort newest|oldest      order of GET /api/v2/batches by created_at (default\n"
          "                            newest; the real order is undocumented)\n"
          "  --total-size              send total_size in every cursor page (not in the SDK's\n"
          "                            cursor type); --no-total-size: omit it (the default)\n"
          "  --billing-delay MS        usage credits stay null until MS (speed applied) after\n"
          "                            a job ends (default 0: at the terminal state)\n"
          "  --directory-ttl SECONDS   regular directories are ephemeral and expire SECONDS\n"
          "                            after start: then 404, gone from the list (default 0:\n"
          "                            user directories that never expire)\n"
          "  --delete-files N          creating a batch soft-deletes the first N files of its\n"
          "                            directory one second (speed applied) later\n"
          "  --failed-pages P          share of pages of a COMPLETED parse job that failed\n"
          "                            ({page_number, success: false, error}; default 0)\n"
          "  --no-full-output          never return markdown_full/text_full (undocumented in\n"
          "                            TS SDK 2.16.0), only the documented pages\n"
          "  --max-files N             for tests of big batches: a batch may cover N files\n"
          "                            (default 1,000, the API's limit; at most 200,000),\n"
          "                            and a regular directory may hold as many\n"
          "  --map-error-rate P        share of a batch's files given a mapping error (no\n"
          "                            job; default 0.03)\n"
          "  --job-fail-rate P         share of the other files whose job ends FAILED (by\n"
          "                            default 8% of all files); errors differ in numbers\n"
          "  --max-upload-mb N         an upload body above N MiB is answered 413 (default\n"
          "                            100); a Content-Length above it before any is read\n"
          "  --upload-rate N           uploads per 5 s (sliding window) in the project; more\n"
          "                            are answered 429 with Retry-After (default 50; 0 =\n"
          "                            unlimited)\n"
          "  -v, --verbose             log one line per request on stderr:\n"
          "                            METHOD PATH?QUERY STATUS MS\n"
          "  -h, --help                show this help and exit\n"
          "      --version             show the version and exit\n"
          "\n"
          "Always, as SDK 2.16.0 types it: configuration version is a datetime string; extract\n"
          "file_input is a dfl- ID; directories carry expires_at; array query parameters are\n"
          "repeated keys, and a comma-separated value or a key[] is answered 422. expand=usage\n"
          "adds usage to a parse or extract GET; expand=extract_metadata adds extract_metadata.\n"
          "\n"
          "Directory create (POST /api/v1/beta/directories {name, description?, type?: user|\n"
          "ephemeral}) answers 201 + the directory; a name already used by a live directory of\n"
          "the project is 409 {\"detail\": \"...\"}. Add a file (POST .../directories/ID/files\n"
          "{file_id, display_name?, unique_id?, metadata?}) answers 201 + a new dfl- entry over\n"
          "the same file_id; an unknown directory or a file_id no directory ever held is 404;\n"
          "a unique_id (default: the file_id) the directory already holds is 409, so adding the\n"
          "same file twice never makes a second entry. Both are guesses [S] of the real API.\n"
          "Upload (POST .../directories/ID/files/upload, multipart/form-data: upload_file with\n"
          "a filename; display_name?, unique_id?, external_file_id?, metadata? as a JSON object\n"
          "string) answers 201 + a new dfl- entry over a new file_id; display_name defaults to\n"
          "the filename, unique_id to external_file_id, else the new file_id. Only the size\n"
          "and a SHA-256 of the file are kept. An unknown directory is 404, a unique_id the\n"
          "directory holds 409, no upload_file part (or no multipart body) 422.\n"
          "\n"
          "SIGUSR1 or POST /_sim/faults/off turns every fault off; GET /_sim/state lists every\n"
          "batch's id and status, and every uploaded entry with its size and sha256. SIGINT\n"
          "and SIGTERM stop the simulator.\n",
          out);
}

static void die_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "batchtop-sim: %s: '%s'\nTry 'batchtop-sim --help'.\n", msg, arg);
    exit(2);
}

static unsigned long long parse_count(const char *arg, unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v > max)
        die_usage("invalid number", arg);
    return v;
}

static double parse_double(const char *arg, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno != 0 || end == arg || *end != '\0' || !(v >= lo && v <= hi))
        die_usage("invalid value", arg);
    return v;
}

enum {
    OPT_LISTEN = 256,
    OPT_KEY,
    OPT_SEED,
    OPT_DIRS,
    OPT_FILES,
    OPT_BATCHES,
    OPT_SPEED,
    OPT_PAGE_MAX,
    OPT_FAIL,
    OPT_RATE,
    OPT_LATENCY,
    OPT_RTT,
    OPT_RESET,
    OPT_MALFORMED,
    OPT_AMBIGUOUS,
    OPT_HOSTILE,
    OPT_BATCH_FAIL,
    OPT_RESULTS_RUNNING,
    OPT_COMPLETE_EARLY,
    OPT_THROTTLE_JOBS,
    OPT_PAGE_REFUSE,
    OPT_SORT,
    OPT_TOTAL_SIZE,
    OPT_NO_TOTAL_SIZE,
    OPT_BILLING_DELAY,
    OPT_DIR_TTL,
    OPT_DELETE_FILES,
    OPT_FAILED_PAGES,
    OPT_NO_FULL_OUTPUT,
    OPT_MAX_FILES,
    OPT_MAP_ERROR_RATE,
    OPT_JOB_FAIL_RATE,
    OPT_MAX_UPLOAD_MB,
    OPT_UPLOAD_RATE,
    OPT_VERSION,
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"api-key", required_argument, NULL, OPT_KEY},
        {"seed", required_argument, NULL, OPT_SEED},
        {"directories", required_argument, NULL, OPT_DIRS},
        {"files-per-directory", required_argument, NULL, OPT_FILES},
        {"batches", required_argument, NULL, OPT_BATCHES},
        {"speed", required_argument, NULL, OPT_SPEED},
        {"page-size-max", required_argument, NULL, OPT_PAGE_MAX},
        {"fail-rate", required_argument, NULL, OPT_FAIL},
        {"rate-limit", required_argument, NULL, OPT_RATE},
        {"latency", required_argument, NULL, OPT_LATENCY},
        {"rtt", required_argument, NULL, OPT_RTT},
        {"reset-rate", required_argument, NULL, OPT_RESET},
        {"malformed-rate", required_argument, NULL, OPT_MALFORMED},
        {"ambiguous-create-rate", required_argument, NULL, OPT_AMBIGUOUS},
        {"batch-fail-rate", required_argument, NULL, OPT_BATCH_FAIL},
        {"hostile-strings", no_argument, NULL, OPT_HOSTILE},
        {"results-while-running", required_argument, NULL, OPT_RESULTS_RUNNING},
        {"complete-early", no_argument, NULL, OPT_COMPLETE_EARLY},
        {"throttle-jobs", no_argument, NULL, OPT_THROTTLE_JOBS},
        {"page-size-refuse", required_argument, NULL, OPT_PAGE_REFUSE},
        {"sort", required_argument, NULL, OPT_SORT},
        {"total-size", no_argument, NULL, OPT_TOTAL_SIZE},
        {"no-total-size", no_argument, NULL, OPT_NO_TOTAL_SIZE},
        {"billing-delay", required_argument, NULL, OPT_BILLING_DELAY},
        {"directory-ttl", required_argument, NULL, OPT_DIR_TTL},
        {"delete-files", required_argument, NULL, OPT_DELETE_FILES},
        {"failed-pages", required_argument, NULL, OPT_FAILED_PAGES},
        {"no-full-output", no_argument, NULL, OPT_NO_FULL_OUTPUT},
        {"max-files", required_argument, NULL, OPT_MAX_FILES},
        {"map-error-rate", required_argument, NULL, OPT_MAP_ERROR_RATE},
        {"job-fail-rate", required_argument, NULL, OPT_JOB_FAIL_RATE},
        {"max-upload-mb", required_argument, NULL, OPT_MAX_UPLOAD_MB},
        {"upload-rate", required_argument, NULL, OPT_UPLOAD_RATE},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    struct world_params wp = {
        .seed = (uint64_t)time(NULL) * 2654435761ULL ^ (uint64_t)getpid(),
        .directories = 6,
        .files_per_directory = 20,
        .batches = 12,
        .speed = 1,
    };
    struct faults_params fp = {0};
    struct server_params sp = {.host = "127.0.0.1",
                               .port = 8765,
                               .page_size_max = 100,
                               .max_upload_mb = 100,
                               .upload_rate = 50};
    char *host = NULL;
    const char *key = NULL;
    const char *files_arg = "";
    int opt;
    while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_LISTEN: {
            const char *colon = strrchr(optarg, ':');
            if (colon == NULL || colon == optarg)
                die_usage("--listen wants HOST:PORT", optarg);
            free(host);
            host = xstrndup(optarg, (size_t)(colon - optarg));
            sp.port = (int)parse_count(colon + 1, 65535);
            break;
        }
        case OPT_KEY:
            key = optarg;
            break;
        case OPT_SEED:
            wp.seed = parse_count(optarg, ULLONG_MAX);
            break;
        case OPT_DIRS:
            wp.directories = (size_t)parse_count(optarg, 10000);
            break;
        case OPT_FILES:
            wp.files_per_directory = (size_t)parse_count(optarg, WORLD_BIG_MAX_FILES);
            files_arg = optarg;
            break;
        case OPT_BATCHES:
            wp.batches = (size_t)parse_count(optarg, 1000000);
            break;
        case OPT_SPEED:
            wp.speed = parse_double(optarg, 0.01, 100000);
            break;
        case OPT_PAGE_MAX:
            sp.page_size_max = (size_t)parse_count(optarg, 100000);
            if (sp.page_size_max == 0)
                die_usage("--page-size-max must be at least 1", optarg);
            break;
        case OPT_FAIL:
            fp.fail_rate = parse_double(optarg, 0, 1);
            break;
        case OPT_RATE:
            fp.rate_limit = (long)parse_count(optarg, 1000000000);
            break;
        case OPT_LATENCY:
            fp.latency_ms = (int)parse_count(optarg, 600000);
            break;
        case OPT_RTT:
            sp.rtt_ms = (int)parse_count(optarg, 600000);
            break;
        case OPT_RESET:
            fp.reset_rate = parse_double(optarg, 0, 1);
            break;
        case OPT_MALFORMED:
            fp.malformed_rate = parse_double(optarg, 0, 1);
            break;
        case OPT_AMBIGUOUS:
            fp.ambiguous_rate = parse_double(optarg, 0, 1);
            break;
        case OPT_BATCH_FAIL:
            wp.batch_fail_rate = parse_double(optarg, 0, 1);
            break;
        case OPT_HOSTILE:
            wp.hostile = true;
            break;
        case OPT_RESULTS_RUNNING:
            if (strcmp(optarg, "null") == 0)
                wp.results_null = true;
            else if (strcmp(optarg, "partial") == 0)
                wp.results_null = false;
            else
                die_usage("--results-while-running takes null or partial", optarg);
            break;
        case OPT_COMPLETE_EARLY:
            wp.complete_early = true;
            break;
        case OPT_THROTTLE_JOBS:
            wp.throttle_jobs = true;
            break;
        case OPT_PAGE_REFUSE:
            sp.page_size_refuse = (size_t)parse_count(optarg, 100000);
            break;
        case OPT_SORT:
            if (strcmp(optarg, "newest") == 0)
                sp.sort_oldest = false;
            else if (strcmp(optarg, "oldest") == 0)
                sp.sort_oldest = true;
            else
                die_usage("--sort takes newest or oldest", optarg);
            break;
        case OPT_TOTAL_SIZE:
        case OPT_NO_TOTAL_SIZE:
            sp.total_size = opt == OPT_TOTAL_SIZE;
            break;
        case OPT_BILLING_DELAY:
            wp.billing_delay_ms = (int64_t)parse_count(optarg, 86400000);
            break;
        case OPT_DIR_TTL:
            wp.directory_ttl_s = (int64_t)parse_count(optarg, 10LL * 365 * 86400);
            break;
        case OPT_DELETE_FILES:
            wp.delete_files = (size_t)parse_count(optarg, WORLD_MAX_FILES + 1);
            break;
        case OPT_FAILED_PAGES:
            wp.failed_pages = parse_double(optarg, 0, 1);
            break;
        case OPT_NO_FULL_OUTPUT:
            wp.no_full_output = true;
            break;
        case OPT_MAP_ERROR_RATE:
            wp.map_error_rate = parse_double(optarg, 0, 1);
            wp.has_map_error_rate = true;
            break;
        case OPT_JOB_FAIL_RATE:
            wp.job_fail_rate = parse_double(optarg, 0, 1);
            wp.has_job_fail_rate = true;
            break;
        case OPT_MAX_FILES:
            wp.max_files = (size_t)parse_count(optarg, WORLD_BIG_MAX_FILES);
            if (wp.max_files == 0)
                die_usage("--max-files must be at least 1", optarg);
            break;
        case OPT_MAX_UPLOAD_MB:
            sp.max_upload_mb = (long)parse_count(optarg, 1024 * 1024);
            if (sp.max_upload_mb == 0)
                die_usage("--max-upload-mb must be at least 1", optarg);
            break;
        case OPT_UPLOAD_RATE:
            sp.upload_rate = (long)parse_count(optarg, 1000000);
            break;
        case 'v':
            sp.verbose = true;
            break;
        case 'h':
            usage(stdout);
            free(host);
            return 0;
        case OPT_VERSION:
            printf("batchtop-sim %s\n", PACKAGE_VERSION);
            free(host);
            return 0;
        default:
            usage(stderr);
            free(host);
            return 2;
        }
    }
    if (optind < argc)
        die_usage("unexpected argument", argv[optind]);
    if (wp.files_per_directory > (wp.max_files ? wp.max_files : WORLD_MAX_FILES))
        die_usage("--files-per-directory is above 1,000 (raise it with --max-files)", files_arg);
    if (host != NULL)
        sp.host = host;
    if (key == NULL) {
        const char *env = getenv("BATCHTOP_SIM_API_KEY");
        key = env != NULL && env[0] != '\0' ? env : "llx-sim";
    }
    sp.api_key = key;
    fp.seed = wp.seed;

    if (pipe(signal_pipe) != 0) {
        perror("batchtop-sim: pipe");
        return 1;
    }
    for (int i = 0; i < 2; i++)
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
    fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    /* Server threads inherit a mask without our signals: only this thread handles them. */
    sigset_t ours, old;
    sigemptyset(&ours);
    sigaddset(&ours, SIGINT);
    sigaddset(&ours, SIGTERM);
    sigaddset(&ours, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &ours, &old);

    if (sp.verbose)
        fprintf(stderr, "batchtop-sim: seed %llu\n", (unsigned long long)wp.seed);
    struct world *w = world_new(&wp, rng_now_ms());
    struct faults *f = faults_new(&fp);
    char *error = NULL;
    struct server *s = server_start(w, f, &sp, &error);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    int rc = 0;
    if (s == NULL) {
        fprintf(stderr, "batchtop-sim: %s\n", error);
        free(error);
        rc = 1;
    } else {
        printf("listening on http://%s:%d\n", sp.host, server_port(s));
        fflush(stdout);
        printf("project_id %s\n", w->project_id);
        fflush(stdout);
        for (bool running = true; running;) {
            struct pollfd pfd = {.fd = signal_pipe[0], .events = POLLIN};
            if (poll(&pfd, 1, -1) < 0)
                continue;
            unsigned char b;
            if (read(signal_pipe[0], &b, 1) != 1)
                continue;
            if (b == SIGUSR1) {
                faults_off(f);
                server_note(s, "faults off (SIGUSR1)");
            } else {
                running = false;
            }
        }
        server_stop(s);
    }
    faults_free(f);
    world_free(w);
    free(host);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    return rc;
}
