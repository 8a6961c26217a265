/* localsrc.c -- list a local folder, file or glob as what a new batch would upload. */
#include "config.h"

#include "model/localsrc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/xalloc.h"

/* Folders deeper than this are a problem, not walked (a bound on the recursion). */
#define LS_MAX_DEPTH 64

struct walk {
    struct local_scan *s;
    bool hidden;
    size_t cap_files, cap_problems;
    /* the folders on the current path, to refuse a symbolic link loop */
    dev_t devs[LS_MAX_DEPTH + 1];
    ino_t inos[LS_MAX_DEPTH + 1];
    int depth;
};

static void problem(struct walk *w, const char *path, const char *reason)
{
    struct local_scan *s = w->s;
    if (s->n_problems == w->cap_problems) {
        w->cap_problems = w->cap_problems ? 2 * w->cap_problems : 8;
        s->problems = xreallocarray(s->problems, w->cap_problems, sizeof *s->problems);
    }
    s->problems[s->n_problems].path = xstrdup(path);
    s->problems[s->n_problems].reason = xstrdup(reason);
    s->n_problems++;
}

static char *join(const char *a, const char *b)
{
    if (a[0] == '\0')
        return xstrdup(b);
    size_t la = strlen(a);
    return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

static const char *errno_reason(int e)
{
    switch (e) {
    case EACCES:
    case EPERM:
        return "permission denied";
    case ELOOP:
        return "symbolic link loop";
    case ENOENT:
        return "broken symbolic link";
    default:
        return strerror(e);
    }
}

/* A regular file found at path (st from stat(2)): checked for size and readability. */
static void add_file(struct walk *w, const char *path, const char *display, const struct stat *st)
{
    if (st->st_size > LOCALSRC_MAX_FILE_BYTES) {
        char why[96];
        snprintf(why, sizeof why, "larger than %d MiB (%.1f MiB)",
                 (int)(LOCALSRC_MAX_FILE_BYTES >> 20), (double)st->st_size / (1024.0 * 1024.0));
        problem(w, path, why);
        return;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        problem(w, path, errno_reason(errno));
        return;
    }
    close(fd);
    struct local_scan *s = w->s;
    if (s->n_files == w->cap_files) {
        w->cap_files = w->cap_files ? 2 * w->cap_files : 64;
        s->files = xreallocarray(s->files, w->cap_files, sizeof *s->files);
    }
    struct local_file *f = &s->files[s->n_files++];
    f->path = xstrdup(path);
    f->display_name = xstrdup(display);
    f->size = (int64_t)st->st_size;
    f->mtime_s = (int64_t)st->st_mtime;
    s->bytes_total += f->size;
}

static void walk_dir(struct walk *w, const char *path, const char *display);

/* One entry: path on disk, display its name relative to the root. */
static void walk_entry(struct walk *w, const char *path, const char *display)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        problem(w, path, errno_reason(errno));
        return;
    }
    if (S_ISREG(st.st_mode)) {
        add_file(w, path, display, &st);
    } else if (S_ISDIR(st.st_mode)) {
        for (int i = 0; i <= w->depth; i++)
            if (w->devs[i] == st.st_dev && w->inos[i] == st.st_ino) {
                problem(w, path, "symbolic link loop (a folder inside itself)");
                return;
            }
        if (w->depth >= LS_MAX_DEPTH) {
            problem(w, path, "folders nested too deep");
            return;
        }
        w->depth++;
        w->devs[w->depth] = st.st_dev;
        w->inos[w->depth] = st.st_ino;
        walk_dir(w, path, display);
        w->depth--;
    } else {
        problem(w, path, "not a regular file");
    }
}

static void walk_dir(struct walk *w, const char *path, const char *display)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        problem(w, path, errno_reason(errno));
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (n[0] == '.' && !w->hidden) {
            w->s->hidden_skipped++;
            continue;
        }
        char *p = join(path, n);
        char *dn = join(display, n);
        walk_entry(w, p, dn);
        free(p);
        free(dn);
    }
    closedir(d);
}

