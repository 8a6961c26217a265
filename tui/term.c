/* term.c -- curses start and restore, the signal self-pipe and the fatal-signal path. */
#include "config.h"

#include "tui/term.h"

#include <curses.h>
#include <term.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "model/xalloc.h"

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t curses_on;
static volatile sig_atomic_t done_once;
static volatile sig_atomic_t hook_ran;
static volatile sig_atomic_t quit_signal; /* the last SIGINT/SIGTERM/SIGHUP, 0 if none */
static void (*exit_hook)(void);

/*
 * The restore that needs nothing but write(2) and tcsetattr(3), both async-signal-safe:
 * captured by term_start while it is safe to ask terminfo, used by the fatal-signal path
 * and by a restore from a thread that does not own curses. endwin() is neither.
 */
static char raw_restore_seq[256];
static size_t raw_restore_len;
static struct termios shell_tio;
static bool have_shell_tio;
static pthread_t ui_thread;
static bool ui_thread_known;

/* Append terminfo capability cap to the restore sequence, without "$<5>" padding. */
static void capture_cap(const char *cap)
{
    const char *v = tigetstr(cap);
    if (v == NULL || v == (char *)-1)
        return;
    for (const char *p = v; *p; p++) {
        if (p[0] == '$' && p[1] == '<') {
            const char *end = strchr(p, '>');
            if (end != NULL) {
                p = end;
                continue;
            }
        }
        if (raw_restore_len + 1 < sizeof raw_restore_seq)
            raw_restore_seq[raw_restore_len++] = *p;
    }
}

/* Async-signal-safe: the captured sequence, then the terminal modes the shell had. */
static void raw_restore(void)
{
    size_t off = 0;
    while (off < raw_restore_len) {
        ssize_t n = write(STDOUT_FILENO, raw_restore_seq + off, raw_restore_len - off);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        off += (size_t)n;
    }
    if (have_shell_tio)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &shell_tio);
}

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define N_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction old_fatal[N_FATAL];

static void on_signal(int sig)
{
    int saved = errno;
    if (sig != SIGWINCH)
        quit_signal = sig;
    unsigned char b = (unsigned char)sig;
    if (sig_pipe[1] >= 0) {
        ssize_t r = write(sig_pipe[1], &b, 1);
        (void)r;
    }
    errno = saved;
}

static void run_hook(void)
{
    if (!hook_ran && exit_hook) {
        hook_ran = 1;
        exit_hook();
    }
}

/* Only async-signal-safe calls: no endwin(), no stdio, no malloc (STYLE.md). */
static void on_fatal(int sig)
{
    int saved = errno;
    if (curses_on && !done_once) {
        done_once = 1;
        curses_on = 0;
        raw_restore();
    }
    run_hook();
    errno = saved;
    for (size_t i = 0; i < N_FATAL; i++) {
        if (fatal_signals[i] == sig) {
            sigaction(sig, &old_fatal[i], NULL);
            break;
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

bool term_signals_install(char **cause)
{
    if (pipe(sig_pipe) != 0) {
        *cause = xasprintf("pipe: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    for (size_t i = 0; i < N_FATAL; i++)
        sigaction(fatal_signals[i], &sa, &old_fatal[i]);
    return true;
}

int term_signal_fd(void)
{
    return sig_pipe[0];
}

void term_signals_read(bool *resized, bool *quit)
{
    unsigned char buf[64];
    ssize_t n;
    while ((n = read(sig_pipe[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == SIGWINCH)
                *resized = true;
            else
                *quit = true;
        }
    }
}

static void at_exit(void)
{
    tui_done();
    run_hook();
}

bool term_check(char **cause)
{
    const char *term = getenv("TERM");
    int err = 0;
    if (!term || !*term) {
        *cause = xstrdup("TERM is not set; set it to your terminal's type (e.g. xterm-256color)");
        return false;
    }
    if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
        *cause = xasprintf("unknown terminal type TERM=%.64s (no terminfo entry); "
                           "try TERM=xterm-256color",
                           term);
        return false;
    }
    const char *cup = tigetstr("cup");
    bool hardcopy = tigetflag("hc") > 0;
    bool ok = cup && cup != (char *)-1 && !hardcopy;
    del_curterm(cur_term);
    if (!ok) {
        *cause = xasprintf("the terminal TERM=%.64s cannot move the cursor, so it cannot show "
                           "batchtop's screens; try TERM=xterm-256color",
                           term);
        return false;
    }
    return true;
}

void term_start(void)
{
    static bool registered;
    if (!registered) {
        atexit(at_exit);
        registered = true;
    }
    set_escdelay(25);
    have_shell_tio = tcgetattr(STDIN_FILENO, &shell_tio) == 0;
    ui_thread = pthread_self();
    ui_thread_known = true;
    if (!initscr()) {
        fputs("batchtop: cannot start the terminal UI\n", stderr);
        exit(2);
    }
    curses_on = 1;
    done_once = 0;
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    /* what endwin() would send: attributes off, cursor shown, keypad off, main screen */
    raw_restore_len = 0;
    capture_cap("sgr0");
    capture_cap("cnorm");
    capture_cap("rmkx");
    capture_cap("rmcup");
    term_resize();
}

void term_resize(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
}

bool term_size_changed(void)
{
    struct winsize ws;
    return ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
           (ws.ws_row != LINES || ws.ws_col != COLS);
}

void tui_done(void)
{
    if (done_once || !curses_on)
        return;
    done_once = 1;
    curses_on = 0;
    if (ui_thread_known && !pthread_equal(pthread_self(), ui_thread)) {
        raw_restore(); /* curses belongs to the UI thread (e.g. out of memory in the net thread) */
        return;
    }
    curs_set(1);
    endwin();
}

int term_quit_signal(void)
{
    return quit_signal;
}

static void out_of_memory(const char *message)
{
    die("%s", message);
}

void term_alloc_failure_install(void)
{
    xalloc_set_failure_hook(out_of_memory);
}

void term_set_exit_hook(void (*hook)(void))
{
    exit_hook = hook;
}

void die(const char *fmt, ...)
{
    va_list ap;
    tui_done();
    fputs("batchtop: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}
