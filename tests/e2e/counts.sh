#!/bin/bash
# counts.sh -- issue 16, the list: every row in view shows FILES / FAILED / PROGRESS, fetched in
# the background (results + bulk job statuses) within two refresh intervals and equal to the
# simulator's; F shows only batches with failed files; after a restart the terminal batches'
# final counts come from the snapshot at once and are never fetched again (the simulator's -v
# log holds no expand=results or job_ids request for them).
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

INTERVAL=5
ELL=$(printf '\xe2\x80\xa6') # "…": a count not known yet

sim_start --seed 11 --batches 200 -v
port=${SIM_URL##*:}
tmux_start 120 40

# every batch of the simulator: "id status" lines (two pages of 100)
sim_batches() {
    local token='' page
    while :; do
        page=$(api "/api/v2/batches?page_size=100${token:+&page_token=$token}") || return 1
        echo "$page" | jq -r '.items[] | .id + " " + .status'
        token=$(echo "$page" | jq -r '.next_page_token // empty')
        [ -n "$token" ] || break
    done
}

# sim_counts ID: "total done failed jobs..." as the simulator says (results null: "null");
# done = mapping error or terminal job, failed = mapping error or FAILED job (model/counts.h)
sim_counts() {
    local b type ep q
    b=$(api "/api/v2/batches/$1?expand=results") || return 1
    if [ "$(echo "$b" | jq '.results == null')" = true ]; then
        echo null
        return
    fi
    type=$(echo "$b" | jq -r '.config.job.type')
    ep=parse
    [ "$type" = extract_v2 ] && ep=extract
    q=$(echo "$b" | jq -r '[.results[] | select(.job_reference != null and .error_message == null)
        | "job_ids=" + .job_reference.id] | join("&")')
    local jobs='{"items":[]}'
    [ -n "$q" ] && jobs=$(api "/api/v2/$ep?$q&page_size=100")
    jq -rn --argjson b "$b" --argjson j "$jobs" '
        ($j.items | map({(.id): .status}) | add // {}) as $st
        | [$b.results[] | if .error_message != null then "F"
            elif .job_reference == null then "-"
            else ($st[.job_reference.id] // "?") end] as $r
        | ($r | length | tostring) + " "
          + ([$r[] | select(. == "F" or . == "COMPLETED" or . == "FAILED" or . == "CANCELLED")]
             | length | tostring) + " "
          + ([$r[] | select(. == "F" or . == "FAILED")] | length | tostring) + " "
          + ([$b.results[] | .job_reference.id // empty] | join(" "))'
}

# the rows on screen: "idprefix FILES FAILED" (FILES d/t or …, FAILED n or …)
screen_rows() {
    screen | grep -E '^[> ]bat-' | sed -E "s/^[> ](bat-[0-9a-f-]+)[^ ]* .* ([0-9]+\/[0-9]+|$ELL) +([0-9]+|$ELL) .*/\1 \2 \3/"
}

# row_of ID: "FILES FAILED" of the row on screen showing ID (its visible prefix)
row_of() {
    screen_rows | while read -r pre files failed; do
        case $1 in "$pre"*) echo "$files $failed" && break ;; esac
    done
}

full_id() {
    grep "^$1" "$E2E_TMP/batches" | head -n 1 | cut -d' ' -f1
}

sim_batches >"$E2E_TMP/batches" || fail "cannot list the simulator's batches"
[ "$(wc -l <"$E2E_TMP/batches")" = 200 ] || fail "the simulator does not hold 200 batches"

step "the rows in view get their counts within two refresh intervals"
run_batchtop --refresh "$INTERVAL"
wait_for "Batches (200/200)" 20
start=$(now_ms)
# terminal rows: counted within two intervals ("…" before is fine)
deadline=$((start + 2 * INTERVAL * 1000))
while :; do
    pending=0
    while read -r pre files failed; do
        st=$(grep "^$pre" "$E2E_TMP/batches" | head -n 1 | cut -d' ' -f2)
        case $st in COMPLETED | FAILED | CANCELLED) ;; *) continue ;; esac
        [ "$files" = "$ELL" ] && pending=$((pending + 1))
    done < <(screen_rows)
    [ "$pending" = 0 ] && break
    [ "$(now_ms)" -lt "$deadline" ] || fail "$pending terminal rows still without counts after $((2 * INTERVAL))s"
    sleep 0.1
done
echo "counted within $(($(now_ms) - start)) ms"
rows=$(screen_rows)
[ "$(echo "$rows" | wc -l)" -ge 30 ] || fail "fewer than 30 rows in view"

step "every row's counts are the simulator's"
: >"$E2E_TMP/final"
: >"$E2E_TMP/final_jobs"
nfailed=0
while read -r pre files failed; do
    id=$(full_id "$pre")
    [ -n "$id" ] || fail "row $pre is no batch of the simulator"
    st=$(grep "^$id" "$E2E_TMP/batches" | cut -d' ' -f2)
    read -r total done sfailed jobs < <(sim_counts "$id")
    if [ "$files" = "$ELL" ]; then
        # unknown: only an active batch whose results were null at its last fetch (the
        # simulator's PENDING ones); a terminal one was waited for above
        case $st in COMPLETED | FAILED | CANCELLED) fail "$id ($st) shows …" ;; esac
        continue
    fi
    case $st in
    COMPLETED | FAILED | CANCELLED)
        [ "$files" = "$done/$total" ] || fail "$id ($st): FILES $files, simulator $done/$total"
        [ "$failed" = "$sfailed" ] || fail "$id ($st): FAILED $failed, simulator $sfailed"
        echo "$id $files $failed" >>"$E2E_TMP/final"
        for j in $jobs; do echo "$j" >>"$E2E_TMP/final_jobs"; done
        [ "$failed" -gt 0 ] && nfailed=$((nfailed + 1))
        ;;
    *)
        # active: a moment ago; a file mapped or a job ended since only adds
        d=${files%/*} t=${files#*/}
        [ "$total" != null ] && [ "$t" -le "$total" ] || fail "$id ($st): FILES $files, simulator $total results"
        [ "$d" -le "$t" ] || fail "$id: FILES $files"
        ;;
    esac