static int by_display(const void *a, const void *b)
{
    const struct local_file *x = a, *y = b;
    return strcmp(x->display_name, y->display_name);
}

static const char *base_name(const char *p)
{
    const char *e = p + strlen(p);
    while (e > p + 1 && e[-1] == '/')
        e--;
    const char *b = e;
    while (b > p && b[-1] != '/')
        b--;
    return b;
}

/* The root's name for the default directory name: its last component, resolved for "." */
static char *name_of(const char *root)
{
    char *real = realpath(root, NULL);
    const char *src = real ? real : root;
    const char *b = base_name(src);
    size_t n = strcspn(b, "/");
    char *out = n ? xstrndup(b, n) : xstrdup("files");
    free(real);
    return out;
}

static bool has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

bool localsrc_is_local(const char *text)
{
    if (text == NULL || text[0] == '\0')
        return false;
    if (strncmp(text, "dir-", 4) != 0)
        return true;
    /* "dir-…": an ID, unless it names something on disk */
    struct stat st;
    if (stat(text, &st) == 0)
        return true;
    if (!has_glob(text))
        return false;
    glob_t gl;
    bool any = glob(text, 0, NULL, &gl) == 0 && gl.gl_pathc > 0;
    globfree(&gl);
    return any;
}

static char *expand_home(const char *spec)
{
    if (spec[0] == '~' && (spec[1] == '/' || spec[1] == '\0')) {
        const char *home = getenv("HOME");
        if (home != NULL && home[0] != '\0')
            return xasprintf("%s%s", home, spec + 1);
    }
    return xstrdup(spec);
}

static int scan_glob(struct walk *w, const char *spec, char **err)
{
    /* The root: the components before the first one holding a glob character. */
    const char *g = strpbrk(spec, "*?[");
    const char *slash = g;
    while (slash > spec && slash[-1] != '/')
        slash--;
    char *root = slash > spec ? xstrndup(spec, (size_t)(slash - spec)) : xstrdup("");
    size_t rlen = strlen(root);
    glob_t gl;
    int rc = glob(spec, GLOB_NOSORT, NULL, &gl);
    if (rc == GLOB_NOMATCH || (rc == 0 && gl.gl_pathc == 0)) {
        if (rc == 0)
            globfree(&gl);
        *err = xasprintf("nothing matches %s", spec);
        free(root);
        return -1;
    }
    if (rc != 0) {
        *err = xasprintf("cannot read %s", spec);
        free(root);
        return -1;
    }
    w->s->root = root[0] ? xstrdup(root) : xstrdup(".");
    w->s->root_name = name_of(w->s->root);
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        const char *p = gl.gl_pathv[i];
        const char *display = strncmp(p, root, rlen) == 0 ? p + rlen : p;
        struct stat st;
        if (stat(p, &st) != 0) {
            problem(w, p, errno_reason(errno));
            continue;
        }
        if (S_ISDIR(st.st_mode))
            continue; /* a glob names files; a folder it matches is not walked */
        walk_entry(w, p, display);
    }
    globfree(&gl);
    free(root);
    return 0;
}

