import MedStoreProtocol

/// `medctl account show`: the account's name, creation time, key for tokens, endpoint, counts.
struct AccountShowCommand: Command {
    static let spec = CommandSpec(
        path: ["account", "show"],
        summary: "show the account (never its keys)",
        discussion: """
        Shows the account's name, when it was created, whether its keys were imported, which key
        signs new tokens, the blob endpoint used in SAS URLs, and counts. Keys are never shown.
        """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let account = try await context.client.showAccount()
        try context.printer.emit(account) { account.humanText }
    }
}
