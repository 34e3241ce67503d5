/// The last line of defence against key material in text the daemon sends or writes: error
/// messages on the socket and in HTTP error bodies, and log field values. A caller who pastes a
/// key into the wrong field (a key name, a restore time, a container name) must not get it echoed
/// into a reply or the journal.
///
/// A run of base64/hex alphabet characters (`A-Z a-z 0-9 + / = _ -`) is secret-shaped when it is
/// 64 characters or longer, or 40 or longer and not written like a name (it has a capital letter,
/// `+`, `/`, `=` or `_`). A 64-byte account key is 86–88 such characters in base64 and 128 in hex;
/// container names (at most 63 of `a-z0-9-`), ETags and 16-digit token fingerprints are not
/// secret-shaped. Each secret-shaped run is replaced by `[N characters removed]`.
public enum SecretShape {
    /// `text` with every secret-shaped run replaced.
    public static func redact(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 40 else { return text }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard isAlphabet(scalars[index]) else {
                out.append(scalars[index])
                index += 1
                continue
            }
            var end = index
            var nameLike = true
            while end < scalars.count, isAlphabet(scalars[end]) {
                if !isNameCharacter(scalars[end]) { nameLike = false }
                end += 1
            }
            let length = end - index
            if length >= 64 || (length >= 40 && !nameLike) {
                out.append(contentsOf: "[\(length) characters removed]".unicodeScalars)
            } else {
                out.append(contentsOf: scalars[index..<end])
            }
            index = end
        }
        return String(out)
    }

    /// Whether `error`'s message needs redacting; returns it with the message redacted.
    public static func redact(_ error: MedStoreError) -> MedStoreError {
        let message = redact(error.message)
        return message == error.message ? error : MedStoreError(error.code, message)
    }

    private static func isAlphabet(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "+", "/", "=", "_", "-": return true
        default: return false
        }
    }

    private static func isNameCharacter(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "a"..."z", "0"..."9", "-": return true
        default: return false
        }
    }
}
