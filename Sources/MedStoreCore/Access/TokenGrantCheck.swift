import Foundation
import MedStoreProtocol

/// Holds a token request from an issuer against its grants.
public enum TokenGrantCheck {
    /// The options to sign with when one of `grants` allows the request (HTTPS-only forced when
    /// that grant says so).
    ///
    /// - Throws: `permissionDenied` naming the limit hit (of the first grant that covers the
    ///   container, else the container limit), or the usual `invalid…` errors for a bad request.
    public static func options(grants: [Grant], container: String, blob: String?, options: TokenOptions,
                               now: Date) throws(MedStoreError) -> TokenOptions {
        guard !grants.isEmpty else {
            throw MedStoreError(.permissionDenied, "no grant allows this caller to request tokens")
        }
        let request = try tokenRequest(container: container, blob: blob, options: options, now: now)
        var firstViolation: String?
        var containerViolation: String?
        for grant in grants {
            guard let violation = grant.violation(of: request) else {
                var signed = options
                if grant.info.httpsOnly { signed.httpsOnly = true }
                return signed
            }
            if grant.covers(container: container) {
                if firstViolation == nil { firstViolation = violation }
            } else if containerViolation == nil {
                containerViolation = violation
            }
        }
        throw MedStoreError(.permissionDenied, firstViolation ?? containerViolation ?? "no grant allows this token")
    }

    /// Reduces `options` to what grants limit; validates it as issuing would.
    static func tokenRequest(container: String, blob: String?, options: TokenOptions,
                             now: Date) throws(MedStoreError) -> TokenRequest {
        try ResourceNames.validateContainerName(container)
        let resource: SASResource = blob == nil ? .container : .blob
        let permissions = try SASPermissions.parse(options.permissions, for: resource)
        let window = try TokenWindow(options: options, now: now)
        let nowSeconds = now.timeIntervalSince1970.rounded(.down)
        var from = nowSeconds
        if let start = window.start, let startDate = try? SASTime.parseUserTime(start) {
            from = min(from, startDate.timeIntervalSince1970)
        }
        let expiry = try SASTime.parseUserTime(window.expiry).timeIntervalSince1970
        let ip = try options.ip.map { (text) throws(MedStoreError) -> SASIPRange in try SASIPRange.parse(text) }
        return TokenRequest(container: container, permissions: permissions.canonical,
                            lifetimeSeconds: UInt64(max(0, expiry - from)), ip: ip)
    }
}
