import MedStoreProtocol

/// `medctl account delete --confirm N`: deletes the account and everything tied to it.
struct AccountDeleteCommand: Command {
    static let spec = CommandSpec(
        path: ["account", "delete"],
        summary: "delete the account, its keys, containers, every backup and allowed-IP rules",
        discussion: """
        Deletes the account, both keys, every container with its contents, every backup (deleted
        containers' too: nothing can be restored afterwards), and the allowed-IP rules. Tokens
        stop working. There is no undo: --confirm must repeat the account's name.
        """,
        options: [
            .value("--confirm", "N", "the account's name, to confirm (required)"),
        ],
        synopsis: "--confirm N")

    /// The name the user typed to confirm.
    let confirmName: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        guard let confirm = try arguments.value("--confirm") else {
            throw UsageError("--confirm N is required: repeat the account's name to delete it")
        }
        confirmName = confirm
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let deleted = try await context.client.deleteAccount(confirmName: confirmName)
        try context.printer.emit(deleted) {
            let containers = deleted.containersDeleted == 1 ? "1 container" : "\(deleted.containersDeleted) containers"
            return "Deleted account \(TerminalText.clean(deleted.name)), its keys, \(containers), every backup and its allowed-IP rules."
        }
    }
}
