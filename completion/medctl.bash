# bash completion for medctl (installed as share/bash-completion/completions/medctl).
_medctl() {
    local cur prev words cword
    _init_completion 2>/dev/null || { cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
    local globals="--socket --json --help"
    if [[ "$prev" == "--socket" ]]; then
        COMPREPLY=($(compgen -f -- "$cur")); return
    fi
    local command="" sub="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            --socket) ((i++)) ;;
            -*) ;;
            *) if [[ -z "$command" ]]; then command="${words[i]}"; elif [[ -z "$sub" ]]; then sub="${words[i]}"; fi ;;
        esac
    done
    if [[ -z "$command" ]]; then
        COMPREPLY=($(compgen -W "status account keys container token ip grant backup audit help $globals" -- "$cur")); return
    fi
    if [[ -z "$sub" ]]; then
        case "$command" in
            account) COMPREPLY=($(compgen -W "create import show delete" -- "$cur")) ;;
            keys) COMPREPLY=($(compgen -W "show switch regenerate" -- "$cur")) ;;
            container) COMPREPLY=($(compgen -W "create list show delete" -- "$cur")) ;;
            token) COMPREPLY=($(compgen -W "container blob list revoke" -- "$cur")) ;;
            ip) COMPREPLY=($(compgen -W "list allow remove" -- "$cur")) ;;
            grant) COMPREPLY=($(compgen -W "add list remove" -- "$cur")) ;;
            backup) COMPREPLY=($(compgen -W "show restore deleted prune" -- "$cur")) ;;
            audit) COMPREPLY=($(compgen -W "list verify" -- "$cur")) ;;
            help) COMPREPLY=($(compgen -W "status account keys container token ip grant backup audit" -- "$cur")) ;;
            *) COMPREPLY=($(compgen -W "$globals" -- "$cur")) ;;
        esac
        return
    fi
    if [[ "$prev" == "--all-for-key" ]]; then
        COMPREPLY=($(compgen -W "primary secondary" -- "$cur")); return
    fi
    case "$command $sub" in
        "keys switch") COMPREPLY=($(compgen -W "primary secondary" -- "$cur")) ;;
        "keys regenerate") COMPREPLY=($(compgen -W "primary secondary --force --yes --dry-run $globals" -- "$cur")) ;;
        "token list") COMPREPLY=($(compgen -W "--active --container $globals" -- "$cur")) ;;
        "token revoke") COMPREPLY=($(compgen -W "--all-for-key --container $globals" -- "$cur")) ;;
        "backup restore") COMPREPLY=($(compgen -W "--to --into $globals" -- "$cur")) ;;
        "audit list") COMPREPLY=($(compgen -W "--since --caller --method --limit $globals" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$globals" -- "$cur")) ;;
    esac
}
complete -F _medctl medctl
