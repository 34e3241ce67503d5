import MedStoreProtocol

/// `medctl keys switch [primary|secondary]`: changes the key that signs new tokens.
struct KeysSwitchCommand: Command {
    static let spec = CommandSpec(
        path: ["keys", "switch"],
        summary: "sign new tokens with the other key (or the one named)",
        discussion: """
        Makes the named key the one that signs new tokens; without a name, the other key. Tokens already issued
        keep working: both keys verify until one is regenerated.
        """,
        positionals: [PositionalSpec("primary|secondary", "the key to sign new tokens with (default: the one not signing now)", optional: true)],
        synopsis: "[primary|secondary]")

    /// The key to sign with; nil means the other one.
    let key: KeyName?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        if let text = arguments.positional(0) {
            key = try KeyNameArgument.parse(text)
        } else {
            key = nil
        }
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let keys = try await context.client.switchKey(to: key)
        try context.printer.emit(keys) {
            "Switched keys; tokens already issued keep working.\n\(keys.humanText)"
        }
    }
}
