import MedStoreProtocol

/// `medctl container list [--prefix P]`: every container, following the daemon's pages.
struct ContainerListCommand: Command {
    static let spec = CommandSpec(
        path: ["container", "list"],
        summary: "list containers in name order",
        discussion: "Lists every container in name order (all pages), optionally only those whose name starts with P.",
        options: [
            .value("--prefix", "P", "only containers whose name starts with P"),
        ])

    /// Only names starting with this.
    let prefix: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        prefix = try arguments.value("--prefix")
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let containers = try await context.client.allContainers(prefix: prefix)
        try context.printer.emit(ContainerList.Result(containers: containers, nextMarker: nil)) {
            guard !containers.isEmpty else {
                return prefix.map { "No containers whose name starts with '\(TerminalText.clean($0))'." } ?? "No containers."
            }
            var table = TableWriter(header: ["NAME", "CREATED"])
            for container in containers { table.add([container.name, container.createdAt]) }
            return table.render()
        }
    }
}
