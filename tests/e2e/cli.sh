#!/bin/bash
# cli.sh -- the subcommands for scripts (issue 15) against a live batchtop-sim that puts escapes
# and control characters in names, errors and outputs: every subcommand in every format (a
# table on a pseudo-terminal, TSV into a pipe, --json, --jsonl, --csv) read back with real
# parsers and compared with what the simulator itself says; nothing that acts on a terminal
# reaches one; CSV with commas, quotes and line breaks round-trips; output -o replaces a link;
# usage errors and a missing key exit 2 before any request; the key is never shown.
. "${TOP_SRCDIR:-.}/tests/e2e/clilib.sh"

sim_start --seed 7 --speed 20 --hostile-strings -v
wait_sim_all_ended 20
ids=$(sim_ids)
[ "$(wc -l <<<"$ids")" = 12 ] || fail "the simulator does not hold its 12 batches"
TSV_BATCH=$(printf 'ID\tSTATUS\tTYPE\tCONFIG\tDIRECTORY\tCREATED\tUPDATED')
# the API's own objects, in the fields batchtop writes back
api_batches=$(api '/api/v2/batches?page_size=100' |
    jq -cS '[.items[] | {id, project_id, source_directory_id, status, created_at, updated_at, config}] | sort_by(.id)')

step "list: TSV into a pipe, the simulator's batches and statuses"
bt list-tsv list
expect_rc 0 "list"
same "list TSV header" "$(head -n 1 "$OUT/list-tsv.out")" "$TSV_BATCH"
awk -F'\t' 'NR > 1 && NF != 7 { exit 1 }' "$OUT/list-tsv.out" || fail "a list TSV row has not 7 fields"
same "list TSV IDs" "$(tail -n +2 "$OUT/list-tsv.out" | cut -f1 | sort)" "$ids"
same "list TSV statuses" "$(tail -n +2 "$OUT/list-tsv.out" | cut -f1,2 | sort)" \
    "$(curl -sS "$SIM_URL/_sim/state" | jq -r '.batches[] | .id + "\t" + .status' | sort)"
# newest first, as the help says
same "list TSV order" "$(tail -n +2 "$OUT/list-tsv.out" | cut -f6)" \
    "$(tail -n +2 "$OUT/list-tsv.out" | cut -f6 | sort -r)"
[ -s "$OUT/list-tsv.err" ] && fail "list wrote to stderr: $(cat "$OUT/list-tsv.err")"

step "list --json: one document, the set of IDs of /_sim/state, the API's objects"
bt list-json list --json
expect_rc 0 "list --json"
bt list-jsonl list --jsonl
expect_rc 0 "list --jsonl"
bt list-csv list --csv
expect_rc 0 "list --csv"
read_all json:list-json jsonl:list-jsonl csv:list-csv
doc=$(J list-json)
same "list --json IDs" "$(jq -r '.[].id' <<<"$doc" | sort)" "$ids"
same "list --json objects" "$(jq -cS 'sort_by(.id)' <<<"$doc")" "$api_batches"

step "list --jsonl: one object per line"
[ "$(wc -l <"$OUT/list-jsonl.out")" = 12 ] || fail "list --jsonl: $(wc -l <"$OUT/list-jsonl.out") lines for 12 batches"
doc=$(J list-jsonl)
same "list --jsonl objects" "$(jq -cS 'sort_by(.id)' <<<"$doc")" "$api_batches"

step "list --csv: RFC 4180 with a header"
doc=$(J list-csv)
same "list --csv header" "$(jq -c '.[0]' <<<"$doc")" \
    '["ID","STATUS","TYPE","CONFIG","DIRECTORY","CREATED","UPDATED"]'
same "list --csv IDs" "$(jq -r '.[1:][][0]' <<<"$doc" | sort)" "$ids"

step "list --ids, --status, --limit"
bt list-ids list --ids
expect_rc 0 "list --ids"
same "list --ids" "$(sort "$OUT/list-ids.out")" "$ids"
bt list-status list --status failed --status CANCELLED --ids
expect_rc 0 "list --status"
same "list --status FAILED --status CANCELLED" "$(sort "$OUT/list-status.out")" \
    "$(curl -sS "$SIM_URL/_sim/state" | jq -r '.batches[] | select(.status == "FAILED" or .status == "CANCELLED") | .id' | sort)"
