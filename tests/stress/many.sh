#!/bin/bash
# many.sh -- 10,000 batches in the list: all load, scrolling to the end and filtering stay
# correct (issue 6). Uses tests/e2e/lib.sh (tmux + a live batchtop-sim).
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 43 --speed 0.01 --batches 10000   # a world frozen for the test
tmux_start 120 40
# The simulator's own order: /_sim/state lists batches newest first, like the API.
api /_sim/state >"$E2E_TMP/state"
total=$(jq '.batches | length' "$E2E_TMP/state")
[ "$total" -eq 10000 ] || fail "the simulator holds $total batches, not 10000"
oldest=$(jq -r '.batches[-1].id' "$E2E_TMP/state")
newest=$(jq -r '.batches[0].id' "$E2E_TMP/state")
middle=$(jq -r '.batches[5000].id' "$E2E_TMP/state")

step "all 10,000 batches load"
t0=$(now_ms)
run_batchtop
wait_for 'Batches (10000/10000)' 60
echo "list of 10,000 loaded in $(( $(now_ms) - t0 )) ms (including start-up)"
selected_row | grep -qF "${newest:0:18}" || fail "the newest batch is not selected first"

step "End (and G) scroll to the oldest batch"
keys End
wait_re "^>${oldest:0:18}" 5
screen | tail -n 2 | head -n 1 | grep -qF "${oldest:0:18}" || fail "the oldest is not the last row"
keys Home
wait_re "^>${newest:0:18}" 5
keys G
wait_re "^>${oldest:0:18}" 5
keys g
wait_re "^>${newest:0:18}" 5

step "PgDn 100 times moves one page at a time and stays in range"
for i in $(seq 1 100); do keys NPage; done
wait_re '^>bat-' 5
sleep 0.2
row=$(selected_row)
[ -n "$row" ] || fail "no selected row after paging"

step "a filter on one ID finds exactly that batch; Esc brings all 10,000 back"
keys /
type_text "$middle"
keys Enter
wait_for 'Batches (1/10000)' 10
selected_row | grep -qF "${middle:0:18}" || fail "the filtered batch is not selected"
keys Escape
wait_for 'Batches (10000/10000)' 10
keys /
type_text 'no-such-batch'
keys Enter
wait_for 'Batches (0/10000)' 10
keys Escape
wait_for 'Batches (10000/10000)' 10

step "a status filter counts the same as the simulator"
failed=$(jq '[.batches[] | select(.status == "FAILED")] | length' "$E2E_TMP/state")
keys 5
wait_for "Batches ($failed/10000)" 10
keys End
wait_re '^>bat-' 5
selected_row | grep -q 'FAILED' || fail "the last FAILED row is not FAILED"
keys 0
wait_for 'Batches (10000/10000)' 10
quit_batchtop
echo "many: all checks passed"
