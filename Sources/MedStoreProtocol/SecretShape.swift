/// The last line of defence against key material in text the daemon sends or writes: error
/// messages on the socket and in HTTP error bodies, and log field values. A caller who pastes a
/// key into the wrong field (a key name, a restore time, a container name) must not get it echoed
/// into a reply or the journal.
///
/// A run of base64/hex alphabet characters (`A-Z a-z 0-9 + / = _ -`) at least 40 long is
/// secret-shaped when it holds 64 or more hex digits in a row, or looks like random base64: at
/// least 4 capitals, 4 small letters and 2 digits, and at most one `/` per 16 characters. A
/// 64-byte account key is 86–88 such characters in base64 (and its first 40 already qualify) and
/// 128 in hex. Container names, paths (`/var/lib/medstore/...`: slashes, no capitals), ETags and
/// 16-digit token fingerprints are not. Each secret-shaped run becomes `[N characters removed]`.
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
            while end < scalars.count, isAlphabet(scalars[end]) { end += 1 }
            let length = end - index
            if length >= 40 && isSecretShaped(scalars[index..<end]) {
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

    private static func isSecretShaped(_ run: ArraySlice<Unicode.Scalar>) -> Bool {
        var upper = 0, lower = 0, digits = 0, slashes = 0, hexRun = 0, longestHexRun = 0
        for s in run {
            switch s {
            case "A"..."Z": upper += 1
            case "a"..."z": lower += 1
            case "0"..."9": digits += 1
            case "/": slashes += 1
            default: break
            }
            let hex = ("0"..."9").contains(s) || ("a"..."f").contains(s) || ("A"..."F").contains(s)
            hexRun = hex ? hexRun + 1 : 0
            longestHexRun = max(longestHexRun, hexRun)
        }
        if longestHexRun >= 64 { return true }
        return upper >= 4 && lower >= 4 && digits >= 2 && slashes * 16 <= run.count
    }
}
