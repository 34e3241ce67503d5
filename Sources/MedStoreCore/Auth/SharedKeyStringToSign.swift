import MedStoreProtocol

/// The Blob service Shared Key string-to-sign (service version ≥ 2009-09-19), built from a
/// request exactly as the service and azure-storage-blob build it:
///
/// ```
/// VERB \n Content-Encoding \n Content-Language \n Content-Length \n Content-MD5 \n
/// Content-Type \n Date \n If-Modified-Since \n If-Match \n If-None-Match \n
/// If-Unmodified-Since \n Range \n CanonicalizedHeaders CanonicalizedResource
/// ```
///
/// - Content-Length is empty when it is `0` (versions ≥ 2015-02-21, and when `x-ms-version` is absent).
/// - CanonicalizedHeaders: every `x-ms-*` header, name lowercased, in ``AzureHeaderCollation``
///   order, as `name:value\n`; repeated headers are joined with `,`; values are trimmed.
/// - CanonicalizedResource: `/` + account + the path as sent (still percent-encoded), then for
///   each query parameter (name lowercased and percent-decoded, names sorted) `\nname:value`
///   with the values percent-decoded (`+` stays `+`), sorted and joined with `,`. On path-style
///   URLs the account appears twice (`/acct/acct/container`).
public enum SharedKeyStringToSign {
    /// The standard headers, in string-to-sign order.
    static let standardHeaders = [
        "content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
        "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
    ]

    /// Builds the string-to-sign.
    ///
    /// - Parameters:
    ///   - unfoldingWhitespace: also replace each run of whitespace inside `x-ms-*` values with one
    ///     space, as the REST documentation describes (azure-storage-blob signs values unchanged).
    /// - Throws: `.authenticationFailed` when the query string has a malformed percent-escape.
    public static func build(method: String, headers: [(String, String)], account: String, rawPath: String,
                             rawQuery: String, unfoldingWhitespace: Bool = false) throws(MedStoreError) -> String {
        var byName: [String: [String]] = [:]
        var order: [String] = []
        for (name, value) in headers {
            let lowered = name.lowercased()
            if byName[lowered] == nil { order.append(lowered) }
            byName[lowered, default: []].append(trimmed(value))
        }
        func value(_ name: String) -> String { byName[name]?.joined(separator: ",") ?? "" }

        var lines = [method]
        let version = value("x-ms-version")
        for name in standardHeaders {
            var text = value(name)
            if name == "content-length", text == "0", version.isEmpty || version >= "2015-02-21" { text = "" }
            lines.append(text)
        }
        var result = lines.joined(separator: "\n") + "\n"

        let storageHeaders = order.filter { $0.hasPrefix("x-ms-") }
        for name in AzureHeaderCollation.sorted(storageHeaders) {
            var text = value(name)
            if unfoldingWhitespace { text = unfold(text) }
            result += name + ":" + text + "\n"
        }
        result += try canonicalizedResource(account: account, rawPath: rawPath, rawQuery: rawQuery)
        return result
    }

    /// `/` + account + path, then the sorted, decoded query parameters.
    ///
    /// - Throws: `.authenticationFailed` for a malformed percent-escape in the query.
    static func canonicalizedResource(account: String, rawPath: String, rawQuery: String) throws(MedStoreError) -> String {
        var resource = "/" + account + (rawPath.isEmpty ? "/" : rawPath)
        var parameters: [String: [String]] = [:]
        let query = rawQuery.hasPrefix("?") ? String(rawQuery.dropFirst()) : rawQuery
        for piece in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decode(String(parts[0])),
                  let value = PercentEncoding.decode(parts.count == 2 ? String(parts[1]) : "") else {
                throw AuthErrors.authenticationFailed("The query string has a malformed percent-escape.")
            }
            parameters[name.lowercased(), default: []].append(value)
        }
        for name in parameters.keys.sorted(by: byteOrder) {
            let values = parameters[name, default: []].sorted(by: byteOrder)
            resource += "\n" + name + ":" + values.joined(separator: ",")
        }
        return resource
    }

    private static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n"
    }

    /// The value without leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ value: String) -> String {
        let scalars = value.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    /// Each run of spaces, tabs and line breaks replaced by one space.
    static func unfold(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var inRun = false
        for c in value.unicodeScalars {
            if isWhitespace(c) {
                if !inRun { out.append(" ") }
                inRun = true
            } else {
                out.append(c)
                inRun = false
            }
        }
        return String(out)
    }
}
