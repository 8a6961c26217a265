#!/bin/sh
# throughput.sh -- measure batchtop-sim list-page requests per second with curl (not a test).
# Usage: sim/throughput.sh [SIM_BINARY] [BATCHES] [CLIENTS] [REQUESTS_PER_CLIENT]
# Each client is one curl process fetching GET /api/v2/batches?page_size=100 REQUESTS times
# over one keep-alive connection; prints the total rate and every status code seen.
set -u
sim=${1:-./batchtop-sim}
batches=${2:-10000}
clients=${3:-1}
requests=${4:-3000}
tmp=$(mktemp -d) || exit 1
"$sim" --listen 127.0.0.1:0 --batches "$batches" --seed 1 >"$tmp/out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
tries=0
until grep -qs '^project_id' "$tmp/out"; do
    tries=$((tries + 1))
    [ $tries -lt 200 ] || { echo "batchtop-sim did not start" >&2; exit 1; }
    sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$tmp/out")
i=0
while [ $i -lt "$requests" ]; do
    printf 'url = "%s/api/v2/batches?page_size=100"\noutput = "/dev/null"\n' "$url"
    i=$((i + 1))
done >"$tmp/curl.cfg"
t0=$(date +%s.%N)
pids=
i=0
while [ $i -lt "$clients" ]; do
    curl -s -w '%{http_code}\n' -H 'Authorization: Bearer llx-sim' -K "$tmp/curl.cfg" \
        >"$tmp/codes.$i" &
    pids="$pids $!"
    i=$((i + 1))
done
for p in $pids; do wait "$p"; done
t1=$(date +%s.%N)
total=$((clients * requests))
echo "batches=$batches clients=$clients requests=$total" \
    "rate=$(echo "$total / ($t1 - $t0)" | bc) req/s"
cat "$tmp"/codes.* | sort | uniq -c
