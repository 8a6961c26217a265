#!/bin/sh
# bootstrap.sh -- install the Debian packages batchtop needs (when missing), then autoreconf and configure.
# Usage: ./bootstrap.sh [configure options...]   Idempotent: safe to run again.
set -eu

cd "$(dirname "$0")"

PACKAGES="gcc make autoconf automake pkg-config libncurses-dev libcurl4-openssl-dev \
libjson-c-dev libmicrohttpd-dev libssl-dev uthash-dev libinih-dev check tmux curl jq zsh valgrind clang libclang-rt-14-dev time"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

# Node.js runs the official SDK in the compatibility check and the benchmarks; keep any node
# that is already installed (a nodesource build ships its own npm).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo"
    else
        echo "bootstrap.sh: missing packages:$missing" >&2
        echo "bootstrap.sh: run as root:  apt-get install -y$missing" >&2
        exit 1
    fi
    echo "bootstrap.sh: installing$missing"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

autoreconf -fi
./configure "$@"
