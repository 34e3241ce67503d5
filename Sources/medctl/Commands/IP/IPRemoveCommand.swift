import MedStoreProtocol

/// `medctl ip remove ADDR|CIDR|ID`: removes an allowed-IP rule.
struct IPRemoveCommand: Command {
    static let spec = CommandSpec(
        path: ["ip", "remove"],
        summary: "remove an allowed-IP rule by address, range or id",
        positionals: [PositionalSpec("ADDR|CIDR|ID", "the rule's address, range, or id from `medctl ip list`")])

    /// The rule as typed.
    let rule: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        rule = try arguments.positional(0, "ADDR|CIDR|ID")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let removed = try await context.client.removeIP(rule)
        try context.printer.emit(removed) {
            "Removed rule \(removed.id) (\(TerminalText.clean(removed.network)))."
        }
    }
}
