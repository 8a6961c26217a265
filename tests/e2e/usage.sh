#!/bin/bash
# usage.sh -- what the real API bills and loses, shown: credits null until billed (partial,
# then the exact sum the API reports), pages that failed inside a COMPLETED parse job (listed on
# the File screen, counted on the Batch screen), files deleted from the directory (still named,
# marked), an ephemeral directory about to expire, and one whose file list has gone (404: said
# once, the batch stays readable).
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 29 --speed 2 --batches 0 --billing-delay 4000 --delete-files 2 \
    --failed-pages 0.25 --no-full-output --directory-ttl 7200
tmux_start 180 40

dir=$(regular_dir) || exit 1
nfiles=$(api "/api/v1/beta/directories/$dir/files?page_size=100" | jq '.items | length')
id=$(create_batch "$dir")
[ -n "$id" ] && [ "$id" != null ] || fail "could not create a batch"
run_batchtop --refresh 2
wait_for "${id:0:13}" 10
keys Enter
wait_for "Batch $id" 5

step "an ephemeral directory that expires within a day is flagged"
wait_re "directory expires in (1h|2h|[0-9]+m)" 10

step "credits: partial while jobs end unbilled"
wait_re "partial: [0-9]+/$nfiles billed" 90

step "every job billed: the exact sum the API reports, per batch and in the list"
wait_re "COMPLETED +final" 120
wait_gone "partial:" 30
wait_re "cost [0-9.]+ credits" 5
jobs=$(api "/api/v2/batches/$id?expand=results" | jq -r '.results[] | .job_reference.id // empty')
want=$(for j in $jobs; do
    api "/api/v2/parse/$j?expand=usage" | jq -r '.usage.credits // .job.usage.credits // 0'
done | awk '{ s += $1 } END { printf "%.10g", s }')
screen | grep -qE "cost $want credits" || fail "the batch's credits are not the API's sum ($want)"

step "files deleted during the run keep their rows, marked"
wait_for "deleted 2" 20
[ "$(screen | grep -c 'file deleted')" -ge 1 ] || fail "no row says file deleted"

step "a COMPLETED job with failed pages does not look clean"
bad=
for j in $jobs; do
    n=$(api "/api/v2/parse/$j?expand=markdown" | jq '[.markdown.pages[] | select(.success == false)] | length')
    if [ "$n" -gt 0 ]; then bad=$j; nbad=$n; break; fi
done
[ -n "$bad" ] || fail "the simulator failed no page at --failed-pages 0.25"
keys /
type_text "$bad"
keys Enter
wait_re "^>.* ${bad:0:20}" 5
keys Enter
wait_for "Output: markdown" 10
wait_re "$nbad of [0-9]+ pages failed: " 15
keys q
wait_for "Batch $id" 5
wait_re "pages failed $nbad in 1 file \(of 1 read\)" 5
screen | grep -qE "^>.* $nbad pages? failed" || fail "the row does not say its pages failed"

keys q
wait_re "$want  " 5   # the CREDITS column
keys q
wait_for 'BATCHTOP-EXIT=0' 5

step "a directory whose file list has gone: said once, the batch still shows"
"$TMUX_CMD" -L "$E2E_SOCK" kill-server >/dev/null 2>&1
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=
sim_start --seed 31 --speed 20 --batches 12 --directory-ttl 3 -v
tmux_start 180 40
eph=$(api '/api/v1/beta/directories?page_size=100' | jq -c '[.items[] | select(.type == "ephemeral") | .id]')
old=$(api '/api/v2/batches?page_size=100' |
    jq -r --argjson eph "$eph" '[.items[] | select(.status == "COMPLETED" and (.source_directory_id as $d | $eph | index($d)))][0].id')
[ -n "$old" ] && [ "$old" != null ] || fail "no COMPLETED batch over an ephemeral directory"
deadline=$(( $(now_ms) + 10000 ))
until [ "$(api '/api/v1/beta/directories?page_size=100' | jq '[.items[] | select(.type == "ephemeral")] | length')" = 0 ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "the directories did not expire"
    sleep 0.1
done
run_batchtop --refresh 2
wait_for "${old:0:13}" 10
keys /
type_text "$old"
keys Enter
wait_re "^>.*${old:0:13}" 5
keys Enter
wait_for "Batch $old" 5
wait_for "file names unavailable" 15
wait_re "COMPLETED +final" 15
# asked once, not on every interval: two more list refreshes, still one file-list request,
# and no batch error in the messages
count() { grep -c -- "$1" "$E2E_TMP/sim.err" || true; }
n0=$(count 'GET /api/v2/batches?')
deadline=$(( $(now_ms) + 15000 ))
until [ "$(count 'GET /api/v2/batches?')" -ge $((n0 + 2)) ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "no list refresh within 15 s"
    sleep 0.1
done
[ "$(count '/files')" -eq 1 ] || fail "the gone directory's files were asked $(count '/files') times"
keys m
wait_for "Messages" 5
not_on_screen "404"
keys q
wait_for "Batch $old" 5
keys q
wait_for "Batches (" 5
keys q
wait_for 'BATCHTOP-EXIT=0' 5
