import MedStoreProtocol

/// `medctl token blob CONTAINER BLOB --permissions … (--expiry T | --ttl D) …`: a blob SAS.
struct TokenBlobCommand: Command {
    static let spec = CommandSpec(
        path: ["token", "blob"],
        summary: "issue a service SAS token for one blob",
        discussion: """
        Issues a service SAS token for one blob, signed with the key for tokens, byte-identical to
        Azure's generate_blob_sas. It is shown once: medstored records who asked for it and its
        fingerprint (`medctl token list`), never the token. A blob name that starts with '-' goes
        after '--'.
        """,
        positionals: [
            PositionalSpec("CONTAINER", "the container"),
            PositionalSpec("BLOB", "the blob's name, unencoded (1-1024 characters)"),
        ],
        options: TokenArguments.options(permissionLetters: "racwdxyltmei", example: "rw"),
        synopsis: "CONTAINER BLOB " + TokenArguments.synopsis)

    /// The container.
    let container: String
    /// The blob's raw name.
    let blob: String
    /// The token's limits.
    let token: TokenArguments

    init(_ arguments: ParsedArguments) throws(UsageError) {
        container = try arguments.positional(0, "CONTAINER")
        blob = try arguments.positional(1, "BLOB")
        token = try TokenArguments(arguments)
    }

    func validate() throws(UsageError) {
        try token.validate()
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let issued = try await context.client.blobToken(container, blob: blob, token.tokenOptions)
        try context.printer.emit(issued) { issued.humanText }
    }
}
