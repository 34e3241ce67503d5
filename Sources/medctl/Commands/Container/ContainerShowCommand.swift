import MedStoreProtocol

/// `medctl container show NAME`.
struct ContainerShowCommand: Command {
    static let spec = CommandSpec(
        path: ["container", "show"],
        summary: "show one container",
        positionals: [ContainerArgument.name])

    /// The container's name.
    let name: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.positional(0, "NAME")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let container = try await context.client.showContainer(name)
        try context.printer.emit(container) { container.humanText }
    }
}
