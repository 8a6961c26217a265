#!/bin/bash
# faults.sh -- a server that fails every request: retrying / offline / STALE in the header, a
# create whose outcome is unknown (says so, offers to look again, never resends blindly),
# then recovery when the faults stop.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 9 --speed 20 --fail-rate 1 -v
tmux_start 120 40
run_batchtop

step "every request fails: retrying, then offline, data marked stale"
wait_re 'retrying in [0-9]+s' 10
wait_for 'offline' 30
wait_for 'not loaded (STALE)' 30
on_screen 'could not load the batches yet'

step "a create whose outcome is unknown says so and offers to look again"
keys n
type_text 'dir-does-not-exist'
keys Tab Tab
type_text 'cfg-PARSE_AGENTIC'
keys Enter
wait_for 'Outcome unknown' 30
on_screen 'could not tell whether the batch was created'
[ "$(grep -cE '^POST /api/v2/batches ' "$E2E_TMP/sim.err")" = 1 ] ||
    fail "the create was sent more than once"

step "the faults stop; looking again finds it was not created"
kill -USR1 "$SIM_PID"
keys y
wait_for 'the batch was NOT created' 30
[ "$(grep -cE '^POST /api/v2/batches ' "$E2E_TMP/sim.err")" = 1 ] ||
    fail "looking again sent the create"
on_screen 'Source                dir-does-not-exist'
wait_for 'online' 15

step "Enter sends it again; the unknown directory is reported on its field"
keys Enter
wait_for 'not created (HTTP 404)' 10
screen | grep -A1 '^ Source  ' | grep -q 'Directory not found' || fail "the 404 is not shown under the directory field"

step "pick a real directory and create"
keys BTab BTab F2
wait_for 'Pick a source directory' 5
wait_for 'Board packs' 10
type_text 'board'
keys Enter
keys Enter
wait_re 'created batch bat-[0-9a-f-]+' 10
wait_for 'Batches (13/13)' 15
not_on_screen 'STALE'
quit_batchtop
echo PASS
