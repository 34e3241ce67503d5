import Foundation
import MedStoreCore

/// Response headers the Azure SDKs read for blobs and containers.
enum ResponseHeaders {
    /// ETag and Last-Modified.
    static func version(etag: String, lastModified: Date) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.set("ETag", etag)
        headers.set("Last-Modified", RFC1123Date.format(lastModified))
        return headers
    }

    /// `x-ms-meta-*` for each metadata pair.
    static func addMetadata(_ metadata: [(String, String)], to headers: inout HTTPHeaders) {
        for (name, value) in metadata { headers.add("x-ms-meta-\(name)", value) }
    }

    /// Everything Get Blob / Get Blob Properties return about a blob, with the SAS's signed
    /// response-header overrides applied.
    static func blob(_ p: BlobProperties, overrides: SASResponseOverrides, wholeBlobMD5: Bool) -> HTTPHeaders {
        var headers = version(etag: p.etag, lastModified: p.lastModified)
        headers.set("x-ms-creation-time", RFC1123Date.format(p.createdAt))
        headers.set("x-ms-blob-type", "BlockBlob")
        headers.set("Accept-Ranges", "bytes")
        headers.set("x-ms-lease-status", "unlocked")
        headers.set("x-ms-lease-state", "available")
        headers.set("x-ms-server-encrypted", "true")
        headers.set("x-ms-access-tier", "Hot")
        headers.set("x-ms-access-tier-inferred", "true")
        if p.committedBlockCount > 0 { headers.set("x-ms-blob-committed-block-count", "\(p.committedBlockCount)") }
        headers.set("Content-Type", overrides.contentType ?? p.content.contentType ?? "application/octet-stream")
        if let v = overrides.contentEncoding ?? p.content.contentEncoding { headers.set("Content-Encoding", v) }
        if let v = overrides.contentLanguage ?? p.content.contentLanguage { headers.set("Content-Language", v) }
        if let v = overrides.contentDisposition ?? p.content.contentDisposition { headers.set("Content-Disposition", v) }
        if let v = overrides.cacheControl ?? p.content.cacheControl { headers.set("Cache-Control", v) }
        if let md5 = p.content.contentMD5 {
            headers.set(wholeBlobMD5 ? "Content-MD5" : "x-ms-blob-content-md5", Crypto.base64Encode(md5))
        }
        addMetadata(p.metadata, to: &headers)
        return headers
    }
}