int localsrc_scan(const char *spec_in, bool include_hidden, struct local_scan *out, char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    if (spec_in == NULL || spec_in[0] == '\0') {
        *err = xstrdup("no path given");
        return -1;
    }
    char *spec = expand_home(spec_in);
    struct walk w = {.s = out, .hidden = include_hidden};
    int rc = 0;
    struct stat st;
    if (stat(spec, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            /* display names relative to the folder; its own path kept as given */
            size_t n = strlen(spec);
            while (n > 1 && spec[n - 1] == '/')
                spec[--n] = '\0';
            out->root = xstrdup(spec);
            out->root_name = name_of(spec);
            w.devs[0] = st.st_dev;
            w.inos[0] = st.st_ino;
            walk_dir(&w, spec, "");
        } else if (S_ISREG(st.st_mode)) {
            const char *b = base_name(spec);
            out->root = b > spec ? xstrndup(spec, (size_t)(b - spec)) : xstrdup(".");
            out->root_name = name_of(out->root);
            add_file(&w, spec, b, &st);
        } else {
            *err = xasprintf("%s: not a folder or a regular file", spec_in);
            rc = -1;
        }
    } else if (has_glob(spec)) {
        rc = scan_glob(&w, spec, err);
    } else {
        *err = xasprintf("no such file or folder: %s", spec_in);
        rc = -1;
    }
    free(spec);
    if (rc != 0) {
        local_scan_done(out);
        return -1;
    }
    if (out->n_files > 1)
        qsort(out->files, out->n_files, sizeof *out->files, by_display);
    return 0;
}

void local_scan_done(struct local_scan *s)
{
    if (s == NULL)
        return;
    free(s->root);
    free(s->root_name);
    for (size_t i = 0; i < s->n_files; i++)
        local_file_done(&s->files[i]);
    free(s->files);
    for (size_t i = 0; i < s->n_problems; i++) {
        free(s->problems[i].path);
        free(s->problems[i].reason);
    }
    free(s->problems);
    memset(s, 0, sizeof *s);
}

char *localsrc_default_name(const struct local_scan *s, time_t now)
{
    struct tm tm;
    char day[16] = "";
    if (localtime_r(&now, &tm) != NULL)
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
    return xasprintf("%s %s", s->root_name ? s->root_name : "files", day);
}

void local_file_copy(struct local_file *dst, const struct local_file *src)
{
    dst->path = src->path ? xstrdup(src->path) : NULL;
    dst->display_name = src->display_name ? xstrdup(src->display_name) : NULL;
    dst->size = src->size;
    dst->mtime_s = src->mtime_s;
}

void local_file_done(struct local_file *f)
{
    free(f->path);
    free(f->display_name);
    memset(f, 0, sizeof *f);
}

#define LS_MAX_MATCHES 1000

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *localsrc_complete(const char *text, char ***matches, size_t *n_matches)
{
    *matches = NULL;
    *n_matches = 0;
    const char *slash = strrchr(text, '/');
    const char *stem = slash ? slash + 1 : text;
    size_t head_len = (size_t)(stem - text);
    char *head = xstrndup(text, head_len);
    char *dir_typed = head_len ? xstrdup(head) : xstrdup(".");
    char *dir = expand_home(dir_typed);
    free(dir_typed);
    size_t stem_len = strlen(stem), cap = 0;
    char **m = NULL;
    size_t n = 0;
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL && n < LS_MAX_MATCHES) {
            const char *name = de->d_name;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                continue;
            if (name[0] == '.' && stem[0] != '.')
                continue;
            if (strncmp(name, stem, stem_len) != 0)
                continue;
            char *p = join(dir, name);
            struct stat st;
            bool is_dir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
            free(p);
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                m = xreallocarray(m, cap, sizeof *m);
            }
            m[n++] = xasprintf("%s%s", name, is_dir ? "/" : "");
        }
        closedir(d);
    }
    free(dir);
    char *out;
    if (n == 0) {
        out = xstrdup(text);
    } else {
        qsort(m, n, sizeof *m, by_str);
        size_t common = strlen(m[0]);
        for (size_t i = 1; i < n; i++) {
            size_t k = 0;
            while (k < common && m[i][k] == m[0][k])
                k++;
            common = k;
        }
        /* never cut a UTF-8 character in two */
        while (common > 0 && common < strlen(m[0]) && ((unsigned char)m[0][common] & 0xc0) == 0x80)
            common--;
        out = xasprintf("%s%.*s", head, (int)common, m[0]);
    }
    free(head);
    *matches = m;
    *n_matches = n;
    return out;
}

void localsrc_matches_free(char **matches, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(matches[i]);
    free(matches);
}
