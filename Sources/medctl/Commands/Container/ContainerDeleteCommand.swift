import MedStoreProtocol

/// `medctl container delete NAME`: deletes the container and everything in it.
struct ContainerDeleteCommand: Command {
    static let spec = CommandSpec(
        path: ["container", "delete"],
        summary: "delete a container and everything in it",
        positionals: [ContainerArgument.name])

    /// The container's name.
    let name: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.positional(0, "NAME")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let container = try await context.client.deleteContainer(name)
        try context.printer.emit(container) {
            "Deleted container \(TerminalText.clean(container.name)) and everything in it."
        }
    }
}
