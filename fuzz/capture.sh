#!/bin/sh
# capture.sh -- regenerate the seed corpora in fuzz/corpus/ from real batchtop-sim answers.
# Usage: fuzz/capture.sh BATCHTOP_SIM [OUTDIR]   (OUTDIR defaults to fuzz/corpus next to this file)
# Starts the simulator (fixed seed, once plain and once with --hostile-strings), asks it what
# batchtop asks, and writes each answer as a seed for the target that decodes it, prefixed
# with the target's selector bytes (see each fuzz/fuzz_*.c). Needs curl. Run it once and
# commit the small files; the seeds are also replayed by `make check` (tests/test_fuzz_*).
set -eu
sim=${1:?usage: capture.sh BATCHTOP_SIM [OUTDIR]}
out=${2:-$(cd "$(dirname "$0")" && pwd)/corpus}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
for t in decode errbody text url sim; do mkdir -p "$out/$t"; done

# save TARGET NAME PREFIX-OCTAL FILE: PREFIX bytes (printf octal escapes) then FILE
save() { { printf "$3"; cat "$4"; } >"$out/$1/$2"; }
get() {  # get PATH -> body in $tmp/b, status in $tmp/s
    curl -s -o "$tmp/b" -w '%{http_code}' -H 'Authorization: Bearer llx-sim' "$url$1" >"$tmp/s"
}
first() { grep -o "\"$1\":\"[^\"]*\"" "$tmp/b" | head -n 1 | sed 's/.*:"\(.*\)"/\1/'; }

for mode in plain hostile; do
    flags="--seed 7 --speed 50 --directories 2 --files-per-directory 4 --batches 12"
    [ $mode = hostile ] && flags="$flags --hostile-strings"
    # shellcheck disable=SC2086
    "$sim" --listen 127.0.0.1:0 $flags >"$tmp/out" 2>/dev/null &
    pid=$!
    i=0
    while ! grep -q '^project_id' "$tmp/out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    url=$(sed -n 's/^listening on //p' "$tmp/out")
    sleep 1 # let the pre-existing batches and their jobs advance at --speed 50

    get "/api/v2/batches?page_size=3"; save decode $mode-batch-page '\001' "$tmp/b"
    printf '\000/api/v2/batches?page_size=3\n' >"$out/sim/$mode-batch-list"
    printf '/api/v2/batches?page_size=3&page_token=%s\n' "$(first next_page_token)" \
        >"$out/sim/$mode-batch-list-token"
    bat=$(first id)
    get "/api/v2/batches?status=RUNNING&page_size=2"
    save decode $mode-batch-page-running '\001' "$tmp/b"
    # a small finished batch with results (not the 1,000-file one)
    get "/api/v2/batches?page_size=100"
    for done_bat in $(grep -o '"id":"bat-[^"]*"' "$tmp/b" | sed 's/.*:"\(.*\)"/\1/'); do
        get "/api/v2/batches/$done_bat?expand=results"
        [ "$(wc -c <"$tmp/b")" -lt 16384 ] && grep -q '"id":"[pe]jb-' "$tmp/b" && break
    done
    save decode $mode-batch-results '\000' "$tmp/b"
    job=$(grep -o '"id":"[pe]jb-[^"]*"' "$tmp/b" | head -n 1 | sed 's/.*:"\(.*\)"/\1/')
    get "/api/v2/batches/$bat"; save decode $mode-batch '\000' "$tmp/b"
    get "/api/v1/beta/directories?page_size=2"; save decode $mode-dir-page '\002' "$tmp/b"
    dir=$(first id)
    get "/api/v1/beta/directories/$dir/files?page_size=4"; save decode $mode-files '\003' "$tmp/b"
    get "/api/v1/beta/configurations?page_size=5"; save decode $mode-configs '\004' "$tmp/b"
    cfg=$(first id)
    grep -o '"name":"[^"]*"' "$tmp/b" | sed 's/.*:"\(.*\)"/\1/' >"$tmp/names"
    get "/api/v2/parse?job_ids=$job&page_size=5"; save decode $mode-parse-page '\005' "$tmp/b"
    get "/api/v2/extract?page_size=3"; save decode $mode-extract-page '\006' "$tmp/b"
    get "/api/v2/parse/$job?expand=markdown_full&expand=text_full"
    save decode $mode-parse-job '\007' "$tmp/b"
    head -c 300 "$tmp/b" >"$tmp/t"; save text $mode-parse-output '\305\012\005' "$tmp/t"
    get "/api/v2/batches/bat-nope"; save decode $mode-404 '\011' "$tmp/b"
    save errbody $mode-404 '\001\054\310' "$tmp/b"
    curl -s -o "$tmp/b" -X POST -H 'Authorization: Bearer llx-sim' \
        -d '{"source_directory_id":"'"$dir"'","config":{"job":{"type":"bogus"}}}' \
        "$url/api/v2/batches"
    save errbody $mode-422 '\001\026\377' "$tmp/b"
    save decode $mode-422 '\011' "$tmp/b"
    curl -s -o "$tmp/b" -X POST -H 'Authorization: Bearer llx-sim' \
        -d '{"source_directory_id":"'"$dir"'","config":{"job":{"type":"parse_v2",'\
