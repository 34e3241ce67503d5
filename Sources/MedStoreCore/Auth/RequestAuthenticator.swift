import Foundation
import MedStoreProtocol

/// Decides whether a blob REST request may proceed, and as whom.
///
/// Order of checks (each failure is final):
/// 1. Firewall: the peer must be in a cluster network or an allowed-IP rule, else 403
///    `AuthorizationFailure` — before any parsing or signature work.
/// 2. The account in the path must be this account, else 403 `AuthenticationFailed` (Azure has
///    no equivalent: the account is the host name there; see the report for the 404 alternative).
/// 3. Credentials: `Authorization: SharedKey …` → ``SharedKeyVerifier``; SAS query parameters →
///    service SAS (``ServiceSASVerifier`` then ``SASPermissionTable``); both at once → 403
///    `AuthenticationFailed`; neither → 401 `NoAuthenticationInformation`. Anonymous access is
///    never allowed. Account SAS, user delegation SAS, stored policies (`si`), encryption scopes
///    (`ses`), `sr` other than `c`/`b` and `SharedKeyLite` → 403 `AuthenticationFailed`.
///
/// Failures are logged (info) with the Azure code, the operation, the peer and, for a SAS, the
/// token fingerprint — never a signature, key, string-to-sign or query string. A token revoked
/// through the registry (``RevokedTokenSet``) fails with `AuthenticationFailed` right after its
/// signature verified.
public final class RequestAuthenticator: Sendable {
    private let logger: Logger

    /// Creates an authenticator that logs refusals to `logger`.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Azure's `<Message>` for `AuthenticationFailed`; the error's own message is the
    /// `<AuthenticationErrorDetail>`.
    public static let authenticationFailedMessage = AuthErrors.authenticationFailedMessage

    /// The error to answer when a create-only SAS (``AuthIdentity/mayOverwriteBlobs`` false) meets
    /// an existing blob in the blob store: Azure's 403 `UnauthorizedBlobOverwrite` text, carried
    /// as `.authorizationPermissionMismatch` until the vocabulary has its own code.
    public static func unauthorizedBlobOverwrite() -> MedStoreError {
        AuthErrors.unauthorizedBlobOverwrite()
    }

    /// First 16 hex digits of the ``TokenFingerprint`` of a signature (the `sig` value,
    /// percent-decoded): a stable, non-reversible handle for logs, the prefix of the registry's
    /// fingerprint of the same token.
    public static func fingerprint(ofSignature signature: String) -> String {
        TokenFingerprint(signature: signature).short
    }

    /// The fingerprint of the `sig` parameter in a raw query string, or `nil` when there is none
    /// (or it is not validly percent-encoded): for the access log line of a refused request.
    /// Nothing else in the query is looked at.
    public static func tokenFingerprint(rawQuery: String) -> String? {
        let query = rawQuery.hasPrefix("?") ? rawQuery.dropFirst() : Substring(rawQuery)
        for piece in query.split(separator: "&") where piece.hasPrefix("sig=") {
            guard let signature = PercentEncoding.decode(String(piece.dropFirst(4))), !signature.isEmpty else { return nil }
            return fingerprint(ofSignature: signature)
        }
        return nil
    }

    /// Authenticates and authorizes `request`.
    ///
    /// - Parameters:
    ///   - keys: the account's current keys (primary and secondary); a token signed with a key
    ///     that is no longer here (regenerated) fails with `AuthenticationFailed`.
    ///   - accountName: the account this server holds.
    ///   - firewall: the cluster networks and allowed-IP rules as of now.
    ///   - revoked: the revoked, unexpired tokens as of now; such a token fails with
    ///     `AuthenticationFailed` once its signature verified.
    /// - Throws: a data-plane error (`authorizationFailure`, `authenticationFailed`,
    ///   `authorizationPermissionMismatch`, `authorizationSourceIPMismatch`,
    ///   `authorizationProtocolMismatch`, `noAuthenticationInformation`) with Azure's message.
    public func authenticate(_ request: AuthRequest, keys: [KeyName: AccountKey], accountName: String,
                             firewall: AccountFirewall,
                             revoked: RevokedTokenSet = RevokedTokenSet()) throws(MedStoreError) -> AuthIdentity {
        var fingerprint: TokenFingerprint?
        do {
            return try decide(request, keys: keys, accountName: accountName, firewall: firewall, revoked: revoked,
                              fingerprint: &fingerprint)
        } catch {
            logger.info("data plane request refused", [
                ("code", error.code.azureErrorCode),
                ("operation", request.operation.rawValue),
                ("peer", request.peer.unmappedIPv4.description),
                ("container", request.container ?? "-"),
                ("blob", request.blob ?? "-"),
                ("token", fingerprint?.short ?? "-"),
                ("reason", error.message),
            ])
            throw error
        }
    }

    private func decide(_ request: AuthRequest, keys: [KeyName: AccountKey], accountName: String,
                        firewall: AccountFirewall, revoked: RevokedTokenSet,
                        fingerprint: inout TokenFingerprint?) throws(MedStoreError) -> AuthIdentity {
        guard firewall.allows(request.peer) else { throw AuthErrors.authorizationFailure() }
        guard request.account == accountName else {
            throw AuthErrors.authenticationFailed("The account in the request path is not served here.")
        }

        let authorization = request.header("Authorization")
        var sas: (parameters: ServiceSASParameters, signature: String)?
        var sasError: MedStoreError?
        do {
            sas = try ServiceSASParameters.parse(query: request.rawQuery)
        } catch {
            sasError = error
        }
        if let sas { fingerprint = TokenFingerprint(signature: sas.signature) }

        if authorization != nil && (sas != nil || sasError != nil) {
            throw AuthErrors.authenticationFailed(
                "A request must carry either a Shared Key Authorization header or a SAS, not both.")
        }
        if let authorization {
            _ = try SharedKeyVerifier.verify(request, authorization: authorization, keys: keys, accountName: accountName)
            return .sharedKey
        }
        if let sasError {
            throw AuthErrors.authenticationFailed(sasError.message)
        }
        guard let sas, let fingerprint else {
            throw AuthErrors.noAuthenticationInformation()
        }
        let grant = try ServiceSASVerifier.verify(
            request, parameters: sas.parameters, signature: sas.signature, keys: keys,
            accountName: accountName, fingerprint: fingerprint, revoked: revoked)
        try SASPermissionTable.check(request.operation, permissions: grant.permissions,
                                     signedVersion: grant.signedVersion, blobExists: request.blobExists)
        return .serviceSAS(grant)
    }
}
