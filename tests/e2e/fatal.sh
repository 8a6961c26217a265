#!/bin/bash
# fatal.sh -- batchtop ended from outside (SIGTERM, SIGHUP) or by a crash (SIGSEGV, SIGABRT):
# the terminal is always handed back usable: main screen, cursor shown, the shell's modes
# (echo, canonical input) back, and an exit status that says what happened.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 3 --speed 20
tmux_start 120 40

# restored WHAT: the checks an operator would make at the prompt afterwards.
restored() {
    [ "$(tmux_cmd display-message -p -t main '#{alternate_on}')" = 0 ] ||
        fail "$1: still in the alternate screen"
    [ "$(tmux_cmd display-message -p -t main '#{cursor_flag}')" = 1 ] ||
        fail "$1: the cursor is still hidden"
    not_on_screen 'Batches ('
    on_screen 'BEFORE-BATCHTOP'
    # the shell's terminal modes: typed text echoes, lines are cooked
    type_text "stty -a | tr ' ' '\\n' | grep -xE -- '-?(echo|icanon)' | tr '\\n' ' '; echo :MODES"
    keys Enter
    wait_re '^(echo icanon|icanon echo) :MODES' 5
}

for sig in TERM HUP; do
    step "SIG$sig: the loop leaves through the normal restore; status 128 + signal"
    run_batchtop
    kill -"$sig" "$(batchtop_pid)"
    want=$(( 128 + $(kill -l "$sig") ))
    wait_for "BATCHTOP-EXIT=$want" 5
    restored "SIG$sig"
done

for sig in SEGV ABRT; do
    step "SIG$sig: restored with write(2) only from the handler, then the signal goes on"
    run_batchtop
    kill -"$sig" "$(batchtop_pid)"
    wait_re 'BATCHTOP-EXIT=[1-9][0-9]*' 10
    restored "SIG$sig"
done
echo PASS
