#!/bin/bash
# resubmit.sh -- `batchtop resubmit` (issue 16) against live simulators: a batch over exactly
# the failed files of another (checked through the simulator's API: the new directory's
# file_ids), run to COMPLETED with --wait; a second run creates nothing; nothing to resubmit
# exits 0; usage errors exit 2; and under --fail-rate 0.3 --ambiguous-create-rate 0.3, however
# many runs it takes, exactly one directory, one entry per file and one batch.
. "${TOP_SRCDIR:-.}/tests/e2e/clilib.sh"

# urlenc TEXT: TEXT percent-encoded for a query value.
urlenc() {
    jq -rn --arg v "$1" '$v | @uri'
}

# jobs_in BATCH_JSON STATUS: {job ID: true} for the batch's parse jobs in STATUS, asked 100 IDs a
# request (the simulator reads at most 512 query arguments).
jobs_in() {
    local q f all='{}'
    while read -r q; do
        [ -n "$q" ] || continue
        f=$(api "/api/v2/parse?$q&status=$2&page_size=1000" |
            jq -c '[.items[] | {key: .id, value: true}] | from_entries')
        all=$(jq -c --argjson a "$all" --argjson b "$f" -n '$a + $b')
    done < <(jq -r '[.results // [] | .[] | .job_reference.id // empty] | _nwise(100) |
        map("job_ids=" + .) | join("&")' <<<"$1")
    echo "$all"
}

# failed_file_ids BATCH: the file_ids (sorted) of the batch's files whose job FAILED or that
# have a mapping error, from the simulator's own answers.
failed_file_ids() {
    local b dir
    b=$(api "/api/v2/batches/$1?expand=results")
    dir=$(jq -r .source_directory_id <<<"$b")
    jq -r --argjson files "$(api "/api/v1/beta/directories/$dir/files?page_size=1000&include_deleted=true" |
        jq -c '[.items[] | {key: .id, value: .file_id}] | from_entries')" \
        --argjson failed "$(jobs_in "$b" FAILED)" \
        '.results[] | select(.error_message != null or $failed[.job_reference.id // ""] == true) |
         $files[.source_directory_file_id]' <<<"$b" | sort
}

# not_completed_file_ids BATCH: the file_ids (sorted) of every live file of the batch's directory
# whose job did not COMPLETE (never mapped, no job, failed, cancelled, pending).
not_completed_file_ids() {
    local b dir
    b=$(api "/api/v2/batches/$1?expand=results")
    dir=$(jq -r .source_directory_id <<<"$b")
    jq -r --argjson ok_jobs "$(jobs_in "$b" COMPLETED)" --argjson b "$b" \
        '($b.results // [] | map(select($ok_jobs[.job_reference.id // ""] == true) |
            .source_directory_file_id)) as $ok |
         .items[] | select(.id as $i | $ok | index($i) | not) | .file_id' \
        <<<"$(api "/api/v1/beta/directories/$dir/files?page_size=1000")" | sort
}

# dir_file_ids DIR: the file_ids of the directory's live entries, sorted (duplicates kept).
dir_file_ids() {
    api "/api/v1/beta/directories/$1/files?page_size=1000" | jq -r '.items[].file_id' | sort
}

# dirs_named NAME: the IDs of the directories called NAME.
dirs_named() {
    api "/api/v1/beta/directories?page_size=1000&name=$(urlenc "$1")" | jq -r '.items[].id'
}

# batches_over DIR: the IDs of the batches over directory DIR.
batches_over() {
    api "/api/v2/batches?page_size=1000&source_directory_id=$1" | jq -r '.items[].id'
}

# completed_thousand: the COMPLETED batch over "thousand" the seeded world holds.
completed_thousand() {
    local d
    d=$(dir_id thousand)
    api "/api/v2/batches?page_size=1000&status=COMPLETED&source_directory_id=$d" | jq -r '.items[0].id'
}

# check_one_resubmit ORIG NAME BATCH WHAT: one directory called NAME holding exactly ORIG's
# failed file_ids, each once, and exactly one batch over it: BATCH.
check_one_resubmit() {
    local dirs want got batches
    dirs=$(dirs_named "$2")
    [ "$(grep -c . <<<"$dirs")" = 1 ] || fail "$4: directories called '$2': $(echo $dirs)"
    want=$(failed_file_ids "$1")
    [ -n "$want" ] || fail "$4: $1 has no failed file (the test needs some)"
    got=$(dir_file_ids "$dirs")
    same "$4: the new directory's file_ids are the failed files'" "$got" "$want"
    batches=$(batches_over "$dirs")
    same "$4: the batches over the new directory" "$batches" "$3"
}

