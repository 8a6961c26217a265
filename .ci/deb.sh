#!/usr/bin/env bash
# .ci/deb.sh -- build the Debian packages from the release tarball, lint them, install them,
# run debian/tests/smoke against the installed programs, purge them and check that nothing of
# theirs is left under /usr. Needs root (apt-get, dpkg). Usage: .ci/deb.sh [TARBALL]
# DEB_BUILD_OPTIONS= .ci/deb.sh builds with the package's own tests (see below).
# Without TARBALL it runs `make dist` (after ./bootstrap.sh when the tree is not configured).
# Purges any batchtop/batchtop-sim package that was installed before.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
t_start=$SECONDS
# Outside the tree, so .ci/run's count of test results never sees the package build's tests;
# kept on failure (the path is printed), removed on success.
out=$(mktemp -d "${TMPDIR:-/tmp}/batchtop-deb.XXXXXX")
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

say() { echo "--- deb.sh: $* ($((SECONDS - t_start)) s)"; }
die() { echo "deb.sh: FAIL: $* (kept: $out)" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (apt-get install/purge)"

# A failure after the install still purges, so a failed run leaves the machine as it was.
installed=false
purge_on_failure() {
    if $installed; then
        apt-get purge -y -qq batchtop batchtop-sim >/dev/null 2>&1 || true
    fi
}
trap purge_on_failure EXIT

# The packaging tools and what the smoke test drives; apt-get runs only when one is missing.
tools="dpkg-dev debhelper dh-autoreconf lintian curl tmux"
missing=""
for p in $tools; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

tarball=${1:-}
if [ -z "$tarball" ]; then
    [ -f Makefile ] || ./bootstrap.sh >/dev/null
    rm -f batchtop-*.tar.gz
    make dist >/dev/null
    tarball=$(ls batchtop-*.tar.gz)
fi
tarball=$(realpath "$tarball")
say "building from $(basename "$tarball")"
tar -xzf "$tarball" -C "$out"
src=$(ls -d "$out"/batchtop-*/)
if ! (cd "$src" && dpkg-checkbuilddeps) 2>/dev/null; then
    say "installing the Build-Depends"
    apt-get build-dep -y -qq "$src" >/dev/null
fi
# Short in CI: the build's tests (the unit tests and the completion check) are the ones stage 1
# of .ci/run has just run on the same sources, so the build only compiles, on every core, and
# makes no -dbgsym package. A DEB_BUILD_OPTIONS of the caller wins (empty: the full build).
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-"nocheck noautodbgsym parallel=$(nproc)"}
t0=$SECONDS
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
    { tail -n 60 "$out/build.log"; die "dpkg-buildpackage failed (log: $out/build.log)"; }
say "dpkg-buildpackage -us -uc -b ($DEB_BUILD_OPTIONS) passed in $((SECONDS - t0)) s"

cd "$out"
changes=$(ls batchtop_*.changes)
# lintian warns about running as root, on stderr; errors and warnings fail the stage
# (debian/README.source lists the accepted ones, with overrides).
lintian --fail-on error,warning --tag-display-limit 0 "$changes" 2>/dev/null ||
    die "lintian reported errors or warnings on $changes"
say "lintian: no errors, no warnings"

apt-get purge -y -qq batchtop batchtop-sim >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends ./batchtop_*.deb ./batchtop-sim_*.deb \
    >"$out/apt.log" 2>&1 || { cat "$out/apt.log"; die "apt-get install of the .debs failed"; }
installed=true
dpkg -L batchtop batchtop-sim | sort -u >"$out/installed.list"
say "installed $(grep -c . "$out/installed.list") paths"

# the layout: programs on PATH, man pages, completions, the example configuration
for f in /usr/bin/batchtop /usr/bin/batchtop-sim /usr/share/man/man1/batchtop.1.gz \
    /usr/share/man/man1/batchtop-sim.1.gz /usr/share/bash-completion/completions/batchtop \
    /usr/share/bash-completion/completions/batchtop-sim /usr/share/zsh/vendor-completions/_batchtop \
    /usr/share/zsh/vendor-completions/_batchtop-sim \
    /usr/share/doc/batchtop/examples/batchtop.conf.example /usr/share/doc/batchtop/copyright; do
    [ -f "$f" ] || die "$f is not installed"
done
if [ -f /usr/share/bash-completion/bash_completion ]; then
    # the loader answers 124 ("load done, try again") when it found the file
    bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader batchtop
        complete -p batchtop' >/dev/null 2>&1 || die "bash-completion does not load batchtop's completion"
fi

env -u BATCHTOP -u BATCHTOP_SIM PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "$src/debian/tests/smoke" || die "the smoke test failed against the installed programs"
say "smoke test passed against the installed programs"

apt-get purge -y -qq batchtop batchtop-sim >>"$out/apt.log" 2>&1 ||
    { cat "$out/apt.log"; die "apt-get purge failed"; }
installed=false
left=""
while read -r p; do
    # shared directories (/usr, /usr/bin ...) stay; nothing else of the packages may
    if [ -e "$p" ] && { [ ! -d "$p" ] || [[ $p == *batchtop* ]]; }; then
        left="$left $p"
    fi
done <"$out/installed.list"
[ -z "$left" ] || die "left after purge:$left"
found=$(find /usr -name '*batchtop*' 2>/dev/null)
[ -z "$found" ] || die "left under /usr after purge: $found"
say "purged; nothing of batchtop is left under /usr"
cd /
rm -rf "$out"
echo "deb.sh: passed in $((SECONDS - t_start)) s"
