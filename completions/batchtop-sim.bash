# batchtop-sim.bash -- bash completion for batchtop-sim (bash-completion/completions/batchtop-sim).
#
# The option lists follow sim/main.c (`batchtop-sim --help`); tests/completions.sh fails when
# they drift apart.

_batchtop_sim_flags="--hostile-strings --complete-early --throttle-jobs --total-size --no-total-size
    --no-full-output -v --verbose -h --help --version"
# Options that read the next word as their value.
_batchtop_sim_value_opts="--listen --api-key --seed --directories --files-per-directory --batches
    --speed --page-size-max --batch-fail-rate --fail-rate --rate-limit --rtt --latency --reset-rate
    --malformed-rate --ambiguous-create-rate --results-while-running --page-size-refuse --sort
    --billing-delay --directory-ttl --delete-files --failed-pages --max-files --map-error-rate
    --job-fail-rate --max-upload-mb --upload-rate"

_batchtop_sim() {
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s -n : || return # URLs and HOST:PORT keep their colons
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi
    if [[ $cur == --*=* && $split == false ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
        split=true
    fi

    case $prev in
    --listen)
        COMPREPLY=($(compgen -W "127.0.0.1:0 127.0.0.1:8765" -- "$cur"))
        # readline still breaks words at ':'; offer only what follows the last one
        declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
        return
        ;;
    --speed)
        COMPREPLY=($(compgen -W "1 5 20 100" -- "$cur"))
        return
        ;;
    --*-rate | --failed-pages)
        [[ $prev == --rate-limit ]] || COMPREPLY=($(compgen -W "0 0.01 0.1 0.5" -- "$cur"))
        return
        ;;
    --results-while-running)
        COMPREPLY=($(compgen -W "null partial" -- "$cur"))
        return
        ;;
    --sort)
        COMPREPLY=($(compgen -W "newest oldest" -- "$cur"))
        return
        ;;
    esac
    local o
    for o in $_batchtop_sim_value_opts; do
        [[ $prev == "$o" ]] && return # a free-form value: nothing to offer
    done

    COMPREPLY=($(compgen -W "$_batchtop_sim_value_opts $_batchtop_sim_flags" -- "$cur"))
}
complete -F _batchtop_sim batchtop-sim
