/// The revoked tokens that have not expired yet, by fingerprint, with each one's expiry (Unix
/// seconds). The data plane consults it after a signature verified; an entry is dropped once
/// its token has expired (the time window refuses the token from then on anyway).
///
/// A value type: ``AccountService`` keeps the live set under the store lock and hands each
/// request a copy taken in the same step as the keys, so a revocation applies from the next
/// request on.
public struct RevokedTokenSet: Sendable, Equatable {
    private var expiries: [String: Int64] = [:]
    /// The earliest expiry in the set (`Int64.max` when empty): nothing to drop before it.
    private var nextExpiry = Int64.max

    /// An empty set.
    public init() {}

    /// Number of entries.
    public var count: Int { expiries.count }

    /// Whether the token with `fingerprint` is revoked.
    public func contains(_ fingerprint: TokenFingerprint) -> Bool {
        expiries[fingerprint.hex] != nil
    }

    /// Adds a revoked token that expires at `expiresAt` (Unix seconds).
    public mutating func insert(_ fingerprint: TokenFingerprint, expiresAt: Int64) {
        expiries[fingerprint.hex] = max(expiries[fingerprint.hex] ?? .min, expiresAt)
        nextExpiry = min(nextExpiry, expiresAt)
    }

    /// Drops every entry whose token expired before `now` (Unix seconds). Cheap when nothing is
    /// due: one comparison.
    public mutating func dropExpired(now: Int64) {
        guard now > nextExpiry else { return }
        expiries = expiries.filter { $0.value >= now }
        nextExpiry = expiries.values.min() ?? .max
    }
}
