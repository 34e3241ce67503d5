import MedStoreProtocol

/// `medctl keys regenerate primary|secondary [--force] [--yes] [--dry-run]`: replaces a key with
/// fresh bytes, after saying which issued tokens that invalidates.
struct KeysRegenerateCommand: Command {
    static let spec = CommandSpec(
        path: ["keys", "regenerate"],
        summary: "replace a key with fresh random bytes",
        discussion: """
        Replaces the named key with fresh random bytes. Every token signed with its old bytes stops
        working at once. The key that signs tokens is refused without --force; the safe order is:
        switch to the other key, re-issue tokens, then regenerate.

        First asks medstored which unexpired tokens it issued with that key and prints "this
        invalidates N unexpired tokens: uid 1001 (alice) ×3, …". When N > 0 it goes on only with
        --yes, or when you type yes on a terminal. Tokens signed outside medstored with the raw key
        are not counted.
        """,
        positionals: [PositionalSpec("primary|secondary", "the key to replace")],
        options: [
            .flag("--force", "also regenerate the key that currently signs tokens (breaks its tokens at once)"),
            .flag("--yes", "go on even when unexpired tokens would be invalidated"),
            .flag("--dry-run", "only report which tokens it would invalidate; change nothing"),
        ],
        synopsis: "primary|secondary [--force] [--yes] [--dry-run]")

    /// The key to replace.
    let key: KeyName
    /// Whether the key that signs tokens may be replaced.
    let force: Bool
    /// Whether to go on without asking when tokens would be invalidated.
    let yes: Bool
    /// Only report.
    let dryRun: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        guard let text = arguments.positional(0) else { throw UsageError("name the key to regenerate: primary or secondary") }
        key = try KeyNameArgument.parse(text)
        force = arguments.flag("--force")
        yes = arguments.flag("--yes")
        dryRun = arguments.flag("--dry-run")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let preview = try await context.client.previewKeyRegeneration(key, force: force)
        let planned = preview.invalidatedTokens ?? TokenImpact(tokens: 0, callers: [])
        if dryRun {
            try context.printer.emit(preview) {
                "Regenerating the \(key.rawValue) key would invalidate \(planned.summaryText). Nothing was changed."
            }
            return
        }
        if planned.tokens > 0 && !yes {
            let question = "Regenerating the \(key.rawValue) key invalidates \(planned.summaryText)."
            guard TerminalPrompt.confirm(question) else {
                throw MedStoreError(.failedPrecondition,
                                    "this invalidates \(planned.summaryText); nothing was changed: pass --yes to regenerate the \(key.rawValue) key anyway")
            }
        }
        let result = try await context.client.regenerateKey(key, force: force)
        let invalidated = result.invalidatedTokens ?? planned
        try context.printer.emit(result) {
            "Regenerated the \(key.rawValue) key; tokens signed with its old bytes no longer work: this invalidated \(invalidated.summaryText).\n\n\(result.keysInfo.humanText)"
        }
    }
}