[ -s "$OUT/list-status.out" ] || fail "the simulator has no FAILED or CANCELLED batch to filter"
bt list-limit list --limit 3 --ids
expect_rc 0 "list --limit 3"
same "list --limit 3: the 3 newest" "$(cat "$OUT/list-limit.out")" \
    "$(jq -r 'sort_by(.created_at) | reverse | .[0:3][].id' <<<"$api_batches")"

step "list on a terminal: an aligned table, coloured status words, within the width"
TTY_ENV='COLUMNS=250 NO_COLOR=1' bt_tty list-table list
expect_rc 0 "list (table)"
no_escape "$OUT/list-table.txt" "list table with NO_COLOR"
head -n 1 "$OUT/list-table.txt" | grep -qE '^ID +STATUS +TYPE +CONFIG +DIRECTORY +CREATED +UPDATED$' ||
    fail "list table header: $(head -n 1 "$OUT/list-table.txt")"
same "list table IDs" "$(tail -n +2 "$OUT/list-table.txt" | awk '{print $1}' | sort)" "$ids"
col=$(head -n 1 "$OUT/list-table.txt" | grep -ob STATUS | cut -d: -f1)
tail -n +2 "$OUT/list-table.txt" | cut -c$((col + 1))- |
    grep -qvE '^(PENDING|THROTTLED|RUNNING|COMPLETED|FAILED|CANCELLED) ' &&
    fail "the STATUS column is not aligned under its header"
TTY_ENV='COLUMNS=80' bt_tty list-color list
expect_rc 0 "list (coloured table)"
grep -qF $'\e[32mCOMPLETED\e[0m' "$OUT/list-color.txt" || fail "no green COMPLETED on a terminal"
# its own colours are the only escapes
sed -E $'s/\e\\[(0|1|31|32|33|36)m//g' "$OUT/list-color.txt" >"$OUT/list-color.stripped"
no_escape "$OUT/list-color.stripped" "list table (colours removed)"
[ "$(wc -L <"$OUT/list-color.stripped")" -le 80 ] || fail "a table line is wider than 80 columns"
[ "$(wc -l <"$OUT/list-color.stripped")" = 13 ] || fail "the 80-column table is not 13 lines"
LC_ALL=C grep -qaF $'\e' "$OUT/list-tsv.out" && fail "an escape in TSV into a pipe (colour?)"

step "dirs and configs in every format, names exact in --json"
want_dirs=$(api '/api/v1/beta/directories?page_size=100' | jq -cS '[.items[] | {id, name}] | sort_by(.id)')
want_cfgs=$(api '/api/v1/beta/configurations?page_size=100' |
    jq -cS '[.items[] | select(.product_type == "parse_v2" or .product_type == "extract_v2") | {id, name}] | sort_by(.id)')
jq -e 'any(.[]; .name | test("\u001b"))' <<<"$want_cfgs" >/dev/null ||
    fail "no configuration name with an escape (--hostile-strings)"
for what in dirs configs; do
    want=$want_dirs
    [ $what = configs ] && want=$want_cfgs
    n=$(jq length <<<"$want")
    bt $what-json $what --json
    expect_rc 0 "$what --json"
    bt $what-jsonl $what --jsonl
    expect_rc 0 "$what --jsonl"
    bt $what-csv $what --csv
    expect_rc 0 "$what --csv"
    read_all json:$what-json jsonl:$what-jsonl csv:$what-csv
    same "$what --json names" "$(jq -cS '[.[] | {id, name}] | sort_by(.id)' "$OUT/$what-json.out.j")" "$want"
    same "$what --jsonl names" "$(jq -cS '[.[] | {id, name}] | sort_by(.id)' "$OUT/$what-jsonl.out.j")" "$want"
    same "$what --csv names" "$(jq -cS '[.[1:][] | {id: .[0], name: .[1]}] | sort_by(.id)' "$OUT/$what-csv.out.j")" "$want"
    bt $what-tsv $what
    expect_rc 0 "$what (TSV)"
    same "$what TSV IDs" "$(tail -n +2 "$OUT/$what-tsv.out" | cut -f1 | sort)" "$(jq -r '.[].id' <<<"$want" | sort)"
    [ "$(wc -l <"$OUT/$what-tsv.out")" = $((n + 1)) ] || fail "$what TSV: not one line per row"
    TTY_ENV='COLUMNS=200 NO_COLOR=1' bt_tty $what-table $what
    expect_rc 0 "$what (table)"
    no_escape "$OUT/$what-table.txt" "$what table"
    [ "$(wc -l <"$OUT/$what-table.txt")" = $((n + 1)) ] || fail "$what table: not one line per row"
    head -n 1 "$OUT/$what-table.txt" | grep -qE '^ID +NAME +TYPE' || fail "$what table header"
