#!/bin/bash
# upload.sh -- `batchtop create --from PATH` (issue 17) against a live simulator: a folder of
# 120 files (Unicode and spaces in names, a subfolder, one unreadable, one hidden) uploaded,
# the client killed (SIGKILL) half-way and started again: every readable file in the directory
# exactly once with the right size and SHA-256 (the simulator's own record), the unreadable one
# named, one batch; --wait to COMPLETED and `results` shows the local names. Then: a file
# changed since its upload goes again and the old entry is reported; more than 1,000 files and
# an empty folder stop before any upload (exit 2); under --fail-rate 0.3
# --ambiguous-create-rate 0.3 every file lands exactly once and one batch is made.
. "${TOP_SRCDIR:-.}/tests/e2e/clilib.sh"

urlenc() {
    jq -rn --arg v "$1" '$v | @uri'
}

# dirs_named NAME: the IDs of the directories called NAME.
dirs_named() {
    api "/api/v1/beta/directories?page_size=1000&name=$(urlenc "$1")" | jq -r '.items[].id'
}

# entries DIR: the directory's live entries as "display_name<TAB>unique_id" lines, sorted.
entries() {
    api "/api/v1/beta/directories/$1/files?page_size=1000" |
        jq -r '.items[] | select(.deleted_at == null) | [.display_name, .unique_id] | @tsv' | LC_ALL=C sort
}

# state_entries DIR: what the simulator stored, "display_name<TAB>size<TAB>sha256" lines, sorted.
state_entries() {
    curl -sS --max-time 10 "$SIM_URL/_sim/state" |
        jq -r --arg d "$1" '[.uploads // [] | .[] | select(.directory_id == $d)
            | select(.deleted_at == null)] | .[] | [.display_name, (.size | tostring), .sha256] | @tsv' |
        LC_ALL=C sort
}

