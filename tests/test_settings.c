/* test_settings.c -- the configuration file: every setting, precedence, errors with file:line,
 * profiles, the permission warning, --print-config, and api_key_command. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>

#include "model/xalloc.h"
#include "tui/keys.h"
#include "tui/notify.h"
#include "tui/settings.h"

static char dir[] = "/tmp/bt-settings.XXXXXX";
static char *path;

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = xasprintf("%s/config", dir);
    unsetenv("LLAMA_CLOUD_API_KEY");
    unsetenv("LLAMA_CLOUD_BASE_URL");
    unsetenv("NO_COLOR");
    unsetenv("BATCHTOP_PROFILE");
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
    free(path);
    strcpy(dir, "/tmp/bt-settings.XXXXXX");
}

static void write_file(const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

/* Load and expect failure; returns why (caller frees). */
static char *load_fails(const struct settings_args *args)
{
    struct settings s;
    char *why = NULL;
    ck_assert_msg(!settings_load(&s, path, args, NULL, &why), "the file was accepted");
    ck_assert_ptr_nonnull(why);
    return why;
}

static void assert_why(const char *text, const char *want)
{
    write_file(text, 0600);
    char *why = load_fails(NULL);
    ck_assert_msg(strstr(why, want) != NULL, "'%s' does not say '%s'", why, want);
    free(why);
}

static const char example[] = "# a comment\n"
                              "[defaults]\n"
                              "refresh = 7\n"
                              "project_id = prj-default\n"
                              "color = no\n"
                              "\n"
                              "[profile prod]\n"
                              "base_url = http://127.0.0.1:9\n"
                              "readonly = true\n"
                              "production = yes\n"
                              "confirm_create = on\n"
                              "api_key_command = printf 'llx-from-command\\nsecond line'\n"
                              "[profile staging]\n"
                              "refresh = 3\n"
                              "[defaults]\n"
                              "organization_id = org-late\n"
                              "readonly = false\n";

START_TEST(missing_file_gives_builtins)
{
    struct settings s;
    char *why = NULL;
    ck_assert(settings_load(&s, path, NULL, NULL, &why));
    ck_assert(!s.file_read);
    ck_assert_str_eq(s.base_url, "https://api.cloud.llamaindex.ai");
    ck_assert_int_eq(s.refresh_s, 5);
    ck_assert(!s.readonly && !s.production && !s.confirm_create && s.color);
    ck_assert_ptr_null(s.project_id);
    ck_assert_int_eq(s.s[SETTING_BASE_URL].source, SET_BUILTIN);
    settings_done(&s);
}
END_TEST

START_TEST(defaults_and_profile)
{
    write_file(example, 0600);
    struct settings s;
    char *why = NULL;
    /* no profile: [defaults] only, both of its sections */
    ck_assert_msg(settings_load(&s, path, NULL, NULL, &why), "%s", why);
    ck_assert_int_eq(s.refresh_s, 7);
    ck_assert_str_eq(s.project_id, "prj-default");
    ck_assert_str_eq(s.organization_id, "org-late");
    ck_assert(!s.color && !s.readonly);
    ck_assert_int_eq(s.s[SETTING_REFRESH].source, SET_DEFAULTS);
    ck_assert_int_eq(s.s[SETTING_REFRESH].line, 3);
    ck_assert_str_eq(s.base_url, "https://api.cloud.llamaindex.ai");
    settings_done(&s);
    /* the profile wins over [defaults], even over a [defaults] written after it */
    struct settings_args args = {.profile = "prod"};
    ck_assert_msg(settings_load(&s, path, &args, NULL, &why), "%s", why);
    ck_assert_str_eq(s.profile, "prod");
    ck_assert_int_eq(s.profile_source, SET_CLI);
    ck_assert_str_eq(s.base_url, "http://127.0.0.1:9");
    ck_assert(s.readonly && s.production && s.confirm_create);
    ck_assert_int_eq(s.s[SETTING_READONLY].source, SET_PROFILE);
    ck_assert_int_eq(s.s[SETTING_READONLY].line, 9);
    ck_assert_int_eq(s.refresh_s, 7); /* not in the profile: [defaults] */
    settings_done(&s);
    /* BATCHTOP_PROFILE chooses when --profile does not */
    setenv("BATCHTOP_PROFILE", "staging", 1);
    ck_assert_msg(settings_load(&s, path, NULL, NULL, &why), "%s", why);
    ck_assert_str_eq(s.profile, "staging");
    ck_assert_int_eq(s.profile_source, SET_ENV);
    ck_assert_int_eq(s.refresh_s, 3);
    ck_assert(!s.production);
    settings_done(&s);
}
END_TEST