done
bt configs-extract configs --type extract_v2 --ids 2>/dev/null
expect_rc 2 "configs --ids (not an option of configs)"
bt configs-extract configs --type extract_v2 --json
expect_rc 0 "configs --type extract_v2"
same "configs --type extract_v2" "$(jq -r '.[].id' "$OUT/configs-extract.out" | sort)" \
    "$(api '/api/v1/beta/configurations?page_size=100' | jq -r '.items[] | select(.product_type == "extract_v2") | .id' | sort)"

# a COMPLETED parse batch and an extract one, whose files have escapes in their names
pick() {
    local t=$1 b
    for b in $(jq -r --arg t "$t" '.[] | select(.status == "COMPLETED" and .config.job.type == $t) | .id' <<<"$api_batches"); do
        if sim_jobs "$b" | jq -e 'any(.[]; .name | test("\u001b")) and any(.[]; .status == "COMPLETED")' >/dev/null; then
            echo "$b"
            return
        fi
    done
}
bat=$(pick parse_v2)
[ -n "$bat" ] || fail "no COMPLETED parse batch with an escape in a file name"
truth=$(sim_jobs "$bat")
nfiles=$(jq length <<<"$truth")

step "get $bat: every format, counts as the simulator's jobs"
want_counts=$(jq -c '{PENDING: 0, RUNNING: 0, COMPLETED: 0, FAILED: 0, CANCELLED: 0, NO_JOB: 0} +
    (group_by(.status) | map({key: (if .[0].status == "NONE" then "NO_JOB" else .[0].status end), value: length}) | from_entries)' <<<"$truth")
bt get-tsv get "$bat"
expect_rc 0 "get"
same "get TSV" "$(awk -F'\t' '$1 == "ID" || $1 == "STATUS" || $1 == "FILES" || $1 == "COMPLETED" || $1 == "FAILED" || $1 == "NO_JOB"' "$OUT/get-tsv.out")" \
    "$(printf 'ID\t%s\nSTATUS\tCOMPLETED\nFILES\t%s\nCOMPLETED\t%s\nFAILED\t%s\nNO_JOB\t%s' "$bat" "$nfiles" \
        "$(jq .COMPLETED <<<"$want_counts")" "$(jq .FAILED <<<"$want_counts")" "$(jq .NO_JOB <<<"$want_counts")")"
bt get-json get "$bat" --json
expect_rc 0 "get --json"
bt get-jsonl get "$bat" --jsonl
expect_rc 0 "get --jsonl"
bt get-csv get "$bat" --csv
expect_rc 0 "get --csv"
read_all json:get-json jsonl:get-jsonl csv:get-csv
doc=$(J get-json)
same "get --json batch" "$(jq -cS '{id, project_id, source_directory_id, status, created_at, updated_at, config}' <<<"$doc")" \
    "$(jq -c --arg b "$bat" '.[] | select(.id == $b)' <<<"$api_batches")"
same "get --json counts" "$(jq -cS '.file_counts_by_job_status' <<<"$doc")" "$(jq -cS . <<<"$want_counts")"
same "get --json file_count" "$(jq .file_count <<<"$doc")" "$nfiles"
same "get --jsonl" "$(J get-jsonl | jq -r 'length, .[0].id')" "$(printf '1\n%s' "$bat")"
doc=$(J get-csv)
same "get --csv" "$(jq -c '[length, .[0][0:2], .[1][0:2], (.[0] | index("FILES")) as $i | .[1][$i]]' <<<"$doc")" \
    "[2,[\"ID\",\"STATUS\"],[\"$bat\",\"COMPLETED\"],\"$nfiles\"]"
TTY_ENV='NO_COLOR=1' bt_tty get-table get "$bat"
expect_rc 0 "get (table)"
no_escape "$OUT/get-table.txt" "get table"
grep -qE "^ID +$bat\$" "$OUT/get-table.txt" || fail "get table: no ID line"
grep -qE "^FILES +$nfiles\$" "$OUT/get-table.txt" || fail "get table: no FILES $nfiles line"

step "results $bat: file names exact in --json, CSV and JSONL; nothing raw on a terminal"
bt res-json results "$bat" --json
expect_rc 0 "results --json"
bt res-jsonl results "$bat" --jsonl
expect_rc 0 "results --jsonl"
bt res-csv results "$bat" --csv
expect_rc 0 "results --csv"
bt res-failed results "$bat" --failed --csv
expect_rc 0 "results --failed"
read_all json:res-json jsonl:res-jsonl csv:res-csv csv:res-failed
doc=$(J res-json)
same "results --json = the simulator's files, jobs and statuses" \
    "$(jq -c '[.[] | {file_id: .source_directory_file_id, name: .file_name, job_id: .job_reference.id,
        status: (if .job_reference.id then .job_status else "NONE" end)}] | sort_by(.file_id)' <<<"$doc")" "$truth"
