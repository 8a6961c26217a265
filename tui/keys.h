/* keys.h -- every user action in one table: names, help text, scopes and default keys. */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

/*
 * Keymaps are data (STYLE.md rule 9). ACTION_LIST builds the action enum, the help screen
 * and the lookup from a key to an action. Screens receive actions, never keys (except text
 * fields, dialogs and the form, which read raw keys first). A scope says where an action
 * applies; a key may mean different actions in different scopes, never two in one.
 */

#include <stdbool.h>
#include <stddef.h>

enum key_scope {
    SCOPE_GLOBAL = 1u << 0,
    SCOPE_LIST = 1u << 1,
    SCOPE_BATCH = 1u << 2,
    SCOPE_FILE = 1u << 3,
};

#define KEY_CTRL(c) ((c)&0x1f)
#define KEY_ESCAPE 27

/* X(id, scopes, name, help, keys...) -- keys are ncurses key codes or characters. */
#define ACTION_LIST(X)                                                                            \
    X(ACT_HELP, SCOPE_GLOBAL, "help", "show this help", '?', KEY_F(1))                            \
    X(ACT_QUIT, SCOPE_GLOBAL, "quit", "back; on the batch list, quit", 'q')                       \
    X(ACT_BACK, SCOPE_GLOBAL, "back", "back / close", KEY_ESCAPE, KEY_LEFT)                       \
    X(ACT_QUIT_NOW, SCOPE_GLOBAL, "quit-now", "quit at once", KEY_CTRL('c'))                      \
    X(ACT_REFRESH, SCOPE_GLOBAL, "refresh", "refresh now", 'r', KEY_F(5))                         \
    X(ACT_PAUSE, SCOPE_GLOBAL, "pause", "pause / resume live updates", 'p')                       \
    X(ACT_MESSAGES, SCOPE_GLOBAL, "messages", "messages log", 'm')                                \
    X(ACT_FILTER, SCOPE_GLOBAL, "filter", "filter rows (Enter keeps, Esc clears); search output", \
      '/')                                                                                        \
    X(ACT_UP, SCOPE_GLOBAL, "up", "move up", KEY_UP, 'k')                                         \
    X(ACT_DOWN, SCOPE_GLOBAL, "down", "move down", KEY_DOWN, 'j')                                 \
    X(ACT_PAGE_UP, SCOPE_GLOBAL, "page-up", "page up", KEY_PPAGE, KEY_CTRL('b'))                  \
    X(ACT_PAGE_DOWN, SCOPE_GLOBAL, "page-down", "page down", KEY_NPAGE, KEY_CTRL('f'), ' ')       \
    X(ACT_HOME, SCOPE_GLOBAL, "first", "first row", KEY_HOME, 'g')                                \
    X(ACT_END, SCOPE_GLOBAL, "last", "last row", KEY_END, 'G')                                    \
    X(ACT_OPEN, SCOPE_GLOBAL, "open", "open the selected row", '\n', '\r', KEY_ENTER, KEY_RIGHT)  \
    X(ACT_COPY, SCOPE_GLOBAL, "copy", "copy the selected ID (OSC 52)", 'y')                       \
    X(ACT_REDRAW, SCOPE_GLOBAL, "redraw", "redraw the screen", KEY_CTRL('l'))                     \
    X(ACT_PROFILES, SCOPE_GLOBAL, "profiles", "switch to another profile of the configuration",  \
      'P')                                                                                        \
    X(ACT_NEW, SCOPE_LIST, "new", "new batch", 'n')                                               \
    X(ACT_WATCH, SCOPE_LIST | SCOPE_BATCH, "watch", "tell me when this batch ends (again: stop)",  \
      '*')                                                                                        \
    X(ACT_CANCEL, SCOPE_LIST | SCOPE_BATCH, "cancel", "cancel the batch (asks first)", 'c')       \
    X(ACT_SHOW_ALL, SCOPE_LIST, "all", "show every status", '0')                                  \
    X(ACT_SHOW_PENDING, SCOPE_LIST, "pending", "only PENDING", '1')                               \
    X(ACT_SHOW_THROTTLED, SCOPE_LIST, "throttled", "only THROTTLED", '2')                         \
    X(ACT_SHOW_RUNNING, SCOPE_LIST, "running", "only RUNNING", '3')                               \
    X(ACT_SHOW_COMPLETED, SCOPE_LIST, "completed", "only COMPLETED", '4')                         \
    X(ACT_SHOW_FAILED, SCOPE_LIST, "failed", "only FAILED", '5')                                  \
    X(ACT_SHOW_CANCELLED, SCOPE_LIST, "cancelled", "only CANCELLED", '6')                         \
    X(ACT_SHOW_ACTIVE, SCOPE_LIST, "active", "only active (pending, throttled, running)", 'a')    \
    X(ACT_SORT_PREV, SCOPE_LIST, "sort-prev", "sort by the previous column", '<')                 \
    X(ACT_SORT_NEXT, SCOPE_LIST, "sort-next", "sort by the next column", '>')                     \
    X(ACT_SORT_INVERT, SCOPE_LIST, "sort-invert", "invert the sort order", 'I')                   \
    X(ACT_FAILED_ONLY, SCOPE_BATCH, "failed-only", "show failed files only", 'f')                 \
    X(ACT_FAILED_BATCHES, SCOPE_LIST, "failed-batches",                                           \
      "only batches with failed files (again: all)", 'F')                                         \
    X(ACT_FOCUS, SCOPE_BATCH, "focus", "failures panel / files (Enter on a group filters)", '\t') \
    X(ACT_NEXT_FAILED, SCOPE_BATCH, "next-failed", "next failed file (wraps to the first)", ']')  \
    X(ACT_PREV_FAILED, SCOPE_BATCH, "prev-failed", "previous failed file (wraps to the last)",    \
      '[')                                                                                        \
    X(ACT_EXPORT, SCOPE_BATCH, "export", "export the files shown (.json: JSON, else CSV)", 'E')   \
    X(ACT_RESUBMIT, SCOPE_LIST | SCOPE_BATCH, "resubmit",                                         \
      "run failed or unfinished files again (new batch)", 'R')                                    \
    X(ACT_TOGGLE_TEXT, SCOPE_FILE, "text", "markdown / plain text", 't')                          \
    X(ACT_WRITE, SCOPE_FILE, "write", "write the output to a file", 'w')                          \
    X(ACT_SEARCH_NEXT, SCOPE_FILE, "next-match", "next search match", 'n')                        \
    X(ACT_SEARCH_PREV, SCOPE_FILE, "prev-match", "previous search match", 'N')

