import MedStoreProtocol

/// `medctl keys regenerate primary|secondary [--force]`: replaces a key with fresh bytes.
struct KeysRegenerateCommand: Command {
    static let spec = CommandSpec(
        path: ["keys", "regenerate"],
        summary: "replace a key with fresh random bytes",
        discussion: """
        Replaces the named key with fresh random bytes. Every token signed with its old bytes stops
        working at once. The key that signs tokens is refused without --force; the safe order is:
        switch to the other key, re-issue tokens, then regenerate.
        """,
        positionals: [PositionalSpec("primary|secondary", "the key to replace")],
        options: [
            .flag("--force", "also regenerate the key that currently signs tokens (breaks its tokens at once)"),
        ],
        synopsis: "primary|secondary [--force]")

    /// The key to replace.
    let key: KeyName
    /// Whether the key that signs tokens may be replaced.
    let force: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        guard let text = arguments.positional(0) else { throw UsageError("name the key to regenerate: primary or secondary") }
        key = try KeyNameArgument.parse(text)
        force = arguments.flag("--force")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let keys = try await context.client.regenerateKey(key, force: force)
        try context.printer.emit(keys) {
            "Regenerated the \(key.rawValue) key; tokens signed with its old bytes no longer work.\n\n\(keys.humanText)"
        }
    }
}
