import MedStoreProtocol

/// `medctl status`: the daemon's version, uptime and whether the account exists.
struct StatusCommand: Command {
    static let spec = CommandSpec(
        path: ["status"],
        summary: "show the daemon's version, uptime, account and counters",
        discussion: """
        Shows medstored's version and protocol version, how long it has been up, whether the
        storage account exists, the number of containers, the cluster networks the firewall always
        allows, and how many control requests it has served.
        """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let status = try await context.client.status()
        try context.printer.emit(status) {
            var block = KeyValueWriter()
            block.add("daemon version", status.daemonVersion)
            block.add("protocol version", status.protocolVersion)
            block.add("socket", context.client.socketPath)
            block.add("started at", status.startedAt)
            block.add("uptime", HumanDuration.format(status.uptimeSeconds))
            block.add("account", status.accountPresent
                ? (status.accountName ?? "present")
                : "none (create one with `medctl account create`)")
            block.add("containers", String(status.containerCount))
            block.add("cluster networks", status.clusterNetworks.joined(separator: ", "))
            block.add("requests served", String(status.requestsServed))
            if let blob = status.blobRequestsServed { block.add("blob requests", String(blob)) }
            if let tokens = status.tokensIssued { block.add("tokens issued", String(tokens)) }
            if let refused = status.authFailures { block.add("auth failures", String(refused)) }
            return block.render()
        }
    }
}
