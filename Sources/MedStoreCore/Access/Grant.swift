import MedStoreProtocol

/// An issuer grant as the daemon evaluates it. `info` is what is stored and shown.
public struct Grant: Sendable {
    /// The stored grant.
    public let info: GrantInfo
    /// The parsed `ipRange`, when set.
    public let ipRange: SASIPRange?

    /// Wraps stored grant info, parsing its IP range.
    public init(_ info: GrantInfo) throws(MedStoreError) {
        self.info = info
        self.ipRange = try info.ipRange.map { (text) throws(MedStoreError) -> SASIPRange in try SASIPRange.parse(text) }
    }

    /// Whether the grant is for `caller`. Unit and executable grants also require that the process
    /// recorded at accept is still the same one (PID-reuse defence).
    public func matches(_ caller: CallerIdentity) -> Bool {
        switch info.kind {
        case .user: return UInt32(info.subject) == caller.uid
        case .group: return UInt32(info.subject).map { caller.allGroups.contains($0) } ?? false
        case .unit: return caller.unit == info.subject && caller.processStillSame
        case .exe: return caller.executable == info.subject && caller.processStillSame
        }
    }

    /// Whether the grant's container pattern covers `container`.
    public func covers(container: String) -> Bool {
        ContainerPattern.matches(info.containers, container)
    }

    /// Nil when the grant allows `request`; otherwise a message naming the limit it hit.
    public func violation(of request: TokenRequest) -> String? {
        let name = "grant \(info.id)"
        guard covers(container: request.container) else {
            return "\(name) covers containers '\(info.containers)'; asked for '\(request.container)'"
        }
        let extra = request.permissions.filter { !info.permissions.contains($0) }
        if !extra.isEmpty {
            return "\(name) allows permissions '\(info.permissions)'; asked for '\(request.permissions)' ('\(extra)' not granted)"
        }
        if request.lifetimeSeconds > info.maxTTLSeconds {
            return "\(name) allows at most \(GrantDuration.text(info.maxTTLSeconds)); asked for \(GrantDuration.text(request.lifetimeSeconds))"
        }
        if let allowed = ipRange {
            guard let asked = request.ip else {
                return "\(name) requires an IP range inside \(allowed.text); asked for none (give ip)"
            }
            guard allowed.contains(asked.low), allowed.contains(asked.high) else {
                return "\(name) requires an IP range inside \(allowed.text); asked for \(asked.text)"
            }
        }
        return nil
    }
}

/// What a token request asks for, reduced to what grants limit.
public struct TokenRequest: Sendable {
    /// The container.
    public var container: String
    /// Permission letters, canonical.
    public var permissions: String
    /// Seconds from the earlier of start and now to expiry.
    public var lifetimeSeconds: UInt64
    /// The signed IP range, if any.
    public var ip: SASIPRange?

    /// Creates a request.
    public init(container: String, permissions: String, lifetimeSeconds: UInt64, ip: SASIPRange?) {
        self.container = container
        self.permissions = permissions
        self.lifetimeSeconds = lifetimeSeconds
        self.ip = ip
    }
}

/// Container patterns: an exact name, or a glob where `*` stands for any run of characters.
public enum ContainerPattern {
    /// Checks a pattern: container-name characters and `*`, 1–63 characters.
    public static func validate(_ pattern: String) throws(MedStoreError) {
        let allowed = pattern.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "*" }
        guard !pattern.isEmpty, pattern.count <= 63, allowed else {
            throw MedStoreError(.invalidArgument,
                "containers must be a container name or a glob with '*' (lowercase letters, digits, '-', '*'), got '\(pattern.prefix(80))'")
        }
    }

    /// Whether `name` matches `pattern`.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8), n = Array(name.utf8)
        var pi = 0, ni = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count && p[pi] != UInt8(ascii: "*") && p[pi] == n[ni] {
                pi += 1
                ni += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ni
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ni = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

/// Durations in messages: `1h`, `1h30m`, `90s`, `2d`.
public enum GrantDuration {
    /// `seconds` as the largest units that fit, e.g. 5400 → `1h30m`.
    public static func text(_ seconds: UInt64) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var text = ""
        for (unit, size) in [("d", UInt64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }
}
