/// Who a grant is for.
public enum GrantKind: String, Codable, Sendable, CaseIterable {
    /// A user (by uid).
    case user
    /// Members of a group (primary or supplementary, by gid).
    case group
    /// Processes in a systemd service (`NAME.service`).
    case unit
    /// Processes running an executable (absolute path).
    case exe
}

/// One issuer grant: who may ask for which tokens, within which limits.
public struct GrantInfo: Codable, Sendable, Equatable {
    /// Stable id.
    public var id: UInt64
    /// Who the grant is for.
    public var kind: GrantKind
    /// The subject: a uid or gid in decimal, a unit name, or an executable path.
    public var subject: String
    /// The user or group name for `subject`, when the system knows it.
    public var subjectName: String?
    /// Container names the grant covers: an exact name or a glob with `*`.
    public var containers: String
    /// The permission letters a token may carry at most (canonical order).
    public var permissions: String
    /// Longest lifetime of a token, in seconds, from the earlier of start and now to expiry.
    public var maxTTLSeconds: UInt64
    /// When set, a token must carry an IP range (`ip`) inside this IPv4 address or range.
    public var ipRange: String?
    /// Tokens are always signed HTTPS-only.
    public var httpsOnly: Bool
    /// When it was added (RFC 3339 UTC).
    public var createdAt: String

    /// Creates grant info.
    public init(id: UInt64, kind: GrantKind, subject: String, subjectName: String?, containers: String,
                permissions: String, maxTTLSeconds: UInt64, ipRange: String?, httpsOnly: Bool, createdAt: String) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.subjectName = subjectName
        self.containers = containers
        self.permissions = permissions
        self.maxTTLSeconds = maxTTLSeconds
        self.ipRange = ipRange
        self.httpsOnly = httpsOnly
        self.createdAt = createdAt
    }
}

/// `grant.add`: lets a user, group, unit or executable request tokens within limits.
public enum GrantAdd: RPCMethod {
    public static let name = "grant.add"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// Who the grant is for.
        public var kind: GrantKind
        /// A user or group name or number, a `NAME.service` unit, or an absolute executable path.
        public var subject: String
        /// Container name or glob with `*`.
        public var containers: String
        /// Permission letters the tokens may carry at most.
        public var permissions: String
        /// Longest token lifetime in seconds (1 to 31536000).
        public var maxTTLSeconds: UInt64
        /// IPv4 address or inclusive range tokens must stay inside.
        public var ipRange: String?
        /// Force HTTPS-only tokens.
        public var httpsOnly: Bool?
        /// Creates parameters.
        public init(kind: GrantKind, subject: String, containers: String, permissions: String, maxTTLSeconds: UInt64,
                    ipRange: String? = nil, httpsOnly: Bool? = nil) {
            self.kind = kind
            self.subject = subject
            self.containers = containers
            self.permissions = permissions
            self.maxTTLSeconds = maxTTLSeconds
            self.ipRange = ipRange
            self.httpsOnly = httpsOnly
        }
    }
    public typealias Result = GrantInfo
}

/// `grant.list`: every grant, by id.
public enum GrantList: RPCMethod {
    public static let name = "grant.list"
    public typealias Params = Empty
    /// Grants.
    public struct Result: Codable, Sendable, Equatable {
        /// Grants in id order.
        public var grants: [GrantInfo]
        /// Creates a result.
        public init(grants: [GrantInfo]) { self.grants = grants }
    }
}

/// `grant.remove`: removes one grant by id.
public enum GrantRemove: RPCMethod {
    public static let name = "grant.remove"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The grant's id.
        public var id: UInt64
        /// Creates parameters.
        public init(id: UInt64) { self.id = id }
    }
    public typealias Result = GrantInfo
}
