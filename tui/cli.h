/* cli.h -- batchtop's subcommands (list, get, results, output, create, cancel, wait, dirs,
 * configs, help): the same network thread as the TUI, for shells, cron jobs and CI. */
#ifndef TUI_CLI_H
#define TUI_CLI_H

#include <stdbool.h>

/* Exit codes of the subcommands (batchtop.1, EXIT STATUS). */
enum {
    CLI_OK = 0,
    CLI_API_ERROR = 1,   /* an API or network error after retries */
    CLI_USAGE = 2,       /* a usage or configuration error (a missing key included) */
    CLI_UNFINISHED = 3,  /* wait: a batch FAILED or CANCELLED, or jobs failed */
    CLI_TIMEOUT = 4,     /* wait: --timeout reached */
    CLI_INTERRUPTED = 130,
};

/* The subcommand named by argv's first word that is not an option (or an option's value), or
 * NULL when there is none: then batchtop is the TUI. */
const char *cli_subcommand(int argc, char **argv);
/* Run it; returns the exit status. */
int cli_main(int argc, char **argv);

#endif
