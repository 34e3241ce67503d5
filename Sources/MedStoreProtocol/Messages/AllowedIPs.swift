/// One account-firewall rule.
public struct IPRuleInfo: Codable, Sendable, Equatable {
    /// Stable id.
    public var id: UInt64
    /// Canonical network in CIDR form (`203.0.113.7/32`, `2001:db8::/32`).
    public var network: String
    /// Free text.
    public var note: String?
    /// When it was added (RFC 3339 UTC).
    public var createdAt: String
    /// Creates rule info.
    public init(id: UInt64, network: String, note: String?, createdAt: String) {
        self.id = id
        self.network = network
        self.note = note
        self.createdAt = createdAt
    }
}

/// `ip.list`: the allowed-IP rules and the cluster networks always allowed.
public enum IPList: RPCMethod {
    public static let name = "ip.list"
    public typealias Params = Empty
    /// Rules.
    public struct Result: Codable, Sendable, Equatable {
        /// Rules in id order.
        public var rules: [IPRuleInfo]
        /// Always allowed (CIDR text).
        public var clusterNetworks: [String]
        /// Creates a result.
        public init(rules: [IPRuleInfo], clusterNetworks: [String]) {
            self.rules = rules
            self.clusterNetworks = clusterNetworks
        }
    }
}

/// `ip.allow`: adds a rule for an address or CIDR range (IPv4 or IPv6).
public enum IPAllow: RPCMethod {
    public static let name = "ip.allow"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// An address or CIDR range.
        public var address: String
        /// Free text.
        public var note: String?
        /// Creates parameters.
        public init(address: String, note: String? = nil) {
            self.address = address
            self.note = note
        }
    }
    public typealias Result = IPRuleInfo
}

/// `ip.remove`: removes a rule named by id, address or CIDR range.
public enum IPRemove: RPCMethod {
    public static let name = "ip.remove"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// A rule id (decimal), an address or a CIDR range.
        public var rule: String
        /// Creates parameters.
        public init(rule: String) { self.rule = rule }
    }
    public typealias Result = IPRuleInfo
}
