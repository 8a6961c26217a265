#!/bin/bash
# latency.sh -- a distant server (--rtt): the first page's rows are on screen while the rest of
# the list still loads, the title says how far it is, and Enter works before the end.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 5 --batches 3000 --rtt 300
tmux_start 140 40
run_batchtop --refresh 30

step "rows on screen while the list still loads"
deadline=$(( $(now_ms) + 20000 ))
until s=$(screen) && echo "$s" | grep -qE '^[> ]bat-' &&
    echo "$s" | grep -qE 'Batches \([0-9]+/[0-9]+\) .* loading [0-9,]+ \([0-9]+ pages?\)'; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "no row shown while loading"
    sleep 0.05
done
echo "$s" | grep -q '(partial: still listing)' || fail "the counts line does not say it is partial"

step "Enter opens a batch before the list is complete"
keys Enter
wait_re "Batch bat-[0-9a-f-]+" 10
keys q
wait_for "Batches (" 5

step "the whole list arrives; the title and counts stop saying partial"
wait_for "Batches (3000/3000)" 60
wait_gone "loading" 10
not_on_screen "(partial: still listing)"
quit_batchtop
