/* settings.c -- the configuration file (libinih), profiles, precedence, api_key_command. */
#include "config.h"

#include "tui/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "net/url.h"
#include "tui/draw.h"

#define DEFAULT_BASE_URL "https://api.cloud.llamaindex.ai"
#define FILE_MAX (1024 * 1024)  /* a configuration file is small; more is a mistake */
#define KEY_OUT_MAX (16 * 1024) /* what api_key_command may print */
#define ERR_MAX (4 * 1024)      /* ... and its standard error, shown on failure */

static const char *const names[SETTING_COUNT] = {
    "base_url",   "project_id",     "organization_id", "refresh",         "readonly",
    "production", "confirm_create", "color",           "api_key_command",
};

const char *settings_name(enum setting_id id)
{
    return id < SETTING_COUNT ? names[id] : "?";
}

char *settings_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        return xasprintf("%s/batchtop/config", xdg);
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return xasprintf("%s/.config/batchtop/config", home);
    return NULL;
}

/* ---- parsing ---- */

struct parse {
    struct settings *out;
    const char *want; /* the profile asked for, or NULL */
    bool want_found;
    char **profiles; /* every [profile NAME] seen, for the error naming them */
    size_t n_profiles;
    const char *buf; /* the file */
    size_t len, pos;
    int line;         /* of the line the reader gave last */
    int section_line; /* of the last [section] line */
    int long_line;    /* the first line too long for the parser, 0 when none */
    int err_line;     /* the first line a handler refused, and why */
    char *err;
    bool holds_command; /* api_key_command set in some section */
    FILE *warn;
    const char *path;
    bool cont;        /* the line read last is indented: it continues the value above */
    char *prev_value; /* the last value taken, whole, and its name and section */
    char prev_name[64], prev_section[128];
};

/* libinih's reader: one line of the buffer at a time, so the handler knows its number. A line
 * too long for the parser's buffer is refused rather than cut in two lines. */
static char *reader(char *str, int num, void *stream)
{
    struct parse *p = stream;
    if (p->pos >= p->len)
        return NULL;
    const char *start = p->buf + p->pos, *nl = memchr(start, '\n', p->len - p->pos);
    size_t n = nl ? (size_t)(nl - start) + 1 : p->len - p->pos;
    p->pos += n;
    p->line++;
    if (n + 1 > (size_t)num) {
        if (!p->long_line)
            p->long_line = p->line;
        snprintf(str, (size_t)num, "#\n"); /* seen as a comment; the error is said after */
        return str;
    }
    memcpy(str, start, n);
    str[n] = '\0';
    p->cont = n > 0 && (str[0] == ' ' || str[0] == '\t');
    if (str[strspn(str, " \t")] == '[')
        p->section_line = p->line;
    return str;
}

static void refuse(struct parse *p, char *msg)
{
    if (p->err == NULL) {
        p->err = msg;
        p->err_line = p->line;
    } else {
        free(msg);
    }
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no",
                                                                                "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return (*out = true), true;
        if (strcasecmp(v, no[i]) == 0)
            return (*out = false), true;
    }
    return false;
}

static bool printable(const char *v)
{
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

/* Check one value; NULL when fine, else why (fresh). */
static char *check_value(enum setting_id id, const char *v)
{
    bool b;
    char *cause = NULL, *end;
    switch (id) {
    case SETTING_BASE_URL:
        if (!url_base_valid(v, &cause)) {
            char *m = xasprintf("base_url is not usable: %s", cause ? cause : "invalid");
            free(cause);
            return m;
        }
        return NULL;
    case SETTING_PROJECT_ID:
    case SETTING_ORGANIZATION_ID:
        if (!v[0] || strchr(v, ' ') || !printable(v))
            return xasprintf("%s: an ID without spaces or control characters", names[id]);
        return NULL;
    case SETTING_REFRESH: {
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < 2 || n > 86400)
            return xasprintf("refresh: whole seconds from 2 to 86400, not '%s'", v);
        return NULL;
    }
    case SETTING_API_KEY_COMMAND:
        if (!v[0] || !printable(v))
            return xstrdup("api_key_command: a command, without control characters");
        return NULL;
    default:
        if (!parse_bool(v, &b))
            return xasprintf("%s: true or false, not '%s'", names[id], v);
        return NULL;
    }
}

