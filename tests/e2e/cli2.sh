#!/bin/bash
# cli2.sh -- `batchtop wait` and `batchtop create` for scripts (issue 15) against live
# simulators: every exit status of wait (0 COMPLETED, 3 FAILED, CANCELLED or failed jobs with
# --jobs, 4 --timeout, 130 SIGINT), checked against what the simulator says at that moment;
# --jobs outlasting a batch that says COMPLETED while its jobs run (--complete-early); 20
# creates through lost and refused answers leave exactly 20 batches with 20 distinct IDs.
. "${TOP_SRCDIR:-.}/tests/e2e/clilib.sh"

# bt_bg NAME ARGS...: batchtop ARGS in the background (pipes, like bt); its pid in $BG.
bt_bg() {
    local name=$1
    shift
    LLAMA_CLOUD_API_KEY=$KEY "$BATCHTOP" "$@" --base-url "$SIM_URL" --log "$OUT/$name.log" \
        >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null &
    BG=$!
}

# bg_end PID SECONDS WHAT: until PID has exited (its status in $RC); fails after the deadline.
bg_end() {
    local deadline=$(( $(now_ms) + $2 * 1000 ))
    while kill -0 "$1" 2>/dev/null; do
        if [ "$(now_ms)" -ge "$deadline" ]; then
            kill -KILL "$1" 2>/dev/null
            wait "$1" 2>/dev/null
            fail "$3 did not end within $2 s"
        fi
        sleep 0.05
    done
    wait "$1"
    RC=$?
}

# wait_log TEXT SECONDS: until the simulator has logged a request line holding TEXT.
wait_log() {
    local deadline=$(( $(now_ms) + $2 * 1000 ))
    until grep -qF -- "$1" "$E2E_TMP/sim.err"; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "no request with '$1' within $2 s"
        sleep 0.05
    done
}

# jobs_live TRUTH: how many files of a sim_jobs answer have a job that has not ended.
jobs_live() {
    jq '[.[] | select(.status == "PENDING" or .status == "THROTTLED" or .status == "RUNNING")] | length' <<<"$1"
}
# jobs_all_done TRUTH: "yes" when every file has a job and every job COMPLETED.
jobs_all_done() {
    jq -r 'if all(.[]; .status == "COMPLETED") then "yes" else "no" end' <<<"$1"
}

# expect_jobs_rc WANT WHAT: expect_rc for a wait --jobs --timeout on a batch that has ended;
# a timeout there (4) would be wait --jobs missing the end (e.g. names that came after the
# batch's last round).
expect_jobs_rc() {
    [ "$RC" = 4 ] && [ "$1" != 4 ] && fail "$2: wait --jobs never ended on an ended batch (exit 4)"
    expect_rc "$@"
}

sim_start --seed 3 --speed 20 --files-per-directory 4 -v
wait_sim_all_ended 20
thousand=$(dir_id thousand)
dir=$(regular_dir) || exit 1

step "wait on batches that have ended: 0 COMPLETED, 3 FAILED; --jobs: 3 when a job failed"
clean= dirty= failed=
for b in $(api '/api/v2/batches?page_size=100' | jq -r '.items[] | select(.status == "COMPLETED") | .id'); do
    t=$(sim_jobs "$b")
    [ "$(jq length <<<"$t")" -gt 0 ] || continue
    if [ "$(jobs_all_done "$t")" = yes ]; then
        [ -n "$clean" ] || clean=$b
    elif jq -e 'any(.[]; .status == "FAILED")' <<<"$t" >/dev/null; then
        [ -n "$dirty" ] || dirty=$b
    fi
    [ -n "$clean" ] && [ -n "$dirty" ] && break
