#!/bin/bash
# notify.sh -- done notifications: a batch created in the TUI, and one marked with *, are
# announced when they end: a flash, the bell and OSC 9 / OSC 777 in the terminal's raw output
# (tmux pipe-pane), and the [notify] command run once each with the batch's ID and status in
# its environment and never the key; a failing command is reported in Messages.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 5 --speed 20
tmux_start 120 40
mkdir -p "$E2E_TMP/home/.config/batchtop"
cat >"$E2E_TMP/home/.config/batchtop/config" <<EOF
[notify]
bell = true
desktop = both
command = printf '%s %s %s\\n' "\$BATCHTOP_BATCH_ID" "\$BATCHTOP_STATUS"
    "\${LLAMA_CLOUD_API_KEY:-nokey}" >> '$E2E_TMP/notified';
    echo "\$BATCHTOP_BATCH_ID \$BATCHTOP_FILES_FAILED" >> '$E2E_TMP/failed';
    [ "\$BATCHTOP_STATUS" != CANCELLED ] || { echo 'no hook for cancelled batches' >&2; exit 4; }
EOF
chmod 600 "$E2E_TMP/home/.config/batchtop/config"
: >"$E2E_TMP/notified"
tmux_cmd pipe-pane -o -t main "cat >> '$E2E_TMP/raw'"

# wait_lines N SECS: until the command has run N times
wait_lines() {
    local deadline=$(($(now_ms) + $2 * 1000))
    until [ "$(wc -l <"$E2E_TMP/notified")" -ge "$1" ]; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "the notify command ran $(wc -l <"$E2E_TMP/notified") times, not $1"
        sleep 0.05
    done
}

run_batchtop --refresh 2
dir=$(regular_dir)

step "a batch created here is announced when it ends"
keys n
wait_for 'New batch' 5
type_text "$dir"
keys Tab Tab
type_text 'cfg-PARSE_AGENTIC'
keys Enter
wait_re 'created batch bat-' 15
made=$(screen | grep -oE 'created batch bat-[0-9a-f-]+' | head -n 1 | sed 's/created batch //')
[ -n "$made" ] || fail "no batch ID in the flash"
wait_for "batch ended: $made COMPLETED" 60
wait_lines 1 10
[ "$(cat "$E2E_TMP/notified")" = "$made COMPLETED nokey" ] ||
    fail "the command saw: $(cat "$E2E_TMP/notified")"
# the failed files it was told: the simulator's count (failed jobs and mapping errors)
results=$(api "/api/v2/batches/$made?expand=results")
q=$(echo "$results" | jq -r '[.results[] | select(.job_reference.id != null) | "job_ids=" + .job_reference.id] | join("&")')
want=$(( $(echo "$results" | jq '[.results[] | select(.error_message != null)] | length') +
    $(api "/api/v2/parse?page_size=100&$q" | jq '[.items[] | select(.status == "FAILED")] | length') ))
[ "$(head -n 1 "$E2E_TMP/failed")" = "$made $want" ] ||
    fail "BATCHTOP_FILES_FAILED: '$(head -n 1 "$E2E_TMP/failed")', the simulator says $want"
grep -qF $'\a' "$E2E_TMP/raw" || fail "no bell in the terminal's output"
grep -qF $'\e]9;batchtop: '"$made COMPLETED" "$E2E_TMP/raw" || fail "no OSC 9 notification"
grep -qF $'\e]777;notify;batchtop;'"$made COMPLETED" "$E2E_TMP/raw" || fail "no OSC 777 notification"

step "* watches a batch made elsewhere; a failing command is reported"
# over the 1,000-file directory: still running when * is pressed
other=$(create_batch "$(dir_id thousand)")
keys /
type_text "$other"
keys Enter
wait_re 'Batches \(1/[0-9]+\)' 10
keys '*'
wait_for "watching $other" 5
api "/api/v2/batches/$other/cancel" -X POST >/dev/null
wait_for "batch ended: $other CANCELLED" 30
wait_lines 2 10
[ "$(sed -n 2p "$E2E_TMP/notified")" = "$other CANCELLED nokey" ] ||
    fail "the command saw: $(sed -n 2p "$E2E_TMP/notified")"
keys m
wait_for 'notify command failed with exit status 4: no hook for cancelled batches' 10
keys q

step "each batch is announced once"
keys r
wait_for 'Batches (' 5
[ "$(wc -l <"$E2E_TMP/notified")" -eq 2 ] || fail "the command ran more than once per batch"
quit_batchtop
[ "$(wc -l <"$E2E_TMP/notified")" -eq 2 ] || fail "the command ran more than once per batch"
echo "PASS"