START_TEST(precedence)
{
    write_file(example, 0600);
    struct settings s;
    char *why = NULL;
    struct settings_args args = {.profile = "prod"};
    /* environment over profile */
    setenv("LLAMA_CLOUD_BASE_URL", "http://127.0.0.1:10", 1);
    ck_assert(settings_load(&s, path, &args, NULL, &why));
    ck_assert_str_eq(s.base_url, "http://127.0.0.1:10");
    ck_assert_int_eq(s.s[SETTING_BASE_URL].source, SET_ENV);
    settings_done(&s);
    /* command line over environment */
    args.base_url = "http://127.0.0.1:11";
    args.refresh_s = 30;
    args.project_id = "prj-cli";
    ck_assert(settings_load(&s, path, &args, NULL, &why));
    ck_assert_str_eq(s.base_url, "http://127.0.0.1:11");
    ck_assert_int_eq(s.s[SETTING_BASE_URL].source, SET_CLI);
    ck_assert_int_eq(s.refresh_s, 30);
    ck_assert_str_eq(s.project_id, "prj-cli");
    settings_done(&s);
    /* NO_COLOR beats a file's color = true */
    write_file("[defaults]\ncolor = true\n", 0600);
    setenv("NO_COLOR", "1", 1);
    ck_assert(settings_load(&s, path, NULL, NULL, &why));
    ck_assert(!s.color);
    settings_done(&s);
}
END_TEST

START_TEST(errors_name_file_and_line)
{
    char *want = xasprintf("%s:3: unknown setting 'refersh' in [defaults]", path);
    assert_why("[defaults]\nrefresh = 5\nrefersh = 6\n", want);
    free(want);
    want = xasprintf("%s:2: readonly: true or false, not 'maybe'", path);
    assert_why("[defaults]\nreadonly = maybe\n", want);
    free(want);
    assert_why("[defaults]\nrefresh = 1\n", ":2: refresh: whole seconds from 2 to 86400");
    assert_why("[defaults]\nrefresh = 5s\n", ":2: refresh:");
    assert_why("[default]\nrefresh = 5\n", ":2: unknown section [default]");
    assert_why("refresh = 5\n", ":1: 'refresh' is outside a section");
    assert_why("[defaults]\napi_key = llx-oops\n", ":2: the API key does not belong in this file");
    assert_why("[defaults]\nbase_url = ftp://example.com\n", ":2: base_url is not usable");
    assert_why("[defaults]\nproject_id = a b\n", ":2: project_id:");
    assert_why("[defaults]\n\njust words\n", ":3: not a [section], a `name = value` line");
    assert_why("[profile a b]\nrefresh = 5\n", ":2: [profile a b]: a profile name is");
    /* a line too long for the parser is refused, not cut into two lines */
    char *text = xmalloc(1000);
    snprintf(text, 1000, "[defaults]\nproject_id = %0400d\n", 7);
    assert_why(text, ":2: line too long");
    free(text);
    /* an indented line continues a command only */
    assert_why("[defaults]\nrefresh = 5\n  6\n", ":3: an indented line continues the value");
    /* the first error is the one named */
    assert_why("[defaults]\nnope = 1\nreadonly = maybe\n", ":2: unknown setting 'nope'");
}
END_TEST

