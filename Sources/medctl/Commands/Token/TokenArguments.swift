import MedStoreProtocol

/// The options both token commands share: permissions, start, expiry or lifetime, IP, HTTPS.
/// Times are passed to the daemon as typed (it validates them); `--ttl` is converted here.
struct TokenArguments: Sendable, Equatable {
    /// Permission letters as typed; the daemon checks and orders them.
    let permissions: String
    /// Start time as typed.
    let start: String?
    /// Expiry time as typed.
    let expiry: String?
    /// Lifetime in seconds, from `--ttl`.
    let ttlSeconds: UInt64?
    /// IPv4 address or range as typed.
    let ip: String?
    /// Whether only HTTPS may use the token.
    let httpsOnly: Bool

    /// The options, with the permission letters valid for the resource in the help text.
    static func options(permissionLetters: String, example: String) -> [OptionSpec] {
        [
            .value("--permissions", "LETTERS", "what the token allows, letters from \(permissionLetters), e.g. \(example) (required)"),
            .value("--start", "TIME", "when the token becomes valid: RFC 3339 or YYYY-MM-DD (default: at once)"),
            .value("--expiry", "TIME", "when the token expires: RFC 3339 or YYYY-MM-DD"),
            .value("--ttl", "DURATION", "how long the token lives from --start or now: 90s, 15m, 1h, 7d, 1h30m (at most 365d)"),
            .value("--ip", "ADDR|RANGE", "only requests from this IPv4 address or inclusive range A-B"),
            .flag("--https-only", "only HTTPS requests may use the token (spr=https)"),
        ]
    }

    /// The synopsis of the shared options.
    static let synopsis = "--permissions LETTERS [--start TIME] (--expiry TIME | --ttl DURATION) [--ip ADDR | --ip A-B] [--https-only]"

    /// Reads the shared options; `--ttl` must be a valid duration.
    init(_ arguments: ParsedArguments) throws(UsageError) {
        permissions = try arguments.required("--permissions")
        start = try arguments.value("--start")
        expiry = try arguments.value("--expiry")
        if let ttl = try arguments.value("--ttl") {
            ttlSeconds = try DurationParser.seconds(ttl)
        } else {
            ttlSeconds = nil
        }
        ip = try arguments.value("--ip")
        httpsOnly = arguments.flag("--https-only")
    }

    /// Exactly one of `--expiry` and `--ttl`; at least one permission letter.
    func validate() throws(UsageError) {
        if permissions.isEmpty {
            throw UsageError("--permissions needs at least one letter")
        }
        switch (expiry, ttlSeconds) {
        case (nil, nil): throw UsageError("give --expiry TIME or --ttl DURATION")
        case (.some, .some): throw UsageError("give --expiry or --ttl, not both")
        default: break
        }
    }

    /// The request's `options` map.
    var tokenOptions: TokenOptions {
        TokenOptions(permissions: permissions, start: start, expiry: expiry, ttlSeconds: ttlSeconds, ip: ip,
                     httpsOnly: httpsOnly ? true : nil)
    }
}
