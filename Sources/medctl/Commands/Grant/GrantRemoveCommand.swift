import MedStoreProtocol

/// `medctl grant remove ID`: removes an issuer grant.
struct GrantRemoveCommand: Command {
    static let spec = CommandSpec(
        path: ["grant", "remove"],
        summary: "remove an issuer grant",
        positionals: [PositionalSpec("ID", "the grant's id from `medctl grant list`")])

    /// The grant's id.
    let id: UInt64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        let text = try arguments.positional(0, "ID")
        guard let id = UInt64(text), id > 0 else { throw UsageError("ID must be a grant id (a positive number), got '\(text)'") }
        self.id = id
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let removed = try await context.client.removeGrant(id)
        try context.printer.emit(removed) { "Removed grant \(removed.id) (\(removed.subjectText))." }
    }
}
