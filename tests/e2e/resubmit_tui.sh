#!/bin/bash
# resubmit_tui.sh -- R on the Batch screen: the dialog offers the failed files, Enter makes a new
# directory holding exactly those files and a batch over it that runs to COMPLETED; a second R
# creates nothing; the "resubmitted as" / "resubmit of" links survive a restart (the API keeps
# none: batchtop's cache does); read-only mode refuses.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

# 60 files per directory: with the simulator's share of failed jobs and mapping errors, seed 31
# gives a batch with several failures (checked below, so a change of the world shows at once)
sim_start --seed 31 --speed 20 --files-per-directory 60
tmux_start 120 40

dir=$(regular_dir)
dir_name=$(api "/api/v1/beta/directories/$dir" | jq -r .name)
orig=$(create_batch "$dir")
[ -n "$orig" ] && [ "$orig" != null ] || fail "could not create a batch"
sim_wait_status "$orig" COMPLETED 60

# failed_files BATCH: the directory file IDs of the batch's files whose job FAILED or that
# could not be mapped, sorted (the simulator's own answers, not batchtop's)
failed_files() {
    local results jobs q
    results=$(api "/api/v2/batches/$1?expand=results")
    q=$(echo "$results" | jq -r '[.results[] | select(.job_reference.id != null) | "job_ids=" + .job_reference.id] | join("&")')
    jobs=$(api "/api/v2/parse?page_size=100&$q")
    [ "$(echo "$jobs" | jq '.items | length')" -eq "$(echo "$results" | jq '[.results[] | select(.job_reference.id != null)] | length')" ] ||
        fail "the job statuses did not all come in one page"
    {
        echo "$results" | jq -r '.results[] | select(.error_message != null) | .source_directory_file_id'
        echo "$results" | jq -r --argjson jobs "$jobs" \
            '.results[] | select(.job_reference.id != null) | . as $r
             | select(any($jobs.items[]; .id == $r.job_reference.id and .status == "FAILED"))
             | .source_directory_file_id'
    } | sort
}

# every job of the batch terminal (COMPLETED means mapped, not finished)
deadline=$(($(now_ms) + 60000))
while :; do
    q=$(api "/api/v2/batches/$orig?expand=results" | jq -r '[.results[] | select(.job_reference.id != null) | "job_ids=" + .job_reference.id] | join("&")')
    left=$(api "/api/v2/parse?page_size=100&$q" | jq '[.items[] | select(.status != "COMPLETED" and .status != "FAILED" and .status != "CANCELLED")] | length')
    [ "$left" = 0 ] && break
    [ "$(now_ms)" -lt "$deadline" ] || fail "the batch's jobs did not all end within 60 s"
    sleep 0.1
done
failed_files "$orig" >"$E2E_TMP/failed"
nfailed=$(wc -l <"$E2E_TMP/failed")
[ "$nfailed" -ge 2 ] || fail "seed 31 should give a batch with failures (got $nfailed)"
# the underlying files of those directory files
api "/api/v1/beta/directories/$dir/files?page_size=100" >"$E2E_TMP/dirfiles"
while IFS= read -r dfl; do
    jq -r --arg f "$dfl" '.items[] | select(.id == $f) | .file_id' "$E2E_TMP/dirfiles"
done <"$E2E_TMP/failed" | sort >"$E2E_TMP/want"
[ "$(wc -l <"$E2E_TMP/want")" -eq "$nfailed" ] || fail "not every failed file is in the directory"

open_batch() {
    keys / C-u
    type_text "$1"
    keys Enter
    wait_re 'Batches \(1/[0-9]+\)' 10
    keys Enter
    wait_for "Batch $1" 5
}

step "read-only mode refuses R"
run_batchtop --readonly
open_batch "$orig"
wait_re 'files 60/60 ' 15
keys R
wait_for 'read-only mode: resubmitting is disabled' 5
not_on_screen 'Resubmit files of'
keys q q
wait_for 'BATCHTOP-EXIT=0' 5

step "R offers the failed files; Enter resubmits them"
run_batchtop
open_batch "$orig"
wait_re 'files 60/60 ' 15
wait_for '  final' 15
keys R
wait_for "Resubmit files of $orig" 5
wait_for "(x) failed $nfailed " 5
today=$(date -u +%Y-%m-%d)
wait_for "$dir_name retry $today" 5
keys Enter
wait_re "resubmitted $orig as bat-" 30
new=$(screen | grep -oE "resubmitted $orig as bat-[0-9a-f-]+" | head -n 1 | sed 's/.* as //')
[ -n "$new" ] || fail "no new batch ID in the flash"
wait_for "resubmitted as $new" 5

step "the new batch holds exactly the failed files and runs to COMPLETED"
newdir=$(api "/api/v2/batches/$new" | jq -r .source_directory_id)
[ "$newdir" != "$dir" ] || fail "the resubmit reused the original directory"
[ "$(api "/api/v1/beta/directories/$newdir" | jq -r .name)" = "$dir_name retry $today" ] ||
    fail "the new directory is not named '$dir_name retry $today'"
api "/api/v1/beta/directories/$newdir/files?page_size=100" | jq -r '.items[].file_id' | sort >"$E2E_TMP/got"
diff "$E2E_TMP/want" "$E2E_TMP/got" >&2 || fail "the new directory does not hold exactly the failed files"
sim_wait_status "$new" COMPLETED 60

step "a second R, from the list this time, creates nothing"
keys q
wait_re 'Batches \(1/[0-9]+\)' 5
selected_row | grep -qF "${orig:0:19}" || fail "the original is not the selected row"
keys R
wait_for "Resubmit files of $orig" 15
wait_for "(x) failed $nfailed " 5
keys Enter
# the flash may give way at once to "batch ended" of the new batch (watched since it was
# made): the Messages log keeps both
wait_gone "Resubmit files of $orig" 30
keys m
wait_for "already resubmitted as ${new:0:20}" 10
keys q
[ "$(api "/api/v1/beta/directories?page_size=100" | jq --arg n "$dir_name retry $today" '[.items[] | select(.name == $n)] | length')" = 1 ] ||
    fail "a second directory was made"
[ "$(api "/api/v2/batches?page_size=100&source_directory_id=$newdir" | jq '.items | length')" = 1 ] ||
    fail "a second batch was made"
[ "$(api "/api/v1/beta/directories/$newdir/files?page_size=100" | jq '.items | length')" = "$nfailed" ] ||
    fail "files were added twice"
keys q q
wait_for 'BATCHTOP-EXIT=0' 5

step "the links survive a restart"
run_batchtop
open_batch "$orig"
wait_for "resubmitted as $new" 10
keys q
wait_for 'Batches (' 5
open_batch "$new"
wait_for "resubmit of $orig" 10
keys q q
wait_for 'BATCHTOP-EXIT=0' 5
echo "PASS"
