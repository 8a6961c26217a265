# zcomplete.zsh DIR LINE...: what zsh offers when Tab is pressed after each LINE, with the
# completion functions of DIR first in fpath: one output line per LINE, the candidates sorted
# and joined by spaces (an empty line: nothing). Used by tests/completions.sh.
# One private interactive `zsh -f` in a pseudo-terminal (zsh/zpty) runs compinit; compadd is
# wrapped to print every match it adds; Ctrl-T (no prefix key, so no KEYTIMEOUT wait) prints an end marker and clears the line.
# Exit 5: no answer within 10 s.
zmodload zsh/zpty || exit 3
zmodload zsh/datetime
dir=$1
shift
zpty z zsh -f -i
zpty -w z "PS1=''; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
# the markers are split in the source so the terminal's echo of these lines never matches them
zpty -w z 'compadd() { local -a m; builtin compadd -O m "$@"; local w; for w in $m; do print -r -- "<W"">$w</W>"; done; builtin compadd "$@"; }'
zpty -w z 'finish() { print -r -- "<EN""D>"; zle kill-whole-line; }; zle -N finish; bindkey "^T" finish'
for line in "$@"; do
    zpty -n -w z "$line"$'\t'
    zpty -n -w z $'\C-t'
    out= deadline=$((EPOCHREALTIME + 10))
    while (( EPOCHREALTIME < deadline )); do
        if zpty -rt z chunk; then
            out+=$chunk
            [[ $out == *'<END>'* ]] && break
        else
            sleep 0.01
        fi
    done
    [[ $out == *'<END>'* ]] || { zpty -d z; print -u2 "zcomplete: no answer for '$line'"; exit 5; }
    print -r -- ${out%%'<END>'*} | grep -a -o '<W>[^<]*</W>' | sed 's/^<W>//; s/<\/W>$//' |
        LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//'
    print
done
zpty -d z
