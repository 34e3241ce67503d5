import MedStoreProtocol

/// A SAS token's fingerprint: SHA-256 of its signature bytes (the base64-decoded `sig`), in
/// lowercase hex. The same value names a token in the registry (`token.list`), in the data
/// access log and in refusals, so an operator can match a log line to a registry row. It
/// cannot be turned back into the signature, and two spellings of one signature (percent
/// escapes) share it.
public struct TokenFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// All 64 hex digits (what the registry stores and `token.list` returns).
    public let hex: String

    /// How many leading hex digits logs and tables show.
    public static let shortLength = 16

    /// The first ``shortLength`` hex digits: what the access log prints as `token=`.
    public var short: String { String(hex.prefix(Self.shortLength)) }

    public var description: String { short }

    /// The fingerprint of a signature as it appears (percent-decoded) in `sig`. Text that is not
    /// base64 (it never verifies) is hashed as it stands, so a refused request still gets a
    /// handle for the log.
    public init(signature: String) {
        if var bytes = Crypto.base64Decode(signature) {
            hex = Crypto.hex(Crypto.sha256(bytes))
            Crypto.cleanse(&bytes)
        } else {
            hex = Crypto.hex(Crypto.sha256(signature))
        }
    }

    /// A stored fingerprint; nil unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64, digits.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        self.hex = hex
    }
}
