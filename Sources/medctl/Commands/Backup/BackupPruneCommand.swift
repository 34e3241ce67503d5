import Foundation
import MedStoreProtocol

/// `medctl backup prune`: prune the backup journal now (admin).
struct BackupPruneCommand: Command {
    static let spec = CommandSpec(
        path: ["backup", "prune"],
        summary: "remove now the history no restore point inside the retention window needs (admin)",
        discussion: "medstored also prunes hourly. Uncommitted blocks older than 7 days are dropped too.")

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let result = try await context.client.pruneBackups()
        try context.printer.emit(result) {
            var block = KeyValueWriter()
            block.add("versions removed", String(result.versionsRemoved))
            block.add("files removed", String(result.filesRemoved))
            block.add("bytes freed", ByteCount.format(result.bytesFreed))
            block.add("earliest restore point", result.earliestRestorePoint)
            block.add("took", String(format: "%.3f s", result.durationMs / 1000))
            return "Pruned the backup journal.\n\n" + block.render()
        }
    }
}
