# batchtop.bash -- bash completion for batchtop (installed as bash-completion/completions/batchtop).
#
# The option lists follow tui/main.c (`batchtop --help`); tests/completions.sh fails when they
# drift apart. Subcommands (a later issue): name each in _batchtop_commands, give its own options
# a case arm in _batchtop_command_opts, and its argument values one in _batchtop_value.

# Options valid before any subcommand; those taking a value are also listed in _batchtop_takes_value.
_batchtop_global_opts="--base-url --project-id --organization-id --refresh --readonly --no-color
    --log --no-cache --demo --version --help"
_batchtop_commands=""

# _batchtop_command_opts CMD: the options of one subcommand (none exist yet).
_batchtop_command_opts() {
    case $1 in
    *) ;;
    esac
}

# _batchtop_takes_value OPT: true when OPT reads the next word as its value.
_batchtop_takes_value() {
    case $1 in
    --base-url | --project-id | --organization-id | --refresh | --log) return 0 ;;
    esac
    return 1
}

# _batchtop_value OPT: fill COMPREPLY with values for OPT (the current word is $cur).
_batchtop_value() {
    case $1 in
    --base-url)
        COMPREPLY=($(compgen -W "https://api.cloud.llamaindex.ai
            https://api.cloud.eu.llamaindex.ai http://127.0.0.1:8765" -- "$cur"))
        # readline still breaks words at ':'; offer only what follows the last one
        declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
        ;;
    --refresh)
        COMPREPLY=($(compgen -W "2 5 10 30 60" -- "$cur"))
        ;;
    --log)
        if declare -F _filedir >/dev/null; then
            _filedir
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        ;;
    esac
}

_batchtop() {
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s -n : || return # URLs and HOST:PORT keep their colons
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi

    # an option=value word, split by _init_completion -s, else split here
    if [[ $cur == --*=* && $split == false ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
        split=true
    fi
    if _batchtop_takes_value "$prev"; then
        _batchtop_value "$prev"
        return
    fi

    # the first word that is neither an option nor an option's value is the subcommand
    local i command=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --*=*) ;;
        -*) _batchtop_takes_value "${words[i]}" && ((i++)) ;;
        *)
            command=${words[i]}
            break
            ;;
        esac
    done

    if [[ -n $command ]]; then
        COMPREPLY=($(compgen -W "$(_batchtop_command_opts "$command")" -- "$cur"))
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$_batchtop_global_opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$_batchtop_commands $_batchtop_global_opts" -- "$cur"))
    fi
}
complete -F _batchtop batchtop
