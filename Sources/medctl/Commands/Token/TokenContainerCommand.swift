import MedStoreProtocol

/// `medctl token container NAME --permissions … (--expiry T | --ttl D) …`: a container SAS.
struct TokenContainerCommand: Command {
    static let spec = CommandSpec(
        path: ["token", "container"],
        summary: "issue a service SAS token for a container",
        discussion: """
        Issues a service SAS token for a container, signed with the key for tokens, byte-identical
        to Azure's generate_container_sas. It is shown once: medstored records who asked for it and
        its fingerprint (`medctl token list`), never the token.
        """,
        positionals: [PositionalSpec("NAME", "the container")],
        options: TokenArguments.options(permissionLetters: "racwdxyltfmei", example: "rl"),
        synopsis: "NAME " + TokenArguments.synopsis)

    /// The container.
    let container: String
    /// The token's limits.
    let token: TokenArguments

    init(_ arguments: ParsedArguments) throws(UsageError) {
        container = try arguments.positional(0, "NAME")
        token = try TokenArguments(arguments)
    }

    func validate() throws(UsageError) {
        try token.validate()
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let issued = try await context.client.containerToken(container, token.tokenOptions)
        try context.printer.emit(issued) { issued.humanText }
    }
}
