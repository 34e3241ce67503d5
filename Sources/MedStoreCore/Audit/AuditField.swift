/// One field of an audit record as the hash chain sees it: absent, an unsigned integer or text.
public enum AuditField: Sendable, Equatable {
    /// No value (SQL NULL).
    case absent
    /// An unsigned integer.
    case unsigned(UInt64)
    /// UTF-8 text.
    case string(String)
    /// A stored value of a type no record field has (only an edited row holds one).
    case foreign

    /// `value` as a field, absent when nil.
    static func uint(_ value: UInt64?) -> AuditField { value.map(AuditField.unsigned) ?? .absent }

    /// `value` as a field, absent when nil.
    static func text(_ value: String?) -> AuditField { value.map(AuditField.string) ?? .absent }
}

/// The canonical encoding of a record and the chain's hash (spec §5.2):
///
///     encoding = 0x01 ‖ field₁ ‖ … ‖ field₁₆
///     field    = 0x00                          (absent)
///              | 0x01 ‖ u64 big-endian         (unsigned integer)
///              | 0x02 ‖ u32 big-endian length ‖ UTF-8 bytes   (text)
///     hash     = SHA-256(prev_hash ‖ encoding), prev_hash of seq 1 = 32 zero bytes
public enum AuditChain {
    /// The version byte that starts every encoding.
    public static let formatVersion: UInt8 = 1
    /// The `prev_hash` of the first record.
    public static let genesis = [UInt8](repeating: 0, count: Crypto.sha256Length)
    /// How many fields a record has.
    public static let fieldCount = 16

    /// The canonical bytes of `fields`; nil when one is `.foreign`.
    public static func encoding(_ fields: [AuditField]) -> [UInt8]? {
        var out: [UInt8] = [formatVersion]
        out.reserveCapacity(256)
        for field in fields {
            switch field {
            case .absent:
                out.append(0)
            case .unsigned(let value):
                out.append(1)
                appendBigEndian(&out, value, bytes: 8)
            case .string(let text):
                let utf8 = Array(text.utf8)
                out.append(2)
                appendBigEndian(&out, UInt64(utf8.count), bytes: 4)
                out += utf8
            case .foreign:
                return nil
            }
        }
        return out
    }

    /// `SHA-256(prev ‖ encoding(fields))`; nil when a field is `.foreign`.
    public static func hash(prev: [UInt8], fields: [AuditField]) -> [UInt8]? {
        guard let encoded = encoding(fields) else { return nil }
        return Crypto.sha256(prev + encoded)
    }

    private static func appendBigEndian(_ out: inout [UInt8], _ value: UInt64, bytes: Int) {
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
