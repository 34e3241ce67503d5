import MedStoreProtocol

/// The errors the authenticator returns, with Azure's error codes and message texts.
///
/// For `.authenticationFailed` the error's message is the detail Azure puts in
/// `<AuthenticationErrorDetail>`; Azure's `<Message>` for that code is always
/// ``authenticationFailedMessage``. No message ever contains a signature, a key or a token.
enum AuthErrors {
    /// Azure's `<Message>` for `AuthenticationFailed`.
    static let authenticationFailedMessage =
        "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."

    static func authenticationFailed(_ detail: String) -> MedStoreError {
        MedStoreError(.authenticationFailed, detail)
    }

    /// A token revoked through the registry (`token.revoke`), until it expires.
    static func tokenRevoked(_ fingerprint: TokenFingerprint) -> MedStoreError {
        MedStoreError(.authenticationFailed,
                      "This SAS token was revoked (token fingerprint \(fingerprint.short)); ask for a new token.")
    }

    /// Firewall refusals and operations a service SAS can never perform.
    static func authorizationFailure() -> MedStoreError {
        MedStoreError(.authorizationFailure, "This request is not authorized to perform this operation.")
    }

    static func permissionMismatch() -> MedStoreError {
        MedStoreError(.authorizationPermissionMismatch, "This request is not authorized to perform this operation using this permission.")
    }

    static func sourceIPMismatch(_ peer: IPAddress) -> MedStoreError {
        MedStoreError(.authorizationSourceIPMismatch,
                      "This request is not authorized to perform this operation using this source IP \(peer.unmappedIPv4).")
    }

    static func protocolMismatch() -> MedStoreError {
        MedStoreError(.authorizationProtocolMismatch, "This request is not authorized to perform this operation using this protocol.")
    }

    static func noAuthenticationInformation() -> MedStoreError {
        MedStoreError(.noAuthenticationInformation,
                      "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.")
    }

    /// Azure's `UnauthorizedBlobOverwrite` (403): a create-only token met an existing blob.
    static func unauthorizedBlobOverwrite() -> MedStoreError {
        MedStoreError(.unauthorizedBlobOverwrite, unauthorizedBlobOverwriteMessage)
    }

    static let unauthorizedBlobOverwriteMessage = "This request is not authorized to perform blob overwrites."
}
