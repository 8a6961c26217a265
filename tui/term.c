/* term.c -- curses start and restore, the signal self-pipe and the fatal-signal path. */
#include "config.h"

#include "tui/term.h"

#include <curses.h>
#include <term.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "model/xalloc.h"

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t curses_on;
static volatile sig_atomic_t done_once;
static volatile sig_atomic_t hook_ran;
static void (*exit_hook)(void);

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define N_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction old_fatal[N_FATAL];

static void on_signal(int sig)
{
    int saved = errno;
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

static void on_fatal(int sig)
{
    tui_done();
    run_hook();
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
    curs_set(1);
    endwin();
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
