#!/bin/bash
# batch.sh -- the Batch and File screens: every file's display name (CJK and emoji rows
# aligned), a file's markdown and text, search, writing it to a file (no silent overwrite, never
# through a symbolic link),
# cancelling a running batch and refusing a finished one.
. "${TOP_SRCDIR:-.}/tests/e2e/lib.sh"
need_tmux

sim_start --seed 23 --speed 20
tmux_start 120 40

dir=$(dir_id '受信書類')
[ -n "$dir" ] || fail "no '受信書類' directory"
done_id=$(create_batch "$dir")
[ -n "$done_id" ] && [ "$done_id" != null ] || fail "could not create a batch"
run_batchtop
wait_for 'Batches (13/13)' 10

step "open a finished batch: every file's display name"
sim_wait_status "$done_id" COMPLETED 30
keys /
type_text "${done_id:0:13}"
keys Enter
wait_for 'Batches (1/13)' 5
keys Enter
wait_for "Batch $done_id" 5
wait_for 'Files (20/20)' 10
wait_re 'files 20/20 ' 15
api "/api/v1/beta/directories/$dir/files?page_size=100" | jq -r '.items[].display_name' >"$E2E_TMP/names"
[ "$(wc -l <"$E2E_TMP/names")" -eq 20 ] || fail "expected 20 files in the directory"
screen >"$E2E_TMP/screen"
while IFS= read -r name; do
    # the FILE column holds at least the first 20 characters of each name
    grep -qF -- "${name:0:20}" "$E2E_TMP/screen" || fail "file name '$name' is not shown"
done <"$E2E_TMP/names"
grep -q '請求書' "$E2E_TMP/screen" || fail "no CJK file name on screen"
grep -q '📄' "$E2E_TMP/screen" || fail "no emoji file name on screen"

step "CJK and emoji rows are aligned"
# every row's FILE ID column starts at the same display column
cols=$(grep -E '^[> ].* dfl-' "$E2E_TMP/screen" | while IFS= read -r line; do
    prefix=${line%%dfl-*}
    printf '%s' "$prefix" | wc -L
done | sort -u)
[ "$(echo "$cols" | wc -l)" -eq 1 ] || fail "FILE ID starts at different columns: $(echo $cols)"
grep -E '^[> ].*(請求書|📄)' "$E2E_TMP/screen" | grep -qE ' (COMPLETED|FAILED)( |$)' || fail "CJK/emoji rows lack their status"

step "f shows failed files only; / filters files"
nfailed=$(grep -E '^[> ].* dfl-' "$E2E_TMP/screen" | grep -cE ' FAILED( |$)')
keys f
wait_for "Files ($nfailed/20)  failed only" 5
screen | grep -E '^[> ].* dfl-' | grep -vqE ' FAILED( |$)' && fail "a row that did not fail is shown"
keys f
wait_for 'Files (20/20)' 5
keys /
type_text '請求書'
keys Enter
wait_re 'Files \(1/20\) +filter: 請求書' 5
keys /
keys C-u Enter
wait_for 'Files (20/20)' 5

step "open a file: markdown, text, search"
# the first row whose job completed (a job may fail at random)
idx=$(grep -E '^[> ].* dfl-' "$E2E_TMP/screen" | grep -nE ' COMPLETED( |$)' | head -n 1 | cut -d: -f1)
[ -n "$idx" ] || fail "no completed file"
idx=$((idx - 1))
first_file=$(api "/api/v2/batches/$done_id?expand=results" | jq -r ".results[$idx].source_directory_file_id")
first=$(api "/api/v1/beta/directories/$dir/files?page_size=100" |
    jq -r --arg f "$first_file" '.items[] | select(.id == $f) | .display_name')
keys g
for _ in $(seq 1 "$idx"); do keys j; done
keys Enter
wait_for "File $first" 5
wait_for 'Output: markdown' 5
wait_for "# $first" 10
on_screen '## Page 1'
on_screen 'job status: COMPLETED'
# the job's own fields arrive with its output: its name (the file's) and its tier
wait_for "name: $first" 5
on_screen 'tier: '
keys t
wait_for 'Output: text' 5
not_on_screen '## Page 1'
on_screen 'Page 1'
keys t
wait_for '## Page 1' 5
keys /
type_text 'page 2'
keys Enter
wait_for 'search: page 2' 5

