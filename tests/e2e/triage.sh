#!/bin/bash
# triage.sh -- issue 16, triage in the Batch screen: the failures panel's groups and counts,
# filtering the table to a group, ] and [ through the failed files, and E's export (CSV and
# JSON, all rows or as filtered) written by the same code as `batchtop results`.
#
# The oracle is the simulator's API, read here with jq: the batch's results (mapping errors)
# and the bulk job statuses (FAILED jobs and their errors). The simulator's errors vary only in
# their numbers, so the expected groups are (kind, message with digits as N) -- computed here,
# independently of model/triage.c. Strings are not hostile (--hostile-strings off).
. "${TOP_SRCDIR:-.}/tests/e2e/clilib.sh"
need_tmux

FILES=40
sim_start --seed 31 --speed 20 --files-per-directory "$FILES" --map-error-rate 0.2 \
    --job-fail-rate 0.35
tmux_start 120 40

step "a batch with failures of both kinds"
dir=$(regular_dir)
id=$(create_batch "$dir")
[ -n "$id" ] && [ "$id" != null ] || fail "could not create a batch"
sim_wait_status "$id" COMPLETED 60

# truth: one object per result, in the results' order (the table's order)
b=$(api "/api/v2/batches/$id?expand=results")
ids=$(jq -r '[.results[] | .job_reference.id // empty | "job_ids=" + .] | join("&")' <<<"$b")
jobs=$(api "/api/v2/parse?$ids&page_size=100" |
    jq -c '[.items[] | {key: .id, value: {status, error: .error_message}}] | from_entries')
[ "$(jq length <<<"$jobs")" = "$(jq '[.results[] | select(.job_reference.id)] | length' <<<"$b")" ] ||
    fail "the bulk job list did not answer every job"
