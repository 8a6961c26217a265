#!/bin/bash
# fidelity.sh -- the real API's liberties, shown honestly: results null for a whole run (the
# directory's files are the rows, "not mapped yet", and the denominator), and a batch that is
# COMPLETED while its jobs still run (said in the Batch screen; polling goes on to the end).
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 23 --speed 1 --batches 0 --results-while-running null --complete-early
tmux_start 140 40

dir=$(regular_dir) || exit 1
nfiles=$(api "/api/v1/beta/directories/$dir/files?page_size=100" | jq '.items | length')
[ "$nfiles" -gt 0 ] || fail "the directory has no files"
id=$(create_batch "$dir")
[ -n "$id" ] && [ "$id" != null ] || fail "could not create a batch"
run_batchtop --refresh 2
wait_for "${id:0:13}" 10

step "results null while RUNNING: the directory's files are the rows, not mapped yet"
keys Enter
wait_for "Batch $id" 5
wait_re "files 0/$nfiles " 15
wait_for "not mapped yet $nfiles" 5
[ "$(screen | grep -cE '^[> ].* dfl-.* not mapped( |$)')" -gt 0 ] || fail "no row says not mapped yet"
[ "$(api "/api/v2/batches/$id?expand=results" | jq -r '.results')" = null ] ||
    fail "the simulator showed results while the batch runs"

step "COMPLETED while jobs still run: said so, and the view stays live"
wait_re "COMPLETED · [0-9]+ jobs? running" 40
screen | grep -qE "COMPLETED · [0-9]+ jobs? running.*live" || fail "a COMPLETED batch with running jobs is not live"
keys q
wait_re "COMPLETED .* [0-9]+ jobs running" 10   # the list says it too (PROGRESS column)
keys Enter
wait_for "Batch $id" 5

step "every job ends: the count goes, the view is final, the denominator never changed"
wait_re "COMPLETED +final" 60
wait_re "files $nfiles/$nfiles " 10
not_on_screen "jobs running"
not_on_screen "not mapped yet"

keys q
wait_for 'Batches (1/1)' 5
keys q
wait_for 'BATCHTOP-EXIT=0' 5

step "a FAILED batch's rows are marked unreliable; THROTTLED extract jobs say so"
"$TMUX_CMD" -L "$E2E_SOCK" kill-server >/dev/null 2>&1
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=
sim_start --seed 37 --speed 1 --batches 0 --throttle-jobs
tmux_start 140 40
dir=$(regular_dir) || exit 1
cfg=$(api '/api/v1/beta/configurations?page_size=100&product_type=extract_v2' | jq -r '.items[0].id')
[ -n "$cfg" ] && [ "$cfg" != null ] || fail "no extract configuration"
ext=$(create_batch "$dir" extract_v2 "$cfg")
[ -n "$ext" ] && [ "$ext" != null ] || fail "could not create an extract batch"
run_batchtop --refresh 2
wait_for "${ext:0:13}" 10
keys Enter
wait_for "Batch $ext" 5
wait_re "^[> ].* ejb-[^ ]+ +THROTTLED" 40
wait_re "THROTTLED [0-9]+" 5      # counted under its own name, not UNKNOWN
not_on_screen "UNKNOWN"
keys q
wait_for "Batches (" 5
keys q
wait_for 'BATCHTOP-EXIT=0' 5

"$TMUX_CMD" -L "$E2E_SOCK" kill-server >/dev/null 2>&1
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=
sim_start --seed 41 --speed 4 --batches 0 --batch-fail-rate 1
tmux_start 140 40
dir=$(regular_dir) || exit 1
bad=$(create_batch "$dir")
[ -n "$bad" ] && [ "$bad" != null ] || fail "could not create a batch"
run_batchtop --refresh 2
wait_for "${bad:0:13}" 10
keys Enter
wait_for "Batch $bad" 5
wait_re "FAILED · orchestration failed: per-file rows unreliable" 60
wait_for "unreliable: the batch failed" 5
keys q
wait_for "Batches (" 5
keys q
wait_for 'BATCHTOP-EXIT=0' 5
