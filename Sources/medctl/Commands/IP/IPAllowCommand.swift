import MedStoreProtocol

/// `medctl ip allow ADDR|CIDR [--note TEXT]`: adds an allowed-IP rule.
struct IPAllowCommand: Command {
    static let spec = CommandSpec(
        path: ["ip", "allow"],
        summary: "allow an address or CIDR range through the account firewall",
        discussion: """
        Allows requests from an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.7,
        198.51.100.0/24, 2001:db8::/32). A range with host bits set is refused.
        """,
        positionals: [PositionalSpec("ADDR|CIDR", "an address or CIDR range")],
        options: [
            .value("--note", "TEXT", "free text kept with the rule (at most 256 bytes)"),
        ])

    /// The address or range.
    let address: String
    /// Free text.
    let note: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        address = try arguments.positional(0, "ADDR|CIDR")
        note = try arguments.value("--note")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let rule = try await context.client.allowIP(address, note: note)
        try context.printer.emit(rule) {
            "Allowed \(TerminalText.clean(rule.network)) (rule \(rule.id)).\n\n\(rule.humanText)"
        }
    }
}
