import MedStoreProtocol

/// `medctl backup deleted`: deleted containers that can still be restored.
struct BackupDeletedCommand: Command {
    static let spec = CommandSpec(
        path: ["backup", "deleted"],
        summary: "list deleted containers that can still be restored",
        discussion: """
        A deleted container's backup is kept for the retention window; bring it back with
        `medctl backup restore NAME --to TIME` (TIME before its deletion).
        """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let list = try await context.client.deletedContainers()
        try context.printer.emit(list) {
            guard !list.containers.isEmpty else { return "No deleted containers inside the retention window." }
            var table = TableWriter(header: ["NAME", "DELETED", "BLOBS", "RESTORABLE UNTIL", "NAME IN USE"])
            for item in list.containers {
                table.add([item.name, item.deletedAt, String(item.blobs), item.restorableUntil, item.existsAgain ? "yes" : "no"])
            }
            return table.render()
        }
    }
}
