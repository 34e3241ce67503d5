import MedStoreProtocol

/// `medctl grant add (--user U | --group G | --unit NAME.service | --exe PATH) --containers P
/// --permissions L --max-ttl D [--ip-range R] [--https-only]`: lets a caller request tokens.
struct GrantAddCommand: Command {
    static let spec = CommandSpec(
        path: ["grant", "add"],
        summary: "let a user, group, systemd unit or executable request tokens within limits",
        discussion: """
        Makes the caller an issuer: it may request container and blob tokens for containers
        matching --containers, with at most --permissions, living at most --max-ttl (counted from
        the earlier of start and now), inside --ip-range when given, and HTTPS-only when
        --https-only is given (forced on every token). A request beyond every grant is refused
        with a message naming the limit it hit.
        """,
        options: [
            .value("--user", "USER", "a user name or uid"),
            .value("--group", "GROUP", "a group name or gid (primary or supplementary members)"),
            .value("--unit", "NAME.service", "processes of a systemd service"),
            .value("--exe", "PATH", "processes running this executable (absolute path)"),
            .value("--containers", "PATTERN", "container name, or a glob with * (required)"),
            .value("--permissions", "LETTERS", "the most a token may allow, letters from racwdxyltfmei (required)"),
            .value("--max-ttl", "DURATION", "longest token lifetime: 90s, 15m, 1h, 7d (required)"),
            .value("--ip-range", "ADDR|A-B", "tokens must carry an IPv4 address or range inside this one"),
            .flag("--https-only", "sign every token HTTPS-only"),
        ],
        synopsis: "(--user U | --group G | --unit NAME.service | --exe PATH) --containers PATTERN --permissions LETTERS --max-ttl DURATION [--ip-range ADDR|A-B] [--https-only]")

    /// The request.
    let params: GrantAdd.Params

    init(_ arguments: ParsedArguments) throws(UsageError) {
        var subjects: [(GrantKind, String)] = []
        for (kind, flag) in [(GrantKind.user, "--user"), (.group, "--group"), (.unit, "--unit"), (.exe, "--exe")] {
            if let value = try arguments.value(flag) { subjects.append((kind, value)) }
        }
        guard subjects.count == 1, let subject = subjects.first else {
            throw UsageError("give exactly one of --user, --group, --unit, --exe")
        }
        params = GrantAdd.Params(
            kind: subject.0, subject: subject.1, containers: try arguments.required("--containers"),
            permissions: try arguments.required("--permissions"),
            maxTTLSeconds: try DurationParser.seconds(try arguments.required("--max-ttl")),
            ipRange: try arguments.value("--ip-range"), httpsOnly: arguments.flag("--https-only") ? true : nil)
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let grant = try await context.client.addGrant(params)
        try context.printer.emit(grant) { "Added grant \(grant.id).\n\n\(grant.humanText)" }
    }
}
