#!/bin/sh
# run.sh -- `make fuzz`: run every libFuzzer target for N seconds from its seeds and summarise.
# Usage: run.sh SRCDIR BINDIR SECONDS RSS_MB NAME...  (from the build directory)
# Each target fuzzes fuzz/corpus-run/NAME (new inputs, kept between runs) seeded by
# SRCDIR/fuzz/corpus/NAME; a crash stops that target and leaves its reproducer as
# fuzz/artifacts/NAME-crash-* (commit it into SRCDIR/fuzz/regress/NAME/, which `make check`
# replays). FUZZ_FLAGS adds libFuzzer options. FUZZ_JOBS=N (default 1) fuzzes N targets at a
# time, each still for the full N seconds on its own core (CI's 2 cores run two). Exit 1 if any
# target failed.
set -u
srcdir=$1 bindir=$2 seconds=$3 rss=$4
shift 4
mkdir -p fuzz/corpus-run fuzz/artifacts
summary=fuzz/summary.txt
printf '%-8s %8s %10s %8s %6s %6s %8s  %s\n' target seconds runs exec/s cov ft corpus result \
    >"$summary"
fuzz_one() {  # fuzz_one NAME: one target; its summary row in fuzz/summary-NAME.txt
    name=$1
    work=fuzz/corpus-run/$name
    mkdir -p "$work"
    seeds="$srcdir/fuzz/corpus/$name"
    log=fuzz/fuzz-$name.log
    extra=
    # sim: libmicrohttpd frees a closed connection in its own thread, after the input returned,
    # so libFuzzer's per-input leak check reports it falsely; the simulator's leaks are checked
    # by the sanitizer build of `make check` instead.
    # A stall report (gdb stacks, one retry) needs more than the usual 10 s per input.
    [ "$name" = sim ] && extra="-detect_leaks=0 -timeout=30"
    echo "fuzz: $name for $seconds s (log $log)"
    t0=$(date +%s)
    # shellcheck disable=SC2086
    "$bindir/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb="$rss" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$name-" $extra ${FUZZ_FLAGS:-} \
        "$work" $seeds \
        >"$log" 2>&1
    rc=$?
    t1=$(date +%s)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(ls "$work" | wc -l)
    stalls=$(grep -c '^fuzz_sim: stall' "$log")
    if [ "$rc" -eq 0 ] && [ "$stalls" -gt 0 ]; then
        result="ok, but $stalls answer(s) stalled 8 s (stacks in $log)"
    elif [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc; see $log and fuzz/artifacts/)"
        echo 1 >"fuzz/status-$name"
        grep -E 'ERROR|contract broken|SUMMARY' "$log" | head -n 5
    fi
    printf '%-8s %8s %10s %8s %6s %6s %8s  %s\n' "$name" "$((t1 - t0))" "${runs:-?}" \
        "${eps:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$result" >"fuzz/summary-$name.txt"
}
jobs=${FUZZ_JOBS:-1}
running=0
for name in "$@"; do
    rm -f "fuzz/status-$name" "fuzz/summary-$name.txt"
    fuzz_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
status=0
for name in "$@"; do
    cat "fuzz/summary-$name.txt" >>"$summary" 2>/dev/null ||
        printf '%-8s %s\n' "$name" "FAILED (no summary)" >>"$summary"
    [ -e "fuzz/summary-$name.txt" ] || status=1
    [ -e "fuzz/status-$name" ] && status=1
    rm -f "fuzz/status-$name" "fuzz/summary-$name.txt"
done
echo "fuzz summary ($seconds s per target, -rss_limit_mb=$rss):"
cat "$summary"
exit $status