START_TEST(profiles_that_are_not_there)
{
    write_file(example, 0600);
    struct settings_args args = {.profile = "qa"};
    char *why = load_fails(&args);
    ck_assert_msg(strstr(why, "profile 'qa' is not in") && strstr(why, "profiles: prod, staging"),
                  "%s", why);
    free(why);
    unlink(path);
    why = load_fails(&args);
    ck_assert_msg(strstr(why, "profile 'qa': there is no configuration file"), "%s", why);
    free(why);
    args.profile = "../etc";
    why = load_fails(&args);
    ck_assert_msg(strstr(why, "a profile name is"), "%s", why);
    free(why);
}
END_TEST

static char *warnings_of(const char *text, mode_t mode)
{
    write_file(text, mode);
    char *buf = NULL;
    size_t len = 0;
    FILE *w = open_memstream(&buf, &len);
    struct settings s;
    char *why = NULL;
    ck_assert_msg(settings_load(&s, path, NULL, w, &why), "%s", why);
    settings_done(&s);
    fclose(w);
    return buf;
}

START_TEST(warnings)
{
    char *w = warnings_of("[defaults]\napi_key_command = pass show x\n", 0644);
    ck_assert_msg(strstr(w, "others may read it (mode 644)") && strstr(w, "chmod 600"), "%s", w);
    free(w);
    w = warnings_of("[defaults]\napi_key_command = pass show x\n", 0600);
    ck_assert_str_eq(w, "");
    free(w);
    w = warnings_of("[defaults]\nrefresh = 5\n", 0644); /* nothing secret in it */
    ck_assert_str_eq(w, "");
    free(w);
    w = warnings_of("[defaults]\nproject_id = llx-pasted-by-mistake\n", 0640);
    ck_assert_msg(strstr(w, "others may read it (mode 640)"), "%s", w);
    free(w);
}
END_TEST

START_TEST(print_config_shows_sources_never_the_key)
{
    write_file(example, 0600);
    setenv("LLAMA_CLOUD_API_KEY", "llx-SECRET-KEY", 1);
    struct settings s;
    char *why = NULL, *buf = NULL;
    size_t len = 0;
    struct settings_args args = {.profile = "prod", .refresh_s = 9};
    ck_assert(settings_load(&s, path, &args, NULL, &why));
    FILE *out = open_memstream(&buf, &len);
    settings_print(&s, out);
    fclose(out);
    ck_assert_msg(strstr(buf, "# profile: prod (from --profile)"), "%s", buf);
    ck_assert_msg(strstr(buf, "[profile prod]") && strstr(buf, "config:8"), "%s", buf);
    ck_assert_msg(strstr(buf, "refresh          = 9"), "%s", buf);
    ck_assert_msg(strstr(buf, "command line"), "%s", buf);
    ck_assert_msg(strstr(buf, "(set)"), "%s", buf);
    ck_assert_msg(strstr(buf, "SECRET") == NULL, "the key is printed: %s", buf);
    free(buf);
    settings_done(&s);
}
END_TEST

START_TEST(split_words)
{
    char *why = NULL;
    char **v = settings_split("pass  show 'llama/prod key' \"a \\\"q\\\"\" b\\ c", &why);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v[0], "pass");
    ck_assert_str_eq(v[1], "show");
    ck_assert_str_eq(v[2], "llama/prod key");
    ck_assert_str_eq(v[3], "a \"q\"");
    ck_assert_str_eq(v[4], "b c");
    ck_assert_ptr_null(v[5]);
    settings_argv_free(v);
    ck_assert_ptr_null(settings_split("pass 'open", &why));
    ck_assert_msg(strstr(why, "unterminated"), "%s", why);
    free(why);
    ck_assert_ptr_null(settings_split("   ", &why));
    free(why);
}
END_TEST

static char *key_of(const char *cmd_line, char **why)
{
    char *text = xasprintf("[defaults]\napi_key_command = %s\n", cmd_line);
    write_file(text, 0600);
    free(text);
    struct settings s;
    ck_assert_msg(settings_load(&s, path, NULL, NULL, why), "%s", *why);
    char *key = settings_api_key(&s, why);
    settings_done(&s);
    return key;
}

