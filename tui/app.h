/* app.h -- the UI thread's state, the screen stack, reaction flags and the main loop. */
#ifndef TUI_APP_H
#define TUI_APP_H

/*
 * One struct app lives for the whole run and belongs to the UI thread. Screens are small
 * tables of functions (STYLE.md rule 10) stacked on top of the batch list; handlers return
 * reaction flags (rule 8) and the loop acts on them once per iteration, then redraws with one
 * doupdate(). Net messages are applied to the model by apply_message() (apply.h) and then
 * offered to every open screen through its `message` hook.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/detail.h"
#include "model/strmap.h"
#include "model/store.h"
#include "model/view.h"
#include "net/msg.h"
#include "net/net.h"
#include "tui/keys.h"
#include "tui/notify.h"

struct app_options {
    const char *base_url;
    const char *api_key; /* never drawn, logged or written anywhere */
    const char *project_id;
    const char *organization_id;
    const char *custom_headers;
    const char *log_path;
    int refresh_s;
    bool readonly;
    bool color;
    bool demo;
    bool no_cache; /* --no-cache: read and write no snapshot */
    const char *profile; /* the configuration file's profile in use, NULL for none */
    /* The configuration file's profiles (P opens a switcher) and how to switch to one (NULL:
     * back to no profile): fills *out, whose strings live until the program ends, or false
     * with *why. NULL when switching is not possible (--demo). */
    const char *const *profiles;
    size_t n_profiles;
    bool (*switch_to)(const char *profile, struct app_options *out, char **why);
    const struct notify_config *notify; /* [notify], NULL: flash and Messages only */
    bool production;     /* the profile says production = true: create and cancel name it */
    bool confirm_create; /* ask before a create is sent */
};

/* Reaction flags returned by handlers. */
enum {
    REACT_NONE = 0,
    REACT_REDRAW = 1u << 0,    /* draw again */
    REACT_QUIT = 1u << 1,      /* leave the program */
    REACT_CLOSE = 1u << 2,     /* pop the screen that returned it */
    REACT_UNHANDLED = 1u << 3, /* from `key`: look the key up in the action table */
};

struct app;
struct screen;

/* A key as read: a character (fn false, a wide character value) or a KEY_* code. */
struct key_event {
    int code;
    bool fn;
};

struct screen_ops {
    const char *name;
    unsigned scope; /* key scope for keys_lookup */
    bool overlay;   /* drawn on top of the screen below it */
    /* Draw into rows [top, top + rows) of stdscr. */
    void (*draw)(struct screen *s, struct app *a, int top, int rows, int cols);
    /* Optional: raw keys first; return REACT_UNHANDLED to fall back to actions. */
    unsigned (*key)(struct screen *s, struct app *a, struct key_event k);
    /* Optional: an action from the table. */
    unsigned (*action)(struct screen *s, struct app *a, enum action act);
    /* Optional: every key waiting was handled (one read of the terminal): work the keys
     * only asked for is done once here (a pasted or fast-typed filter applied once). */
    unsigned (*keys_done)(struct screen *s, struct app *a);
    /* Optional: a net message already applied to the model. */
    unsigned (*message)(struct screen *s, struct app *a, const struct net_msg *m);
    /* Optional: the bottom-line key hints. */
    const char *(*hints)(struct screen *s, struct app *a);
    /* Free the screen's data (it is being closed). */
    void (*done)(struct screen *s, struct app *a);
};

struct screen {
    const struct screen_ops *ops;
    void *data; /* owned by the screen; freed by done */
};

struct log_entry {
    int64_t when_ms;
    bool error;
    char *text; /* sanitized, owned */
};

#define APP_MAX_SCREENS 12
#define APP_MAX_NOTIFY 8 /* notify commands running at once */

/* A notify command still running: its standard error is read until it ends. */
struct notify_child {
    pid_t pid; /* 0: a free slot */
    int fd;    /* its standard error, -1 once at EOF */
    char *batch_id;
    char err[512];
    size_t err_len;
};
#define APP_SLICE_MS 20 /* message work between two looks at the keyboard */

struct app {
    struct app_options opt;
    char *endpoint; /* scheme://host[:port] shown in the header, never user:password@ */
    bool cleartext; /* plain http:// to a host that is not a literal loopback address */
    struct net *net;

    struct batch_store *store;
    struct list_view *view;
    struct batch_detail *detail; /* the open batch (Batch screen), NULL otherwise */
    struct batch_detail *detail_gone; /* a closed batch's detail, freed a part at a time
                                         between keys (read_messages), NULL when none */