#define ACTION_ENUM_ITEM(id, scopes, name, help, ...) id,
enum action { ACT_NONE = 0, ACTION_LIST(ACTION_ENUM_ITEM) ACT_COUNT };

struct action_info {
    enum action id;
    unsigned scopes;
    const char *name;
    const char *help;
    const int *keys; /* default keys, terminated by -1 */
};

/* The table entry of an action (NULL for ACT_NONE or out of range). */
const struct action_info *keys_action(enum action a);
/* The action a key means in a scope (scope-specific first, then global); ACT_NONE if none. */
enum action keys_lookup(unsigned scope, int key);
/* A readable key name ("Enter", "PgUp", "F2", "Ctrl-C", "q") into buf. */
void keys_name(int key, char *buf, size_t len);
/* "j, Down"-style list of an action's keys into buf. */
void keys_describe(enum action a, char *buf, size_t len);

/* ---- bindings from the configuration file ([keys]) ---- */

#define KEYS_MAX 8 /* keys one action may have */
/* The action with this name ("quit", "failed-only"), ACT_NONE when there is none. */
enum action keys_find(const char *name);
/* One key from its name: a printable character ("q", "Q", "]"), "Enter", "Esc", "Space",
 * "Tab", "Shift-Tab", "Backspace", "Up", "Down", "Left", "Right", "PgUp", "PgDn", "Home",
 * "End", "Insert", "Delete", "F1".."F12", "Ctrl-X" (or "C-x"). -1 when it is none of these. */
int keys_parse_one(const char *name);
/* A list of keys separated by commas or spaces ("Q, Ctrl-Q", "F10 q"). False with *why
 * (caller frees) on an unknown key name, none at all, or more than KEYS_MAX. */
bool keys_parse(const char *spec, int *keys, size_t *n, char **why);
/* Make keys[0..n) the keys of action a (replacing its defaults). */
void keys_bind(enum action a, const int *keys, size_t n);
/* The first key that means two actions where both apply (the same scope, or one of them
 * global); false when there is none, else both actions and the key. */
bool keys_conflict(enum action *a, enum action *b, int *key);
/* Back to the built-in keys (tests). */
void keys_reset(void);

#endif