done <<<"$rows"
[ "$(wc -l <"$E2E_TMP/final")" -ge 20 ] || fail "fewer than 20 terminal rows checked"
[ "$nfailed" -ge 1 ] || fail "no row with failed files to show F with (seed changed?)"

step "F shows only batches with failed files"
keys F
wait_for "with failed files" 5
shown=$(screen_rows)
[ -n "$shown" ] || fail "F shows no batch"
while read -r pre files failed; do
    [ "$failed" != "$ELL" ] && [ "$failed" -gt 0 ] || fail "F shows $pre with FAILED $failed"
    read -r total done sfailed jobs < <(sim_counts "$(full_id "$pre")")
    [ "$sfailed" != null ] && [ "$sfailed" -ge "$failed" ] || fail "$pre: FAILED $failed, simulator $sfailed"
done <<<"$shown"
# and every terminal row seen with failures is among them (only counted rows can be)
while read -r id files failed; do
    [ "$failed" -gt 0 ] || continue
    [ -n "$(row_of "$id")" ] || fail "F hides $id ($failed failed)"
done <"$E2E_TMP/final"
keys F
wait_gone "with failed files" 5
# the help screen lists F with the list's keys
keys '?'
wait_for "only batches with failed files" 5
keys Escape
wait_for "Batches (200/200)" 5
quit_batchtop

step "the snapshot keeps the final counts"
file=$(ls "$E2E_TMP/home/.cache/batchtop/"*.json 2>/dev/null | head -n 1)
[ -n "$file" ] || fail "no snapshot written"
while read -r id files failed; do
    got=$(jq -r --arg id "$id" '.batches[] | select(.id == $id) | .batchtop |
        "\(.files_done)/\(.files_total) \(.files_failed) \(.counts_final)"' "$file")
    [ "$got" = "$files $failed true" ] || fail "snapshot of $id: $got, shown $files $failed"
done <"$E2E_TMP/final"

step "a restart against a distant server: final counts on screen at once, never fetched again"
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null
SIM_PID=
sim_start --listen "127.0.0.1:$port" --seed 11 --batches 200 --rtt 1500 -v
[ "${SIM_URL##*:}" = "$port" ] || fail "the simulator did not get port $port back"
run_batchtop --refresh "$INTERVAL"
# before any answer (each takes 1.5 s): the cached rows with their counts
deadline=$(($(now_ms) + 1200))
until screen | head -n 1 | grep -q 'cached'; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "no cached rows at once"
    sleep 0.05
done
while read -r id files failed; do
    got=$(row_of "$id")
    [ "$got" = "$files $failed" ] || fail "$id not shown at once as $files $failed (shows: $got)"
done <"$E2E_TMP/final"
# counting goes on for the active rows: wait for one such request, then two intervals more
wait_log() {
    local deadline=$(($(now_ms) + $2 * 1000))
    until grep -q "$1" "$E2E_TMP/sim.err"; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "no request matching $1 within $2 s"
        sleep 0.1
    done
}
wait_log 'expand=results' 20
# then two more list refreshes (two intervals in which a final batch could be asked again)
updated() { screen | head -n 1 | grep -oE 'updated [0-9:]+'; }
wait_re '^ batchtop .* updated [0-9:]+ ' 20
for _ in 1 2; do
    was=$(updated)
    deadline=$(($(now_ms) + 3 * INTERVAL * 1000))
    while [ "$(updated)" = "$was" ]; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "the list was not refreshed within $((3 * INTERVAL))s"
        sleep 0.1
    done
done
quit_batchtop
while read -r id files failed; do
    ! grep -F "$id" "$E2E_TMP/sim.err" | grep -q 'expand=results' ||
        fail "$id (final) fetched again: $(grep -F "$id" "$E2E_TMP/sim.err" | head -n 1)"
done <"$E2E_TMP/final"
if grep 'job_ids=' "$E2E_TMP/sim.err" >"$E2E_TMP/jobreqs"; then
    while read -r j; do
        ! grep -qF "$j" "$E2E_TMP/jobreqs" || fail "job $j of a final batch asked again"
    done <"$E2E_TMP/final_jobs"
fi
echo "second run: $(grep -c 'expand=results' "$E2E_TMP/sim.err") counts fetch(es), none of the $(wc -l <"$E2E_TMP/final") final batches"
