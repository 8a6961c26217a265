#!/bin/bash
# upload_tui.sh -- the New batch form with a local folder as its source (issue 17): F2 completes
# the path, the Upload screen reviews what goes (and what is left out), Esc goes back with every
# value kept, Enter uploads with progress shown, and the batch runs to COMPLETED showing the
# local file names. More than 1,000 files is said before anything is uploaded.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

# A slow upload rate, so the progress view is seen half-way: 10 uploads per 5 s.
sim_start --seed 5 --speed 20 --upload-rate 10 -v
tmux_start 120 40

docs="$E2E_TMP/client docs"
mkdir -p "$docs/sub"
for i in $(seq 1 24); do printf 'document %d\n' "$i" >"$docs/report $i.pdf"; done
printf 'résumé\n' >"$docs/sub/naïve résumé.pdf"
printf 'hidden\n' >"$docs/.DS_Store"
ln -s /nonexistent/batchtop/gone.pdf "$docs/gone.pdf"
mkdir -p "$E2E_TMP/many"
for i in $(seq 1 1001); do : >"$E2E_TMP/many/f$i.txt"; done

run_batchtop
wait_for 'Batches (12/12)' 10

step "F2 completes a local path in the source field"
keys n
wait_for 'New batch' 5
type_text "$E2E_TMP/cli"
keys F2
wait_for "Source                $E2E_TMP/client docs/" 5
keys Tab Tab
type_text 'cfg-PARSE_AGENTIC'

step "Enter reviews the folder: files, bytes, what is left out, the directory's name"
keys Enter
wait_for 'Upload a local folder as a new batch' 5
on_screen '25 files'
on_screen '1 hidden skipped'
on_screen 'Left out (1)'
on_screen 'gone.pdf: broken symbolic link'
day=$(date +%Y-%m-%d)
on_screen "New directory      client docs $day"
grep -q 'files/upload' "$E2E_TMP/sim.err" && fail "something was uploaded before Enter"

step "Esc goes back to the form with every value kept"
keys Escape
wait_for 'New batch' 5
on_screen "Source                $E2E_TMP/client docs/"
on_screen 'Configuration ID      cfg-PARSE_AGENTIC'

step "Enter, Enter: upload with progress, then the batch"
keys Enter
wait_for 'Upload a local folder as a new batch' 5
keys Enter
wait_re 'Files +([1-9]|1[0-9]|2[0-4])/25 done' 30
on_screen 'uploading files'
wait_re 'created batch bat-[0-9a-f-]+' 60
id=$(screen | grep -oE 'created batch bat-[0-9a-f-]+' | head -n 1 | sed 's/created batch //')
wait_for 'Batches (13/13)' 10
[ "$(selected_row | cut -c2-19)" = "${id:0:18}" ] || fail "the new batch $id is not selected"

step "the directory holds each file exactly once"
dir=$(dir_id "client docs $day")
[ -n "$dir" ] || fail "no directory named 'client docs $day'"
api "/api/v1/beta/directories/$dir/files?page_size=100" >"$E2E_TMP/files.json"
[ "$(jq '.items | length' "$E2E_TMP/files.json")" = 25 ] || fail "the directory does not hold 25 entries: $(jq -c '[.items[].display_name]' "$E2E_TMP/files.json")"
[ "$(jq '[.items[].unique_id] | unique | length' "$E2E_TMP/files.json")" = 25 ] || fail "an entry is there twice"
want=$(sha256sum "$docs/sub/naïve résumé.pdf" | cut -c1-64)
[ "$(jq -r '.items[] | select(.display_name == "sub/naïve résumé.pdf") | .unique_id' "$E2E_TMP/files.json")" = "$want" ] ||
    fail "sub/naïve résumé.pdf is not there under its SHA-256"

step "the batch runs to COMPLETED and shows the local names"
keys Enter
wait_for "Batch $id" 10
wait_for 'COMPLETED' 60
wait_for 'naïve résumé.pdf' 20
on_screen 'report 1'
keys Escape
wait_for 'Batches (13/13)' 5

step "more than 1,000 files: said before anything is uploaded, and asked"
uploads=$(grep -c 'files/upload' "$E2E_TMP/sim.err")
keys n
wait_for 'New batch' 5
type_text "$E2E_TMP/many"
keys Tab Tab
type_text 'cfg-PARSE_AGENTIC'
keys Enter
wait_for '1,001 files: a batch takes at most 1,000' 10
keys Enter
wait_for 'the server may refuse it' 5
keys n
wait_for 'nothing uploaded' 5
[ "$(grep -c 'files/upload' "$E2E_TMP/sim.err")" = "$uploads" ] || fail "files were uploaded after 'n'"
keys Escape Escape
wait_for 'Batches (13/13)' 5
quit_batchtop
