import MedStoreProtocol

/// `medctl ip list`: the allowed-IP rules and the cluster networks that are always allowed.
struct IPListCommand: Command {
    static let spec = CommandSpec(
        path: ["ip", "list"],
        summary: "list the allowed-IP rules and the cluster networks",
        discussion: """
        Lists the account firewall's allowed-IP rules by id, and the cluster networks medstored
        always allows (set with medstored --cluster-network).
        """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let list = try await context.client.listIPRules()
        try context.printer.emit(list) {
            var text: String
            if list.rules.isEmpty {
                text = "No allowed-IP rules."
            } else {
                var table = TableWriter(header: ["ID", "NETWORK", "CREATED", "NOTE"])
                for rule in list.rules { table.add([String(rule.id), rule.network, rule.createdAt, rule.note ?? ""]) }
                text = table.render()
            }
            let networks = list.clusterNetworks.isEmpty ? "none" : list.clusterNetworks.map(TerminalText.clean).joined(separator: ", ")
            text += "\n\nCluster networks (always allowed): \(networks)"
            return text
        }
    }
}
