import MedStoreProtocol

/// `medctl audit verify`: checks the audit trail's hash chain; exits 1 when it is broken.
struct AuditVerifyCommand: Command {
    static let spec = CommandSpec(
        path: ["audit", "verify"],
        summary: "check that no audit record was edited, removed or reordered",
        discussion: """
        Asks the daemon to walk the audit trail's hash chain from the first record and to compare
        its end with the head it keeps apart from audit.db. Exits 0 when the chain is intact.
        When it is broken, names the first bad seq and why (edited, removed, reordered, or
        removed while the daemon was stopped) and exits 1 (the taxonomy's failedPrecondition);
        with --json the result is still printed on stdout. Admins only.
        """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let result = try await context.client.verifyAudit()
        if result.ok || context.printer.json {
            try context.printer.emit(result) { result.humanText }
        }
        guard result.ok else {
            throw MedStoreError(.failedPrecondition,
                                "the audit chain is broken at seq \(result.firstBadSeq ?? 0): \(result.reason ?? "unknown reason") (\(result.recordsChecked) records checked)")
        }
    }
}
