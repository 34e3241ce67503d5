/// The account's network gate: a peer may reach the data plane only from a cluster network or an
/// allowed-IP rule. Nothing else is allowed, and there is no "allow all" default.
///
/// Build one per request from the current rules so rule changes apply on the next request.
public struct AccountFirewall: Sendable, Equatable {
    /// Networks always allowed (the cluster's own).
    public var clusterNetworks: [CIDR]
    /// The account's allowed-IP rules.
    public var rules: [CIDR]

    /// Creates a firewall from the cluster networks and the allowed-IP rules.
    public init(clusterNetworks: [CIDR], rules: [CIDR]) {
        self.clusterNetworks = clusterNetworks
        self.rules = rules
    }

    /// Whether `peer` lies in a cluster network or a rule. An IPv4-mapped IPv6 peer
    /// (`::ffff:a.b.c.d`) is compared as its IPv4 address; IPv4 networks never match other IPv6
    /// peers and IPv6 networks never match IPv4 peers.
    public func allows(_ peer: IPAddress) -> Bool {
        clusterNetworks.contains { $0.contains(peer) } || rules.contains { $0.contains(peer) }
    }
}
