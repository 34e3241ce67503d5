import MedStoreProtocol

/// `medctl token list [--active] [--container C]`: the tokens medstored issued, from its registry.
struct TokenListCommand: Command {
    static let spec = CommandSpec(
        path: ["token", "list"],
        summary: "list issued tokens (the registry: who, what, until when; never the token)",
        discussion: """
        Lists the tokens medstored issued, oldest first (all pages): id, who asked, the container or
        blob, permissions, expiry, the signing key, the fingerprint's first 16 hex digits (what the
        access log prints as token=) and the state: active, expired, revoked or key-regenerated.
        The tokens themselves are never stored. --json gives every recorded field.
        """,
        options: [
            .flag("--active", "only tokens the blob API still accepts"),
            .value("--container", "C", "only tokens for container C (container and blob tokens)"),
        ])

    /// Only active tokens.
    let activeOnly: Bool
    /// Only this container's tokens.
    let container: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        activeOnly = arguments.flag("--active")
        container = try arguments.value("--container")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let tokens = try await context.client.allTokens(activeOnly: activeOnly, container: container)
        try context.printer.emit(TokenList.Result(tokens: tokens, nextMarker: nil)) {
            guard !tokens.isEmpty else { return activeOnly ? "No active tokens." : "No tokens recorded." }
            var table = TableWriter(header: ["ID", "CALLER", "RESOURCE", "PERMS", "EXPIRES", "KEY", "FINGERPRINT", "STATE"])
            for token in tokens {
                table.add([String(token.id), token.caller, token.resourceText, token.permissions, token.expiry,
                           token.signedWith.rawValue, token.shortFingerprint, token.stateText])
            }
            return table.render()
        }
    }
}