static bool profile_name_ok(const char *n)
{
    if (!n[0])
        return false;
    for (const char *c = n; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return false;
    return true;
}

/* One line of [keys]: an action of the help screen = its keys. */
static int bind_line(struct parse *p, const char *name, const char *value)
{
    enum action a = keys_find(name);
    if (a == ACT_NONE) {
        refuse(p, xasprintf("[keys]: no action '%s' (the help screen, ?, lists them)", name));
        return 0;
    }
    struct key_binding b = {.action = a, .line = p->line};
    char *why = NULL;
    if (!keys_parse(value, b.keys, &b.n, &why)) {
        refuse(p, xasprintf("[keys] %s: %s", name, why));
        free(why);
        return 0;
    }
    struct settings *o = p->out;
    o->bindings = xreallocarray(o->bindings, o->n_bindings + 1, sizeof *o->bindings);
    o->bindings[o->n_bindings++] = b;
    return 1;
}

/* One line of [colors]: checked now, put in force by settings_apply_colors. */
static int color_line(struct parse *p, const char *name, const char *value)
{
    char *why = NULL;
    bool ok = draw_color_set(name, value, &why);
    draw_color_reset();
    if (!ok) {
        refuse(p, xasprintf("[colors] %s", why));
        free(why);
        return 0;
    }
    struct settings *o = p->out;
    o->colors = xreallocarray(o->colors, o->n_colors + 1, sizeof *o->colors);
    o->colors[o->n_colors++] =
        (struct color_line){.element = xstrdup(name), .value = xstrdup(value), .line = p->line};
    return 1;
}

/* One line of [notify]. */
static int notify_line(struct parse *p, const char *name, const char *value)
{
    struct notify_config *n = &p->out->notify;
    if (strcmp(name, "bell") == 0) {
        if (!parse_bool(value, &n->bell)) {
            refuse(p, xasprintf("[notify] bell: true or false, not '%s'", value));
            return 0;
        }
    } else if (strcmp(name, "desktop") == 0) {
        bool off = strcasecmp(value, "off") == 0 || strcasecmp(value, "false") == 0;
        bool both = strcasecmp(value, "both") == 0;
        if (!off && !both && strcasecmp(value, "osc9") != 0 && strcasecmp(value, "osc777") != 0) {
            refuse(p, xasprintf("[notify] desktop: off, osc9, osc777 or both, not '%s'", value));
            return 0;
        }
        n->osc9 = both || strcasecmp(value, "osc9") == 0;
        n->osc777 = both || strcasecmp(value, "osc777") == 0;
    } else if (strcmp(name, "command") == 0) {
        if (!value[0] || !printable(value)) {
            refuse(p, xstrdup("[notify] command: a shell command, without control characters"));
            return 0;
        }
        xstrset(&n->command, value);
    } else {
        refuse(p, xasprintf("[notify]: no setting '%s' (bell, desktop, command)", name));
        return 0;
    }
    return 1;
}

static int handle_one(struct parse *p, const char *section, const char *name, const char *value)
{
    enum setting_source src;
    if (section[0] == '\0') {
        refuse(p, xasprintf("'%s' is outside a section: put it under [defaults] or "
                            "[profile NAME]",
                            name));
        return 0;
    }
    if (strcmp(section, "defaults") == 0) {
        src = SET_DEFAULTS;
    } else if (strncmp(section, "profile ", 8) == 0) {
        const char *pname = section + 8;
        while (*pname == ' ')
            pname++;
        if (!profile_name_ok(pname)) {
            refuse(p, xasprintf("[%s]: a profile name is letters, digits, '-', '_' and '.'",
                                section));
            return 0;
        }
        bool seen = false;
        for (size_t i = 0; i < p->n_profiles && !seen; i++)
            seen = strcmp(p->profiles[i], pname) == 0;
        if (!seen) {
            p->profiles = xreallocarray(p->profiles, p->n_profiles + 1, sizeof *p->profiles);
            p->profiles[p->n_profiles++] = xstrdup(pname);
        }
        if (p->want == NULL || strcmp(pname, p->want) != 0) {
            src = SET_BUILTIN; /* another profile: checked, not used */
        } else {
            src = SET_PROFILE;
            p->want_found = true;
        }
    } else {
        if (strcmp(section, "keys") == 0)
            return bind_line(p, name, value);
        if (strcmp(section, "colors") == 0)
            return color_line(p, name, value);
        if (strcmp(section, "notify") == 0)
            return notify_line(p, name, value);
        refuse(p, xasprintf("unknown section [%s] (known: [defaults], [profile NAME], [keys], "
                            "[colors], [notify])",
                            section));
        return 0;
    }
    if (name == NULL)
        return 1; /* a section header alone (newer libinih calls with a NULL name) */
    if (strcasecmp(name, "api_key") == 0 || strcasecmp(name, "key") == 0) {
        refuse(p, xstrdup("the API key does not belong in this file: use api_key_command "
                          "(e.g. api_key_command = pass show llama/prod) or "
                          "LLAMA_CLOUD_API_KEY"));
        return 0;
    }
    int id = -1;
    for (int i = 0; i < SETTING_COUNT; i++)
        if (strcmp(name, names[i]) == 0)
            id = i;
    if (id < 0) {
        refuse(p, xasprintf("unknown setting '%s' in [%s]", name, section));
        return 0;
    }
    char *bad = check_value((enum setting_id)id, value);
    if (bad) {
        refuse(p, bad);
        return 0;
    }
    if (id == SETTING_API_KEY_COMMAND || strstr(value, "llx-") != NULL)
        p->holds_command = true; /* a command that prints the key, or a key written out */
    if (src == SET_BUILTIN)
        return 1;
    struct setting *s = &p->out->s[id];
    /* the profile wins over [defaults] wherever they come in the file */
    if (s->source == SET_PROFILE && src == SET_DEFAULTS)
        return 1;
    xstrset(&s->value, value);
    s->source = src;
    s->line = p->line;
    return 1;
}

/* libinih's handler. A line too long for libinih's 200-byte buffer cannot be read, so a
 * command may go on over indented lines, joined with a space. */
static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse *p = user;
    char *joined = NULL;
    if (p->cont) {
        bool command = strcmp(name, "api_key_command") == 0 ||
                       (strcmp(section, "notify") == 0 && strcmp(name, "command") == 0);
        if (!command || p->prev_value == NULL || strcmp(p->prev_name, name) != 0 ||
            strcmp(p->prev_section, section) != 0) {
            refuse(p, xstrdup("an indented line continues the value above it, which only "
                              "api_key_command and [notify] command may do"));
            return 0;
        }
        joined = xasprintf("%s %s", p->prev_value, value);
        value = joined;
    }
    int rc = handle_one(p, section, name, value);
    if (rc) {
        xstrset(&p->prev_value, value);
        snprintf(p->prev_name, sizeof p->prev_name, "%s", name);
        snprintf(p->prev_section, sizeof p->prev_section, "%s", section);
    }
    free(joined);
    return rc;
}

