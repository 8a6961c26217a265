#!/bin/sh
# sdk_check.sh -- run the official TypeScript SDK (pinned) against a live batchtop-sim.
# Skips (77) when node/npm are missing or the npm registry cannot be reached.
set -u

skip() {
    echo "SKIP: $*"
    exit 77
}

[ -n "${NODE_BIN:-}" ] && [ -x "$NODE_BIN" ] ||
    skip "node was not found by configure (NODE_BIN is empty)"
[ -n "${NPM_BIN:-}" ] && [ -x "$NPM_BIN" ] ||
    skip "npm was not found by configure (NPM_BIN is empty)"
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}" "${BATCHTOP_SIM:?}"

src="$TOP_SRCDIR/tests/node"
work="$TOP_BUILDDIR/tests/node-sdk"    # the source dir is read-only during distcheck
mkdir -p "$work" || exit 1
# npm ci only when the pinned lock file changed since the last install.
if ! cmp -s "$src/package-lock.json" "$work/package-lock.json" ||
    [ ! -d "$work/node_modules/@llamaindex/llama-cloud" ]; then
    cp "$src/package.json" "$src/package-lock.json" "$work/" || exit 1
    chmod u+w "$work/package.json" "$work/package-lock.json"
    if ! (cd "$work" && "$NPM_BIN" ci --no-audit --no-fund --loglevel=error) \
        >"$work/npm.log" 2>&1; then
        cat "$work/npm.log"
        rm -f "$work/package-lock.json"
        skip "npm ci of @llamaindex/llama-cloud failed (registry unreachable?), see above"
    fi
fi
cp "$src/sdk_check.mjs" "$work/sdk_check.mjs" && chmod u+w "$work/sdk_check.mjs" || exit 1

tmp=$(mktemp -d) || exit 1
sim_pid=
cleanup() {
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null
        wait "$sim_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# run_mode ARGS...: one simulator with these extra flags, the whole SDK check against it.
run_mode() {
    echo "== batchtop-sim $*"
    "$BATCHTOP_SIM" --listen 127.0.0.1:0 --speed 20 --page-size-max 5 --seed 1 -v "$@" \
        >"$tmp/out" 2>"$tmp/log" &
    sim_pid=$!
    local url= tries=0 rc
    while [ -z "$url" ]; do
        url=$(sed -n 's/^listening on //p' "$tmp/out")
        [ -n "$url" ] && break
        kill -0 "$sim_pid" 2>/dev/null || { cat "$tmp/log"; echo "FAIL: batchtop-sim exited"; return 1; }
        tries=$((tries + 1))
        [ $tries -lt 200 ] || { echo "FAIL: batchtop-sim did not start within 10 s"; return 1; }
        sleep 0.05
    done
    (cd "$work" && "$NODE_BIN" sdk_check.mjs "$url" "$@")
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "---- simulator log ----"
        cat "$tmp/log"
    fi
    if grep -q 'llx-sim' "$tmp/log"; then
        echo "FAIL: the API key appears in the simulator log"
        rc=1
    fi
    kill "$sim_pid" 2>/dev/null
    wait "$sim_pid" 2>/dev/null
    sim_pid=
    return $rc
}

# The default world, then the liberties the real API may take (API.md, fidelity audit).
status=0
run_mode || status=1
run_mode --results-while-running null --complete-early --throttle-jobs --page-size-refuse 100 || status=1
# What the real API does to a client over time (issue 12).
run_mode --directory-ttl 3600 --delete-files 2 --failed-pages 0.2 --no-full-output \
    --billing-delay 200 --sort oldest --total-size || status=1
exit $status
