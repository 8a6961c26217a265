#!/bin/sh
# valgrind.sh -- run every C test program (unit, integration, fuzz replay) under valgrind memcheck.
# Usage: tests/stress/valgrind.sh [BUILDDIR]   (default: the current directory)
# BUILDDIR must be a build WITHOUT --enable-sanitizers (ASan and valgrind exclude each other);
# the test programs are built first (make check's programs, without running the suite). Each
# program runs with CK_FORK=no (so valgrind sees the tests themselves, not a forked child) and
# --leak-check=full --error-exitcode=1: a leak or a memory error fails it. With VALGRIND_SIM=1
# every batchtop-sim the integration tests start runs under valgrind too ($BATCHTOP_SIM becomes
# a wrapper; any report in tests/valgrind/sim-PID.valgrind fails the run). It is off by
# default because a simulator slowed down 20x breaks the timing the fault tests rely on (e.g.
# test_net_live's 429 test counts requests per second); the sanitizer build checks the
# simulator on every run. No suppression file is used: every report is a real finding.
# Prints one line per program (result, seconds) and a total; exit 1 if any failed.
set -u
build=$(cd "${1:-.}" && pwd)
cd "$build" || exit 2
if grep -q -- '-fsanitize=address' Makefile 2>/dev/null; then
    echo "valgrind.sh: $build is a sanitizer build; use a plain one" >&2
    exit 2
fi
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not found (SKIP)"; exit 77; }
programs=$(make -s -f Makefile -f - print-check-programs <<'MK'
print-check-programs:
	@echo $(check_PROGRAMS)
MK
)
if ! make -s -j2 $programs >/dev/null; then
    echo "valgrind.sh: cannot build the test programs" >&2
    exit 2
fi
srcdir=$(sed -n 's/^abs_top_srcdir = //p' Makefile)
logdir=$build/tests/valgrind
rm -rf "$logdir"
mkdir -p "$logdir"
cat >"$logdir/batchtop-sim" <<SIM
#!/bin/sh
exec valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \\
    --error-exitcode=1 --log-file="$logdir/sim-%p.valgrind" "$build/batchtop-sim" "\$@"
SIM
chmod +x "$logdir/batchtop-sim"
sim=$build/batchtop-sim
[ "${VALGRIND_SIM:-0}" = 1 ] && sim=$logdir/batchtop-sim
export BATCHTOP="$build/batchtop" BATCHTOP_SIM="$sim" TOP_SRCDIR="$srcdir"
export TOP_BUILDDIR="$build" CK_FORK=no CK_DEFAULT_TIMEOUT=600
# test_model's 100,000-row merge runs at 10,000 rows here: the same property (every row merged
# by ID), checked by memcheck at a tenth of its minute; make check and ASan run the full size.
export TEST_BIG_ROWS=10000
# Two programs at a time (VALGRIND_JOBS): each is one process, so this halves the wall time on
# the 2-core CI machine without changing what any run checks. The longest ones go first.
jobs=${VALGRIND_JOBS:-2}
t_all=$(date +%s)
list=
for p in tests/test_net_live tests/test_model tests/test_sim $programs; do
    case $p in tests/test_*) ;; *) continue ;; esac
    [ -x "$p" ] || continue
    case " $list " in *" $p "*) continue ;; esac
    list="$list $p"
done
export logdir
printf '%s\n' $list | xargs -P "$jobs" -n 1 sh -c '
    p=$1
    name=$(basename "$p")
    t0=$(date +%s)
    # every case runs: parallel-resume, once excluded for the 30 s it spent waiting out real
    # retry backoffs, takes ~6 s here since test_net_live scales them (retry_scale_for_tests)
    valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
        --log-file="$logdir/$name.valgrind" "./$p" >"$logdir/$name.out" 2>&1
    rc=$?
    t1=$(date +%s)
    echo $rc >"$logdir/$name.rc"
    if [ $rc -eq 0 ]; then
        echo "valgrind: PASS $name ($((t1 - t0)) s)"
    else
        echo "valgrind: FAIL $name (exit $rc, $((t1 - t0)) s; logs $logdir/$name.*)"
        head -n 40 "$logdir/$name.valgrind"
        tail -n 15 "$logdir/$name.out"
    fi
' sh
failed=0 total=0
for p in $list; do
    total=$((total + 1))
    [ "$(cat "$logdir/$(basename "$p").rc" 2>/dev/null)" = 0 ] || failed=$((failed + 1))
done
nsim=0
for f in "$logdir"/sim-*.valgrind; do
    [ -e "$f" ] || continue
    nsim=$((nsim + 1))
    [ -s "$f" ] || continue
    failed=$((failed + 1))
    echo "valgrind: FAIL batchtop-sim (report $f)"
    head -n 40 "$f"
done
[ "$nsim" -gt 0 ] && echo "valgrind: $nsim simulator runs checked"
echo "valgrind: $((total - failed))/$total test programs clean in $(( $(date +%s) - t_all )) s"
[ $failed -eq 0 ]
