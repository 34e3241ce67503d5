import MedStoreProtocol

/// `medctl container create NAME`.
struct ContainerCreateCommand: Command {
    static let spec = CommandSpec(
        path: ["container", "create"],
        summary: "create a container",
        discussion: """
        Creates a container. Names follow Azure's rules: 3-63 characters, lowercase letters, digits
        and hyphens, starting and ending with a letter or digit, no two hyphens in a row.
        """,
        positionals: [ContainerArgument.name])

    /// The container's name.
    let name: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.positional(0, "NAME")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let container = try await context.client.createContainer(name)
        try context.printer.emit(container) {
            "Created container \(TerminalText.clean(container.name)).\n\n\(container.humanText)"
        }
    }
}