doc=$(J res-jsonl)
same "results --jsonl names" "$(jq -c '[.[] | {file_id: .source_directory_file_id, name: .file_name}] | sort_by(.file_id)' <<<"$doc")" \
    "$(jq -c '[.[] | {file_id, name}]' <<<"$truth")"
doc=$(J res-csv)
same "results --csv header" "$(jq -c '.[0]' <<<"$doc")" '["FILE","FILE_ID","JOB_ID","JOB_STATUS","ERROR"]'
# a pipe gets the names as sent: CR, BEL, ESC and all, quoted where CSV needs it
same "results --csv names round-trip" \
    "$(jq -c '[.[1:][] | {file_id: .[1], name: .[0], job_id: (if .[2] == "" then null else .[2] end), status: .[3]}] | sort_by(.file_id)' <<<"$doc")" \
    "$truth"
bt res-tsv results "$bat"
expect_rc 0 "results (TSV)"
[ "$(wc -l <"$OUT/res-tsv.out")" = $((nfiles + 1)) ] || fail "results TSV: not one line per file"
awk -F'\t' 'NF != 5 { exit 1 }' "$OUT/res-tsv.out" || fail "results TSV: a row has not 5 fields"
same "results TSV file IDs and statuses" "$(tail -n +2 "$OUT/res-tsv.out" | cut -f2,4 | sort)" \
    "$(jq -r '.[] | .file_id + "\t" + .status' <<<"$truth" | sort)"
TTY_ENV='NO_COLOR=1 COLUMNS=120' bt_tty res-table results "$bat"
expect_rc 0 "results (table)"
no_escape "$OUT/res-table.txt" "results table"
[ "$(wc -l <"$OUT/res-table.txt")" = $((nfiles + 1)) ] || fail "results table: not one line per file"
TTY_ENV='COLUMNS=120' bt_tty res-color results "$bat"
sed -E $'s/\e\\[(0|1|31|32|33|36)m//g' "$OUT/res-color.txt" >"$OUT/res-color.stripped"
no_escape "$OUT/res-color.stripped" "results table (colours removed)"
same "results --failed: the failed jobs and unmapped files" \
    "$(J res-failed | jq -r '.[1:][][1]' | sort)" \
    "$(jq -r '.[] | select(.status == "FAILED" or .status == "NONE") | .file_id' <<<"$truth" | sort)"

step "output: the markdown as sent into a pipe and to a file, sanitized on a terminal"
row=$(jq -c '[.[] | select(.status == "COMPLETED" and (.name | test("\u001b")))][0] // [.[] | select(.status == "COMPLETED")][0]' <<<"$truth")
file=$(jq -r .file_id <<<"$row")
job=$(jq -r .job_id <<<"$row")
name=$(jq -r .name <<<"$row")
sent=$(api "/api/v2/parse/$job?expand=markdown_full&expand=text_full")
jq -j .markdown_full <<<"$sent" >"$OUT/want.md"
jq -j .text_full <<<"$sent" >"$OUT/want.txt"
[ -s "$OUT/want.md" ] || fail "the simulator sent no markdown for $job"
bt out-md output "$bat" "$file"
expect_rc 0 "output BATCH FILE"
cmp -s "$OUT/out-md.out" "$OUT/want.md" || fail "output into a pipe is not the markdown as sent"
bt out-name output "$bat" "$name" --text
expect_rc 0 "output BATCH NAME --text (a name with an escape)"
cmp -s "$OUT/out-name.out" "$OUT/want.txt" || fail "output --text is not the text as sent"
bt out-json output "$bat" "$file" --json
expect_rc 0 "output --json"
read_all json:out-json
doc=$(J out-json)
same "output --json markdown" "$(jq -c '[.job_id, .status, .markdown, .text]' <<<"$doc")" \
    "$(jq -c --arg j "$job" '[$j, .job.status, .markdown_full, .text_full]' <<<"$sent")"
