#!/bin/bash
# safety.sh -- start-up errors before curses, --readonly, a refused key, NO_COLOR, hostile
# server strings that must never reach the terminal, --demo starting and stopping the
# simulator, and the terminal restored after a crash.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

step "the man page documents every option and environment variable"
sed 's/\\-/-/g' "$TOP_SRCDIR/batchtop.1" >"$E2E_TMP/man"
for opt in $("$BATCHTOP" --help | grep -oE -- '--[a-z-]+' | sort -u); do
    grep -qF -- "$opt" "$E2E_TMP/man" || fail "batchtop.1 does not document $opt"
done
for var in LLAMA_CLOUD_API_KEY LLAMA_CLOUD_BASE_URL LLAMA_CLOUD_CUSTOM_HEADERS NO_COLOR TMUX; do
    grep -qF -- "$var" "$E2E_TMP/man" || fail "batchtop.1 does not document $var"
done

step "no key: one line on stderr, exit 2, nothing drawn"
rc=0
env -u LLAMA_CLOUD_API_KEY "$BATCHTOP" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "exit status $rc without a key"
[ "$(wc -l <"$E2E_TMP/err")" -eq 1 ] || fail "expected one line on stderr: $(cat "$E2E_TMP/err")"
grep -q LLAMA_CLOUD_API_KEY "$E2E_TMP/err" || fail "the error does not name LLAMA_CLOUD_API_KEY"
[ ! -s "$E2E_TMP/out" ] || fail "something was written to stdout"

step "stdin not a terminal: exit 2"
rc=0
LLAMA_CLOUD_API_KEY=llx-x "$BATCHTOP" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "exit status $rc without a terminal"
grep -q 'terminal' "$E2E_TMP/err" || fail "no clear error without a terminal"
grep -q $'\x1b' "$E2E_TMP/out" && fail "escape sequences written without a terminal"

step "http:// to a remote host warns that the key travels in clear text"
rc=0
LLAMA_CLOUD_API_KEY=llx-x "$BATCHTOP" --base-url http://api.example.com >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null || rc=$?
grep -q 'clear text' "$E2E_TMP/err" || fail "no clear-text warning: $(cat "$E2E_TMP/err")"
rc=0
LLAMA_CLOUD_API_KEY=llx-x "$BATCHTOP" --base-url http://127.0.0.1:9 >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null || rc=$?
grep -q 'clear text' "$E2E_TMP/err" && fail "a loopback URL should not warn"

sim_start --seed 31 --speed 20 --hostile-strings
tmux_start 120 40

# raw_escapes: fail when the pane holds anything but our own SGR attributes.
no_raw_escapes() {
    tmux_cmd capture-pane -p -e -t main >"$E2E_TMP/raw"
    sed 's/\x1b\[[0-9;:]*m//g' "$E2E_TMP/raw" >"$E2E_TMP/stripped"
    if grep -q $'\x1b' "$E2E_TMP/stripped"; then
        fail "$1: an escape sequence other than SGR reached the terminal"
    fi
    grep -q $'\xc2\x9b' "$E2E_TMP/stripped" && fail "$1: a C1 CSI reached the terminal"
    grep -qE $'[\x01-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]' "$E2E_TMP/stripped" &&
        fail "$1: a control character reached the terminal"
    return 0
}

step "hostile strings in the list, a batch, a file and the pickers"
dir=$(api '/api/v1/beta/directories?page_size=100' | jq -r '[.items[] | select(.name | test("^[A-Za-z ]+$"))][0].id')
bid=$(create_batch "$dir")
[ -n "$bid" ] && [ "$bid" != null ] || fail "could not create a batch"
run_batchtop
wait_for 'Batches (13/13)' 10
no_raw_escapes "list"
keys /
type_text "${bid:0:13}"
keys Enter
wait_for 'Batches (1/13)' 5
keys Enter
wait_for "Batch $bid" 5
wait_for 'Files (20/20)' 10
wait_for '\x' 10            # the markers show that hostile names arrived
no_raw_escapes "batch"
for i in $(seq 1 20); do
    keys Enter
    wait_for 'Output:' 5
    wait_gone 'loading output' 10
    no_raw_escapes "file $i"
    keys q
    wait_for "Batch $bid" 5
    keys j
done
keys q Escape
wait_for 'Batches (13/13)' 5
keys n F2
wait_for 'Pick a source directory' 5
wait_gone 'loading' 10
no_raw_escapes "directory picker"
keys Escape Tab Tab F2
wait_for 'Pick a configuration' 5
wait_gone 'loading' 10
no_raw_escapes "configuration picker"
keys Escape Escape
wait_for 'Batches (13/13)' 5
keys m
wait_for 'Messages (' 5
no_raw_escapes "messages"
keys q
not_on_screen 'aGFja2Vk'  # the OSC 52 payload is shown only inside the marker text, never run
quit_batchtop

