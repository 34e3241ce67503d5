import MedStoreProtocol

/// One issued token as the registry stores it (a row of `issued_tokens` before it has an id).
/// Holds the token's fingerprint, never the token or its signature.
struct IssuedTokenRecord: Sendable {
    var issuedAt: Int64
    var caller: TokenCaller
    var container: String
    var blob: String?
    var resource: SASResource
    var permissions: String
    var startsAt: Int64?
    var expiresAt: Int64
    var ipRange: String?
    var httpsOnly: Bool
    var signingKey: KeyName
    var fingerprint: TokenFingerprint

    /// The INSERT that ``bindings`` fits.
    static let insertSQL = """
        INSERT INTO issued_tokens (issued_at, caller_uid, caller_gid, caller_pid, caller_exe, caller_unit, caller_label,
                                   container, blob, resource, permissions, starts_at, expires_at, ip_range, protocol,
                                   signing_key, fingerprint)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Values for ``insertSQL``.
    var bindings: [SQLiteValue] {
        [.integer(issuedAt), caller.uid.map { .integer(Int64($0)) } ?? .null, caller.gid.map { .integer(Int64($0)) } ?? .null,
         caller.pid.map { .integer(Int64($0)) } ?? .null, caller.executable.map(SQLiteValue.text) ?? .null,
         caller.unit.map(SQLiteValue.text) ?? .null, .text(caller.label),
         .text(container), blob.map(SQLiteValue.text) ?? .null, .text(resource.rawValue), .text(permissions),
         startsAt.map(SQLiteValue.integer) ?? .null, .integer(expiresAt), ipRange.map(SQLiteValue.text) ?? .null,
         .text(httpsOnly ? "https" : "https,http"), .text(signingKey.rawValue), .text(fingerprint.hex)]
    }
}
