#!/bin/bash
# security.sh -- the API key never leaves the process: not in batchtop's --log, saved outputs,
# files under $HOME, the screen, the simulator's request log or any `ps` command line; http://
# to a non-loopback host warns (issue 6). Uses tests/e2e/lib.sh (tmux + a live batchtop-sim).
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

KEY="llx-stress-$$-${RANDOM}${RANDOM}-do-not-leak"

# Every key-bearing check greps for the whole key and for its distinctive middle part.
leak_scan() {  # leak_scan WHAT FILE...: fail if any file holds the key
    local what=$1
    shift
    local secret=${KEY#llx-}
    if grep -rlaF -e "$KEY" -e "$secret" "$@" 2>/dev/null; then
        fail "the API key is in $what"
    fi
    return 0
}
screen_log() {  # append the current screen (with attributes) to the screen transcript
    tmux_cmd capture-pane -p -e -t main >>"$E2E_TMP/screens.txt"
}
cmdlines() {  # cmdlines PID...: the full command line of each process, and of its children
    local p c
    for p in "$@"; do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null
        echo
        for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
            tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null
            echo
        done
    done
}

step "http:// to a non-loopback host warns; loopback and https do not"
for url in http://10.1.2.3:9 http://api.example.com http://192.168.0.1 http://[2001:db8::1]:80; do
    LLAMA_CLOUD_API_KEY=$KEY "$BATCHTOP" --base-url "$url" </dev/null >"$E2E_TMP/o" \
        2>"$E2E_TMP/e" || true
    grep -qi 'clear text\|cleartext\|unencrypted' "$E2E_TMP/e" || fail "no warning for $url"
    leak_scan "the warning for $url" "$E2E_TMP/o" "$E2E_TMP/e"
done
for url in http://127.0.0.1:9 http://localhost:9 http://[::1]:9 https://api.example.com; do
    LLAMA_CLOUD_API_KEY=$KEY "$BATCHTOP" --base-url "$url" </dev/null >"$E2E_TMP/o" \
        2>"$E2E_TMP/e" || true
    grep -qi 'clear text\|cleartext\|unencrypted' "$E2E_TMP/e" && fail "a warning for $url"
done
LLAMA_CLOUD_BASE_URL=http://10.9.9.9 LLAMA_CLOUD_API_KEY=$KEY "$BATCHTOP" </dev/null \
    >"$E2E_TMP/o" 2>"$E2E_TMP/e" || true
grep -qi 'clear text\|cleartext\|unencrypted' "$E2E_TMP/e" ||
    fail "no warning for http:// from LLAMA_CLOUD_BASE_URL"

# The harness's own simulator gets the key through its environment (lib.sh's sim_start would put
# it on the command line), so that `ps` over the whole machine must show it nowhere.
BATCHTOP_SIM_API_KEY=$KEY "$BATCHTOP_SIM" --listen 127.0.0.1:0 --seed 47 --speed 20 -v \
    >"$E2E_TMP/sim.out" 2>"$E2E_TMP/sim.err" &
SIM_PID=$!
deadline=$(( $(now_ms) + 10000 ))
until head -n 1 "$E2E_TMP/sim.out" | grep -q '^listening on http://'; do
    kill -0 "$SIM_PID" 2>/dev/null || fail "batchtop-sim exited: $(cat "$E2E_TMP/sim.err")"
    [ "$(now_ms)" -lt "$deadline" ] || fail "batchtop-sim did not print its URL within 10 s"
    sleep 0.05
done
SIM_URL=$(head -n 1 "$E2E_TMP/sim.out" | sed 's/^listening on //')
tmux_start 120 40

step "a session that logs, opens, writes an output, creates and cancels"
run_batchtop --log "$E2E_TMP/debug.log"
bpid=$(batchtop_pid)
cmdlines "$bpid" >"$E2E_TMP/ps.txt"
ps -eo args >>"$E2E_TMP/ps.txt"
screen_log
keys Enter
wait_for 'Batch bat-' 5
wait_re 'Files \([1-9]' 20
screen_log
keys Enter
wait_for 'Output:' 10
wait_re '^ # ' 20  # the output itself: the job may not have finished when the file opens
screen_log
keys w
wait_for 'write to file:' 5
keys C-u
type_text "$E2E_TMP/saved-output.txt"
keys Enter
deadline=$(( $(now_ms) + 5000 ))
until [ -s "$E2E_TMP/saved-output.txt" ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "w did not write the output"
    sleep 0.05
done
keys q q
wait_for 'Batches (' 5
dir=$(api '/api/v1/beta/directories?page_size=100' | jq -r '.items[0].id')
keys n
wait_for 'New batch' 5
type_text "$dir"
keys Tab Tab C-u
type_text 'cfg-PARSE_AGENTIC'
keys Enter
wait_re 'created bat-|bat-[0-9a-f]{8}.*PENDING' 15
screen_log
keys c
wait_re 'Cancel|cancel' 5
screen_log
keys y
keys m
wait_for 'Messages (' 5
screen_log
keys q
cmdlines "$bpid" >>"$E2E_TMP/ps.txt"
quit_batchtop

step "--demo: batchtop starts its own simulator; neither command line holds a key"
rm -f "$E2E_TMP/batchtop.pid"
{
    echo 'echo $$ > "$0.pid"'
    printf 'LLAMA_CLOUD_API_KEY=%s exec "%s" --demo --log "%s"\n' "$KEY" "$BATCHTOP" \
        "$E2E_TMP/demo.log"
} >"$E2E_TMP/batchtop"
type_text "clear; sh $E2E_TMP/batchtop; echo BATCHTOP-EXIT=\$?"
keys Enter
wait_for 'Batches (' 15
dpid=$(batchtop_pid)
cmdlines "$dpid" >"$E2E_TMP/demo-ps.txt"
grep -q 'batchtop-sim' "$E2E_TMP/demo-ps.txt" || fail "no simulator child in --demo"
grep -q 'llx-' "$E2E_TMP/demo-ps.txt" && fail "a key on a --demo command line"
screen_log
quit_batchtop

step "zero hits for the key in everything written"
[ -s "$E2E_TMP/debug.log" ] || fail "--log wrote nothing"
[ -s "$E2E_TMP/saved-output.txt" ] || fail "no saved output"
leak_scan "the --log file" "$E2E_TMP/debug.log" "$E2E_TMP/demo.log"
leak_scan "the saved output" "$E2E_TMP/saved-output.txt"
leak_scan "files under HOME" "$E2E_TMP/home"
leak_scan "the screens" "$E2E_TMP/screens.txt"
leak_scan "a command line (ps)" "$E2E_TMP/ps.txt" "$E2E_TMP/demo-ps.txt"
leak_scan "the simulator's request log" "$E2E_TMP/sim.err"
grep -q 'POST /api/v2/batches ' "$E2E_TMP/sim.err" || fail "the request log missed the create"
# the key was really used: the simulator refuses every request without it
grep -q ' 401 ' "$E2E_TMP/sim.err" && fail "some request was refused (401)"
echo "security: files scanned: $(find "$E2E_TMP" -type f ! -name batchtop | wc -l), 0 hits"
