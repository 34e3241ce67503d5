import Foundation
import MedStoreCore
import MedStoreProtocol

/// What the Blob REST API reads from request headers: metadata, content settings, access
/// conditions and ranges.
enum RequestHeaders {
    /// `x-ms-meta-<name>: value` pairs in request order; names keep their case.
    static func metadata(_ headers: HTTPHeaders) throws(MedStoreError) -> [(String, String)] {
        var result: [(String, String)] = []
        for (name, value) in headers.all where name.lowercased().hasPrefix("x-ms-meta-") {
            let key = String(name.dropFirst("x-ms-meta-".count))
            guard !key.isEmpty else {
                throw MedStoreError(.invalidMetadata, "a metadata header has an empty name")
            }
            result.append((key, value))
        }
        return result
    }

    /// Stored content settings from `x-ms-blob-content-*` (and, for Put Blob, `Content-Type`,
    /// `Content-Encoding`, `Content-Language`, `Cache-Control`, `Content-Disposition` when the
    /// `x-ms-blob-` form is absent).
    static func contentSettings(_ headers: HTTPHeaders, fallBackToStandard: Bool) throws(MedStoreError) -> BlobContentSettings {
        func pick(_ azure: String, _ standard: String) -> String? {
            headers[azure] ?? (fallBackToStandard ? headers[standard] : nil)
        }
        var md5: [UInt8]?
        if let text = headers["x-ms-blob-content-md5"] {
            guard let bytes = Crypto.base64Decode(text), bytes.count == 16 else {
                throw MedStoreError(.invalidHeaderValue, "x-ms-blob-content-md5 must be the base64 of 16 bytes")
            }
            md5 = bytes
        }
        return BlobContentSettings(contentType: pick("x-ms-blob-content-type", "Content-Type"),
                                   contentEncoding: pick("x-ms-blob-content-encoding", "Content-Encoding"),
                                   contentLanguage: pick("x-ms-blob-content-language", "Content-Language"),
                                   contentDisposition: pick("x-ms-blob-content-disposition", "Content-Disposition"),
                                   cacheControl: pick("x-ms-blob-cache-control", "Cache-Control"),
                                   contentMD5: md5)
    }

    /// The transactional `Content-MD5` of the body, if sent.
    static func transactionalMD5(_ headers: HTTPHeaders) throws(MedStoreError) -> [UInt8]? {
        guard let text = headers["Content-MD5"] else { return nil }
        guard let bytes = Crypto.base64Decode(text), bytes.count == 16 else {
            throw MedStoreError(.invalidHeaderValue, "Content-MD5 must be the base64 of 16 bytes")
        }
        return bytes
    }

    /// `If-Match`, `If-None-Match`, `If-Modified-Since`, `If-Unmodified-Since`.
    static func conditions(_ headers: HTTPHeaders) throws(MedStoreError) -> AccessConditions {
        func date(_ name: String) throws(MedStoreError) -> Date? {
            guard let text = headers[name] else { return nil }
            guard let value = RFC1123Date.parse(text) else {
                throw MedStoreError(.invalidHeaderValue, "\(name) must be an RFC 1123 date")
            }
            return value
        }
        return AccessConditions(ifMatch: headers["If-Match"], ifNoneMatch: headers["If-None-Match"],
                                ifModifiedSince: try date("If-Modified-Since"),
                                ifUnmodifiedSince: try date("If-Unmodified-Since"))
    }

    /// A requested byte range from `x-ms-range` (preferred) or `Range`: `bytes=start-[end]`.
    /// An unreadable `Range` is ignored, as HTTP allows; an unreadable `x-ms-range` is an error.
    static func range(_ headers: HTTPHeaders) throws(MedStoreError) -> (start: Int64, end: Int64?)? {
        if let text = headers["x-ms-range"] {
            guard let range = parseRange(text) else {
                throw MedStoreError(.invalidHeaderValue, "x-ms-range must be bytes=start-end or bytes=start-")
            }
            return range
        }
        if let text = headers["Range"] { return parseRange(text) }
        return nil
    }

    private static func parseRange(_ text: String) -> (start: Int64, end: Int64?)? {
        guard text.hasPrefix("bytes=") else { return nil }
        let spec = text.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int64(parts[0]), start >= 0 else { return nil }
        if parts[1].isEmpty { return (start, nil) }
        guard let end = Int64(parts[1]), end >= start else { return nil }
        return (start, end)
    }
}
