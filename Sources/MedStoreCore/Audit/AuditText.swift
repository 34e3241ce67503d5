/// Text as the audit trail stores it: control characters escaped (so a NUL or an escape sequence
/// from a caller can neither cut a stored value short nor reach a terminal), and long values cut.
public enum AuditText {
    /// Longest stored text value in UTF-8 bytes (a blob name may use 1024 characters).
    public static let maxBytes = 2048
    /// Longest stored method name (an unknown method's name comes from the caller).
    public static let maxMethodBytes = 128

    /// `text` with C0/C1 control characters written as `\u{XX}` and cut to `limit` UTF-8 bytes
    /// (at a character boundary, marked with `…`).
    public static func clean(_ text: String, limit: Int = maxBytes) -> String {
        // Printable ASCII within the limit, the usual case, stays as it is.
        if text.utf8.count <= limit, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var result = ""
        var used = 0
        for scalar in text.unicodeScalars {
            let piece = scalar.properties.generalCategory == .control
                ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            let size = piece.utf8.count
            if used + size > limit {
                result += "…"
                break
            }
            result += piece
            used += size
        }
        return result
    }
}
