# lib.sh -- shared helpers for batchtop's terminal tests: a simulator, a private tmux, waits.
#
# Source it from a test script. Every test gets: a temp dir ($E2E_TMP), a batchtop-sim on a
# free loopback port (sim_start; $SIM_URL), a private tmux server at 120x40 running a plain
# shell (tmux_start), and waits with deadlines that poll `tmux capture-pane` every 50 ms.
# A trap kills the tmux server and the simulator and removes the temp dir on any exit.
# Programs come from $BATCHTOP, $BATCHTOP_SIM and $TMUX_BIN (set by `make check`).

set -u

E2E_NAME=${E2E_NAME:-$(basename "$0" .sh)}
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/batchtop-e2e.XXXXXX") || exit 99
E2E_SOCK="bt-e2e-$$-${RANDOM:-0}"
SIM_PID=
SIM_URL=
KEY=llx-sim
TMUX_CMD=${TMUX_BIN:-}
[ -n "$TMUX_CMD" ] || TMUX_CMD=$(command -v tmux || true)
: "${BATCHTOP:?BATCHTOP is not set (run through make check)}"
: "${BATCHTOP_SIM:?BATCHTOP_SIM is not set (run through make check)}"

export LANG=C.UTF-8 LC_ALL=C.UTF-8

e2e_cleanup() {
    local bt_pid
    bt_pid=$(cat "$E2E_TMP/batchtop.pid" 2>/dev/null || true)
    if [ -n "$TMUX_CMD" ]; then
        "$TMUX_CMD" -L "$E2E_SOCK" kill-server >/dev/null 2>&1 || true
    fi
    # A batchtop still running when the test ends gets SIGHUP from the tmux server and writes
    # its snapshot as it leaves: wait for it (at most 5 s), or $E2E_TMP/home comes back after
    # the rm below and stays in /tmp.
    if [ -n "$bt_pid" ]; then
        for _ in $(seq 1 100); do
            kill -0 "$bt_pid" 2>/dev/null || break
            sleep 0.05
        done
    fi
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
        SIM_PID=
    fi
    rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM HUP

# Skip (77) when tmux (or curl and jq, which talk to the simulator) is missing.
need_tmux() {
    if [ -z "$TMUX_CMD" ] || ! [ -x "$TMUX_CMD" ]; then
        echo "SKIP: tmux not found"
        exit 77
    fi
    for tool in curl jq; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "SKIP: $tool not found"
            exit 77
        fi
    done
}

now_ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

fail() {
    echo "FAIL: $*" >&2
    if [ -n "$TMUX_CMD" ] && "$TMUX_CMD" -L "$E2E_SOCK" has-session -t main 2>/dev/null; then
        echo "---- screen ----" >&2
        screen >&2
        echo "----------------" >&2
    fi
    exit 1
}

step() {
    echo "== $*"
}

# sim_start [ARGS...]: start batchtop-sim on port 0 and read its URL (deadline 10 s).
sim_start() {
    "$BATCHTOP_SIM" --listen 127.0.0.1:0 --api-key "$KEY" "$@" >"$E2E_TMP/sim.out" 2>"$E2E_TMP/sim.err" &
    SIM_PID=$!
    local deadline=$(( $(now_ms) + 10000 )) line
    while :; do
        line=$(head -n 1 "$E2E_TMP/sim.out" 2>/dev/null)
        case $line in
        "listening on http://"*) SIM_URL=${line#listening on }; break ;;
        esac
        kill -0 "$SIM_PID" 2>/dev/null || fail "batchtop-sim exited: $(cat "$E2E_TMP/sim.err")"
        [ "$(now_ms)" -lt "$deadline" ] || fail "batchtop-sim did not print its URL within 10 s"
        sleep 0.05
    done
}

# api PATH [CURL ARGS...]: a request to the simulator with the test key.
api() {
    local path=$1
    shift
    curl -sS --max-time 10 -H "Authorization: Bearer $KEY" "$@" "$SIM_URL$path"
}

# sim_status ID: the batch's status according to the simulator itself.
sim_status() {
    curl -sS --max-time 10 "$SIM_URL/_sim/state" |
        jq -r --arg id "$1" '.batches[] | select(.id == $id) | .status'
}

# sim_wait_status ID STATUS SECS: until the simulator says batch ID is STATUS; fails after SECS.
sim_wait_status() {
    local deadline=$(($(now_ms) + $3 * 1000))
    until [ "$(sim_status "$1")" = "$2" ]; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "the simulator never saw $1 $2 within $3 s"
        sleep 0.05
    done
}

# open_first_completed_file: on the Batch screen, select the first file whose job COMPLETED
# (a job may fail at random) and open it with Enter.
open_first_completed_file() {
    local idx
    idx=$(screen | grep -E '^[> ].* dfl-' | grep -nE ' COMPLETED( |$)' | head -n 1 | cut -d: -f1)
    [ -n "$idx" ] || fail "no completed job on the Batch screen"
    keys g
    for _ in $(seq 2 "$idx"); do keys j; done
    keys Enter
}

# create_batch DIR_ID [TYPE] [CONFIG]: create through the API (not the UI); prints the ID.
create_batch() {
    local type=${2:-parse_v2} cfg=${3:-cfg-PARSE_AGENTIC}
    api /api/v2/batches -X POST -H 'Content-Type: application/json' \
        -d "{\"source_directory_id\":\"$1\",\"config\":{\"job\":{\"type\":\"$type\",\"configuration_id\":\"$cfg\"}}}" |
        jq -r .id
}

# dir_id NAME: the ID of the directory with that exact name.
dir_id() {
    api '/api/v1/beta/directories?page_size=100' | jq -r --arg n "$1" '.items[] | select(.name == $n) | .id'
}

# regular_dir: the ID of the first regular directory (not "thousand" or "big-1001"); fails the
# test when there is none.
regular_dir() {
    local d
    d=$(api '/api/v1/beta/directories?page_size=100' |
        jq -r '[.items[] | select(.name != "thousand" and .name != "big-1001")][0].id')
    [ -n "$d" ] && [ "$d" != null ] || fail "no regular directory"
    echo "$d"
}

# tmux_start [COLS ROWS]: a private tmux server with one window running a plain shell.
tmux_start() {
    need_tmux
    local cols=${1:-120} rows=${2:-40}
    mkdir -p "$E2E_TMP/home"
    "$TMUX_CMD" -L "$E2E_SOCK" -f /dev/null new-session -d -s main -x "$cols" -y "$rows" \
        "env -i PATH=\"$PATH\" HOME=\"$E2E_TMP/home\" TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 \
            ASAN_OPTIONS=\"${ASAN_OPTIONS:-}\" UBSAN_OPTIONS=\"${UBSAN_OPTIONS:-}\" PS1='e2e\$ ' sh" ||
        fail "cannot start tmux"
    "$TMUX_CMD" -L "$E2E_SOCK" set-option -g history-limit 0 >/dev/null 2>&1 || true
    wait_for 'e2e$' 5
}

tmux_cmd() {
    "$TMUX_CMD" -L "$E2E_SOCK" "$@"
}

# keys KEY...: send keys to the window (tmux key names: Enter, Escape, Up, F2, C-c ...).
keys() {
    "$TMUX_CMD" -L "$E2E_SOCK" send-keys -t main "$@"
}

# type_text TEXT: send literal text.
type_text() {
    "$TMUX_CMD" -L "$E2E_SOCK" send-keys -t main -l "$1"
}

screen() {
    "$TMUX_CMD" -L "$E2E_SOCK" capture-pane -p -t main
}

# wait_for TEXT [SECONDS]: until TEXT (fixed string) is on screen; fails after the deadline.
wait_for() {
    local text=$1 secs=${2:-10}
    local deadline=$(( $(now_ms) + secs * 1000 ))
    while :; do
        screen | grep -qF -- "$text" && return 0
        [ "$(now_ms)" -lt "$deadline" ] || fail "'$text' not on screen within ${secs}s"
        sleep 0.05
    done
}

# wait_re REGEX [SECONDS]: until an extended regex matches a screen line.
wait_re() {
    local re=$1 secs=${2:-10}
    local deadline=$(( $(now_ms) + secs * 1000 ))
    while :; do
        screen | grep -qE -- "$re" && return 0
        [ "$(now_ms)" -lt "$deadline" ] || fail "/$re/ not on screen within ${secs}s"
        sleep 0.05
    done
}

# wait_gone TEXT [SECONDS]: until TEXT is no longer on screen.
wait_gone() {
    local text=$1 secs=${2:-10}
    local deadline=$(( $(now_ms) + secs * 1000 ))
    while :; do
        screen | grep -qF -- "$text" || return 0
        [ "$(now_ms)" -lt "$deadline" ] || fail "'$text' still on screen after ${secs}s"
        sleep 0.05
    done
}

# on_screen TEXT / not_on_screen TEXT: assert right now.
on_screen() {
    screen | grep -qF -- "$1" || fail "'$1' is not on screen"
}
not_on_screen() {
    screen | grep -qF -- "$1" && fail "'$1' is on screen but should not be"
    return 0
}

# selected_row: the line of the selected row (marked '>').
selected_row() {
    screen | grep -E '^>' | head -n 1
}

# run_batchtop [ARGS...]: ($E2E_ENV: extra NAME=value words for its environment) start batchtop in the window's shell against the simulator (through
# a script, so the key is never typed on screen); the shell prints BATCHTOP-EXIT=<status>
# when it ends; its pid is in $E2E_TMP/batchtop.pid. Waits for the list to appear.
run_batchtop() {
    rm -f "$E2E_TMP/batchtop.pid"
    {
        echo 'echo $$ > "$0.pid"'
        printf 'LLAMA_CLOUD_API_KEY=%s %s exec "%s" --base-url "%s"' "$KEY" "${E2E_ENV:-}" "$BATCHTOP" "$SIM_URL"
        for arg in "$@"; do printf ' "%s"' "$arg"; done
        echo
    } >"$E2E_TMP/batchtop"
    type_text "clear; echo BEFORE-BATCHTOP; sh $E2E_TMP/batchtop; echo BATCHTOP-EXIT=\$?"
    keys Enter
    wait_for 'Batches (' 10
}

batchtop_pid() {
    cat "$E2E_TMP/batchtop.pid"
}

# quit_batchtop: q on the list, then the shell must report status 0.
quit_batchtop() {
    keys q
    wait_for 'BATCHTOP-EXIT=0' 5
}
