import MedStoreProtocol

/// Validation of account, container and blob names by Azure Blob Storage's rules, and a random
/// account name generator.
public enum ResourceNames {
    /// Longest blob name, counted like the service does (UTF-16 code units).
    public static let maximumBlobNameLength = 1024
    /// Most path segments (parts between `/`) in a blob name.
    public static let maximumBlobPathSegments = 254

    /// Checks a storage account name: 3–24 characters, lowercase letters and digits only.
    ///
    /// - Throws: `.invalidAccountName` naming the broken rule.
    public static func validateAccountName(_ name: String) throws(MedStoreError) {
        let scalars = Array(name.unicodeScalars)
        guard (3...24).contains(scalars.count) else {
            throw MedStoreError(.invalidAccountName, "account name \(shown(name)) must be 3 to 24 characters long (it has \(scalars.count))")
        }
        if let bad = scalars.first(where: { !($0.isASCII && isLowerAlnum(UInt8($0.value))) }) {
            let hint = bad.properties.isUppercase ? " (use lowercase)" : ""
            throw MedStoreError(.invalidAccountName, "account name \(shown(name)) may contain only lowercase letters and digits, not \(describe(bad))\(hint)")
        }
    }

    /// Checks a container name: 3–63 characters of lowercase letters, digits and hyphens, starting
    /// and ending with a letter or digit, with no two hyphens in a row (a valid DNS label).
    /// The special names `$root`, `$web` and `$logs` are not accepted.
    ///
    /// - Throws: `.invalidContainerName` naming the broken rule.
    public static func validateContainerName(_ name: String) throws(MedStoreError) {
        let scalars = Array(name.unicodeScalars)
        guard (3...63).contains(scalars.count) else {
            throw MedStoreError(.invalidContainerName, "container name \(shown(name)) must be 3 to 63 characters long (it has \(scalars.count))")
        }
        for scalar in scalars {
            guard scalar.isASCII, isLowerAlnum(UInt8(scalar.value)) || scalar == "-" else {
                let hint = scalar.properties.isUppercase ? " (use lowercase)" : ""
                throw MedStoreError(.invalidContainerName, "container name \(shown(name)) may contain only lowercase letters, digits and hyphens, not \(describe(scalar))\(hint)")
            }
        }
        guard scalars.first != "-" else {
            throw MedStoreError(.invalidContainerName, "container name \(shown(name)) must start with a letter or digit, not a hyphen")
        }
        guard scalars.last != "-" else {
            throw MedStoreError(.invalidContainerName, "container name \(shown(name)) must end with a letter or digit, not a hyphen")
        }
        guard !name.contains("--") else {
            throw MedStoreError(.invalidContainerName, "container name \(shown(name)) must not contain consecutive hyphens")
        }
    }

    /// Checks a blob name: 1–1024 characters (UTF-16 code units, as the service counts), at most
    /// 254 path segments (`/`-separated parts), and none of the characters the Azure naming rules
    /// exclude: control characters U+0000–U+001F and U+007F–U+009F (the docs cite 0x00–0x1F and
    /// U+0081), private-use code points U+E000–U+F8FF (the docs cite U+E000) and Unicode
    /// noncharacters (U+FDD0–U+FDEF and every U+xFFFE/U+xFFFF).
    ///
    /// - Throws: `.invalidBlobName` naming the broken rule.
    public static func validateBlobName(_ name: String) throws(MedStoreError) {
        let length = name.utf16.count
        guard length >= 1 else {
            throw MedStoreError(.invalidBlobName, "blob name must not be empty")
        }
        guard length <= maximumBlobNameLength else {
            throw MedStoreError(.invalidBlobName, "blob name must be at most \(maximumBlobNameLength) characters long (it has \(length) UTF-16 code units)")
        }
        var segments = 1
        for scalar in name.unicodeScalars {
            if scalar == "/" { segments += 1 }
            if let reason = disallowedReason(scalar) {
                throw MedStoreError(.invalidBlobName, "blob name must not contain \(reason) (found \(describe(scalar)))")
            }
        }
        guard segments <= maximumBlobPathSegments else {
            throw MedStoreError(.invalidBlobName, "blob name must have at most \(maximumBlobPathSegments) path segments separated by '/' (it has \(segments))")
        }
    }

    /// A fresh random account name: `med` followed by 13 characters drawn uniformly (rejection
    /// sampling, no modulo bias) from `a-z0-9` using OpenSSL's CSPRNG; always valid.
    ///
    /// - Throws: `.internal` if the random number generator fails.
    public static func randomAccountName() throws(MedStoreError) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        // 252 = 7 × 36: bytes ≥ 252 are discarded so every character is equally likely.
        let limit = UInt8(256 / alphabet.count * alphabet.count)
        var name = Array("med".utf8)
        while name.count < 16 {
            for byte in try Crypto.randomBytes(16) where byte < limit && name.count < 16 {
                name.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return String(decoding: name, as: UTF8.self)
    }

    // MARK: - Helpers

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func disallowedReason(_ scalar: Unicode.Scalar) -> String? {
        let value = scalar.value
        switch value {
        case 0x00...0x1F, 0x7F...0x9F: return "control characters"
        case 0xE000...0xF8FF: return "private-use characters"
        case 0xFDD0...0xFDEF: return "Unicode noncharacters"
        default: return value & 0xFFFE == 0xFFFE ? "Unicode noncharacters" : nil
        }
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        if scalar.value >= 0x21 && scalar.value < 0x7F { return "'\(Character(scalar))' (\(code))" }
        return code
    }

    /// Quotes a user-supplied name for a message, cut to a sane length, control characters escaped.
    private static func shown(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars.prefix(80) {
            if disallowedReason(scalar) != nil {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        if name.unicodeScalars.count > 80 { out += "…" }
        return "'" + out + "'"
    }
}