START_TEST(api_key_command)
{
    char *why = NULL;
    /* the first line of its output, without a shell */
    char *key = key_of("printf 'llx-from-command\\nsecond line'", &why);
    ck_assert_msg(key != NULL, "%s", why);
    ck_assert_str_eq(key, "llx-from-command");
    settings_key_free(key);
    /* '!' runs it through the shell */
    key = key_of("!printf llx-a; printf -- -b", &why);
    ck_assert_msg(key != NULL, "%s", why);
    ck_assert_str_eq(key, "llx-a-b");
    settings_key_free(key);
    /* a failure: its exit status and standard error, never its output */
    key = key_of("!echo llx-PRINTED; echo 'gpg: decryption failed' >&2; exit 3", &why);
    ck_assert_ptr_null(key);
    ck_assert_msg(strstr(why, "exit status 3: gpg: decryption failed"), "%s", why);
    ck_assert_msg(strstr(why, "PRINTED") == NULL, "%s", why);
    free(why);
    key = key_of("/nonexistent/pass show x", &why);
    ck_assert_ptr_null(key);
    /* 127 from batchtop's child; under valgrind --trace-children its launcher says it (1) */
    ck_assert_msg(strstr(why, "failed with exit status") && strstr(why, "No such file"), "%s", why);
    free(why);
    key = key_of("true", &why);
    ck_assert_ptr_null(key);
    ck_assert_msg(strstr(why, "printed no key"), "%s", why);
    free(why);
    key = key_of("echo two words", &why);
    ck_assert_ptr_null(key);
    ck_assert_msg(strstr(why, "not a key"), "%s", why);
    free(why);
    /* the environment wins: the command is not run */
    setenv("LLAMA_CLOUD_API_KEY", "llx-env", 1);
    key = key_of("!exit 1", &why);
    ck_assert_str_eq(key, "llx-env");
    settings_key_free(key);
    /* neither: a clear error */
    unsetenv("LLAMA_CLOUD_API_KEY");
    write_file("[defaults]\n", 0600);
    struct settings s;
    ck_assert(settings_load(&s, path, NULL, NULL, &why));
    ck_assert_ptr_null(settings_api_key(&s, &why));
    ck_assert_msg(strstr(why, "no API key"), "%s", why);
    free(why);
    settings_done(&s);
}
END_TEST

/* The commented example shipped in doc/ is a valid file, for every profile it has. */
START_TEST(the_example_file_is_valid)
{
    const char *top = getenv("TOP_SRCDIR");
    char *example_path = xasprintf("%s/doc/batchtop.conf.example", top ? top : ".");
    const char *profiles[] = {NULL, "prod", "eu"};
    for (size_t i = 0; i < 3; i++) {
        struct settings s;
        char *why = NULL;
        struct settings_args args = {.profile = profiles[i]};
        ck_assert_msg(settings_load(&s, example_path, &args, NULL, &why), "%s", why);
        ck_assert(s.file_read);
        if (i == 1)
            ck_assert(s.production && s.refresh_s == 10);
        if (i == 2)
            ck_assert(s.readonly && strstr(s.base_url, ".eu.") != NULL);
        settings_done(&s);
    }
    free(example_path);
}
END_TEST