TODAY=$(date -u +%F)

# default_name BATCH DAY_BEFORE: the name of BATCH's directory, which must be "thousand retry"
# and the UTC date of the run (DAY_BEFORE, or the day after when the run crossed midnight).
default_name() {
    local name
    name=$(api "/api/v1/beta/directories/$(api "/api/v2/batches/$1" | jq -r .source_directory_id)" |
        jq -r .name)
    [ "$name" = "thousand retry $2" ] || [ "$name" = "thousand retry $(date -u +%F)" ] ||
        fail "the default directory name is '$name', not 'thousand retry <today>'"
    echo "$name"
}

sim_start --seed 11 --speed 20 --page-size-max 1000 -v

step "usage errors exit 2 before anything is sent"
bt u1 resubmit
expect_rc 2 "resubmit without a batch ID"
bt u2 resubmit bat-x --failed --not-completed
expect_rc 2 "--failed with --not-completed"
bt u3 resubmit bat-x --timeout 10m
expect_rc 2 "--timeout without --wait"
bt u3n resubmit bat-x --notify
expect_rc 2 "--notify without --wait"
bt u4 resubmit bat-x --readonly
expect_rc 2 "resubmit --readonly"
bt u5 help resubmit
expect_rc 0 "help resubmit"
grep -q -- '--not-completed' "$OUT/u5.out" || fail "help resubmit does not name --not-completed"

orig=$(completed_thousand)
[ -n "$orig" ] && [ "$orig" != null ] || fail "no COMPLETED batch over thousand"
nfailed=$(failed_file_ids "$orig" | grep -c .)
step "resubmit $orig --json: a batch over its $nfailed failed files"
bt_before=$(sim_ids)
day=$(date -u +%F)
bt r1 resubmit "$orig" --json
expect_rc 0 "resubmit --json"
read_all json:r1
new=$(J r1 | jq -r .id)
same "resubmit_of" "$(J r1 | jq -r .resubmit_of)" "$orig"
same "the new batch's status" "$(J r1 | jq -r .status)" PENDING
NAME=$(default_name "$new" "$day")
check_one_resubmit "$orig" "$NAME" "$new" "the first resubmit"
same "the new directory" "$(J r1 | jq -r .source_directory_id)" "$(dirs_named "$NAME")"
same "one new batch in the simulator" "$(comm -13 <(echo "$bt_before") <(sim_ids))" "$new"

step "resubmit again --wait: nothing is created; it waits for the batch to COMPLETE"
posts=$(grep -c '^POST ' "$E2E_TMP/sim.err")
bt r2 resubmit "$orig" --wait
expect_rc 0 "resubmit --wait (a second run)"
same "a second run prints the same batch" "$(head -n 1 "$OUT/r2.out")" "$new"
grep -qE "^$new COMPLETED" "$OUT/r2.out" || fail "--wait: no final line: $(cat "$OUT/r2.out")"
grep -q 'already resubmitted' "$OUT/r2.err" || fail "a second run does not say nothing was created"
same "the simulator's status" "$(sim_status "$new")" COMPLETED
same "POSTs during the second run" "$(grep -c '^POST ' "$E2E_TMP/sim.err")" "$posts"
check_one_resubmit "$orig" "$NAME" "$new" "after the second run"

step "on a terminal: progress on stderr, then the batch"
bt_tty t1 resubmit "$orig"
expect_rc 0 "resubmit on a terminal"
grep -qF "resubmit $orig: looking for the directory" "$OUT/t1.txt" || fail "no progress on the terminal"
grep -qxF "$new" "$OUT/t1.txt" || fail "the terminal run does not print $new on a line of its own"
bt p1 resubmit "$orig"
expect_rc 0 "resubmit into a pipe"
same "no progress into a pipe" "$(grep -c 'looking for the directory' "$OUT/p1.err")" 0

step "--wait --json: the wait's row names the original"
bt r2j resubmit "$orig" --wait --json
expect_rc 0 "resubmit --wait --json"
read_all json:r2j
same "the row" "$(J r2j | jq -c '[.[] | [.id, .status, .wait_outcome, .resubmit_of]]')" \
    "[[\"$new\",\"COMPLETED\",\"success\",\"$orig\"]]"

step "--not-completed --name: every file whose job did not complete, in a directory so named"
bt r3 resubmit "$orig" --not-completed --name "not completed $TODAY" --csv
expect_rc 0 "resubmit --not-completed --csv"
read_all csv:r3
same "CSV header" "$(J r3 | jq -c '.[0]')" '["ID","STATUS","TYPE","CONFIG","DIRECTORY","CREATED","UPDATED"]'
nc=$(J r3 | jq -r '.[1][0]')
ncdir=$(dirs_named "not completed $TODAY")
# the original COMPLETED with every job ended: not completed = failed
same "--not-completed files of a finished batch" "$(dir_file_ids "$ncdir")" "$(failed_file_ids "$orig")"
same "its batch" "$(batches_over "$ncdir")" "$nc"

