#!/bin/bash
# hostile2.sh -- a broken or hostile server (issue 14): one bad item does not hide the others,
# a page holding more than was asked for is refused, a list whose page tokens cycle stops with
# an error (and does not hammer the server), and a long Retry-After holds every request back,
# with a countdown, until it ends or r is pressed.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

CANNED_PID=
canned_stop() {
    [ -n "$CANNED_PID" ] && kill "$CANNED_PID" 2>/dev/null && wait "$CANNED_PID" 2>/dev/null
    CANNED_PID=
}
trap 'canned_stop; e2e_cleanup' EXIT
C=$E2E_TMP/canned
mkdir -p "$C"
empty='{"items":[],"next_page_token":null}'
echo "$empty" >"$C/GET_api_v1_beta_configurations.json"
echo "$empty" >"$C/GET_api_v1_beta_directories.json"
"$TOP_BUILDDIR/tests/canned-server" "$C" >"$E2E_TMP/canned.out" 2>"$E2E_TMP/canned.err" &
CANNED_PID=$!
deadline=$(( $(now_ms) + 10000 ))
until line=$(head -n 1 "$E2E_TMP/canned.out" 2>/dev/null) && [ "${line#listening on }" != "$line" ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "canned-server did not start"
    sleep 0.05
done
SIM_URL=${line#listening on }
tmux_start 140 40
batches() { grep -c '^GET /api/v2/batches' "$E2E_TMP/canned.err" || true; }
b() { # b ID STATUS CREATED
    printf '{"id":"%s","project_id":"p","source_directory_id":"dir-1","status":%s,"created_at":"%s","updated_at":"%s","config":{"job":{"type":"parse_v2","configuration_id":"cfg-1"}}}' \
        "$1" "$2" "$3" "$3"
}

step "one malformed batch: the others are listed, and the Messages say what was skipped"
{
    printf '{"items":['
    b bat-good-1 '"RUNNING"' 2026-12-04T10:00:03Z; printf ','
    b bat-bad-2 5 2026-12-04T10:00:02Z; printf ','
    b bat-good-3 '"COMPLETED"' 2026-12-04T10:00:01Z
    printf '],"next_page_token":null}'
} >"$C/GET_api_v2_batches.json"
run_batchtop --refresh 30 --no-cache
wait_for 'Batches (2/2)' 10
on_screen 'bat-good-1'
on_screen 'bat-good-3'
keys m
wait_for '1 of 3 items skipped (items[1].status: expected a string)' 5
keys q
quit_batchtop

step "a page of more items than were asked for is refused, with the endpoint named"
{
    printf '{"items":['
    for i in $(seq 1 150); do
        [ "$i" -gt 1 ] && printf ','
        b "bat-many-$i" '"COMPLETED"' "2026-12-04T09:$(printf %02d $((i % 60))):00Z"
    done
    printf '],"next_page_token":null}'
} >"$C/GET_api_v2_batches.json"
run_batchtop --refresh 30 --no-cache
keys m
wait_for '/api/v2/batches: a page of 150 items when at most 100 were asked for' 10
keys q
not_on_screen 'bat-many-'
quit_batchtop

step "20 MB of empty objects: refused before parsing, memory stays bounded"
{ printf '{"items":['; yes '{},' | head -n 5000000; printf '{}],"next_page_token":null}'; } \
    >"$C/GET_api_v2_batches.json"
run_batchtop --refresh 30 --no-cache
keys m
wait_for 'too many objects in one answer' 20
keys q
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$(batchtop_pid)/status")
limit=$((256 * 1024))
# AddressSanitizer's shadow memory and quarantine cost about three times as much
if ldd "$BATCHTOP" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$BATCHTOP"; then
    limit=$((768 * 1024))
fi
[ -n "$hwm" ] && [ "$hwm" -lt "$limit" ] || fail "peak RSS ${hwm:-?} KiB for one hostile answer"
echo "peak RSS after a 20 MB amplification answer: $((hwm / 1024)) MiB"
quit_batchtop

step "page tokens that cycle A -> B -> A: stopped with an error, the server not hammered"
{ printf '{"items":['; b bat-c-1 '"COMPLETED"' 2026-12-04T08:00:03Z; printf '],"next_page_token":"A"}'; } >"$C/GET_api_v2_batches.json"
{ printf '{"items":['; b bat-c-2 '"COMPLETED"' 2026-12-04T08:00:02Z; printf '],"next_page_token":"B"}'; } >"$C/GET_api_v2_batches@A.json"
{ printf '{"items":['; b bat-c-3 '"COMPLETED"' 2026-12-04T08:00:01Z; printf '],"next_page_token":"A"}'; } >"$C/GET_api_v2_batches@B.json"
n0=$(batches)
run_batchtop --refresh 2 --no-cache
keys m
wait_re 'the list repeats itself: page token .A. came back' 10
keys q
wait_for 'bat-c-1' 5          # what arrived is kept
# two more intervals: each listing stops at the repeat (a handful of requests, not thousands)
deadline=$(( $(now_ms) + 15000 ))
until [ "$(grep -c 'page_token' "$E2E_TMP/canned.err")" -ge 6 ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "the list was not asked again"
    sleep 0.1
done
used=$(( $(batches) - n0 ))
[ "$used" -lt 40 ] || fail "$used list requests for a cycling list"
quit_batchtop
rm -f "$C"/GET_api_v2_batches@*.json

step "an answer that does not come: the header says stalled, with how long"
run_batchtop --refresh 30 --no-cache
wait_for 'online' 10
echo 9000 >"$C/GET_api_v2_batches.delay"
keys r
wait_re 'stalled: no answer for [5-8]s' 10
rm -f "$C/GET_api_v2_batches.delay"
wait_re ' online ' 15
quit_batchtop

step "Retry-After: 120 holds every request back, counts down, and r ends the wait"
echo '{"detail":"slow down"}' >"$C/GET_api_v2_batches.json"
echo 429 >"$C/GET_api_v2_batches.status"
echo 'Retry-After: 120' >"$C/GET_api_v2_batches.headers"
n0=$(batches)
run_batchtop --refresh 2 --no-cache
wait_re 'retrying in 1[01][0-9]s' 10
wait_re 'retrying in (10[0-9]|11[0-4])s' 20   # the countdown moved: time has passed
held=$(( $(batches) - n0 ))
[ "$held" -le 2 ] || fail "$held list requests while the server asked for a pause"
rm -f "$C/GET_api_v2_batches.status" "$C/GET_api_v2_batches.headers"
echo "$empty" >"$C/GET_api_v2_batches.json"
keys r
wait_re 'online' 10
wait_for 'Batches (0/0)' 10
quit_batchtop