START_TEST(key_bindings)
{
    struct settings s;
    char *why = NULL;
    /* the built-in table has no conflict */
    enum action x, y;
    int key;
    ck_assert(!keys_conflict(&x, &y, &key));
    write_file("[keys]\nmessages = M, Ctrl-G\nfailed-only = F9 x\n", 0600);
    ck_assert_msg(settings_load(&s, path, NULL, NULL, &why), "%s", why);
    ck_assert_uint_eq(s.n_bindings, 2);
    ck_assert_int_eq(s.bindings[0].line, 2);
    ck_assert_msg(settings_apply_keys(&s, &why), "%s", why);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'M'), ACT_MESSAGES);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, KEY_CTRL('g')), ACT_MESSAGES);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'm'), ACT_NONE); /* replaced, not added */
    ck_assert_int_eq(keys_lookup(SCOPE_BATCH, KEY_F(9)), ACT_FAILED_ONLY);
    ck_assert_int_eq(keys_lookup(SCOPE_BATCH, 'x'), ACT_FAILED_ONLY);
    char desc[64];
    keys_describe(ACT_MESSAGES, desc, sizeof desc);
    ck_assert_str_eq(desc, "M, Ctrl-G");
    /* --print-config shows them */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    settings_print(&s, out);
    fclose(out);
    ck_assert_msg(strstr(buf, "[keys] messages") && strstr(buf, "M, Ctrl-G"), "%s", buf);
    free(buf);
    settings_done(&s);
    keys_reset();
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'm'), ACT_MESSAGES);

    /* a key meaning two actions on one screen: file:line of the binding, defaults kept */
    write_file("[defaults]\nrefresh = 5\n[keys]\nhelp = F1\nrefresh = r, R\n", 0600);
    ck_assert(settings_load(&s, path, NULL, NULL, &why));
    ck_assert(!settings_apply_keys(&s, &why));
    ck_assert_msg(strstr(why, "config:5: [keys]: R would mean both") && strstr(why, "'refresh'") &&
                      strstr(why, "'resubmit'"),
                  "%s", why);
    free(why);
    ck_assert_int_eq(keys_lookup(SCOPE_LIST, 'r'), ACT_REFRESH);
    settings_done(&s);

    assert_why("[keys]\nexplode = x\n", ":2: [keys]: no action 'explode'");
    assert_why("[keys]\nquit = Hyper-Q\n", ":2: [keys] quit: 'Hyper-Q' is not a key name");
    assert_why("[keys]\nquit =\n", ":2: [keys] quit: no key given");
    ck_assert_int_eq(keys_parse_one("C-x"), KEY_CTRL('x'));
    ck_assert_int_eq(keys_parse_one("F12"), KEY_F(12));
    ck_assert_int_eq(keys_parse_one("F13"), -1);
    ck_assert_int_eq(keys_parse_one("pgdn"), KEY_NPAGE);
    ck_assert_int_eq(keys_parse_one("]"), ']');
}
END_TEST

START_TEST(colors)
{
    struct settings s;
    char *why = NULL;
    write_file("[colors]\nfailed = red on black\nHeader = white on 4\nrunning = 208\n"
               "completed = default\n",
               0600);
    ck_assert_msg(settings_load(&s, path, NULL, NULL, &why), "%s", why);
    ck_assert_uint_eq(s.n_colors, 4);
    ck_assert_int_eq(s.colors[1].line, 3);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    settings_print(&s, out);
    fclose(out);
    ck_assert_msg(strstr(buf, "[colors] failed") && strstr(buf, "red on black"), "%s", buf);
    free(buf);
    settings_done(&s);
    assert_why("[colors]\nfailed = crimson\n", ":2: [colors] failed: 'crimson' is not a colour");
    assert_why("[colors]\nfailed = red on\n", ":2: [colors] failed: 'red on' is not a colour");
    assert_why("[colors]\nfailed = 256\n", ":2: [colors] failed: '256' is not a colour");
    assert_why("[colors]\nborder = red\n", ":2: [colors] no colour element 'border'");
}
END_TEST