truth=$(jq -c --argjson jobs "$jobs" '[.results[] |
    (.job_reference.id // "") as $j |
    {file: .source_directory_file_id, job: .job_reference.id,
     kind: (if .error_message then "map" elif $j != "" and $jobs[$j].status == "FAILED" then "job"
            else null end),
     msg: (if .error_message then .error_message elif $j != "" then $jobs[$j].error else null end)}]' \
    <<<"$b")
failed=$(jq -c '[.[] | select(.kind)]' <<<"$truth")
nfailed=$(jq length <<<"$failed")
nmap=$(jq '[.[] | select(.kind == "map")] | length' <<<"$failed")
njob=$(jq '[.[] | select(.kind == "job")] | length' <<<"$failed")
# groups: "COUNT KIND KEY" lines, sorted
expected=$(jq -r 'group_by(.kind + ":" + (.msg // "(no message)" | gsub("[0-9]+"; "N"))) |
    .[] | "\(length) \(.[0].kind) \(.[0].msg // "(no message)" | gsub("[0-9]+"; "N"))"' \
    <<<"$failed" | sort)
ngroups=$(printf '%s\n' "$expected" | grep -c .)
echo "$nfailed failed ($nmap map, $njob job) in $ngroups groups:"
printf '%s\n' "$expected"
[ "$nmap" -ge 2 ] && [ "$njob" -ge 2 ] || fail "seed 31 should give failures of both kinds"
[ "$ngroups" -gt 6 ] || fail "seed 31 should give more groups than the panel shows at once"
printf '%s\n' "$expected" | awk '$1 >= 2 { found = 1 } END { exit !found }' ||
    fail "seed 31 should give a group of two or more files"

run_batchtop
keys /
type_text "${id:0:13}"
keys Enter
wait_re 'Batches \(1/' 5
keys Enter
wait_for "Batch $id" 5
wait_for "Files ($FILES/$FILES)" 10
wait_re "files $FILES/$FILES " 15

step "the failures panel: totals, then every group with its count, largest first"
wait_for "Failures: $nfailed files in $ngroups groups (map $nmap, job $njob)" 10
# panel_groups: the group lines on screen as "COUNT KIND KEY" (digits of the message as N)
panel_groups() {
    screen | sed -nE 's/^ [ *] +([0-9]+) (map|job)  (.*[^ ]) *$/\1 \2 \3/p' |
        sed -E ':a; s/^([0-9]+ [a-z]+ .*)[0-9]+/\1N/; ta' | sed -E 's/N+/N/g'
}
first_view=$(panel_groups)
[ "$(printf '%s\n' "$first_view" | grep -c .)" -eq 6 ] ||
    fail "the panel should show 6 groups at 120x40: [$first_view]"
on_screen "1-6 of $ngroups"
printf '%s\n' "$first_view" | awk 'NR > 1 && $1 > prev { exit 1 } { prev = $1 }' ||
    fail "groups are not largest first: [$first_view]"
[ "$(printf '%s\n' "$first_view" | head -n 1 | cut -d' ' -f1)" = \
    "$(printf '%s\n' "$expected" | sort -rn | head -n 1 | cut -d' ' -f1)" ] ||
    fail "the first group is not the largest"
keys Tab
wait_for 'Enter filters to a group' 5
keys End
wait_for "$((ngroups - 5))-$ngroups of $ngroups" 5
last_view=$(panel_groups)
same "the panel's groups = the API's failures grouped" \
    "$(printf '%s\n%s\n' "$first_view" "$last_view" | sort -u)" "$expected"

step "Enter on a group filters the table to it; again (or Esc) shows all"
keys Home
wait_for "1-6 of $ngroups" 5
top=$(printf '%s\n' "$first_view" | head -n 1)
top_count=${top%% *}
top_kind=$(cut -d' ' -f2 <<<"$top")
keys Enter
wait_re "Files \\($top_count/$FILES\\)  group: $top_kind " 5
screen | grep -qE "^ \* +$top_count $top_kind  " || fail "the chosen group is not marked"
shown=$(screen | grep -cE '^[> ].* dfl-')
[ "$shown" -eq "$top_count" ] || fail "the group shows $shown rows, expected $top_count"
keys Enter
wait_for "Files ($FILES/$FILES)" 5
not_on_screen 'group:'
keys Enter
wait_re "Files \\($top_count/$FILES\\)  group: " 5
# with failed-only and a text filter: all three narrow together
keys f
wait_re "Files \\($top_count/$FILES\\)  failed only  group: $top_kind " 5
keys /
type_text 'no-such-file-anywhere'
keys Enter
wait_re "Files \\(0/$FILES\\)  failed only  group: .*filter: no-such-file-anywhere" 5
keys / C-u Enter
wait_re "Files \\($top_count/$FILES\\)  failed only  group: " 5
keys f
wait_re "Files \\($top_count/$FILES\\)  group: " 5
keys Escape
wait_for "Files ($FILES/$FILES)" 5
wait_for 'showing every group' 5
keys Tab
wait_for 'Tab: browse' 5

step "the help lists the new keys of the Batch screen"
keys '?'
wait_for 'Help' 5
keys End
wait_for 'next failed file' 5
on_screen 'previous failed file'
on_screen 'export the files shown'
on_screen 'failures panel / files'
keys q
wait_for 'Tab: browse' 5

step "] visits every failed file in order, wrapping around; [ goes back"
keys End
wait_re '^>' 5
# has_selected FILE_ID NAME: the selected row is that file (ID prefix and name prefix)
has_selected() {
    local row
    row=$(selected_row)
    case $row in *"${1:0:12}"*) ;; *) return 1 ;; esac
    case $row in ">${2:0:6}"*) return 0 ;; *) return 1 ;; esac
}
names=$(api "/api/v1/beta/directories/$dir/files?page_size=100" |
    jq -c '[.items[] | {key: .id, value: .display_name}] | from_entries')
wait_selected() {
    local deadline=$(( $(now_ms) + 5000 ))
    until has_selected "$1" "$2"; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "$3: expected $1 ($2) selected, got [$(selected_row)]"
        sleep 0.05
    done
}
i=0
for f in $(jq -r '.[].file' <<<"$failed"); do
    i=$((i + 1))
    name=$(jq -r --arg f "$f" '.[$f]' <<<"$names")
    keys ']'
    wait_selected "$f" "$name" "] #$i"
done
first=$(jq -r '.[0].file' <<<"$failed")
last=$(jq -r '.[-1].file' <<<"$failed")
keys ']'
wait_selected "$first" "$(jq -r --arg f "$first" '.[$f]' <<<"$names")" "] past the last"
wait_for 'wrapped to the first failed file' 5
keys '['
wait_selected "$last" "$(jq -r --arg f "$last" '.[$f]' <<<"$names")" "[ before the first"
wait_for 'wrapped to the last failed file' 5

