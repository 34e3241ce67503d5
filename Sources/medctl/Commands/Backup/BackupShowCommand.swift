import MedStoreProtocol

/// `medctl backup show CONTAINER`: restore window and retained history.
struct BackupShowCommand: Command {
    static let spec = CommandSpec(
        path: ["backup", "show"],
        summary: "show a container's restore window and what its backup retains",
        discussion: """
        Shows the earliest and latest restore points, how many versions and bytes are kept only
        for restores (beyond the live data), and the last prune. Works for a deleted container
        whose backup is still inside the retention window.
        """,
        positionals: [PositionalSpec("CONTAINER", "container name")])

    /// The container.
    let container: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        container = try arguments.positional(0, "CONTAINER")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let info = try await context.client.backupInfo(container)
        try context.printer.emit(info) { info.humanText }
    }
}
