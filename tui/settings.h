/* settings.h -- the configuration file, profiles, and where each effective setting came from. */
#ifndef TUI_SETTINGS_H
#define TUI_SETTINGS_H

/*
 * $XDG_CONFIG_HOME/batchtop/config (else ~/.config/batchtop/config), INI syntax read with
 * libinih: [defaults] and [profile NAME] hold the connection settings below. Precedence: the
 * command line, then the environment, then the chosen profile, then [defaults], then the
 * built-in value; every setting remembers where it came from (--print-config shows it). The
 * profile is --profile NAME, else BATCHTOP_PROFILE. A file that cannot be used -- an unknown
 * section or setting, a bad value, a line too long, an unknown profile -- is one error naming
 * file:line, and the program exits 2 before anything else (the TUI before curses starts).
 * The API key itself never goes in the file (an `api_key` setting is refused): it comes from
 * LLAMA_CLOUD_API_KEY, else from `api_key_command`, whose standard output is the key, kept only
 * in memory. [keys] binds actions (the help screen's names) to keys: `quit = Q, Ctrl-Q`.
 * [colors] sets status and UI colours: `failed = red on black` (tui/draw.h names them).
 * [notify]: `bell`, `desktop` (off, osc9, osc777, both) and `command` for a watched batch's
 * end (tui/notify.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tui/keys.h"
#include "tui/notify.h"

enum setting_source {
    SET_BUILTIN,  /* batchtop's own default */
    SET_DEFAULTS, /* [defaults] of the file */
    SET_PROFILE,  /* [profile NAME] of the file */
    SET_ENV,      /* an environment variable */
    SET_CLI,      /* the command line */
};

struct setting {
    char *value; /* owned; NULL: not set (for the IDs: not sent) */
    enum setting_source source;
    int line; /* the file's line for SET_DEFAULTS / SET_PROFILE */
};

enum setting_id {
    SETTING_BASE_URL,
    SETTING_PROJECT_ID,
    SETTING_ORGANIZATION_ID,
    SETTING_REFRESH,
    SETTING_READONLY,
    SETTING_PRODUCTION,
    SETTING_CONFIRM_CREATE,
    SETTING_COLOR,
    SETTING_API_KEY_COMMAND,
    SETTING_COUNT,
};

/* What the command line said; NULL / 0 / false: nothing. */
struct settings_args {
    const char *profile;
    bool no_profile; /* no profile even when BATCHTOP_PROFILE names one (a switch to none) */
    const char *base_url, *project_id, *organization_id;
    int refresh_s;
    bool readonly, no_color;
};

/* One line of [keys]. */
struct key_binding {
    enum action action;
    int keys[KEYS_MAX];
    size_t n;
    int line;
};

/* One line of [colors]. */
struct color_line {
    char *element, *value;
    int line;
};

struct settings {
    char *path;    /* the file looked at (read when file_read), NULL without HOME */
    bool file_read;
    char *profile; /* the chosen profile, NULL for none */
    enum setting_source profile_source;
    struct setting s[SETTING_COUNT];
    /* resolved values */
    const char *base_url, *project_id, *organization_id; /* into s[]; IDs NULL when not set */
    int refresh_s;
    bool readonly, production, confirm_create, color;
    bool key_from_env; /* LLAMA_CLOUD_API_KEY is set (it wins over api_key_command) */
    struct key_binding *bindings; /* [keys], in file order (a later line for an action wins) */
    size_t n_bindings;
    struct color_line *colors; /* [colors], in file order */
    size_t n_colors;
    char **profiles; /* the names of every [profile NAME] of the file, in file order */
    size_t n_profiles;
    struct notify_config notify; /* [notify]; command owned */
};

/* The file's path ($XDG_CONFIG_HOME when absolute, else $HOME/.config); NULL without either. */
char *settings_path(void);

/* Read the file at path (missing is fine) for the profile, then apply the environment and
 * args. False with *why (one line, "FILE:LINE: ..." when a line is at fault; caller frees).
 * Warnings (a file others may read that holds a command, sections not read yet) go to warn
 * when it is not NULL. */
bool settings_load(struct settings *out, const char *path, const struct settings_args *args,
                   FILE *warn, char **why);
void settings_done(struct settings *s);

/* Put the [keys] bindings in force (tui/keys.c). False with *why ("FILE:LINE: ...") when a key
 * would then mean two actions on one screen; the built-in keys are back in force then. */
bool settings_apply_keys(const struct settings *s, char **why);

/* Put the [colors] in force (tui/draw.c; before draw_init_colors). */
void settings_apply_colors(const struct settings *s);

/* The name of a setting as written in the file. */
const char *settings_name(enum setting_id id);
/* Write the effective settings and the source of each (never the key) to out. */
void settings_print(const struct settings *s, FILE *out);

/* The API key: LLAMA_CLOUD_API_KEY, else the output of api_key_command (run without a shell;
 * a value starting with '!' runs the rest through /bin/sh -c). NULL with *why when there is
 * none or the command fails (its standard error is in *why, never its output). The caller
 * frees the key with settings_key_free, which wipes it. */
char *settings_api_key(const struct settings *s, char **why);
void settings_key_free(char *key);

/* Split a command into words: spaces separate, '...' and "..." quote, \ escapes. NULL with
 * *why on an unterminated quote. The vector and its words are freed by settings_argv_free. */
char **settings_split(const char *cmd, char **why);
void settings_argv_free(char **argv);

#endif