bt out-job output "$job"
expect_rc 0 "output JOB_ID"
cmp -s "$OUT/out-job.out" "$OUT/want.md" || fail "output JOB_ID is not the markdown as sent"
TTY_ENV='NO_COLOR=1' bt_tty out-tty output "$bat" "$file"
expect_rc 0 "output on a terminal"
no_escape "$OUT/out-tty.txt" "output on a terminal"
grep -q '^## Page 1$' "$OUT/out-tty.txt" || fail "output on a terminal lost the document"
[ "$(wc -l <"$OUT/out-tty.txt")" -ge "$(grep -c '' "$OUT/want.md")" ] || fail "output on a terminal lost lines"
TTY_ENV='NO_COLOR=1' bt_tty out-tty-json output "$bat" "$file" --json
expect_rc 0 "output --json on a terminal"
no_escape "$OUT/out-tty-json.txt" "output --json on a terminal"
cp "$OUT/out-tty-json.txt" "$OUT/out-tty-json2.out"
read_all json:out-tty-json2
same "output --json on a terminal reads the same" "$(J out-tty-json2 | jq -c .markdown)" \
    "$(jq -c .markdown_full <<<"$sent")"

step "output -o FILE: written whole; a symlink there is replaced, never written through"
bt out-o output "$bat" "$file" -o "$E2E_TMP/doc.md"
expect_rc 0 "output -o"
cmp -s "$E2E_TMP/doc.md" "$OUT/want.md" || fail "output -o did not write the markdown as sent"
[ -s "$OUT/out-o.out" ] && fail "output -o also wrote to stdout"
echo precious >"$E2E_TMP/target"
ln -s "$E2E_TMP/target" "$E2E_TMP/link.md"
bt out-link output "$bat" "$file" --output "$E2E_TMP/link.md"
expect_rc 0 "output -o over a symlink"
[ "$(cat "$E2E_TMP/target")" = precious ] || fail "output -o wrote through the symlink"
[ -L "$E2E_TMP/link.md" ] && fail "output -o left the symlink in place"
cmp -s "$E2E_TMP/link.md" "$OUT/want.md" || fail "output -o over a symlink did not write the file"
ls "$E2E_TMP" | grep -q '^link\.md\.' && fail "output -o left a temporary file"
bt out-none output "$bat" "no such file.pdf"
expect_rc 1 "output of a file not in the batch"
grep -qF "has no file 'no such file.pdf'" "$OUT/out-none.err" || fail "output: no word about the missing file"

step "output of an extract job: the result exactly as sent (a 30-digit number too)"
ebat=$(pick extract_v2)
[ -n "$ebat" ] || fail "no COMPLETED extract batch"
ejob=$(sim_jobs "$ebat" | jq -r '[.[] | select(.status == "COMPLETED")][0].job_id')
api "/api/v2/extract/$ejob" >"$OUT/want-extract.out"
bt out-ext output "$ejob" --json
expect_rc 0 "output EXTRACT_JOB --json"
read_all json:out-ext json:want-extract
same "output extract = the result" "$(J out-ext | jq -cS .)" \
    "$(J want-extract | jq -cS '.result // .extract_result // .data')"
big=$(grep -oE "[0-9]{25,}" "$OUT/want-extract.out" | head -n 1)
if [ -n "$big" ]; then
    grep -qF "$big" "$OUT/out-ext.out" || fail "the ${#big}-digit number was not written as sent"
fi
bt out-ext-md output "$ejob" --markdown
expect_rc 2 "output --markdown of an extract job"

