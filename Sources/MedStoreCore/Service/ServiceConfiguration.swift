import Foundation

/// What the account service needs to know about its surroundings.
public struct ServiceConfiguration: Sendable {
    /// Public base URL template for SAS URLs. `{account}` is replaced by the account name; a
    /// template without it gets the name appended as a path segment.
    public var blobEndpointTemplate: String
    /// Networks always allowed by the firewall (canonical CIDR text).
    public var clusterNetworks: [String]
    /// The daemon's release version.
    public var daemonVersion: String
    /// Days the backup journal keeps history (``BackupRetention/allowedDays``).
    public var backupRetentionDays: Int

    /// Creates a configuration.
    public init(blobEndpointTemplate: String, clusterNetworks: [String], daemonVersion: String,
                backupRetentionDays: Int = BackupRetention.defaultDays) {
        self.blobEndpointTemplate = blobEndpointTemplate
        self.clusterNetworks = clusterNetworks
        self.daemonVersion = daemonVersion
        self.backupRetentionDays = backupRetentionDays
    }

    /// The blob endpoint for `account`, without a trailing slash.
    public func blobEndpoint(account: String) -> String {
        if blobEndpointTemplate.contains("{account}") {
            return trimmed(blobEndpointTemplate.replacingOccurrences(of: "{account}", with: account))
        }
        return trimmed(blobEndpointTemplate) + "/" + account
    }

    private func trimmed(_ s: String) -> String {
        var s = s
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
