/// The tree of command words: groups (`account`, `keys`, …) whose leaves are commands.
indirect enum CommandNode: Sendable {
    /// A word that selects one of several subcommands.
    case group(name: String, summary: String, children: [CommandNode])
    /// A runnable command.
    case command(any Command.Type)

    /// The word that selects this node.
    var name: String {
        switch self {
        case .group(let name, _, _): return name
        case .command(let type): return type.spec.path.last ?? ""
        }
    }

    /// The child selected by `word`, if any.
    func child(_ word: String) -> CommandNode? {
        guard case .group(_, _, let children) = self else { return nil }
        return children.first { $0.name == word }
    }

    /// Every command below this node, in tree order.
    var commands: [any Command.Type] {
        switch self {
        case .command(let type): return [type]
        case .group(_, _, let children): return children.flatMap(\.commands)
        }
    }
}

/// All of medctl's commands.
enum CommandTree {
    /// The root; its name is the program name.
    static let root = CommandNode.group(name: "medctl", summary: "administer medstored", children: [
        .command(StatusCommand.self),
        .group(name: "account", summary: "the cluster's storage account", children: [
            .command(AccountCreateCommand.self),
            .command(AccountImportCommand.self),
            .command(AccountShowCommand.self),
            .command(AccountDeleteCommand.self),
        ]),
        .group(name: "keys", summary: "the account's two signing keys (never shown)", children: [
            .command(KeysShowCommand.self),
            .command(KeysSwitchCommand.self),
            .command(KeysRegenerateCommand.self),
        ]),
        .group(name: "container", summary: "containers", children: [
            .command(ContainerCreateCommand.self),
            .command(ContainerListCommand.self),
            .command(ContainerShowCommand.self),
            .command(ContainerDeleteCommand.self),
        ]),
        .group(name: "token", summary: "service SAS tokens (shown once; only a record is kept)", children: [
            .command(TokenContainerCommand.self),
            .command(TokenBlobCommand.self),
            .command(TokenListCommand.self),
            .command(TokenRevokeCommand.self),
        ]),
        .group(name: "backup", summary: "point-in-time container backups", children: [
            .command(BackupShowCommand.self),
            .command(BackupRestoreCommand.self),
            .command(BackupDeletedCommand.self),
            .command(BackupPruneCommand.self),
        ]),
        .group(name: "ip", summary: "the account firewall's allowed addresses", children: [
            .command(IPListCommand.self),
            .command(IPAllowCommand.self),
            .command(IPRemoveCommand.self),
        ]),
        .group(name: "grant", summary: "who may request which tokens (issuer grants)", children: [
            .command(GrantAddCommand.self),
            .command(GrantListCommand.self),
            .command(GrantRemoveCommand.self),
        ]),
        .group(name: "audit", summary: "the control plane's audit trail", children: [
            .command(AuditListCommand.self),
            .command(AuditVerifyCommand.self),
        ]),
    ])
}