step "create, cancel and wait in every format"
thousand=$(dir_id thousand)
[ -n "$thousand" ] || fail "no 'thousand' directory"
# fmt_opt FMT: the option of a format (none for the table and TSV)
fmt_opt() {
    case $1 in tsv|table) ;; *) echo "--$1" ;; esac
}
# run_fmt FMT NAME ARGS...: a run in that format (the table on a pseudo-terminal; its text
# without the progress line's own \r ESC[K then in NAME.out like a pipe's)
run_fmt() {
    local fmt=$1 name=$2
    shift 2
    if [ "$fmt" = table ]; then
        TTY_ENV='NO_COLOR=1 COLUMNS=250' bt_tty "$name" "$@"
        sed -E $'s/\r?\e\\[K//g' "$OUT/$name.txt" >"$OUT/$name.out"
    else
        bt "$name" "$@" $(fmt_opt "$fmt")
    fi
}
# each batch is cancelled (in another format) as soon as it is made, long before it could end
cfmts=(tsv json jsonl csv table)
fmts=(csv table jsonl tsv json)
made=()
for i in 0 1 2 3 4; do
    fmt=${cfmts[$i]}
    run_fmt $fmt create-$fmt create --directory "$thousand" --type parse_v2 --config cfg-PARSE_AGENTIC
    expect_rc 0 "create ($fmt)"
    id=$(grep -oE 'bat-[0-9a-f-]{36}' "$OUT/create-$fmt.out" | head -n 1)
    [ -n "$id" ] || fail "create ($fmt) printed no batch ID: $(head -c 300 "$OUT/create-$fmt.out")"
    made+=("$id")
    run_fmt ${fmts[$i]} cancel-${fmts[$i]} cancel "$id"
    expect_rc 0 "cancel (${fmts[$i]})"
done
no_escape "$OUT/create-table.out" "create on a terminal"
read_all json:create-json jsonl:create-jsonl csv:create-csv json:cancel-json jsonl:cancel-jsonl csv:cancel-csv
for i in 0 1 2 3 4; do
    fmt=${cfmts[$i]}
    case $fmt in
    tsv|table)
        [ "$(wc -l <"$OUT/create-$fmt.out")" = 1 ] || fail "create ($fmt) did not print one line"
        id=$(cat "$OUT/create-$fmt.out") ;;
    json) id=$(J create-json | jq -r .id) ;;
    jsonl) id=$(J create-jsonl | jq -r 'if length == 1 then .[0].id else "" end') ;;
    csv) id=$(J create-csv | jq -r 'if length == 2 and .[0][0] == "ID" then .[1][0] else "" end') ;;
    esac
    same "create ($fmt) prints the batch ID" "$id" "${made[$i]}"
    [ "$(api "/api/v2/batches/$id" | jq -r '.source_directory_id + " " + .config.job.configuration_id')" = \
        "$thousand cfg-PARSE_AGENTIC" ] || fail "create ($fmt): $id is not the batch asked for"
done
same "5 creates, 5 new batches" "$(sim_ids)" "$(printf '%s\n' $ids "${made[@]}" | sort)"
for i in 0 1 2 3 4; do
    fmt=${fmts[$i]}
    case $fmt in
    tsv) got=$(tail -n +2 "$OUT/cancel-tsv.out" | cut -f1) ;;
    table) got=$(tail -n +2 "$OUT/cancel-table.out" | awk '{print $1}') ;;
    json) got=$(J cancel-json | jq -r '.[].id') ;;
    jsonl) got=$(J cancel-jsonl | jq -r '.[].id') ;;
    csv) got=$(J cancel-csv | jq -r '.[1:][][0]') ;;
    esac
    same "cancel ($fmt) names the batch" "$got" "${made[$i]}"
done
fmts=(jsonl tsv json csv table)
for i in 0 1 2 3 4; do
    run_fmt ${fmts[$i]} wait-${fmts[$i]} wait "${made[$i]}" --refresh 2 --timeout 30
    expect_rc 3 "wait (${fmts[$i]}) on a CANCELLED batch"
    [ "$(sim_status "${made[$i]}")" = CANCELLED ] || fail "the simulator says ${made[$i]} is $(sim_status "${made[$i]}")"