step "an extract result's 30-digit number is shown and written exactly as sent"
# --hostile-strings adds "reference_number": 123456789012345678901234567890 to extract results;
# json-c's re-serialisation made it 18446744073709551615.
ecfg=$(api '/api/v1/beta/configurations?product_type=extract_v2&page_size=100' | jq -r '.items[0].id')
[ -n "$ecfg" ] && [ "$ecfg" != null ] || fail "no extract_v2 configuration"
ext_id=$(create_batch "$dir" extract_v2 "$ecfg")
[ -n "$ext_id" ] && [ "$ext_id" != null ] || fail "could not create an extract batch"
sim_wait_status "$ext_id" COMPLETED 30
run_batchtop
wait_for 'Batches (14/14)' 10
keys /
type_text "${ext_id:0:13}"
keys Enter
wait_for 'Batches (1/14)' 5
keys Enter
wait_for "Batch $ext_id" 5
wait_re 'files 20/20 ' 15
open_first_completed_file
wait_for 'Output: extract result (JSON)' 5
wait_for '"reference_number": 123456789012345678901234567890' 10
not_on_screen '18446744073709551615'
rm -f "$E2E_TMP/extract.json"
keys w
wait_for 'write to file:' 5
keys C-u
type_text "$E2E_TMP/extract.json"
keys Enter
wait_for "to $E2E_TMP/extract.json" 5
grep -qF '  "reference_number": 123456789012345678901234567890' "$E2E_TMP/extract.json" ||
    fail "the written file does not hold the number as sent"
keys q
wait_for "Batch $ext_id" 5
keys q Escape
wait_for 'Batches (14/14)' 5
quit_batchtop

step "--readonly refuses create and cancel"
run_batchtop --readonly --refresh 3
wait_for 'READ-ONLY' 5
on_screen 'every 3s'
keys n
wait_for 'read-only mode: creating batches is disabled' 5
not_on_screen 'New batch'
keys c
wait_for 'read-only mode: cancelling is disabled' 5
not_on_screen 'Cancel batch'
keys m
wait_for 'read-only mode: cancelling is disabled' 5
keys q
quit_batchtop

step "a refused key keeps running and says so"
KEY=llx-wrong run_batchtop
wait_for 'unauthorized — check LLAMA_CLOUD_API_KEY' 10
kill -0 "$(batchtop_pid)" || fail "batchtop stopped after a 401"
quit_batchtop

step "NO_COLOR: no colour, status still a word; --log never holds the key"
E2E_ENV='NO_COLOR=1' run_batchtop --log "$E2E_TMP/debug.log"
wait_for 'COMPLETED' 10
tmux_cmd capture-pane -p -e -t main >"$E2E_TMP/raw"
grep -qE $'\x1b\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)' "$E2E_TMP/raw" && fail "colour used under NO_COLOR"
quit_batchtop
[ -s "$E2E_TMP/debug.log" ] || fail "--log wrote nothing"
grep -q "$KEY" "$E2E_TMP/debug.log" && fail "the key is in the debug log"


step "--demo starts the simulator with a private key and stops it on quit"
rm -f "$E2E_TMP/batchtop.pid"
{
    echo 'echo $$ > "$0.pid"'
    printf 'exec "%s" --demo\n' "$BATCHTOP"
} >"$E2E_TMP/batchtop"
type_text "clear; env -u LLAMA_CLOUD_API_KEY sh $E2E_TMP/batchtop; echo BATCHTOP-EXIT=\$?"
keys Enter
wait_for 'Batches (12/12)' 15
bpid=$(batchtop_pid)
spid=$(ps -o pid= --ppid "$bpid" | tr -d ' ' | head -n 1)
[ -n "$spid" ] || fail "no simulator child of batchtop"
tr '\0' ' ' <"/proc/$spid/cmdline" | grep -q 'llx-' && fail "the key is on the simulator's command line"
tr '\0' '\n' <"/proc/$spid/environ" | grep -q '^BATCHTOP_SIM_API_KEY=llx-demo-' ||
    fail "the simulator did not get a demo key in its environment"
on_screen '127.0.0.1'
not_on_screen 'llx-demo'
quit_batchtop
deadline=$(( $(now_ms) + 5000 ))
while kill -0 "$spid" 2>/dev/null; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "the demo simulator is still running after quit"
    sleep 0.05
done

step "a crash restores the terminal and stops the demo simulator"
type_text "clear; env -u LLAMA_CLOUD_API_KEY sh $E2E_TMP/batchtop; echo BATCHTOP-EXIT=\$?"
keys Enter
wait_for 'Batches (12/12)' 15
bpid=$(batchtop_pid)
spid=$(ps -o pid= --ppid "$bpid" | tr -d ' ' | head -n 1)
kill -SEGV "$bpid"
wait_re 'BATCHTOP-EXIT=[1-9][0-9]*' 10
[ "$(tmux_cmd display-message -p -t main '#{alternate_on}')" = 0 ] || fail "still in the alternate screen after a crash"
deadline=$(( $(now_ms) + 5000 ))
while [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "the demo simulator outlived a crash"
    sleep 0.05
done
echo PASS
