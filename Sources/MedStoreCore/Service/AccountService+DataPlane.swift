import Foundation
import MedStoreProtocol

/// What the blob data plane needs for one request, read in one step under the lock.
public struct DataPlaneContext: Sendable {
    /// The account's name, or nil when there is no account.
    public var accountName: String?
    /// The current key bytes (primary and secondary).
    public var keys: [KeyName: AccountKey]
    /// Cluster networks plus allowed-IP rules, as they are now.
    public var firewall: AccountFirewall
    /// Revoked tokens that have not expired, as they are now.
    public var revokedTokens = RevokedTokenSet()
}

extension AccountService {
    /// The account name, keys, firewall and revoked tokens as of this moment: a regenerated key,
    /// a changed rule or a revoked token takes effect on the next request.
    public func dataPlaneContext() throws(MedStoreError) -> DataPlaneContext {
        let cluster = clusterCIDRs
        return try locked { () throws(MedStoreError) -> DataPlaneContext in
            if firewallCache == nil {
                let name = try accountRow()?.name
                let rules = try db.query("SELECT network FROM ip_rules").compactMap { row -> CIDR? in
                    guard let text = row.text(0) else { return nil }
                    return try? CIDR.parse(text)
                }
                firewallCache = (name, rules)
            }
            let cached = firewallCache ?? (nil, [])
            revokedTokens.dropExpired(now: now)
            return DataPlaneContext(accountName: cached.accountName, keys: keyCache,
                                    firewall: AccountFirewall(clusterNetworks: cluster, rules: cached.rules),
                                    revokedTokens: revokedTokens)
        }
    }
}