step "w writes the output; an existing file is not overwritten without a yes"
out="$E2E_TMP/out.md"
keys w
wait_for 'write to file:' 5
keys C-u
type_text "$out"
keys Enter
wait_for "to $out" 5
grep -qF "# $first" "$out" || fail "the written file lacks the markdown"
echo keep >"$out"
keys w
wait_for 'write to file:' 5
keys C-u
type_text "$out"
keys Enter
wait_for 'already exists' 5
keys n
wait_for 'not written' 5
[ "$(cat "$out")" = keep ] || fail "the file was overwritten after 'n'"
keys w C-u
type_text "$out"
keys Enter
wait_for 'already exists' 5
keys y
wait_for "to $out" 5
grep -qF "# $first" "$out" || fail "the file was not overwritten after 'y'"

step "w never writes through a symbolic link: it says where the link points and refuses"
echo precious >"$E2E_TMP/precious"
ln -s "$E2E_TMP/precious" "$E2E_TMP/link.md"
keys w C-u
type_text "$E2E_TMP/link.md"
keys Enter
wait_for "link.md is a symbolic link to $E2E_TMP/precious" 5
not_on_screen 'Overwrite it?'
[ "$(cat "$E2E_TMP/precious")" = precious ] || fail "the link's target was written"
[ -L "$E2E_TMP/link.md" ] || fail "the link was replaced"
rm -f "$E2E_TMP/new.md"
keys w C-u
type_text "$E2E_TMP/new.md"
keys Enter
wait_for "to $E2E_TMP/new.md" 5
# tmux (and so batchtop) inherits this script's umask
want=$(printf '%o' $(( 0666 & ~$(umask) )))
[ "$(stat -c %a "$E2E_TMP/new.md")" = "$want" ] || fail "a new file is not 0666 & ~umask ($want)"
keys q
wait_for "Batch $done_id" 5

step "an extract job's result is shown as indented JSON"
ecfg=$(api '/api/v1/beta/configurations?product_type=extract_v2&page_size=100' | jq -r '.items[0].id')
[ -n "$ecfg" ] && [ "$ecfg" != null ] || fail "no extract_v2 configuration"
ext_id=$(create_batch "$dir" extract_v2 "$ecfg")
sim_wait_status "$ext_id" COMPLETED 30
keys q Escape
wait_for 'Batches (' 5
keys r /
type_text "${ext_id:0:13}"
keys Enter
wait_for "${ext_id:0:18}" 10
keys Enter
wait_for "Batch $ext_id" 5
wait_re 'files 20/20 ' 15
open_first_completed_file
wait_for 'Output: extract result (JSON)' 5
wait_re '^ \{' 10
wait_re '^   "' 5          # two-space indent inside the object
keys t
wait_for 'extract output is JSON only' 5
keys q q Escape
wait_for 'Batches (14/14)' 5
keys /
type_text "${done_id:0:13}"
keys Enter Enter
wait_for "Batch $done_id" 5

step "a finished batch cannot be cancelled"
keys c
wait_for 'a finished batch cannot be cancelled' 5
not_on_screen 'Cancel batch'
keys Escape
wait_for 'Batches (1/14)' 5
# the list now knows this batch's results: FILES and a full PROGRESS bar
selected_row | grep -qE ' 20/20 +([0-9]+|…) +█+ 100%' || fail "no files/progress for the opened batch: $(selected_row)"
keys Escape
wait_for 'Batches (14/14)' 5

step "cancel a running batch"
thousand=$(dir_id thousand)
run_id=$(create_batch "$thousand")
[ -n "$run_id" ] && [ "$run_id" != null ] || fail "could not create the 1,000-file batch"
keys r
wait_for "${run_id:0:18}" 10
keys /
type_text "${run_id:0:13}"
keys Enter
wait_for 'Batches (1/15)' 5
status=$(sim_status "$run_id")
case $status in PENDING|THROTTLED|RUNNING) ;; *) fail "the big batch is already $status" ;; esac
keys c
wait_for 'Cancel batch' 5
on_screen "$run_id"
keys x            # anything but y keeps it
wait_for 'not cancelled' 5
[ "$(sim_status "$run_id")" != CANCELLED ] || fail "cancelled without a yes"
keys c
wait_for 'Cancel batch' 5
keys y
wait_for 'cancel requested' 10
sim_wait_status "$run_id" CANCELLED 20
wait_re "^>${run_id:0:18}.* CANCELLED( |$)" 20
quit_batchtop
echo PASS