'"configuration_id":"cfg-PARSE_AGENTIC"}}}' \
        "$url/api/v2/batches"
    save decode $mode-created '\000' "$tmp/b"
    # names and errors as the text target sees them (mode byte: UTF-8, pad, 24 columns)
    k=0
    while IFS= read -r name && [ $k -lt 3 ]; do
        k=$((k + 1))
        printf '%s' "$name" >"$tmp/t"; save text $mode-name-$k '\142\003\007' "$tmp/t"
    done <"$tmp/names"
    # requests as batchtop sends them, for the simulator target
    printf '/api/v2/batches/%s?expand=results\n' "$done_bat" >"$out/sim/$mode-batch-get"
    printf '/api/v2/batches/%s/cancel\n' "$bat" >"$tmp/t"; save sim $mode-cancel '\001' "$tmp/t"
    printf '/api/v2/batches\n{"source_directory_id":"%s","config":{"job":%s}}' \
        "$dir" "{\"type\":\"parse_v2\",\"configuration_id\":\"$cfg\"}" >"$tmp/t"
    save sim $mode-create '\001' "$tmp/t"
    printf '/api/v1/beta/directories/%s/files?page_size=2&display_name_contains=a\n' "$dir" \
        >"$out/sim/$mode-files"
    printf '/api/v2/parse?job_ids=%s&job_ids=x&page_size=5\n' "$job" >"$out/sim/$mode-jobs"
    printf '/api/v1/beta/configurations?product_type=parse_v2&product_type=extract_v2\n' \
        >"$out/sim/$mode-configs"
    # IDs as the URL builder gets them
    printf '%s\n%s\n%s\nproj' "$bat" "$dir" "$job" >"$out/url/$mode-ids"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
printf 'a\033[31mred\033]0;title\007\302\233z \342\200\256evil' >"$tmp/t"
printf ' \344\270\255\346\226\207 e\314\201 \360\237\230\200' >>"$tmp/t"
save text escapes-wide '\022\005\012' "$tmp/t"
save text escapes-ascii '\023\005\012' "$tmp/t"
printf '../x?y#z%%\n%%2e%%2e/\n/\n' >"$out/url/hostile-path-chars"
printf '/api/v2/batches/..%%2F_sim%%2Fstate\n' >"$out/sim/escaped-slash"
printf '/_sim/state\n' >"$out/sim/state"
# sim/plain-upload, sim/upload-no-file and sim/upload-truncated (multipart bodies to
# .../files/upload) are written by hand against fuzz_sim's own world (seed 42, its "Invoices
# 2024" directory), so that the seeds reach the form reader; this script leaves them alone.
echo "seeds written to $out:"
for t in decode errbody text url sim; do echo "  $t: $(ls "$out/$t" | wc -l) files"; done
