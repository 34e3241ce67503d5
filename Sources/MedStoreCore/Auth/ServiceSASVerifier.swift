import Foundation
import MedStoreProtocol

/// Verifies a parsed service SAS for a request: everything except the per-operation permission
/// (``SASPermissionTable``).
///
/// Order: unsupported features (`si`, `ses`) and the version → the signed resource fits the
/// request's level → signature against each current key (constant time) → not revoked → well-formed fields
/// (`sp` in canonical order, `st`/`se`, `sip`, `spr`) → `st` < `se` → time window → `sip` →
/// `spr`. The signature comes before the remaining checks so a caller without a valid token
/// learns nothing beyond "signature did not match".
enum ServiceSASVerifier {
    static func verify(_ request: AuthRequest, parameters: ServiceSASParameters, signature: String,
                       keys: [KeyName: AccountKey], accountName: String, fingerprint: TokenFingerprint,
                       revoked: RevokedTokenSet) throws(MedStoreError) -> SASGrant {
        if parameters.identifier != nil {
            throw AuthErrors.authenticationFailed(
                "Stored access policies (si) are not supported; use an ad-hoc service SAS that carries sp and se.")
        }
        if parameters.encryptionScope != nil {
            throw AuthErrors.authenticationFailed("Encryption scopes (ses) are not supported.")
        }
        do {
            _ = try ServiceSASParameters.layout(forVersion: parameters.version)
        } catch {
            throw AuthErrors.authenticationFailed(error.message)
        }

        // A container SAS reaches its container and blobs; a blob SAS only a blob.
        let level = request.pathLevel
        let reaches = parameters.resource == .container ? level >= .container : level == .blob
        guard reaches, let container = request.container else {
            throw AuthErrors.authenticationFailed("The specified signed resource is not allowed for this resource level.")
        }
        let blob = parameters.resource == .blob ? request.blob : nil

        var signedWith: KeyName?
        do {
            for name in KeyName.allCases {
                guard let key = keys[name] else { continue }
                if try parameters.signatureMatches(signature, account: accountName, container: container, blob: blob, key: key) {
                    signedWith = name
                    break
                }
            }
        } catch {
            throw AuthErrors.authenticationFailed("Signature fields not well formed: \(error.message)")
        }
        guard let keyName = signedWith else {
            let resource = parameters.canonicalizedResource(account: accountName, container: container, blob: blob)
            throw AuthErrors.authenticationFailed("Signature did not match. Canonicalized resource used was \(resource)")
        }
        if revoked.contains(fingerprint) {
            throw AuthErrors.tokenRevoked(fingerprint)
        }

        let permissions: SASPermissions
        do {
            permissions = try SASPermissions.parseSigned(parameters.permissions, for: parameters.resource)
        } catch {
            throw AuthErrors.authenticationFailed("Signature fields not well formed: \(error.message)")
        }
        let start: Date?
        let expiry: Date
        let ipRange: SASIPRange?
        do {
            start = try parameters.start.map(SASTime.parseSignedTime)
            expiry = try SASTime.parseSignedTime(parameters.expiry)
            ipRange = try parameters.ip.map(SASIPRange.parse)
        } catch {
            throw AuthErrors.authenticationFailed("Signature fields not well formed: \(error.message)")
        }
        let protocols = parameters.protocols ?? "https,http"
        guard protocols == "https" || protocols == "https,http" else {
            throw AuthErrors.authenticationFailed("Signature fields not well formed: spr must be https or https,http.")
        }

        if let start, expiry <= start {
            throw AuthErrors.authenticationFailed(
                "Signed expiry time [\(RFC1123Date.format(expiry))] must be after signed start time [\(RFC1123Date.format(start))]")
        }
        if start.map({ request.now < $0 }) ?? false || request.now > expiry {
            throw AuthErrors.authenticationFailed(
                "Signature not valid in the specified time frame: Start [\(start.map(RFC1123Date.format) ?? "")] - "
                    + "Expiry [\(RFC1123Date.format(expiry))] - Current [\(RFC1123Date.format(request.now))]")
        }
        if let ipRange, !ipRange.contains(request.peer) {
            throw AuthErrors.sourceIPMismatch(request.peer)
        }
        if protocols == "https" && !request.isTLS {
            throw AuthErrors.protocolMismatch()
        }

        return SASGrant(
            permissions: permissions,
            resource: parameters.resource,
            fingerprint: fingerprint.short,
            responseOverrides: SASResponseOverrides(
                cacheControl: parameters.cacheControl, contentDisposition: parameters.contentDisposition,
                contentEncoding: parameters.contentEncoding, contentLanguage: parameters.contentLanguage,
                contentType: parameters.contentType),
            signedWith: keyName,
            signedVersion: parameters.version)
    }
}