step "E exports the table: failed only as CSV, all as CSV and JSON, byte for byte the CLI's"
bt cli-failed-csv results "$id" --failed --csv
expect_rc 0 "results --failed --csv"
bt cli-all-csv results "$id" --csv
expect_rc 0 "results --csv"
bt cli-all-json results "$id" --json
expect_rc 0 "results --json"
# export PATH ROWS WHAT: E, the path typed over the default, Enter; the flash names it
export_to() {
    keys E
    wait_for 'export files to' 5
    keys C-u
    type_text "$1"
    keys Enter
    wait_for "wrote $2 rows ($3) to $1" 5
}
keys f
wait_for "Files ($nfailed/$FILES)  failed only" 5
keys E
wait_for "${id: -12}-files.csv" 5
keys Escape
wait_gone 'export files to' 5
export_to "$E2E_TMP/failed.csv" "$nfailed" CSV
cmp "$E2E_TMP/failed.csv" "$OUT/cli-failed-csv.out" ||
    fail "the failed-only export differs from results --failed --csv"
reader "csv:$E2E_TMP/failed.csv" || fail "the export is not CSV"
same "the export's rows = the failed files, in order" \
    "$(jq -c '[.[1:][] | .[1]]' "$E2E_TMP/failed.csv.j")" "$(jq -c '[.[].file]' <<<"$failed")"
same "the export's errors are the exact messages" \
    "$(jq -c '[.[1:][] | .[4]]' "$E2E_TMP/failed.csv.j")" "$(jq -c '[.[].msg // ""]' <<<"$failed")"
keys f
wait_for "Files ($FILES/$FILES)" 5
export_to "$E2E_TMP/all.csv" "$FILES" CSV
cmp "$E2E_TMP/all.csv" "$OUT/cli-all-csv.out" || fail "the CSV export differs from results --csv"
export_to "$E2E_TMP/all.json" "$FILES" JSON
cmp "$E2E_TMP/all.json" "$OUT/cli-all-json.out" || fail "the JSON export differs from results --json"
reader "json:$E2E_TMP/all.json" || fail "the JSON export does not read"
same "the JSON export's files, in order" \
    "$(jq -c '[.[].source_directory_file_id]' "$E2E_TMP/all.json.j")" "$(jq -c '[.[].file]' <<<"$truth")"

step "export as filtered by a group; an existing file is kept unless confirmed; errors said"
keys Tab Home Enter
wait_re "Files \\($top_count/$FILES\\)  group: " 5
export_to "$E2E_TMP/group.json" "$top_count" JSON
reader "json:$E2E_TMP/group.json" || fail "the group export does not read"
same "the group export: the group's files" \
    "$(jq -c '[.[] | .error_message // .job_error_message | gsub("[0-9]+"; "N")] | unique' "$E2E_TMP/group.json.j")" \
    "[$(jq -R . <<<"${top#* * }")]"
keys Escape Tab
wait_for "Files ($FILES/$FILES)" 5
before=$(md5sum <"$E2E_TMP/all.csv")
keys E C-u
type_text "$E2E_TMP/all.csv"
keys Enter
wait_for 'Overwrite it?' 5
keys n
wait_for "not written: $E2E_TMP/all.csv exists" 5
[ "$(md5sum <"$E2E_TMP/all.csv")" = "$before" ] || fail "the file changed without a yes"
keys E C-u
type_text "$E2E_TMP/no-such-dir/x.csv"
keys Enter
wait_for "cannot write $E2E_TMP/no-such-dir/x.csv" 5

step "the panel fits 80x24, and shrinks to one line at 60x12"
tmux_cmd resize-window -t main -x 80 -y 24
wait_for "Failures: $nfailed files in $ngroups groups" 5
wait_for "1-4 of $ngroups" 5
screen | grep -qE '^[> ].* dfl-' || fail "no file row at 80x24"
[ "$(screen | grep -cE '^[> ].* dfl-')" -ge 8 ] || fail "fewer than 8 file rows at 80x24"
tmux_cmd resize-window -t main -x 60 -y 12
wait_re "^ Failures $nfailed in $ngroups groups <1/$ngroups>" 5
screen | grep -qE '^[> ]' || fail "no file row at 60x12"
tmux_cmd resize-window -t main -x 120 -y 40
wait_for "1-6 of $ngroups" 5

keys q
wait_for 'Batches (' 5
quit_batchtop
echo "PASS"
