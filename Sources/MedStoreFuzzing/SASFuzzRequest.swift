import Foundation

/// The `sas` target's input: a request line without the version, then optional header lines,
/// as text (invalid UTF-8 is repaired):
///
///     GET /medstoretest/abc/x.txt?sv=2026-10-06&sr=b&sp=r&se=2026-03-01T00%3A00%3A00Z&sig=...
///     x-ms-version: 2026-10-06
///
/// A first line without a space is taken as the target of a `GET`.
struct SASFuzzRequest {
    var method: String
    /// The path, still percent-encoded.
    var rawPath: String
    /// Everything after the first `?`, `""` when there is none.
    var rawQuery: String
    /// `name: value` lines after the first, trimmed; lines without a colon are skipped.
    var headers: [(String, String)]

    init(_ input: [UInt8]) {
        // Split on LF bytes before decoding: as text, CR LF is one Character and never equals "\n".
        var lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).map { bytes in
            String(decoding: bytes.last == 0x0D ? bytes.dropLast() : bytes, as: UTF8.self)
        }
        let first = lines.isEmpty ? "" : lines.removeFirst()[...]
        let target: Substring
        if let space = first.firstIndex(of: " ") {
            method = String(first[..<space])
            target = first[first.index(after: space)...]
        } else {
            method = "GET"
            target = first
        }
        if let mark = target.firstIndex(of: "?") {
            rawPath = String(target[..<mark])
            rawQuery = String(target[target.index(after: mark)...])
        } else {
            rawPath = String(target)
            rawQuery = ""
        }
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return (name, value)
        }
    }
}
