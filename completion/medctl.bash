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
        COMPREPLY=($(compgen -W "status account keys container token ip audit help $globals" -- "$cur")); return
    fi
    if [[ -z "$sub" ]]; then
        case "$command" in
            account) COMPREPLY=($(compgen -W "create import show delete" -- "$cur")) ;;
            keys) COMPREPLY=($(compgen -W "show switch regenerate" -- "$cur")) ;;
            container) COMPREPLY=($(compgen -W "create list show delete" -- "$cur")) ;;
            token) COMPREPLY=($(compgen -W "container blob" -- "$cur")) ;;
            ip) COMPREPLY=($(compgen -W "list allow remove" -- "$cur")) ;;
            audit) COMPREPLY=($(compgen -W "list verify" -- "$cur")) ;;
            help) COMPREPLY=($(compgen -W "status account keys container token ip audit" -- "$cur")) ;;
            *) COMPREPLY=($(compgen -W "$globals" -- "$cur")) ;;
        esac
        return
    fi
    case "$command $sub" in
        "keys switch"|"keys regenerate") COMPREPLY=($(compgen -W "primary secondary" -- "$cur")) ;;
        "audit list") COMPREPLY=($(compgen -W "--since --caller --method --limit $globals" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$globals" -- "$cur")) ;;
    esac
}
complete -F _medctl medctl