done
failed=$(curl -sS "$SIM_URL/_sim/state" | jq -r '[.batches[] | select(.status == "FAILED")][0].id // empty')
[ -n "$clean" ] || fail "no COMPLETED batch whose jobs all completed (seed 3)"
[ -n "$dirty" ] || fail "no COMPLETED batch with a FAILED job (seed 3)"
[ -n "$failed" ] || fail "no FAILED batch (seed 3)"
bt w-clean wait --jobs "$clean" --refresh 2 --timeout 8
expect_jobs_rc 0 "wait --jobs on a COMPLETED batch whose jobs all completed"
[ "$RC" = 4 ] || grep -qE "^$clean COMPLETED " "$OUT/w-clean.out" || fail "wait: no final COMPLETED line"
bt w-dirty-jobs wait --jobs "$dirty" --refresh 2 --timeout 8
expect_jobs_rc 3 "wait --jobs on a COMPLETED batch with a failed job"
bt w-dirty wait "$dirty" --refresh 2
expect_rc 0 "wait (without --jobs) on a COMPLETED batch with a failed job"
bt w-failed wait "$failed" --refresh 2
expect_rc 3 "wait on a FAILED batch"
grep -qE "^$failed FAILED" "$OUT/w-failed.out" || fail "wait: no final FAILED line"
bt w-two wait "$clean" "$failed" --refresh 2
expect_rc 3 "wait on a COMPLETED and a FAILED batch"
[ "$(grep -cE "^($clean COMPLETED|$failed FAILED)" "$OUT/w-two.out")" = 2 ] ||
    fail "wait on two batches: not one final line each: $(cat "$OUT/w-two.out")"
bt w-none wait bat-00000000-0000-0000-0000-000000000000 --refresh 2 --timeout 20
expect_rc 1 "wait on a batch that does not exist"
grep -qF '404' "$OUT/w-none.err" || fail "wait on a missing batch: no 404 said: $(cat "$OUT/w-none.err")"

step "wait follows a running batch to COMPLETED (exit 0), --jobs until every job ended"
live=$(create_batch "$dir")
[[ $live =~ ^bat- ]] || fail "could not create a batch"
bt w-live wait "$live" --refresh 2 --timeout 30
expect_rc 0 "wait on a running batch"
[ "$(sim_status "$live")" = COMPLETED ] || fail "wait exited 0 while the simulator says $(sim_status "$live")"
same "wait: one final line" "$(wc -l <"$OUT/w-live.out" | tr -d ' ')" 1
grep -qE "^$live COMPLETED [0-9,]+/[0-9,]+ files, [0-9]+ failed, [0-9]+s$" "$OUT/w-live.out" ||
    fail "wait: the final line is not 'ID COMPLETED n/m files, k failed, Ns': $(cat "$OUT/w-live.out")"
live2=$(create_batch "$dir")
bt w-live-jobs wait --jobs "$live2" --refresh 2 --timeout 15
t=$(sim_jobs "$live2")
[ "$(jobs_live "$t")" = 0 ] || fail "wait --jobs ended while $(jobs_live "$t") job(s) ran"
want=3
[ "$(jobs_all_done "$t")" = yes ] && want=0
expect_jobs_rc $want "wait --jobs on a running batch (jobs: $(jq -c '[.[].status] | group_by(.) | map({(.[0]): length}) | add' <<<"$t"))"

step "wait on a cancelled batch: 3"
cb=$(create_batch "$thousand")
bt w-cancel cancel "$cb"
expect_rc 0 "cancel"
bt w-cancelled wait --jobs "$cb" --refresh 2 --timeout 20
expect_jobs_rc 3 "wait --jobs on a CANCELLED batch"
[ "$(sim_status "$cb")" = CANCELLED ] || fail "the simulator says $cb is $(sim_status "$cb")"
[ "$RC" = 4 ] || grep -qE "^$cb CANCELLED" "$OUT/w-cancelled.out" || fail "wait: no final CANCELLED line"

