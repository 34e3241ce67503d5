import Glibc
import MedStoreProtocol

/// `medctl audit list [--since T] [--caller U] [--method M] [--limit N]`: the audit trail.
struct AuditListCommand: Command {
    static let spec = CommandSpec(
        path: ["audit", "list"],
        summary: "list control requests from the audit trail, oldest first",
        discussion: """
        Lists every control request the daemon received after hello, allowed or refused: when,
        who (uid, user, pid, executable, unit, role), which method on which target, and how it
        ended (ok or the error code). Performed requests show the outcome recorded after them;
        none means the daemon stopped before it could record one. Daemon starts are listed as
        medstored.start. Admins only.
        """,
        options: [
            .value("--since", "TIME", "only entries from TIME on: RFC 3339, YYYY-MM-DD, or a duration ago such as -2h"),
            .value("--caller", "USER", "only requests of this user (name or uid)"),
            .value("--method", "METHOD", "only requests of this method, e.g. token.blob"),
            .value("--limit", "N", "at most N entries (default: all)"),
        ])

    /// The filters sent to the daemon.
    let params: AuditList.Params
    /// Most entries to show; nil for all.
    let limit: Int?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        let since = try arguments.value("--since").map { (text) throws(UsageError) -> String in
            try SinceArgument.resolve(text, now: Int64(time(nil)))
        }
        params = AuditList.Params(since: since, caller: try arguments.value("--caller"),
                                  method: try arguments.value("--method"))
        if let text = try arguments.value("--limit") {
            guard let value = Int(text), value > 0 else { throw UsageError("--limit needs a positive number, got '\(text)'") }
            limit = value
        } else {
            limit = nil
        }
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let entries = try await context.client.auditEntries(params, limit: limit)
        try context.printer.emit(AuditList.Result(entries: entries, nextMarker: nil)) {
            guard !entries.isEmpty else { return "No audit entries match." }
            var table = TableWriter(header: ["SEQ", "TIME", "CALLER", "ROLE", "METHOD", "TARGET", "OUTCOME"])
            for entry in entries {
                table.add([String(entry.seq), entry.time, entry.callerText, entry.role ?? "-", entry.method,
                           entry.target ?? entry.detail ?? "", entry.outcome ?? "(none recorded)"])
            }
            return table.render()
        }
    }
}
