#!/bin/bash
# cache.sh -- the list kept between runs: written private and without the key, shown at once
# on the next start (marked cached, before the first answer of a distant server), brought
# current, and a corrupt file is one Messages line and a normal start.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 7 --batches 300
port=${SIM_URL##*:}
tmux_start 140 40
run_batchtop --refresh 30
wait_for "Batches (300/300)" 20
quit_batchtop

step "the snapshot is private, names its endpoint, and holds no key"
dir="$E2E_TMP/home/.cache/batchtop"
file=$(ls "$dir"/*.json 2>/dev/null | head -n 1)
[ -n "$file" ] || fail "no snapshot written under $dir"
[ "$(stat -c %a "$dir")" = 700 ] || fail "cache directory mode $(stat -c %a "$dir")"
[ "$(stat -c %a "$file")" = 600 ] || fail "snapshot mode $(stat -c %a "$file")"
! grep -q "$KEY" "$file" || fail "the API key is in the snapshot"
grep -q "127.0.0.1:$port" "$file" || fail "the snapshot does not say its endpoint"
[ "$(jq '.batches | length' "$file")" = 300 ] || fail "the snapshot does not hold 300 batches"

step "a distant server: the cached rows are on screen before its first answer"
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=
sim_start --listen "127.0.0.1:$port" --seed 7 --batches 300 --rtt 3000
[ "${SIM_URL##*:}" = "$port" ] || fail "the simulator did not get port $port back"
run_batchtop --refresh 30
deadline=$(( $(now_ms) + 10000 ))
until s=$(screen) && echo "$s" | head -n 1 | grep -qE 'cached [0-9]{2}:[0-9]{2} ' &&
    echo "$s" | grep -qE '^[> ]bat-'; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "no cached rows before the first answer"
    sleep 0.05
done
step "then the delta refresh brings it current"
wait_re '^ batchtop .* updated [0-9:]+ ' 30
screen | head -n 1 | grep -q 'cached' && fail "still marked cached after an answer"
quit_batchtop

step "the server down at start: the cached rows, marked cached and not online"
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=
run_batchtop --refresh 30
wait_re '^[> ]bat-' 10
wait_re '^ batchtop .* (retrying in [0-9]+s|retried, waiting [0-9]+s for an answer|offline) .* cached [0-9]{2}:[0-9]{2} \([0-9]+[smhd] ago\)' 30
before=$(md5sum <"$file")
quit_batchtop
[ "$(md5sum <"$file")" = "$before" ] || fail "a run that brought nothing rewrote the snapshot"

step "a corrupt snapshot: one Messages line, a normal start"
printf '{"format":"batchtop-snapshot","version":1,"batches":[{"id":' >"$file"
sim_start --listen "127.0.0.1:$port" --seed 7 --batches 300
run_batchtop --refresh 30
wait_for "Batches (300/300)" 20
keys m
wait_re "cache .* ignored: " 5
keys q
quit_batchtop

step "--no-cache reads and writes nothing"
rm -f "$dir"/*.json
run_batchtop --refresh 30 --no-cache
wait_for "Batches (300/300)" 20
quit_batchtop
[ -z "$(ls "$dir" 2>/dev/null)" ] || fail "--no-cache wrote $(ls "$dir")"