step "wait --timeout: 4 when the time is up, with progress on a terminal"
tb=$(create_batch "$thousand")
t0=$(now_ms)
bt w-timeout wait "$tb" --timeout 2 --refresh 2
took=$(( $(now_ms) - t0 ))
expect_rc 4 "wait --timeout 2 on a batch that runs longer"
[ "$took" -ge 2000 ] || fail "wait --timeout 2 gave up after $took ms"
[ "$took" -lt 10000 ] || fail "wait --timeout 2 took $took ms"
case $(sim_status "$tb") in PENDING|THROTTLED|RUNNING) ;; *) fail "the batch had ended: no timeout to test" ;; esac
[ -s "$OUT/w-timeout.out" ] && fail "a timed-out wait printed a final line on stdout"
grep -qF "(timed out)" "$OUT/w-timeout.err" || fail "wait --timeout: stderr does not say timed out"
bt w-stop cancel "$tb"
tb=$(create_batch "$thousand")
TTY_ENV='NO_COLOR=1' bt_tty w-tty wait "$tb" --timeout 2 --refresh 2
expect_rc 4 "wait --timeout 2 on a terminal"
grep -qE "$tb (PENDING|THROTTLED|RUNNING)[ ,]" "$OUT/w-tty.txt" || fail "no progress line on a terminal: $(cat -v "$OUT/w-tty.txt")"
# the progress line's own \r ESC[K are the only escapes
sed -E $'s/\r?\e\\[K//g' "$OUT/w-tty.txt" >"$OUT/w-tty.stripped"
no_escape "$OUT/w-tty.stripped" "wait on a terminal"

bt w-stop cancel "$tb"

step "wait interrupted (SIGINT): 130"
tb=$(create_batch "$thousand")
bt_bg w-int wait "$tb" --refresh 2
pid=$BG
n=$(grep -cF "/api/v2/batches/$tb" "$E2E_TMP/sim.err")
deadline=$(( $(now_ms) + 10000 ))
until [ "$(grep -cF "/api/v2/batches/$tb" "$E2E_TMP/sim.err")" -gt "$n" ]; do
    kill -0 "$pid" 2>/dev/null || fail "wait ended before it was interrupted"
    [ "$(now_ms)" -lt "$deadline" ] || fail "wait did not ask for $tb within 10 s"
    sleep 0.05
done
kill -INT "$pid"
bg_end "$pid" 5 "wait after SIGINT"
expect_rc 130 "wait interrupted by SIGINT"
grep -qF "(interrupted)" "$OUT/w-int.err" || fail "an interrupted wait does not say so"
[ -s "$OUT/w-int.out" ] && fail "an interrupted wait printed a final line on stdout"
bt w-stop2 cancel "$tb"

step "a batch the server fails: 3 (--batch-fail-rate 1)"
sim_restart --seed 4 --speed 20 --batches 0 --batch-fail-rate 1 -v
fb=$(create_batch "$(regular_dir)")
bt w-fail wait "$fb" --refresh 2 --timeout 30
expect_rc 3 "wait on a batch that FAILED while waited for"
[ "$(sim_status "$fb")" = FAILED ] || fail "the simulator says $fb is $(sim_status "$fb")"
grep -qE "^$fb FAILED" "$OUT/w-fail.out" || fail "wait: no final FAILED line"
bt w-fail-json wait "$fb" --json
expect_rc 3 "wait --json on a FAILED batch"
read_all json:w-fail-json
same "wait --json" "$(J w-fail-json | jq -r '.[] | .id + " " + .status + " " + .wait_outcome')" "$fb FAILED unfinished"

step "--complete-early: the batch says COMPLETED while jobs run; wait --jobs waits for them"
sim_restart --seed 5 --speed 4 --batches 0 --complete-early -v
eb=$(create_batch "$(regular_dir)")
bt_bg w-early-jobs wait --jobs "$eb" --refresh 2 --timeout 25
pid_jobs=$BG
bt_bg w-early wait "$eb" --refresh 2 --timeout 60
pid_plain=$BG
deadline=$(( $(now_ms) + 30000 ))
until [ "$(sim_status "$eb")" = COMPLETED ]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "$eb did not complete within 30 s"
    sleep 0.05