/* Read the whole file; *missing when there is none (not an error). */
static char *slurp(const char *path, size_t *len, bool *missing, mode_t *mode, char **why)
{
    *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            *missing = true;
            return NULL;
        }
        *why = xasprintf("%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = xasprintf("%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_size > FILE_MAX) {
        *why = xasprintf("%s: %lld bytes; a configuration file is at most %d", path,
                         (long long)st.st_size, FILE_MAX);
        close(fd);
        return NULL;
    }
    *mode = st.st_mode;
    char *buf = xmalloc((size_t)st.st_size + 1);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *why = xasprintf("%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0 || (n += (size_t)r) == (size_t)st.st_size)
            break;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void set_from(struct setting *s, const char *value, enum setting_source src)
{
    if (value == NULL)
        return;
    xstrset(&s->value, value);
    s->source = src;
    s->line = 0;
}

static bool read_file(struct settings *out, const char *path, const char *profile, FILE *warn,
                      char **why)
{
    size_t len = 0;
    bool missing;
    mode_t mode = 0;
    char *text = slurp(path, &len, &missing, &mode, why);
    if (text == NULL && !missing)
        return false;
    if (missing) {
        if (profile) {
            *why = xasprintf("profile '%s': there is no configuration file %s", profile, path);
            return false;
        }
        return true;
    }
    out->file_read = true;
    struct parse p;
    memset(&p, 0, sizeof p);
    p.out = out;
    p.want = profile;
    p.buf = text;
    p.len = len;
    p.warn = warn;
    p.path = path;
    int rc = ini_parse_stream(reader, &p, handler, &p);
    bool ok = true;
    int bad_line = p.err_line;
    if (p.long_line && (!bad_line || p.long_line < bad_line)) {
        free(p.err);
        p.err = xasprintf("line too long (at most %d characters; a command may go on over "
                          "indented lines)",
                          INI_MAX_LINE - 2);
        bad_line = p.long_line;
    }
    if (rc > 0 && (!bad_line || rc < bad_line)) {
        free(p.err);
        p.err = xstrdup("not a [section], a `name = value` line or a comment");
        bad_line = rc;
    }
    if (rc < 0) {
        *why = xasprintf("%s: cannot be parsed", path);
        ok = false;
    } else if (bad_line) {
        *why = xasprintf("%s:%d: %s", path, bad_line, p.err);
        ok = false;
    } else if (profile && !p.want_found) {
        size_t room = 0;
        for (size_t i = 0; i < p.n_profiles; i++)
            room += strlen(p.profiles[i]) + 2;
        char *list = xcalloc(1, room + 1);
        for (size_t i = 0; i < p.n_profiles; i++) {
            if (i)
                strcat(list, ", ");
            strcat(list, p.profiles[i]);
        }
        *why = xasprintf("profile '%s' is not in %s (%s%s)", profile, path,
                         p.n_profiles ? "profiles: " : "it has no [profile NAME] section", list);
        free(list);
        ok = false;
    }
    if (ok && p.holds_command && (mode & 077) && warn)
        fprintf(warn,
                "batchtop: warning: %s holds api_key_command or a key and others may read "
                "it (mode %03o); run: chmod 600 %s\n",
                path, (unsigned)(mode & 0777), path);
    free(p.err);
    free(p.prev_value);
    out->profiles = p.profiles; /* kept: the profile switcher lists them */
    out->n_profiles = p.n_profiles;
    free(text);
    return ok;
}

bool settings_load(struct settings *out, const char *path, const struct settings_args *args,
                   FILE *warn, char **why)
{
    static const struct settings_args none;
    if (args == NULL)
        args = &none;
    memset(out, 0, sizeof *out);
    *why = NULL;
    out->path = path ? xstrdup(path) : NULL;
    const char *env_profile = getenv("BATCHTOP_PROFILE");
    if (args->profile && args->profile[0]) {
        out->profile = xstrdup(args->profile);
        out->profile_source = SET_CLI;
    } else if (!args->no_profile && env_profile && env_profile[0]) {
        out->profile = xstrdup(env_profile);
        out->profile_source = SET_ENV;
    }
    if (out->profile && !profile_name_ok(out->profile)) {
        *why = xasprintf("profile '%s': a profile name is letters, digits, '-', '_' and '.'",
                         out->profile);
        settings_done(out);
        return false;
    }
    /* built-ins */
    set_from(&out->s[SETTING_BASE_URL], DEFAULT_BASE_URL, SET_BUILTIN);
    set_from(&out->s[SETTING_REFRESH], "5", SET_BUILTIN);
    set_from(&out->s[SETTING_READONLY], "false", SET_BUILTIN);
    set_from(&out->s[SETTING_PRODUCTION], "false", SET_BUILTIN);
    set_from(&out->s[SETTING_CONFIRM_CREATE], "false", SET_BUILTIN);
    set_from(&out->s[SETTING_COLOR], "true", SET_BUILTIN);
    if (path == NULL && out->profile) {
        *why = xasprintf("profile '%s': no configuration file (neither XDG_CONFIG_HOME nor "
                         "HOME is set)",
                         out->profile);
        settings_done(out);
        return false;
    }
    if (path && !read_file(out, path, out->profile, warn, why)) {
        settings_done(out);
        return false;
    }
    /* the environment */
    const char *env_url = getenv("LLAMA_CLOUD_BASE_URL"), *no_color = getenv("NO_COLOR");
    if (env_url && env_url[0])
        set_from(&out->s[SETTING_BASE_URL], env_url, SET_ENV);
    if (no_color && no_color[0])
        set_from(&out->s[SETTING_COLOR], "false", SET_ENV);
    const char *env_key = getenv("LLAMA_CLOUD_API_KEY");
    out->key_from_env = env_key && env_key[0];
    /* the command line */
    set_from(&out->s[SETTING_BASE_URL], args->base_url, SET_CLI);
    set_from(&out->s[SETTING_PROJECT_ID], args->project_id, SET_CLI);
    set_from(&out->s[SETTING_ORGANIZATION_ID], args->organization_id, SET_CLI);
    if (args->refresh_s > 0) {
        char n[16];
        snprintf(n, sizeof n, "%d", args->refresh_s);
        set_from(&out->s[SETTING_REFRESH], n, SET_CLI);
    }
    if (args->readonly)
        set_from(&out->s[SETTING_READONLY], "true", SET_CLI);
    if (args->no_color)
        set_from(&out->s[SETTING_COLOR], "false", SET_CLI);
    /* NO_COLOR wins over everything, --no-color included (both say "no") */
    if (no_color && no_color[0] && out->s[SETTING_COLOR].source != SET_CLI)
        set_from(&out->s[SETTING_COLOR], "false", SET_ENV);

    out->base_url = out->s[SETTING_BASE_URL].value;
    out->project_id = out->s[SETTING_PROJECT_ID].value;
    out->organization_id = out->s[SETTING_ORGANIZATION_ID].value;
    out->refresh_s = atoi(out->s[SETTING_REFRESH].value);
    parse_bool(out->s[SETTING_READONLY].value, &out->readonly);
    parse_bool(out->s[SETTING_PRODUCTION].value, &out->production);
    parse_bool(out->s[SETTING_CONFIRM_CREATE].value, &out->confirm_create);
    parse_bool(out->s[SETTING_COLOR].value, &out->color);
    return true;
}

void settings_done(struct settings *s)
{
    if (s == NULL)
        return;
    free(s->path);
    free(s->profile);
    free(s->bindings);
    free(s->notify.command);
    for (size_t i = 0; i < s->n_profiles; i++)
        free(s->profiles[i]);
    free(s->profiles);
    for (size_t i = 0; i < s->n_colors; i++) {
        free(s->colors[i].element);
        free(s->colors[i].value);
    }
    free(s->colors);
    for (int i = 0; i < SETTING_COUNT; i++)
        free(s->s[i].value);
    memset(s, 0, sizeof *s);
}

bool settings_apply_keys(const struct settings *s, char **why)
{
    *why = NULL;
    keys_reset();
    for (size_t i = 0; i < s->n_bindings; i++)
        keys_bind(s->bindings[i].action, s->bindings[i].keys, s->bindings[i].n);
    enum action a, b;
    int key;
    if (!keys_conflict(&a, &b, &key))
        return true;
    int line = 0; /* the last line that bound either of them */
    for (size_t i = 0; i < s->n_bindings; i++)
        if (s->bindings[i].action == a || s->bindings[i].action == b)
            line = s->bindings[i].line;
    char name[32];
    keys_name(key, name, sizeof name);
    *why =
        xasprintf("%s:%d: [keys]: %s would mean both '%s' and '%s' on one screen",
                  s->path ? s->path : "?", line, name, keys_action(a)->name, keys_action(b)->name);
    keys_reset();
    return false;
}

void settings_apply_colors(const struct settings *s)
{
    draw_color_reset();
    for (size_t i = 0; i < s->n_colors; i++) {
        char *why = NULL;
        if (!draw_color_set(s->colors[i].element, s->colors[i].value, &why))
            free(why); /* checked when the file was read */
    }
}

static void source_text(const struct settings *s, const struct setting *v, char *buf, size_t len)
{
    switch (v->source) {
    case SET_BUILTIN:
        snprintf(buf, len, "built-in");
        break;
    case SET_DEFAULTS:
        snprintf(buf, len, "[defaults] %s:%d", s->path ? s->path : "?", v->line);
        break;
    case SET_PROFILE:
        snprintf(buf, len, "[profile %s] %s:%d", s->profile ? s->profile : "?",
                 s->path ? s->path : "?", v->line);
        break;
    case SET_ENV:
        snprintf(buf, len, "environment");
        break;
    case SET_CLI:
        snprintf(buf, len, "command line");
        break;
    }
}

void settings_print(const struct settings *s, FILE *out)
{
    char src[512];
    fprintf(out, "# configuration file: %s (%s)\n", s->path ? s->path : "none",
            s->file_read ? "read" : "not found");
    fprintf(out, "# profile: %s%s\n", s->profile ? s->profile : "none",
            !s->profile                    ? ""
            : s->profile_source == SET_CLI ? " (from --profile)"
                                           : " (from BATCHTOP_PROFILE)");
    for (int i = 0; i < SETTING_COUNT; i++) {
        const struct setting *v = &s->s[i];
        if (v->value == NULL) {
            fprintf(out, "%-16s = %-40s # not set\n", names[i], "");
            continue;
        }
        source_text(s, v, src, sizeof src);
        if (i == SETTING_BASE_URL) {
            char *shown = url_redact(v->value); /* never a user:password@ */
            fprintf(out, "%-16s = %-40s # %s\n", names[i], shown, src);
            free(shown);
        } else {
            fprintf(out, "%-16s = %-40s # %s\n", names[i], v->value, src);
        }
    }
    for (size_t i = 0; i < s->n_bindings; i++) {
        const struct key_binding *b = &s->bindings[i];
        char keys[256] = "", name[32];
        for (size_t k = 0; k < b->n; k++) {
            keys_name(b->keys[k], name, sizeof name);
            size_t used = strlen(keys);
            snprintf(keys + used, sizeof keys - used, "%s%s", k ? ", " : "", name);
        }
        char label[64];
        snprintf(label, sizeof label, "[keys] %s", keys_action(b->action)->name);
        fprintf(out, "%-16s = %-40s # %s:%d\n", label, keys, s->path ? s->path : "?", b->line);
    }
    for (size_t i = 0; i < s->n_colors; i++) {
        char label[64];
        snprintf(label, sizeof label, "[colors] %s", s->colors[i].element);
        fprintf(out, "%-16s = %-40s # %s:%d\n", label, s->colors[i].value, s->path ? s->path : "?",
                s->colors[i].line);
    }
    const struct notify_config *n = &s->notify;
    if (n->bell || n->osc9 || n->osc777 || n->command)
        fprintf(out, "%-16s = bell %s, desktop %s, command %s\n", "[notify]",
                n->bell ? "on" : "off",
                n->osc9 && n->osc777 ? "both"
                : n->osc9            ? "osc9"
                : n->osc777          ? "osc777"
                                     : "off",
                n->command ? n->command : "none");
    const struct setting *cmd = &s->s[SETTING_API_KEY_COMMAND];
    if (s->key_from_env)
        fprintf(out, "%-16s = %-40s # environment (LLAMA_CLOUD_API_KEY)%s\n", "api_key", "(set)",
                cmd->value ? "; api_key_command is not run" : "");
    else if (cmd->value)
        fprintf(out, "%-16s = %-40s # from api_key_command (not run by --print-config)\n",
                "api_key", "(from the command)");
    else
        fprintf(out, "%-16s = %-40s # none: set LLAMA_CLOUD_API_KEY or api_key_command\n",
                "api_key", "(not set)");
}

/* ---- api_key_command ---- */

char **settings_split(const char *cmd, char **why)
{
    size_t cap = 8, n = 0, len = strlen(cmd);
    char **argv = xcalloc(cap, sizeof *argv);
    char *word = xmalloc(len + 1);
    size_t w = 0;
    bool in_word = false;
    char quote = 0;
    for (const char *c = cmd;; c++) {
        if (*c == '\0') {
            if (quote) {
                *why = xasprintf("an unterminated %c quote", quote);
                free(word);
                settings_argv_free(argv);
                return NULL;
            }
            break;
        }
        if (quote) {
            if (*c == quote)
                quote = 0;
            else if (*c == '\\' && quote == '"' && (c[1] == '"' || c[1] == '\\'))
                word[w++] = *++c;
            else
                word[w++] = *c;
            continue;
        }
        if (*c == ' ' || *c == '\t') {
            if (in_word) {
                word[w] = '\0';
                if (n + 2 > cap)
                    argv = xreallocarray(argv, cap *= 2, sizeof *argv);
                argv[n++] = xstrdup(word);
                w = 0;
                in_word = false;
            }
            continue;
        }
        in_word = true;
        if (*c == '\'' || *c == '"')
            quote = *c;
        else if (*c == '\\' && c[1])
            word[w++] = *++c;
        else
            word[w++] = *c;
    }
    if (in_word) {
        word[w] = '\0';
        if (n + 2 > cap)
            argv = xreallocarray(argv, cap *= 2, sizeof *argv);
        argv[n++] = xstrdup(word);
    }
    free(word);
    argv[n] = NULL;
    if (n == 0) {
        *why = xstrdup("an empty command");
        settings_argv_free(argv);
        return NULL;
    }
    return argv;
}

void settings_argv_free(char **argv)
{
    if (argv == NULL)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

void settings_key_free(char *key)
{
    if (key == NULL)
        return;
    explicit_bzero(key, strlen(key));
    free(key);
}

/* Append what fd has to buf (up to cap; the rest is read and dropped). False at EOF. */
static bool drain(int fd, char *buf, size_t *len, size_t cap)
{
    char tmp[4096];
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (r <= 0)
        return false;
    size_t take = (size_t)r;
    if (*len + take > cap)
        take = cap - *len;
    memcpy(buf + *len, tmp, take);
    *len += take;
    explicit_bzero(tmp, sizeof tmp);
    return true;
}

/* The first lines of a command's standard error, on one line, for a message. */
static char *err_text(const char *err, size_t len)
{
    char *t = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)err[i];
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        else if (c < 0x20 || c == 0x7f)
            c = '?';
        if (c == ' ' && (n == 0 || t[n - 1] == ' '))
            continue;
        t[n++] = (char)c;
    }
    while (n > 0 && t[n - 1] == ' ')
        n--;
    t[n] = '\0';
    if (n > 300)
        strcpy(t + 297, "...");
    return t;
}