done
read_all json:wait-json jsonl:wait-jsonl
for i in 0 1 2 3 4; do
    fmt=${fmts[$i]} id=${made[$i]}
    case $fmt in
    tsv|table) grep -qE "^$id CANCELLED" "$OUT/wait-$fmt.out" ||
        fail "wait ($fmt): no final CANCELLED line: $(cat -v "$OUT/wait-$fmt.out")" ;;
    json) same "wait --json" "$(J wait-json | jq -r '.[] | .id + " " + .status + " " + .wait_outcome')" "$id CANCELLED unfinished" ;;
    jsonl) same "wait --jsonl" "$(J wait-jsonl | jq -r '.[] | .id + " " + .status')" "$id CANCELLED" ;;
    csv)
        reader "csv:$OUT/wait-csv.out" 2>/dev/null ||
            fail "wait --csv printed no CSV: $(head -c 200 "$OUT/wait-csv.out")"
        same "wait --csv" "$(J wait-csv | jq -r '.[1:][] | .[0] + " " + .[1] + " " + .[6]')" "$id CANCELLED unfinished" ;;
    esac
done
bt cancel-again cancel "${made[0]}"
expect_rc 1 "cancel of a batch that has ended"
grep -qF "had already finished" "$OUT/cancel-again.err" || fail "cancel of an ended batch: no word why"

step "usage errors and a missing key: exit 2, one line, before any request"
n0=$(sim_settle)
for args in "list --bogus" "list --status NOPE" "list --limit 0" "wait" "wait --timeout soon bat-x" \
    "get" "get bat-a bat-b" "results bat-x --status DONE" "output bat-x f --csv" "create --directory d" \
    "create --directory d --type pdf --config c" "list --json --csv" "dirs extra" "get 'bat x'" \
    "help nosuch" "cancel --jobs bat-x" "list --refresh 0"; do
    eval "bt usage $args"
    expect_rc 2 "batchtop $args"
    [ "$(wc -l <"$OUT/usage.err")" = 1 ] || fail "batchtop $args: not one line on stderr: $(cat "$OUT/usage.err")"
    grep -q '^batchtop ' "$OUT/usage.err" || fail "batchtop $args: the error does not say who speaks"
    [ -s "$OUT/usage.out" ] && fail "batchtop $args: wrote to stdout"
done
for sub in "list" "get bat-x" "wait bat-x" "create --directory d --type parse_v2 --config c" "dirs"; do
    for empty in unset empty; do
        if [ $empty = unset ]; then
            env -u LLAMA_CLOUD_API_KEY "$BATCHTOP" $sub --base-url "$SIM_URL" >"$OUT/nokey.out" 2>"$OUT/nokey.err" </dev/null
        else
            LLAMA_CLOUD_API_KEY= "$BATCHTOP" $sub --base-url "$SIM_URL" >"$OUT/nokey.out" 2>"$OUT/nokey.err" </dev/null
        fi
        RC=$?
        expect_rc 2 "batchtop $sub with the key $empty"
        grep -qF LLAMA_CLOUD_API_KEY "$OUT/nokey.err" || fail "batchtop $sub without a key does not name LLAMA_CLOUD_API_KEY"
    done
done
n1=$(sim_settle)
[ "$n1" = $((n0 + 1)) ] || fail "usage errors and missing keys made $((n1 - n0 - 1)) request(s)"

step "help: every subcommand, and the exit codes"
"$BATCHTOP" help >"$OUT/help.out" 2>&1 || fail "batchtop help failed"
for s in list get results output create cancel wait dirs configs; do
    grep -qE "^  $s " "$OUT/help.out" || fail "batchtop help does not list $s"
    "$BATCHTOP" help $s >"$OUT/help-$s.out" 2>&1 || fail "batchtop help $s failed"
    grep -q "^Usage: batchtop $s" "$OUT/help-$s.out" || fail "batchtop help $s has no usage line"
done
grep -q '130 interrupted' "$OUT/help.out" || fail "batchtop help does not give the exit codes"

step "CSV and TSV of names with commas, quotes and line breaks (a canned server)"
C=$E2E_TMP/canned
mkdir -p "$C"
names='["plain.pdf","a, b.pdf","say \"hi\".pdf","two\nlines.pdf","cr\r\nlf.pdf"," lead and trail ","\",\"\n,\"\""]'
n=$(jq length <<<"$names")
jq -c '{items: [to_entries[] | {id: ("dfl-c" + (.key | tostring)), display_name: .value,
    created_at: "2026-01-01T00:00:00Z"}], next_page_token: null}' <<<"$names" \
    >"$C/GET_api_v1_beta_directories_dir-canned_files.json"