# local_truth DIR: the readable files under DIR as "relpath<TAB>sha256" lines, sorted (what
# the directory must hold); with sizes when asked (local_truth DIR sizes).
local_truth() {
    (cd "$1" && find . -type f ! -name '.*' -readable -print0 | sort -z |
        while IFS= read -r -d '' f; do
            f=${f#./}
            if [ "${2:-}" = sizes ]; then
                printf '%s\t%s\t%s\n' "$f" "$(stat -c %s "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
            else
                printf '%s\t%s\n' "$f" "$(sha256sum <"$f" | cut -d' ' -f1)"
            fi
        done) | LC_ALL=C sort
}

# batches_over DIR: the IDs of the batches over directory DIR.
batches_over() {
    api "/api/v2/batches?page_size=1000&source_directory_id=$1" | jq -r '.items[].id'
}

# uploads_seen: how many uploads the simulator (-v) has logged so far.
uploads_seen() {
    sim_settle >/dev/null
    grep -c 'POST .*/files/upload' "$E2E_TMP/sim.err" || true
}

# check_folder SRC NAME WHAT: the directory NAME holds each readable file of SRC exactly once
# (display_name = its path under SRC, unique_id = its SHA-256), and the simulator stored each
# with that size and SHA-256.
check_folder() {
    local d want got
    d=$(dirs_named "$2")
    [ "$(grep -c . <<<"$d")" = 1 ] || fail "$3: directories called '$2': $(echo $d)"
    want=$(local_truth "$1")
    got=$(entries "$d")
    same "$3: the directory's entries (display_name, unique_id)" "$got" "$want"
    if curl -sS --max-time 10 "$SIM_URL/_sim/state" | jq -e '.uploads' >/dev/null; then
        same "$3: what the simulator stored (name, size, sha256)" "$(state_entries "$d")" \
            "$(local_truth "$1" sizes)"
    fi
    echo "$d"
}

TODAY=$(date +%F)
SRC=$E2E_TMP/scans
mkdir -p "$SRC/sub/deeper"
for i in $(seq -w 1 110); do
    head -c $(( (10#$i * 7919) % 30000 + 1 )) /dev/urandom >"$SRC/page $i.pdf"
done
printf 'résumé\n' >"$SRC/résumé final.txt"
printf 'nihongo\n' >"$SRC/日本語 ファイル.txt"
printf 'emoji\n' >"$SRC/📄 report (v2).md"
printf 'quote\n' >"$SRC/it's \"quoted\".txt"
head -c 200000 /dev/urandom >"$SRC/sub/large scan.pdf"
printf 'inner\n' >"$SRC/sub/inner file.txt"
printf 'deep\n' >"$SRC/sub/deeper/x.bin"
printf 'tab\n' >"$SRC/sub/deeper/Ünïcödé.txt"
printf 'z\n' >"$SRC/sub/zz.txt"
printf 'last\n' >"$SRC/zzz last.txt"
# the unreadable one: a broken link (chmod 000 does not stop root); a 000 file as well when not root
ln -s "$E2E_TMP/nowhere" "$SRC/broken link.pdf"
UNREADABLE="broken link.pdf"
if [ "$(id -u)" != 0 ]; then
    printf 'secret\n' >"$SRC/locked.pdf"
    chmod 000 "$SRC/locked.pdf"
fi
printf 'hidden\n' >"$SRC/.DS_Store"
READABLE=$(local_truth "$SRC" | grep -c .)
[ "$READABLE" = 120 ] || fail "the test folder holds $READABLE readable files, not 120"
NAME="scans $TODAY"

sim_start --seed 7 --speed 40 --page-size-max 1000 --rtt 50 -v

step "usage errors and refusals exit 2 before anything is sent"
bt u1 create --from "$SRC" --directory dir-x --type parse_v2 --config cfg-PARSE_AGENTIC
expect_rc 2 "--from with --directory"
bt u2 create --from "$SRC" --type parse_v2
expect_rc 2 "--from without --config"
bt u3 create --from "$SRC" --type parse_v2 --config cfg-PARSE_AGENTIC --readonly
expect_rc 2 "create --from --readonly"
bt u4 create --directory dir-x --type parse_v2 --config cfg-PARSE_AGENTIC --hidden
expect_rc 2 "--hidden without --from"
bt u5 create --from "$E2E_TMP/none" --type parse_v2 --config cfg-PARSE_AGENTIC
expect_rc 2 "--from a path that does not exist"
bt u6 help create
expect_rc 0 "help create"
for o in --from --ephemeral --hidden --yes --name --no-batch; do
    grep -q -- "$o" "$OUT/u6.out" || fail "help create does not name $o"
done
mkdir -p "$E2E_TMP/empty"
bt empty create --from "$E2E_TMP/empty" --type parse_v2 --config cfg-PARSE_AGENTIC
expect_rc 2 "an empty folder"
grep -q 'nothing to upload' "$OUT/empty.err" || fail "an empty folder: $(cat "$OUT/empty.err")"
mkdir -p "$E2E_TMP/many"
(cd "$E2E_TMP/many" && seq -f 'f%04g.txt' 1 1001 | xargs touch)
before=$(uploads_seen)
bt many create --from "$E2E_TMP/many" --type parse_v2 --config cfg-PARSE_AGENTIC
expect_rc 2 "1,001 files without --yes"
grep -q '1,000' "$OUT/many.err" || fail "1,001 files: the limit is not named: $(cat "$OUT/many.err")"
same "uploads after the refusals" "$(uploads_seen)" "$before"
[ -z "$(dirs_named "many $TODAY")" ] || fail "1,001 files: a directory was made"

step "a first run killed half-way (SIGKILL), then started again: each file once, one batch"
LLAMA_CLOUD_API_KEY=$KEY "$BATCHTOP" create --from "$SRC" --type parse_v2 \
    --config cfg-PARSE_AGENTIC --base-url "$SIM_URL" --log "$OUT/r1.log" \
    >"$OUT/r1.out" 2>"$OUT/r1.err" </dev/null &
pid=$!
deadline=$(( $(now_ms) + 30000 ))
while :; do
    d=$(dirs_named "$NAME")
    k=0
    [ -n "$d" ] && k=$(entries "$d" | grep -c . || true)
    [ "$k" -ge 10 ] && [ "$k" -lt 100 ] && break
    kill -0 "$pid" 2>/dev/null || fail "the first run ended before it could be killed ($k files): $(cat "$OUT/r1.err")"
    [ "$(now_ms)" -lt "$deadline" ] || fail "the first run did not upload 10 files in 30 s"
    sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
step "killed after $k of 120 files"
[ -z "$(batches_over "$d")" ] || fail "a batch exists before the run that should make it"
bt r2 create --from "$SRC" --type parse_v2 --config cfg-PARSE_AGENTIC
expect_rc 0 "the second run"
bat=$(cat "$OUT/r2.out")
[[ $bat == bat-* ]] || fail "the second run printed '$bat', not a batch ID"
grep -qF "$UNREADABLE" "$OUT/r2.err" || fail "the unreadable file is not named: $(cat "$OUT/r2.err")"
grep -q '1 hidden file' "$OUT/r2.err" || fail "the hidden file skipped is not said: $(cat "$OUT/r2.err")"
grep -qE '[0-9]+ files? uploaded, [0-9]+ already there' "$OUT/r2.err" ||
    fail "no summary on stderr: $(cat "$OUT/r2.err")"
d=$(check_folder "$SRC" "$NAME" "after the resumed run")
same "the batches over the directory" "$(batches_over "$d")" "$bat"

step "--wait on the same folder: the batch already there, waited to COMPLETED; results name the files"
bt r3 create --from "$SRC" --type parse_v2 --config cfg-PARSE_AGENTIC --wait --timeout 60s
expect_rc 0 "create --from --wait"
grep -q "already created: $bat" "$OUT/r3.err" || fail "the third run did not find $bat: $(cat "$OUT/r3.err")"
same "the batches over the directory after --wait" "$(batches_over "$d")" "$bat"
[ "$(sim_status "$bat")" = COMPLETED ] || fail "$bat is $(sim_status "$bat"), not COMPLETED"
bt res results "$bat" --json
expect_rc 0 "results"
read_all json:res
got=$(J res | jq -r '.[] | .file_name // .display_name // .name' | LC_ALL=C sort)
same "results name the local files" "$got" "$(local_truth "$SRC" | cut -f1)"

step "a file changed since its upload goes again under its new hash; the old entry is named"
CH=$E2E_TMP/changing
mkdir -p "$CH"
for i in 1 2 3 4 5; do printf 'v1 %s\n' "$i" >"$CH/doc $i.txt"; done
bt c1 create --from "$CH" --no-batch
expect_rc 0 "--no-batch upload"
cd_id=$(cat "$OUT/c1.out")
[[ $cd_id == dir-* ]] || fail "--no-batch printed '$cd_id', not a directory ID"
[ -z "$(batches_over "$cd_id")" ] || fail "--no-batch made a batch"
old=$(api "/api/v1/beta/directories/$cd_id/files?page_size=1000" |
    jq -r '.items[] | select(.display_name == "doc 3.txt") | .id')
printf 'v2, longer now\n' >"$CH/doc 3.txt"
bt c2 create --from "$CH" --no-batch
expect_rc 0 "the upload after a change"
grep -q "doc 3.txt changed since it was uploaded.*$old" "$OUT/c2.err" ||
    fail "the old entry $old is not reported: $(cat "$OUT/c2.err")"
grep -q '1 file uploaded, 4 already there' "$OUT/c2.err" || fail "not 1 sent, 4 there: $(cat "$OUT/c2.err")"
got=$(entries "$cd_id" | grep -c 'doc 3.txt')
same "entries of doc 3.txt (the old one kept, the new one added)" "$got" 2
entries "$cd_id" | grep -qF "doc 3.txt	$(sha256sum <"$CH/doc 3.txt" | cut -d' ' -f1)" ||
    fail "doc 3.txt's new hash is not in the directory"

step "the progress line on a terminal"
printf 'v3\n' >"$CH/doc 5.txt"
bt_tty c3 create --from "$CH" --no-batch
expect_rc 0 "--no-batch on a terminal"
grep -q 'upload:' "$OUT/c3.txt" || fail "no progress line on the terminal: $(head -c 400 "$OUT/c3.txt")"
# the progress line's own \r ESC[K are the only escapes
sed -E $'s/\r?\e\\[K//g' "$OUT/c3.txt" >"$OUT/c3.stripped"
no_escape "$OUT/c3.stripped" "the progress line"

step "--fail-rate 0.3 --ambiguous-create-rate 0.3: each file once, one batch, however many runs"
sim_restart --seed 5 --speed 40 --page-size-max 1000 --fail-rate 0.3 --ambiguous-create-rate 0.3 -v
FA=$E2E_TMP/faulty
mkdir -p "$FA/part"
for i in $(seq -w 1 40); do head -c $(( 10#$i * 997 )) /dev/urandom >"$FA/file $i.bin"; done
for i in 1 2 3; do printf 'p%s\n' "$i" >"$FA/part/p$i.txt"; done
runs=0
while :; do
    runs=$((runs + 1))
    bt f$runs create --from "$FA" --type parse_v2 --config cfg-PARSE_AGENTIC
    [ "$RC" = 0 ] && break
    [ "$RC" = 1 ] || expect_rc 1 "a faulty run"
    [ "$runs" -lt 10 ] || fail "10 runs under faults and no batch: $(cat "$OUT/f$runs.err")"
done
step "$runs run(s) under faults"
fbat=$(cat "$OUT/f$runs.out")
curl -sS --max-time 5 -X POST "$SIM_URL/_sim/faults/off" >/dev/null
fd=$(check_folder "$FA" "faulty $TODAY" "under faults")
same "the batches over the directory under faults" "$(batches_over "$fd")" "$fbat"

step "the API key is in no output, log or cache"
key_never_shown
echo "PASS"
