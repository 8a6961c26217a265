/* keys.c -- the action table and key lookup that also feed the help screen. */
#include "config.h"

#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define ACTION_KEYS_ITEM(id, scopes, name, help, ...)                                             \
    static const int keys_##id[] = {__VA_ARGS__, -1};
ACTION_LIST(ACTION_KEYS_ITEM)

#define ACTION_INFO_ITEM(id, scopes, name, help, ...) {id, scopes, name, help, keys_##id},
static const struct action_info actions[] = {{ACT_NONE, 0, "none", "", NULL},
                                             ACTION_LIST(ACTION_INFO_ITEM)};

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