START_TEST(notify_settings)
{
    struct settings s;
    char *why = NULL;
    write_file(
        "[notify]\nbell = yes\ndesktop = both\ncommand = notify-send \"$BATCHTOP_BATCH_ID\"\n",
        0600);
    ck_assert_msg(settings_load(&s, path, NULL, NULL, &why), "%s", why);
    ck_assert(s.notify.bell && s.notify.osc9 && s.notify.osc777);
    ck_assert_str_eq(s.notify.command, "notify-send \"$BATCHTOP_BATCH_ID\"");
    settings_done(&s);
    /* a long command over indented lines */
    write_file("[notify]\ncommand = printf '%s'\n    \"$BATCHTOP_BATCH_ID\"\n\t>> /tmp/x\n"
               "[defaults]\napi_key_command = pass\n  show llama/prod\n",
               0600);
    ck_assert_msg(settings_load(&s, path, NULL, NULL, &why), "%s", why);
    ck_assert_str_eq(s.notify.command, "printf '%s' \"$BATCHTOP_BATCH_ID\" >> /tmp/x");
    ck_assert_str_eq(s.s[SETTING_API_KEY_COMMAND].value, "pass show llama/prod");
    settings_done(&s);
    assert_why("[notify]\ndesktop = toast\n", ":2: [notify] desktop: off, osc9, osc777 or both");
    assert_why("[notify]\nbell = loud\n", ":2: [notify] bell: true or false");
    assert_why("[notify]\nemail = me\n", ":2: [notify]: no setting 'email'");

    /* the sequences: OSC 9 and 777, wrapped for tmux, nothing that could end them early */
    struct notify_config c = {.osc9 = true};
    char *o = notify_osc(&c, "batchtop", "bat-1 COMPLETED\033]0;evil\a;x", false);
    ck_assert_str_eq(o, "\033]9;batchtop: bat-1 COMPLETED ]0,evil ,x\a");
    free(o);
    c.osc777 = true;
    o = notify_osc(&c, "batchtop", "bat-1 FAILED", true);
    ck_assert_str_eq(o, "\033Ptmux;\033\033]9;batchtop: bat-1 FAILED\a\033\\"
                        "\033Ptmux;\033\033]777;notify;batchtop;bat-1 FAILED\a\033\\");
    free(o);
    c.osc9 = c.osc777 = false;
    ck_assert_ptr_null(notify_osc(&c, "t", "b", false));
}
END_TEST

/* The command: its environment, never the key, its failure with standard error. */
START_TEST(notify_command)
{
    setenv("LLAMA_CLOUD_API_KEY", "llx-SECRET", 1);
    char *out = xasprintf("%s/env", dir), *why = NULL;
    char *cmd = xasprintf("env > '%s'; echo oops >&2; exit 3", out);
    int fd = -1;
    pid_t pid = notify_spawn(cmd, "bat-42", "COMPLETED", 7, &fd, &why);
    ck_assert_msg(pid > 0, "%s", why);
    char err[256];
    size_t n = 0;
    while (notify_read(fd, err, &n, sizeof err))
        ; /* a busy read is fine in a test: the command ends at once */
    close(fd);
    char *failure = NULL;
    while (!notify_reaped(pid, err, n, &failure))
        usleep(1000);
    ck_assert_msg(failure && strstr(failure, "exit status 3: oops"), "%s", failure);
    free(failure);
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    bool id = false, status = false, failed = false, key = false;
    while (fgets(line, sizeof line, f)) {
        id |= strcmp(line, "BATCHTOP_BATCH_ID=bat-42\n") == 0;
        status |= strcmp(line, "BATCHTOP_STATUS=COMPLETED\n") == 0;
        failed |= strcmp(line, "BATCHTOP_FILES_FAILED=7\n") == 0;
        key |= strstr(line, "SECRET") != NULL;
    }
    fclose(f);
    ck_assert(id && status && failed);
    ck_assert_msg(!key, "the key reached the command");
    unlink(out);
    free(out);
    free(cmd);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("settings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, missing_file_gives_builtins);
    tcase_add_test(tc, defaults_and_profile);
    tcase_add_test(tc, precedence);
    tcase_add_test(tc, errors_name_file_and_line);
    tcase_add_test(tc, profiles_that_are_not_there);
    tcase_add_test(tc, warnings);
    tcase_add_test(tc, print_config_shows_sources_never_the_key);
    tcase_add_test(tc, split_words);
    tcase_add_test(tc, api_key_command);
    tcase_add_test(tc, the_example_file_is_valid);
    tcase_add_test(tc, key_bindings);
    tcase_add_test(tc, colors);
    tcase_add_test(tc, notify_settings);
    tcase_add_test(tc, notify_command);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