done
t=$(sim_jobs "$eb")
running=$(jobs_live "$t")
[ "$running" -gt 0 ] || fail "the simulator completed $eb with no job running: nothing to test"
kill -0 "$pid_jobs" 2>/dev/null || fail "wait --jobs ended while the simulator had $running job(s) running"
bg_end "$pid_plain" 20 "wait (without --jobs) on a COMPLETED batch"
expect_rc 0 "wait (without --jobs) on a batch that completed early"
bg_end "$pid_jobs" 40 "wait --jobs"
t=$(sim_jobs "$eb")
[ "$(jobs_live "$t")" = 0 ] || fail "wait --jobs ended while $(jobs_live "$t") job(s) still ran"
want=3
[ "$(jobs_all_done "$t")" = yes ] && want=0
expect_jobs_rc $want "wait --jobs after an early COMPLETED"
[ "$RC" = 4 ] || grep -qE "^$eb COMPLETED" "$OUT/w-early-jobs.out" || fail "wait --jobs: no final line"

step "20 creates through failures and lost answers: 20 new batches, 20 distinct IDs"
sim_restart --seed 6 --speed 20 --batches 0 --fail-rate 0.3 --ambiguous-create-rate 0.3 -v
cdir=$(curl -sS --max-time 10 -H "Authorization: Bearer $KEY" "$SIM_URL/api/v1/beta/directories?page_size=100" |
    jq -r '[.items[] | select(.name != "thousand" and .name != "big-1001")][0].id // empty')
deadline=$(( $(now_ms) + 10000 ))
while [ -z "$cdir" ]; do   # the listing itself may fail at --fail-rate 0.3
    [ "$(now_ms)" -lt "$deadline" ] || fail "no directory listed"
    cdir=$(curl -sS --max-time 10 -H "Authorization: Bearer $KEY" "$SIM_URL/api/v1/beta/directories?page_size=100" 2>/dev/null |
        jq -r '[.items[]? | select(.name != "thousand" and .name != "big-1001")][0].id // empty' 2>/dev/null)
done
before=$(sim_ids)
got=()
for i in $(seq 1 20); do
    bt create-$i create --directory "$cdir" --type parse_v2 --config cfg-PARSE_AGENTIC
    expect_rc 0 "create $i of 20 under --fail-rate 0.3 --ambiguous-create-rate 0.3"
    [ "$(wc -l <"$OUT/create-$i.out")" = 1 ] && grep -qE '^bat-[0-9a-f-]{36}$' "$OUT/create-$i.out" ||
        fail "create $i did not print one batch ID: $(cat "$OUT/create-$i.out")"
    got+=("$(cat "$OUT/create-$i.out")")
done
after=$(sim_ids)
new=$(comm -13 <(echo "$before") <(echo "$after"))
grep -cE '^POST /api/v2/batches 5' "$E2E_TMP/sim.err" >/dev/null || fail "no create answered 5xx: the faults were off"
for id in "${got[@]}"; do
    grep -qxF "$id" <<<"$after" || fail "create printed $id, which the simulator does not hold"
done
nnew=$(grep -c . <<<"$new")
ndistinct=$(printf '%s\n' "${got[@]}" | sort -u | grep -c .)
[ "$ndistinct" = 20 ] ||
    fail "20 creates printed $ndistinct distinct IDs: $(printf '%s\n' "${got[@]}" | sort | uniq -d | tr '\n' ' ')"
[ "$nnew" = 20 ] || fail "20 creates made $nnew batches (the simulator's count)"
same "the IDs printed are the new batches" "$(printf '%s\n' "${got[@]}" | sort -u | comm -23 - <(echo "$new"))" ""

step "the key is in no output and no log"
key_never_shown
echo PASS
