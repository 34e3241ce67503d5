import Foundation
import MedStoreProtocol

/// Azure's rules for user metadata (`x-ms-meta-<name>: <value>`) and its stored form.
public enum BlobMetadata {
    /// Most bytes of names plus values together.
    public static let maximumTotalBytes = 8 * 1024

    /// Checks names (C# identifiers: a letter or `_`, then letters, digits or `_`; ASCII; unique
    /// ignoring case), values (no CR, LF or NUL, which cannot travel in a header) and the 8 KiB total.
    ///
    /// - Throws: `.invalidMetadata` naming the broken rule.
    public static func validate(_ metadata: [(String, String)]) throws(MedStoreError) {
        var total = 0
        var seen = Set<String>()
        for (name, value) in metadata {
            guard isIdentifier(name) else {
                throw MedStoreError(.invalidMetadata, "metadata name '\(name.prefix(64))' is not a valid C# identifier (a letter or '_', then letters, digits or '_')")
            }
            guard seen.insert(name.lowercased()).inserted else {
                throw MedStoreError(.invalidMetadata, "metadata name '\(name)' appears more than once (names are case-insensitive)")
            }
            guard !value.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else {
                throw MedStoreError(.invalidMetadata, "metadata value of '\(name)' contains a line break or NUL")
            }
            total += name.utf8.count + value.utf8.count
        }
        guard total <= maximumTotalBytes else {
            throw MedStoreError(.invalidMetadata, "metadata is \(total) bytes; names and values together may be at most \(maximumTotalBytes) bytes")
        }
    }

    static func isIdentifier(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.dropFirst().allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) }

    /// The stored form: a JSON array of `[name, value]` pairs (NULL when empty).
    static func encode(_ metadata: [(String, String)]) -> String? {
        guard !metadata.isEmpty else { return nil }
        let pairs = metadata.map { [$0.0, $0.1] }
        guard let data = try? JSONSerialization.data(withJSONObject: pairs, options: [.withoutEscapingSlashes]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses the stored form; malformed text yields no metadata.
    static func decode(_ text: String?) -> [(String, String)] {
        guard let text, let data = text.data(using: .utf8),
              let pairs = try? JSONSerialization.jsonObject(with: data) as? [[String]] else { return [] }
        return pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }
}
