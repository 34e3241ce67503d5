import MedStoreProtocol

/// `medctl account create [--name N]`: creates the cluster's one account with two fresh keys.
struct AccountCreateCommand: Command {
    static let spec = CommandSpec(
        path: ["account", "create"],
        summary: "create the cluster's storage account with two fresh keys",
        discussion: """
        Creates the cluster's one storage account. medstored generates two fresh 512-bit keys
        (primary and secondary); new tokens are signed with the primary key. Keys are never shown.
        """,
        options: [
            .value("--name", "N", "account name: 3-24 lowercase letters and digits (default: a random name)"),
        ])

    /// The requested name; nil lets the daemon pick one.
    let name: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.value("--name")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let account = try await context.client.createAccount(name: name)
        try context.printer.emit(account) {
            "Created account \(TerminalText.clean(account.name)).\n\n\(account.humanText)"
        }
    }
}