    /* Connection, from the latest message. */
    enum net_conn conn;
    int64_t retry_at_mono; /* RETRYING: clock_mono_ms() of the next try */
    unsigned requests_per_min;
    int64_t updated_ms; /* last good list refresh, 0 before one */
    int64_t stalled_ms; /* a request has had no byte for this long (>= 5 s), else 0 */
    bool list_loaded;
    bool list_stale; /* the last list refresh failed */
    int64_t cached_ms;        /* the snapshot shown until fresh data comes (epoch ms), 0 none */
    int64_t cache_saved_mono; /* when it was last written */
    bool cache_error_said;
    bool list_cursor_moved;
    char *last_notice; /* the last NET_MSG_NOTICE said (said again only when it changes) */ /* the operator moved the list's cursor (or a create chose a row) */
    /* A full listing under way: its pages are shown as they come (the counts are partial). */
    bool list_partial;
    size_t list_partial_loaded;
    long list_partial_total; /* total_size when the server sends it, else -1 */
    int list_partial_pages;
    bool paused;
    char *counts_sent;         /* the last NET_CMD_WANT_COUNTS set, IDs joined by ' ' ("" none) */
    char *resubmit_after_load; /* R on the list: open the Resubmit dialog once this batch's
                                  files and job statuses are in (the Batch screen is open) */

    /* Picker data. */
    struct directory *directories;
    size_t n_directories;
    bool directories_loaded;
    char *directories_error;
    struct config *configs[JOB_TYPE_COUNT];
    size_t n_configs[JOB_TYPE_COUNT];
    bool configs_loaded[JOB_TYPE_COUNT];
    uint64_t configs_req[JOB_TYPE_COUNT]; /* the LIST_CONFIGS request in flight, 0 if none */
    char *configs_error;

    /* Flash line and the messages log. */
    char *flash;
    bool flash_error;
    int64_t flash_until_mono; /* info flashes fade; 0 = stays until the next key */
    struct log_entry *log;
    size_t n_log;

    /* Messages taken from the net thread and not applied yet: a backlog is applied in slices
     * of about APP_SLICE_MS, with keys read and the screen drawn between slices. */
    struct net_msg *pending;
    size_t pending_at; /* items of the first pending message already applied (a big one) */
    bool view_dirty; /* the list view needs list_view_rebuild before it is next read */

    struct screen screens[APP_MAX_SCREENS];
    size_t n_screens;
    bool quit;
    int cursor_y, cursor_x; /* set by a draw that wants the cursor shown; -1 = hidden */
    char *pending_copy;     /* an OSC 52 sequence written after the next doupdate */
    char *pending_osc;      /* desktop notifications, written after the next doupdate */

    /* Batches whose end is announced (created in this session, or marked with *): ID ->
     * NULL; an ID leaves once announced. */
    struct strmap watched;
    struct notify_child children[APP_MAX_NOTIFY];
};

/* Free d (a batch detail no screen uses any more) a part at a time between keys. */
void app_detail_free_later(struct app *a, struct batch_detail *d);

/* Run the whole UI (terminal already checked); returns the exit status: 0, or 128 + the
 * signal (SIGINT, SIGTERM, SIGHUP) that ended it. */
int app_run(const struct app_options *opt);

/* Push a screen (takes data). A full stack frees data with ops->done and returns false. */
bool app_push(struct app *a, const struct screen_ops *ops, void *data);
/* True when a screen with these ops is open. */
bool app_has_screen(const struct app *a, const struct screen_ops *ops);

/* Send a command to the net thread (takes cmd); returns its request number. */
uint64_t app_submit(struct app *a, struct net_cmd *cmd);
/* Flash a line on the bottom row and record it in the messages log. */
void app_flash(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error: stays until the next key, and goes to the log. */
void app_error(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Only the messages log. */
void app_log(struct app *a, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copy text to the terminal's clipboard with OSC 52 (after the next screen update). */
void app_copy(struct app *a, const char *text);
/* Stop the network core, start one for the profile (NULL: none) and show its snapshot; the
 * Batches screen stays, everything else closes. An error leaves everything as it was. */
void app_switch_profile(struct app *a, const char *profile);
/* Announce the end of this batch (flash, Messages, [notify]); on = false stops. */
void app_notify_watch(struct app *a, const char *batch_id, bool on);
bool app_notify_watched(const struct app *a, const char *batch_id);
/* `*`: watch the batch (said in a flash), or stop watching it. */
void app_watch_toggle(struct app *a, const char *batch_id);
/* Announce every watched batch that has ended (after the store changed). */
void app_notify_check(struct app *a);
/* Start / stop watching a batch; the Batch screen calls these. */
void app_watch_batch(struct app *a, const char *id);

#endif