char *settings_api_key(const struct settings *s, char **why)
{
    *why = NULL;
    const char *env_key = getenv("LLAMA_CLOUD_API_KEY");
    if (env_key && env_key[0])
        return xstrdup(env_key);
    const char *cmd = s->s[SETTING_API_KEY_COMMAND].value;
    if (cmd == NULL) {
        *why = xstrdup("no API key: set LLAMA_CLOUD_API_KEY or api_key_command in the "
                       "configuration file");
        return NULL;
    }
    char **argv;
    if (cmd[0] == '!') {
        argv = xcalloc(4, sizeof *argv);
        argv[0] = xstrdup("/bin/sh");
        argv[1] = xstrdup("-c");
        argv[2] = xstrdup(cmd + 1);
    } else {
        char *cause = NULL;
        argv = settings_split(cmd, &cause);
        if (argv == NULL) {
            *why = xasprintf("api_key_command: %s", cause);
            free(cause);
            return NULL;
        }
    }
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        *why = xasprintf("api_key_command: %s", strerror(errno));
        settings_argv_free(argv);
        return NULL;
    }
    if (pipe2(err, O_CLOEXEC) != 0) {
        *why = xasprintf("api_key_command: %s", strerror(errno));
        close(out[0]);
        close(out[1]);
        settings_argv_free(argv);
        return NULL;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        int e = errno;
        dprintf(STDERR_FILENO, "cannot run %s: %s", argv[0], strerror(e));
        settings_argv_free(argv); /* nothing of this process outlives it */
        _exit(127);
    }
    int saved = errno;
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        *why = xasprintf("api_key_command: cannot start it: %s", strerror(saved));
        close(out[0]);
        close(err[0]);
        settings_argv_free(argv);
        return NULL;
    }
    char *key = xmalloc(KEY_OUT_MAX + 1), errbuf[ERR_MAX];
    size_t klen = 0, elen = 0;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        struct pollfd fds[2] = {{out_open ? out[0] : -1, POLLIN, 0},
                                {err_open ? err[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            out_open = drain(out[0], key, &klen, KEY_OUT_MAX);
        if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            err_open = drain(err[0], errbuf, &elen, sizeof errbuf);
    }
    close(out[0]);
    close(err[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    key[klen] = '\0';
    char *what = err_text(errbuf, elen);
    const char *shown = cmd[0] == '!' ? "the shell command" : argv[0];
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status))
            *why = xasprintf("api_key_command (%s) failed with exit status %d%s%s", shown,
                             WEXITSTATUS(status), what[0] ? ": " : "", what);
        else
            *why = xasprintf("api_key_command (%s) was killed by signal %d%s%s", shown,
                             WTERMSIG(status), what[0] ? ": " : "", what);
        settings_key_free(key);
        key = NULL;
    } else {
        /* the first line is the key (pass and the like print more lines after it) */
        char *nl = strpbrk(key, "\r\n");
        if (nl)
            explicit_bzero(nl, strlen(nl));
        size_t n = strlen(key);
        while (n > 0 && (key[n - 1] == ' ' || key[n - 1] == '\t'))
            key[--n] = '\0';
        bool bad = n == 0;
        for (size_t i = 0; i < n && !bad; i++)
            bad = (unsigned char)key[i] <= 0x20 || (unsigned char)key[i] == 0x7f;
        if (n == 0 || bad) {
            *why = n == 0 ? xasprintf("api_key_command (%s) printed no key", shown)
                          : xasprintf("api_key_command (%s) printed something that is not a key "
                                      "(spaces or control characters in its first line)",
                                      shown);
            settings_key_free(key);
            key = NULL;
        }
    }
    explicit_bzero(errbuf, sizeof errbuf);
    free(what);
    settings_argv_free(argv);
    return key;
}