jq -c '{items: [to_entries[] | {id: ("dir-c" + (.key | tostring)), name: .value, type: "user",
    created_at: "2026-01-01T00:00:00Z"}], next_page_token: null}' <<<"$names" \
    >"$C/GET_api_v1_beta_directories.json"
jq -c '{id: "bat-canned", project_id: "p", source_directory_id: "dir-canned", status: "COMPLETED",
    created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:01:00Z",
    config: {job: {type: "parse_v2", configuration_id: "cfg-c"}},
    results: [to_entries[] | {source_directory_file_id: ("dfl-c" + (.key | tostring)),
        job_reference: {type: "parse_v2", id: ("pjb-c" + (.key | tostring))},
        error_message: null}]}' <<<"$names" >"$C/GET_api_v2_batches_bat-canned.json"
jq -c '{items: [to_entries[] | {id: ("pjb-c" + (.key | tostring)), status: "FAILED",
    error_message: ("error, \"" + .value + "\"\nsecond line"), created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:30Z"}], next_page_token: null}' <<<"$names" >"$C/GET_api_v2_parse.json"
"$TOP_BUILDDIR/tests/canned-server" "$C" >"$E2E_TMP/canned.out" 2>"$E2E_TMP/canned.err" &
CANNED_PID=$!
trap 'kill "$CANNED_PID" 2>/dev/null; wait "$CANNED_PID" 2>/dev/null; e2e_cleanup' EXIT
deadline=$(( $(now_ms) + 10000 ))
until line=$(head -n 1 "$E2E_TMP/canned.out" 2>/dev/null) && [ "${line#listening on }" != "$line" ]; do
    kill -0 "$CANNED_PID" 2>/dev/null || fail "canned-server exited"
    [ "$(now_ms)" -lt "$deadline" ] || fail "canned-server did not start within 10 s"
    sleep 0.05
done
REAL_SIM_URL=$SIM_URL
SIM_URL=${line#listening on }
bt canned-dirs dirs --csv
expect_rc 0 "dirs --csv (canned)"
bt canned-res results bat-canned --csv
expect_rc 0 "results --csv (canned)"
bt canned-json results bat-canned --json
expect_rc 0 "results --json (canned)"
read_all csv:canned-dirs csv:canned-res json:canned-json
same "dirs --csv round-trips names with commas, quotes and line breaks" \
    "$(J canned-dirs | jq -c '[.[1:][][1]]')" "$(jq -c . <<<"$names")"
doc=$(J canned-res)
same "results --csv round-trips file names" "$(jq -c '[.[1:][][0]]' <<<"$doc")" "$(jq -c . <<<"$names")"
same "results --csv round-trips job errors" "$(jq -c '[.[1:][][4]]' <<<"$doc")" \
    "$(jq -c '[.[] | "error, \"" + . + "\"\nsecond line"]' <<<"$names")"
same "results --json names" "$(J canned-json | jq -c '[.[].file_name]')" "$(jq -c . <<<"$names")"
bt canned-tsv results bat-canned
expect_rc 0 "results TSV (canned)"
[ "$(wc -l <"$OUT/canned-tsv.out")" = $((n + 1)) ] || fail "results TSV: a line break in a name split a row"
awk -F'\t' 'NF != 5 { exit 1 }' "$OUT/canned-tsv.out" || fail "results TSV (canned): a row has not 5 fields"
TTY_ENV='NO_COLOR=1 COLUMNS=200' bt_tty canned-table results bat-canned
expect_rc 0 "results table (canned)"
[ "$(wc -l <"$OUT/canned-table.txt")" = $((n + 1)) ] || fail "results table: a line break in a name split a row"
no_escape "$OUT/canned-table.txt" "results table (canned)"
SIM_URL=$REAL_SIM_URL

step "the key is in no output, no log and not in the cache"
[ -n "$(ls "$XDG_CACHE_HOME"/batchtop/*.json 2>/dev/null)" ] || fail "list wrote no snapshot under XDG_CACHE_HOME"
key_never_shown
echo PASS
