import MedStoreProtocol

/// `medctl grant list`: every issuer grant.
struct GrantListCommand: Command {
    static let spec = CommandSpec(path: ["grant", "list"], summary: "list the issuer grants")

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let list = try await context.client.listGrants()
        try context.printer.emit(list) {
            guard !list.grants.isEmpty else { return "No grants." }
            var table = TableWriter(header: ["ID", "FOR", "CONTAINERS", "PERMS", "MAX TTL", "IP RANGE", "HTTPS"])
            for grant in list.grants {
                table.add([String(grant.id), grant.subjectText, grant.containers, grant.permissions,
                           HumanDuration.format(grant.maxTTLSeconds), grant.ipRange ?? "any",
                           grant.httpsOnly ? "only" : "any"])
            }
            return table.render()
        }
    }
}
