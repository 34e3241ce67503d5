import MedStoreProtocol

/// `medctl token revoke ID | --all-for-key primary|secondary | --container C`: the blob API
/// refuses the tokens from the next request until they expire.
struct TokenRevokeCommand: Command {
    static let spec = CommandSpec(
        path: ["token", "revoke"],
        summary: "revoke issued tokens: one by id, all signed with a key, or all for a container",
        discussion: """
        Revokes one token (its id from `medctl token list`), every active token signed with a key,
        or every active token for a container. The blob API refuses a revoked token from the next
        request on (403 AuthenticationFailed) until it expires. Tokens signed outside medstored
        with the raw key are not in the registry: only regenerating that key stops them.
        """,
        positionals: [PositionalSpec("ID", "the token's id from `medctl token list`", optional: true)],
        options: [
            .value("--all-for-key", "KEY", "every active token signed with KEY: primary or secondary"),
            .value("--container", "C", "every active token for container C (container and blob tokens)"),
        ],
        synopsis: "ID | --all-for-key primary|secondary | --container C")

    /// What to revoke.
    let params: TokenRevoke.Params

    init(_ arguments: ParsedArguments) throws(UsageError) {
        var params = TokenRevoke.Params()
        if let text = arguments.positional(0) {
            guard let id = UInt64(text), id > 0 else { throw UsageError("ID must be a token id (a positive number), got '\(text)'") }
            params.id = id
        }
        if let key = try arguments.value("--all-for-key") {
            params.allForKey = try KeyNameArgument.parse(key)
        }
        params.container = try arguments.value("--container")
        self.params = params
    }

    func validate() throws(UsageError) {
        let given = [params.id != nil, params.allForKey != nil, params.container != nil].filter { $0 }.count
        guard given == 1 else {
            throw UsageError("give exactly one of ID, --all-for-key KEY and --container C")
        }
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let result = try await context.client.revokeTokens(params)
        try context.printer.emit(result) {
            if let token = result.token {
                guard result.revoked > 0 else { return token.alreadyDeadText }
                return "Revoked token \(token.id) (\(token.caller), \(token.resourceText)); the blob API refuses it from now until it expires at \(token.expiry)."
            }
            let noun = result.revoked == 1 ? "1 active token" : "\(result.revoked) active tokens"
            if let key = params.allForKey { return "Revoked \(noun) signed with the \(key.rawValue) key." }
            return "Revoked \(noun) for container \(TerminalText.clean(params.container ?? ""))."
        }
    }
}
