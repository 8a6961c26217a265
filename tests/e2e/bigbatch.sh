#!/bin/bash
# bigbatch.sh -- issue 14: a batch of 60,000 files (60 times the API's documented limit, which
# the client must not trust) loads while keys keep answering, and memory stays bounded.
#
# The simulator's --max-files lets one batch cover 60,000 files. While the batch's names (600
# pages) and job statuses (600 bulk answers) arrive, Down and a filter are sent and must show on
# screen within KEY_MS each (the UI's own target is 100 ms; the deadline leaves room for tmux
# and a loaded machine, and is far below the seconds the old code froze for). The peak RSS
# (VmHWM) of batchtop must stay under 512 MiB (under AddressSanitizer, which costs about three
# times the memory in shadow and quarantine, under 1.5 GiB).
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

FILES=60000
KEY_MS=1500
HWM_MAX_KB=$((512 * 1024))
if ldd "$BATCHTOP" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$BATCHTOP"; then
    HWM_MAX_KB=$((3 * 512 * 1024))
fi

sim_start --seed 5 --directories 1 --files-per-directory "$FILES" --max-files "$FILES" \
    --batches 2 --speed 1000
tmux_start 120 40

dir=$(api '/api/v1/beta/directories?page_size=100' |
    jq -r '.items[] | select(.name != "thousand" and .name != "big-1001") | .id')
[ -n "$dir" ] || fail "no regular directory"
id=$(api '/api/v2/batches?page_size=100' |
    jq -r --arg d "$dir" '.items[] | select(.source_directory_id == $d) | .id')
[ -n "$id" ] || fail "no batch over the $FILES-file directory"
sim_wait_status "$id" COMPLETED 30
first_file=$(api "/api/v2/batches/$id?expand=results" |
    jq -r '.results[0].source_directory_file_id')
[ -n "$first_file" ] && [ "$first_file" != null ] || fail "no first file"

run_batchtop
wait_for 'Batches (2/2)' 10

step "open the $FILES-file batch"
keys /
type_text "${id:0:13}"
keys Enter
wait_for 'Batches (1/2)' 5
keys Enter
wait_for "Batch $id" 5
wait_for "Files ($FILES/$FILES)" 30

# loading: something is still missing (names or job statuses), or the keys test nothing
screen | grep -qE 'status unknown|name not known yet' ||
    fail "the batch had finished loading before any key was sent"

max_ms=0
# until_ms MS CMD...: until CMD succeeds; fails after MS milliseconds; records the time taken.
until_ms() {
    local ms=$1 t0
    shift
    t0=$(now_ms)
    until "$@"; do
        [ $(( $(now_ms) - t0 )) -lt "$ms" ] || return 1
        sleep 0.02
    done
    local took=$(( $(now_ms) - t0 ))
    [ "$took" -le "$max_ms" ] || max_ms=$took
    return 0
}
selected_is_not() {
    [ "$(selected_row)" != "$1" ]
}
shows_re() {
    screen | grep -qE -- "$1"
}

step "Down moves the selection while the batch loads"
loading_keys=0
for i in 1 2 3 4 5; do
    before=$(selected_row)
    screen | grep -qE 'status unknown|name not known yet' && loading_keys=$((loading_keys + 1))
    keys Down
    until_ms "$KEY_MS" selected_is_not "$before" || fail "Down #$i not shown within ${KEY_MS} ms"
done

step "a filter answers while the batch loads"
screen | grep -qE 'status unknown|name not known yet' && loading_keys=$((loading_keys + 1))
keys /
until_ms "$KEY_MS" shows_re 'filter files' ||
    fail "the filter prompt not shown within ${KEY_MS} ms"
type_text "$first_file"
until_ms "$KEY_MS" shows_re "Files \\(1/$FILES\\) +filter: $first_file" ||
    fail "the filter did not apply within ${KEY_MS} ms"
keys Enter
keys /
keys C-u Enter
until_ms "$KEY_MS" shows_re "Files \\($FILES/$FILES\\)" ||
    fail "the filter did not clear within ${KEY_MS} ms"
echo "keys answered within $max_ms ms at most (deadline $KEY_MS ms);" \
    "$loading_keys sent while loading"
[ "$loading_keys" -ge 1 ] || fail "no key was sent while the batch loaded"

step "everything arrives: every job status and name"
wait_re "files $FILES/$FILES " 60
deadline=$(( $(now_ms) + 60000 ))
while screen | grep -qE 'status unknown|name not known yet'; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "names or statuses still missing after 60 s"
    sleep 0.1
done

step "peak memory under $((HWM_MAX_KB / 1024)) MiB"
pid=$(batchtop_pid)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
[ -n "$hwm" ] || fail "no VmHWM for pid $pid"
echo "batchtop VmHWM: $hwm kB ($((hwm / 1024)) MiB) for $FILES files"
[ "$hwm" -lt "$HWM_MAX_KB" ] || fail "VmHWM $hwm kB is not under $HWM_MAX_KB kB"

keys q
wait_for 'Batches (' 5
quit_batchtop
echo "PASS"
