# SPDX-License-Identifier: GPL-3.0-or-later
# bash completion for planwright-cli

_planwright_cli()
{
    local cur prev words cword
    _init_completion || return

    local commands="start add-context discuss generate draft review list status resume export complete reopen"
    local global="--db-path --verbose --debug --json --help --version"
    local command="" i
    for (( i = 1; i < cword; i++ )); do
        case ${words[i]} in
            --db-path) (( i++ )) ;;
            -*) ;;
            *) command=${words[i]}; break ;;
        esac
    done

    case $prev in
        --db-path|--file|--output-dir|--repo-root)
            _filedir
            return ;;
        --status)
            COMPREPLY=( $(compgen -W "active paused complete" -- "$cur") )
            return ;;
        --reviewer-reasoning)
            COMPREPLY=( $(compgen -W "none minimal low medium high xhigh max" -- "$cur") )
            return ;;
        --complexity)
            COMPREPLY=( $(compgen -W "standard complex" -- "$cur") )
            return ;;
        --project|--model|--note|--answer|--reviewer-model|--max-rounds|--max-cost)
            return ;;
    esac

    if [[ -z $command ]]; then
        COMPREPLY=( $(compgen -W "$commands $global" -- "$cur") )
        return
    fi

    local options=""
    case $command in
        start) options="--project --model --repo-root" ;;
        add-context) options="--file --note" ;;
        discuss) options="--done --interactive" ;;
        generate) options="--model" ;;
        draft) options="--file" ;;
        review) options="--fast --max-rounds --no-review-history --reviewer-model --reviewer-reasoning --complexity --repo-root --max-cost" ;;
        list) options="--status --project" ;;
        resume) options="--answer" ;;
        export) options="--output-dir" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=( $(compgen -W "$options $global" -- "$cur") )
    elif [[ $command != start && $command != list ]]; then
        # Session ids from the database the command line names, if any.
        local db=() j
        for (( j = 1; j < cword; j++ )); do
            [[ ${words[j]} == --db-path ]] && db=( --db-path "${words[j+1]}" )
        done
        local ids
        ids=$(planwright-cli "${db[@]}" --json list 2>/dev/null | grep -o '"id":"[0-9a-f]*"' | cut -d'"' -f4)
        COMPREPLY=( $(compgen -W "$ids" -- "$cur") )
    fi
} &&
complete -F _planwright_cli planwright-cli
