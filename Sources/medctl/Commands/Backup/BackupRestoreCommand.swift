import Foundation
import MedStoreProtocol

/// `medctl backup restore CONTAINER --to TIME [--into NEW]`: point-in-time restore.
struct BackupRestoreCommand: Command {
    static let spec = CommandSpec(
        path: ["backup", "restore"],
        summary: "put a container back as it was at a time (admin)",
        discussion: """
        In place (default): afterwards the container holds exactly the blobs, bytes, metadata and
        content properties it held at TIME; blobs created later are removed, deleted ones come
        back, overwritten ones revert. All or nothing; writes wait while it runs. The restore is
        itself recorded, so restoring to a time before it undoes it. A deleted container is
        brought back (see `medctl backup deleted`).
        With --into NEW the state at TIME becomes the new container NEW and CONTAINER is left as
        it is, for inspection before an in-place restore.
        TIME is RFC 3339 (2026-12-01T10:15:00Z) or relative to now (-90s, -15m, -2h, -3d, -1d12h),
        inside the retention window (`medctl backup show CONTAINER`).
        """,
        positionals: [PositionalSpec("CONTAINER", "container name")],
        options: [
            .value("--to", "TIME", "restore time: RFC 3339 or relative like -2h (required)"),
            .value("--into", "NEW", "materialise the state as this new container instead"),
        ])

    /// The container, the time and the optional target.
    let container: String
    let time: String
    let into: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        container = try arguments.positional(0, "CONTAINER")
        time = try arguments.required("--to")
        into = try arguments.value("--into")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let result = try await context.client.restoreContainer(container, to: time, into: into)
        try context.printer.emit(result) {
            let headline = into == nil
                ? "Restored container \(TerminalText.clean(result.container)) to \(result.restoredTo)"
                    + (result.containerRecreated ? " (the deleted container is back)." : ".")
                : "Restored \(TerminalText.clean(container)) as of \(result.restoredTo) into the new container \(TerminalText.clean(result.container))."
            var block = KeyValueWriter()
            block.add("restored", "\(result.restored) blobs")
            block.add("removed", "\(result.removed) blobs")
            block.add("reverted", "\(result.reverted) blobs")
            block.add("took", String(format: "%.3f s", result.durationMs / 1000))
            return headline + "\n\n" + block.render()
        }
    }
}
