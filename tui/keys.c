/* keys.c -- the action table and key lookup that also feed the help screen. */
#include "config.h"

#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/xalloc.h"

#define ACTION_KEYS_ITEM(id, scopes, name, help, ...)                                             \
    static const int keys_##id[] = {__VA_ARGS__, -1};
ACTION_LIST(ACTION_KEYS_ITEM)

#define ACTION_INFO_ITEM(id, scopes, name, help, ...) {id, scopes, name, help, keys_##id},
static const struct action_info defaults[] = {{ACT_NONE, 0, "none", "", NULL},
                                              ACTION_LIST(ACTION_INFO_ITEM)};
/* The table in force: the defaults, with the keys of bound actions pointing into `bound`. */
static struct action_info actions[] = {{ACT_NONE, 0, "none", "", NULL},
                                       ACTION_LIST(ACTION_INFO_ITEM)};
static int bound[ACT_COUNT][KEYS_MAX + 1];

const struct action_info *keys_action(enum action a)
{
    if (a <= ACT_NONE || a >= ACT_COUNT)
        return NULL;
    return &actions[a];
}

static enum action lookup_in(unsigned scope, int key)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        if (!(actions[a].scopes & scope))
            continue;
        for (const int *k = actions[a].keys; *k != -1; k++)
            if (*k == key)
                return (enum action)a;
    }
    return ACT_NONE;
}

enum action keys_lookup(unsigned scope, int key)
{
    enum action a = ACT_NONE;
    if (scope != SCOPE_GLOBAL)
        a = lookup_in(scope & ~(unsigned)SCOPE_GLOBAL, key);
    if (a == ACT_NONE)
        a = lookup_in(SCOPE_GLOBAL, key);
    return a;
}

void keys_name(int key, char *buf, size_t len)
{
    static const struct {
        int key;
        const char *name;
    } names[] = {
        {'\n', "Enter"},      {'\r', "Return"},    {KEY_ENTER, "KP-Enter"}, {KEY_ESCAPE, "Esc"},
        {' ', "Space"},       {KEY_UP, "Up"},      {KEY_DOWN, "Down"},      {KEY_LEFT, "Left"},
        {KEY_RIGHT, "Right"}, {KEY_PPAGE, "PgUp"}, {KEY_NPAGE, "PgDn"},     {KEY_HOME, "Home"},
        {KEY_END, "End"},     {'\t', "Tab"},       {KEY_BTAB, "Shift-Tab"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].key == key) {
            snprintf(buf, len, "%s", names[i].name);
            return;
        }
    }
    if (key >= KEY_F(1) && key <= KEY_F(12))
        snprintf(buf, len, "F%d", key - KEY_F0);
    else if (key >= 1 && key < 32)
        snprintf(buf, len, "Ctrl-%c", key + 'A' - 1);
    else if (key > 32 && key < 127)
        snprintf(buf, len, "%c", key);
    else
        snprintf(buf, len, "key %d", key);
}

void keys_describe(enum action a, char *buf, size_t len)
{
    const struct action_info *info = keys_action(a);
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    if (!info)
        return;
    for (const int *k = info->keys; *k != -1 && used < len; k++) {
        char name[32];
        keys_name(*k, name, sizeof name);
        int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

enum action keys_find(const char *name)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
        if (strcmp(actions[a].name, name) == 0)
            return (enum action)a;
    return ACT_NONE;
}

int keys_parse_one(const char *name)
{
    static const struct {
        const char *name;
        int key;
    } named[] = {
        {"Enter", '\n'},     {"Return", '\r'},    {"Esc", KEY_ESCAPE},     {"Escape", KEY_ESCAPE},
        {"Space", ' '},      {"Tab", '\t'},       {"Shift-Tab", KEY_BTAB}, {"Backspace", 127},
        {"Up", KEY_UP},      {"Down", KEY_DOWN},  {"Left", KEY_LEFT},      {"Right", KEY_RIGHT},
        {"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE}, {"PageUp", KEY_PPAGE},   {"PageDown", KEY_NPAGE},
        {"Home", KEY_HOME},  {"End", KEY_END},    {"Insert", KEY_IC},      {"Delete", KEY_DC},
    };
    size_t len = strlen(name);
    if (len == 1 && name[0] > 32 && name[0] < 127)
        return name[0];
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcasecmp(named[i].name, name) == 0)
            return named[i].key;
    if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3) {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (*end == '\0' && n >= 1 && n <= 12)
            return KEY_F((int)n);
    }
    const char *c = NULL;
    if (strncasecmp(name, "Ctrl-", 5) == 0 && len == 6)
        c = name + 5;
    else if (strncasecmp(name, "C-", 2) == 0 && len == 3)
        c = name + 2;
    if (c && ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
        return KEY_CTRL(*c);
    return -1;
}

bool keys_parse(const char *spec, int *keys, size_t *n, char **why)
{
    *n = 0;
    char *copy = xstrdup(spec), *save = NULL;
    bool ok = true;
    for (char *w = strtok_r(copy, ", \t", &save); w && ok; w = strtok_r(NULL, ", \t", &save)) {
        int k = keys_parse_one(w);
        if (k < 0) {
            *why = xasprintf("'%s' is not a key name (a character, Enter, Esc, Space, Tab, "
                             "Up, PgDn, F1..F12, Ctrl-X, ...)",
                             w);
            ok = false;
        } else if (*n == KEYS_MAX) {
            *why = xasprintf("at most %d keys for one action", KEYS_MAX);
            ok = false;
        } else {
            keys[(*n)++] = k;
        }
    }
    free(copy);
    if (ok && *n == 0) {
        *why = xstrdup("no key given");
        ok = false;
    }
    return ok;
}

void keys_bind(enum action a, const int *keys, size_t n)
{
    if (a <= ACT_NONE || a >= ACT_COUNT)
        return;
    if (n > KEYS_MAX)
        n = KEYS_MAX;
    for (size_t i = 0; i < n; i++)
        bound[a][i] = keys[i];
    bound[a][n] = -1;
    actions[a].keys = bound[a];
}

static bool overlap(unsigned s1, unsigned s2)
{
    return (s1 & s2) || s1 == SCOPE_GLOBAL || s2 == SCOPE_GLOBAL;
}

bool keys_conflict(enum action *a, enum action *b, int *key)
{
    for (int x = ACT_NONE + 1; x < ACT_COUNT; x++)
        for (int y = x + 1; y < ACT_COUNT; y++) {
            if (!overlap(actions[x].scopes, actions[y].scopes))
                continue;
            for (const int *k = actions[x].keys; *k != -1; k++)
                for (const int *l = actions[y].keys; *l != -1; l++)
                    if (*k == *l) {
                        *a = (enum action)x;
                        *b = (enum action)y;
                        *key = *k;
                        return true;
                    }
        }
    return false;
}

void keys_reset(void)
{
    memcpy(actions, defaults, sizeof actions);
}