step "--not-completed of a CANCELLED batch: its files never mapped too"
cancelled=$(api "/api/v2/batches?page_size=1000&status=CANCELLED" | jq -r '.items[0].id')
[[ $cancelled == bat-* ]] || fail "no CANCELLED batch in the seeded world"
want=$(not_completed_file_ids "$cancelled")
mapped=$(api "/api/v2/batches/$cancelled?expand=results" | jq '.results // [] | length')
ndir=$(api "/api/v1/beta/directories/$(api "/api/v2/batches/$cancelled" | jq -r .source_directory_id)/files?page_size=1000" |
    jq '.items | length')
[ "$mapped" -lt "$ndir" ] || fail "the CANCELLED batch mapped every file: the test needs some never mapped"
bt r5 resubmit "$cancelled" --not-completed --name "cancelled rest" --json
expect_rc 0 "resubmit --not-completed of a CANCELLED batch"
read_all json:r5
same "its files: never mapped, cancelled or failed" "$(dir_file_ids "$(dirs_named "cancelled rest")")" "$want"
same "resubmit_of" "$(J r5 | jq -r .resubmit_of)" "$cancelled"

step "nothing to resubmit: a batch without failed files"
one=$(api "/api/v1/beta/directories/$(dir_id thousand)/files?page_size=1000" | jq -r '.items[].file_id')
clean=
deadline=$(( $(now_ms) + 60000 ))
i=0
for fid in $one; do
    i=$((i + 1))
    api /api/v1/beta/directories -X POST -d "{\"name\":\"single $i\"}" >/dev/null
    sd=$(dirs_named "single $i")
    api "/api/v1/beta/directories/$sd/files" -X POST -d "{\"file_id\":\"$fid\"}" >/dev/null
    sb=$(create_batch "$sd")
    sim_wait_status "$sb" COMPLETED 20
    if [ -z "$(failed_file_ids "$sb")" ]; then
        clean=$sb
        break
    fi
    [ "$(now_ms)" -lt "$deadline" ] || fail "no one-file batch without a failure within 60 s"
done
[ -n "$clean" ] || fail "no batch without failed files"
before=$(sim_ids)
bt r4 resubmit "$clean" --json
expect_rc 0 "resubmit of a batch without failed files"
same "nothing on stdout" "$(cat "$OUT/r4.out")" ""
grep -q 'nothing to resubmit' "$OUT/r4.err" || fail "no 'nothing to resubmit' message: $(cat "$OUT/r4.err")"
same "no batch made" "$(sim_ids)" "$before"
same "no directory made" "$(dirs_named "single $i retry $TODAY")" ""

step "under --fail-rate 0.3 --ambiguous-create-rate 0.3: one directory, one entry each, one batch"
sim_restart --seed 6 --speed 20 --page-size-max 1000 --fail-rate 0.3 --ambiguous-create-rate 0.3 -v
# the original, asked until an answer gets through the faults
forig=
deadline=$(( $(now_ms) + 20000 ))
until [[ $forig == bat-* ]]; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "the COMPLETED batch over thousand was never listed"
    forig=$(completed_thousand 2>/dev/null)
done
printed=()
runs=0
day=$(date -u +%F)
while :; do
    runs=$((runs + 1))
    [ "$runs" -le 10 ] || fail "resubmit did not succeed in 10 runs under faults"
    bt f$runs resubmit "$forig"
    [ "$RC" = 0 ] && break
    [ "$RC" = 1 ] || expect_rc 1 "resubmit run $runs under faults"
    printed+=("$(head -c 300 "$OUT/f$runs.err" | tr '\n' ' ')")
done
echo "   $runs run(s); failed runs said: ${printed[*]:-nothing}"
fb=$(cat "$OUT/f$runs.out")
curl -sS --max-time 10 -X POST "$SIM_URL/_sim/faults/off" >/dev/null
grep -qE '^POST /api/v1/beta/directories[^ ]* 5|^POST /api/v1/beta/directories/[^ ]*/files[^ ]* 5' \
    "$E2E_TMP/sim.err" || fail "no directory create or add answered 5xx: the faults were off"
check_one_resubmit "$forig" "$(default_name "$fb" "$day")" "$fb" "under faults"
bt f-wait wait "$fb"
expect_rc 0 "the batch made under faults runs to COMPLETED"

step "the key is in no output and no log"
key_never_shown
echo PASS
