# batchtop.bash -- bash completion for batchtop (installed as bash-completion/completions/batchtop).
#
# The global options follow tui/main.c (`batchtop --help`); the subcommands follow batchtop.1
# and issue 15 (`batchtop help SUBCOMMAND`). tests/completions.sh fails when they drift apart.
# A subcommand is named in _batchtop_commands, its options in _batchtop_command_opts, its
# positional arguments in _batchtop_positional and option values in _batchtop_value.

# Options of the program itself, before or after a subcommand (--demo only before one: TUI only).
_batchtop_global_opts="--base-url --project-id --organization-id --log --no-cache --refresh
    --no-color --readonly --profile --help --version"
_batchtop_tui_opts="--demo --print-config"
_batchtop_commands="list get results output create cancel wait dirs configs resubmit help"
_batchtop_batch_statuses="PENDING THROTTLED RUNNING COMPLETED FAILED CANCELLED"
_batchtop_job_statuses="PENDING RUNNING COMPLETED FAILED CANCELLED"
_batchtop_job_types="parse_v2 extract_v2"
# The output formats of every subcommand that prints rows.
_batchtop_formats="--json --jsonl --csv"

# _batchtop_command_opts CMD: the options of one subcommand (besides the global ones).
_batchtop_command_opts() {
    case $1 in
    list) echo "--status --directory --since --until --limit --ids --cached $_batchtop_formats" ;;
    get | cancel | dirs) echo "$_batchtop_formats" ;;
    results) echo "--failed --status $_batchtop_formats" ;;
    output) echo "--markdown --text --json -o --output" ;;
    create)
        echo "--directory --from --name --ephemeral --hidden --yes --no-batch --type --config" \
            "--wait --jobs --timeout --notify $_batchtop_formats"
        ;;
    wait) echo "--timeout --jobs --notify $_batchtop_formats" ;;
    configs) echo "--type $_batchtop_formats" ;;
    resubmit)
        echo "--failed --not-completed --name --type --config --wait --jobs --timeout --notify" \
            "$_batchtop_formats"
        ;;
    esac
}

# _batchtop_takes_value OPT: true when OPT reads the next word as its value.
_batchtop_takes_value() {
    case $1 in
    --base-url | --project-id | --organization-id | --refresh | --log | --profile) return 0 ;;
    --status | --directory | --since | --until | --limit | --type | --config | --timeout | -o | \
        --output | --name | --from)
        return 0
        ;;
    esac
    return 1
}

# _batchtop_files: file names for the current word
_batchtop_files() {
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

# _batchtop_value OPT: fill COMPREPLY with values for OPT (the current word is $cur; the
# subcommand is $command).
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
    --profile)
        # the [profile NAME] sections of the configuration file
        local conf=${XDG_CONFIG_HOME:-$HOME/.config}/batchtop/config
        [[ -r $conf ]] && COMPREPLY=($(compgen -W "$(sed -n 's/^[[:space:]]*\[profile[[:space:]]\{1,\}\([A-Za-z0-9._-]*\)[[:space:]]*\].*/\1/p' "$conf")" -- "$cur"))
        ;;
    --log | -o | --output | --from)
        _batchtop_files
        ;;
    --status)
        if [[ $command == results ]]; then
            COMPREPLY=($(compgen -W "$_batchtop_job_statuses" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_batchtop_batch_statuses" -- "$cur"))
        fi
        ;;
    --type)
        COMPREPLY=($(compgen -W "$_batchtop_job_types" -- "$cur"))
        ;;
    esac
}

# _batchtop_batch_ids: the batch IDs of the snapshot cache, one per line. The same endpoint
# and project as the command line (the cache is kept per endpoint); no network; nothing at all,
# and at once, when batchtop has no cache, no `list --cached` or fails.
_batchtop_batch_ids() {
    local prog=batchtop i
    # a batchtop named by its path (./batchtop) is asked itself
    [[ ${words[0]} == */* && -x ${words[0]} ]] && prog=${words[0]}
    local -a args=(list --cached --ids)
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --base-url | --project-id | --organization-id)
            ((i + 1 < cword)) && args+=("${words[i]}" "${words[i + 1]}")
            ((i++))
            ;;
        --base-url=* | --project-id=* | --organization-id=*) args+=("${words[i]}") ;;
        esac
    done
    if type -P timeout >/dev/null; then
        timeout 2 "$prog" "${args[@]}" </dev/null 2>/dev/null
    else
        "$prog" "${args[@]}" </dev/null 2>/dev/null
    fi | LC_ALL=C grep -E '^[A-Za-z0-9._:-]+$'
}

# _batchtop_positional CMD N: fill COMPREPLY for the Nth argument (from 1) of CMD and succeed,
# or fail when CMD takes no Nth argument (the caller offers the options); the arguments given
# so far are in $given.
_batchtop_positional() {
    local ids id
    case $1 in
    get | results | resubmit) (($2 == 1)) || return 1 ;;
    output)
        (($2 == 1)) || return $(($2 != 2)) # FILE or JOB_ID: nothing to offer
        ;;
    cancel | wait) ;;
    help)
        (($2 == 1)) && COMPREPLY=($(compgen -W "$_batchtop_commands" -- "$cur"))
        return 0
        ;;
    *) return 1 ;;
    esac
    ids=$(_batchtop_batch_ids)
    [[ -n $ids ]] || return 0
    # an ID given already is not offered again
    for id in $given; do
        ids=$(printf '%s\n' "$ids" | grep -vxF -- "$id")
    done
    COMPREPLY=($(compgen -W "$ids" -- "$cur"))
    return 0
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

    # the first word that is neither an option nor an option's value is the subcommand; the
    # words after it that are neither are its arguments; options used are remembered
    local i w command="" given="" used=" " n=0
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
        --*=*) used+="${w%%=*} " ;;
        -*)
            used+="$w "
            _batchtop_takes_value "$w" && ((i++))
            ;;
        *)
            if [[ -z $command ]]; then
                command=$w
            else
                given+="$w "
                ((n++))
            fi
            ;;
        esac
    done

    if _batchtop_takes_value "$prev"; then
        _batchtop_value "$prev"
        return
    fi
    [[ $split == true ]] && return # --flag=...: a flag takes no value

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_batchtop_global_opts $_batchtop_tui_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_batchtop_commands" -- "$cur"))
        fi
        return
    fi
    case " $_batchtop_commands " in
    *" $command "*) ;;
    *) return ;; # not a subcommand: nothing to offer
    esac

    if [[ $cur != -* ]] && _batchtop_positional "$command" $((n + 1)); then
        return
    fi

    # the options not used yet: --status may repeat; one of a set of alternatives is enough;
    # create's and resubmit's --jobs and --timeout go with --wait
    local opts="" o
    for o in $(_batchtop_command_opts "$command") $_batchtop_global_opts; do
        case $o in
        --status) ;;
        --failed | --not-completed)
            [[ $command == resubmit && $used =~ \ --(failed|not-completed)\  ]] && continue
            ;;
        --json | --jsonl | --csv | --markdown | --text)
            [[ $command == output && $used =~ \ --(markdown|text|json)\  ]] && continue
            [[ $command != output && $used =~ \ --(json|jsonl|csv)\  ]] && continue
            ;;
        --jobs | --timeout)
            [[ $used == *" $o "* ]] && continue
            [[ ($command == create || $command == resubmit) && $used != *" --wait "* ]] && continue
            ;;
        *) [[ $used == *" $o "* ]] && continue ;;
        esac
        opts+="$o "
    done
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _batchtop batchtop
