/// `status`: the daemon's health and headline facts.
public enum Status: RPCMethod {
    public static let name = "status"
    public typealias Params = Empty

    /// Daemon facts.
    public struct Result: Codable, Sendable, Equatable {
        /// The daemon's release version.
        public var daemonVersion: String
        /// `major.minor` of the protocol.
        public var protocolVersion: String
        /// When the daemon started (RFC 3339 UTC).
        public var startedAt: String
        /// Seconds since start.
        public var uptimeSeconds: UInt64
        /// Whether the storage account exists.
        public var accountPresent: Bool
        /// The account's name, when present.
        public var accountName: String?
        /// Number of containers.
        public var containerCount: UInt64
        /// Networks always allowed by the firewall (CIDR text).
        public var clusterNetworks: [String]
        /// Control requests served since start.
        public var requestsServed: UInt64
        /// Blob API requests served since start (1.1).
        public var blobRequestsServed: UInt64?
        /// SAS tokens issued since start (1.1).
        public var tokensIssued: UInt64?
        /// Blob API requests refused by the firewall or authentication since start (1.1).
        public var authFailures: UInt64?

        /// Creates a status result.
        public init(daemonVersion: String, protocolVersion: String, startedAt: String, uptimeSeconds: UInt64,
                    accountPresent: Bool, accountName: String?, containerCount: UInt64,
                    clusterNetworks: [String], requestsServed: UInt64) {
            self.daemonVersion = daemonVersion
            self.protocolVersion = protocolVersion
            self.startedAt = startedAt
            self.uptimeSeconds = uptimeSeconds
            self.accountPresent = accountPresent
            self.accountName = accountName
            self.containerCount = containerCount
            self.clusterNetworks = clusterNetworks
            self.requestsServed = requestsServed
        }

        /// Adds the data-plane headline numbers.
        public func with(blobRequestsServed: UInt64, tokensIssued: UInt64, authFailures: UInt64) -> Result {
            var copy = self
            copy.blobRequestsServed = blobRequestsServed
            copy.tokensIssued = tokensIssued
            copy.authFailures = authFailures
            return copy
        }
    }
}
