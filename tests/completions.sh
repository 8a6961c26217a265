#!/bin/sh
# completions.sh -- the shell completions offer exactly the long options each program's --help
# lists, and the bash ones complete for real (the zsh ones are syntax-checked when zsh exists).
set -u
export LC_ALL=C
: "${BATCHTOP:?BATCHTOP is not set (run through make check)}"
: "${BATCHTOP_SIM:?BATCHTOP_SIM is not set (run through make check)}"
src=${TOP_SRCDIR:-.}/completions
status=0

fail() {
    echo "FAIL: $*" >&2
    status=1
}

long_opts() {  # long_opts FILE...: every --option word, sorted, once
    grep -ohE -- '--[a-z][a-z-]*[a-z]' "$@" | sort -u
}

# compare PROGRAM FILE...: the options of PROGRAM --help against those in the completion files
compare() {
    prog=$1
    shift
    "$prog" --help >help.tmp.$$ || fail "$prog --help failed"
    want=$(long_opts help.tmp.$$)
    rm -f help.tmp.$$
    for f in "$@"; do
        got=$(long_opts "$f")
        [ "$want" = "$got" ] ||
            fail "$(basename "$f") and --help differ (< --help, > completion):
$(printf '%s\n' "$want" >a.tmp.$$; printf '%s\n' "$got" >b.tmp.$$; diff a.tmp.$$ b.tmp.$$; rm -f a.tmp.$$ b.tmp.$$)"
    done
}

compare "$BATCHTOP" "$src/batchtop.bash" "$src/_batchtop"
compare "$BATCHTOP_SIM" "$src/batchtop-sim.bash" "$src/_batchtop-sim"

# complete FILE FUNC WORD...: what bash offers for the last WORD (without bash-completion)
complete_words() {
    file=$1 func=$2
    shift 2
    bash -c '. "$1"; f=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*";
        "$f"; printf "%s\n" "${COMPREPLY[@]}"' sh "$file" "$func" "$@"
}

# expect WANT FILE FUNC WORD...: the completion, one word per line joined by spaces, is WANT
expect() {
    want=$1
    shift
    got=$(complete_words "$@" | sort | tr '\n' ' ')
    [ "$got" = "$want " ] || fail "completing '$*': got '$got', want '$want '"
}

b=$src/batchtop.bash
s=$src/batchtop-sim.bash
expect '--readonly --refresh' "$b" _batchtop batchtop --re
expect '--demo' "$b" _batchtop batchtop --readonly --de
expect '10 2 30 5 60' "$b" _batchtop batchtop --refresh ''
expect '5' "$b" _batchtop batchtop --refresh=5
expect 'https://api.cloud.eu.llamaindex.ai https://api.cloud.llamaindex.ai' \
    "$b" _batchtop batchtop --base-url https
expect '' "$b" _batchtop batchtop --project-id ''
expect '--listen' "$s" _batchtop_sim batchtop-sim --lis
expect '127.0.0.1:0 127.0.0.1:8765' "$s" _batchtop_sim batchtop-sim --listen 127
expect '0 0.01 0.1 0.5' "$s" _batchtop_sim batchtop-sim --fail-rate ''
expect '' "$s" _batchtop_sim batchtop-sim --rate-limit ''
expect '--help --hostile-strings' "$s" _batchtop_sim batchtop-sim --h
expect 'newest oldest' "$s" _batchtop_sim batchtop-sim --sort ''
expect 'null partial' "$s" _batchtop_sim batchtop-sim --results-while-running=''
expect '0 0.01 0.1 0.5' "$s" _batchtop_sim batchtop-sim --failed-pages ''
expect '' "$s" _batchtop_sim batchtop-sim --rtt ''
expect '--no-cache' "$b" _batchtop batchtop --no-ca

if command -v zsh >/dev/null 2>&1; then
    for f in "$src/_batchtop" "$src/_batchtop-sim"; do
        zsh -n "$f" || fail "zsh -n $f"
    done
else
    echo "zsh not found: the zsh completions were not syntax-checked"
fi
exit $status
