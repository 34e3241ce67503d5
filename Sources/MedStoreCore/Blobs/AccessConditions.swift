import Foundation
import MedStoreProtocol

/// The conditional request headers of one operation: `If-Match`, `If-None-Match`,
/// `If-Modified-Since`, `If-Unmodified-Since`. ETags are given as sent (quotes included, a
/// comma-separated list allowed, `*` meaning "any version"). Evaluated by `BlobStore` inside its
/// lock against the blob's current version.
public struct AccessConditions: Sendable, Equatable {
    /// `If-Match`: the blob's ETag must be one of these (or `*`: the blob must exist).
    public var ifMatch: String?
    /// `If-None-Match`: the blob's ETag must be none of these (`*`: the blob must not exist).
    public var ifNoneMatch: String?
    /// `If-Modified-Since`: the blob must have changed after this time (second resolution).
    public var ifModifiedSince: Date?
    /// `If-Unmodified-Since`: the blob must not have changed after this time (second resolution).
    public var ifUnmodifiedSince: Date?

    /// Creates conditions; every header defaults to absent.
    public init(ifMatch: String? = nil, ifNoneMatch: String? = nil, ifModifiedSince: Date? = nil, ifUnmodifiedSince: Date? = nil) {
        self.ifMatch = ifMatch
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.ifUnmodifiedSince = ifUnmodifiedSince
    }

    /// No conditions.
    public static let none = AccessConditions()

    /// How a failed condition is reported.
    enum Use {
        /// Get Blob / Get Blob Properties: a failed `If-None-Match`/`If-Modified-Since` means 304.
        case read
        /// A change to an existing blob: every failure is 412 `ConditionNotMet`.
        case write
        /// Put Blob / Put Block List, which may create the blob: `If-None-Match: *` on an existing
        /// blob is 409 `BlobAlreadyExists` (what the SDK's `overwrite=False` relies on).
        case create
    }

    /// Checks the conditions against the current version (`etag`, `lastModified`), or against a
    /// blob that does not exist (`nil`; only meaningful for `.create`).
    func evaluate(etag: String?, lastModified: Date?, use: Use) throws(MedStoreError) {
        guard let etag, let lastModified else {
            if ifMatch != nil {
                throw MedStoreError(.conditionNotMet, "the blob does not exist, so If-Match cannot hold")
            }
            return
        }
        if let ifMatch, !AccessConditions.matches(etag, ifMatch) {
            throw MedStoreError(.conditionNotMet, "If-Match does not match the blob's ETag \(etag)")
        }
        let modified = Int64(lastModified.timeIntervalSince1970.rounded(.down))
        if let ifUnmodifiedSince, modified > Int64(ifUnmodifiedSince.timeIntervalSince1970.rounded(.down)) {
            throw MedStoreError(.conditionNotMet, "the blob was modified after If-Unmodified-Since")
        }
        if let ifNoneMatch, AccessConditions.matches(etag, ifNoneMatch) {
            switch use {
            case .read: throw MedStoreError(.notModified, "If-None-Match matches the blob's ETag")
            case .create where AccessConditions.isWildcard(ifNoneMatch):
                throw MedStoreError(.blobAlreadyExists, "the specified blob already exists")
            case .create, .write: throw MedStoreError(.conditionNotMet, "If-None-Match matches the blob's ETag \(etag)")
            }
        }
        if let ifModifiedSince, modified <= Int64(ifModifiedSince.timeIntervalSince1970.rounded(.down)) {
            if use == .read { throw MedStoreError(.notModified, "the blob was not modified since If-Modified-Since") }
            throw MedStoreError(.conditionNotMet, "the blob was not modified since If-Modified-Since")
        }
    }

    /// True when the header value (a list of ETags, or `*`) names `etag`. Quotes and a weak `W/`
    /// prefix are ignored on both sides.
    static func matches(_ etag: String, _ header: String) -> Bool {
        let wanted = bare(etag)
        for item in header.split(separator: ",") {
            let candidate = bare(String(item))
            if candidate == "*" || candidate == wanted { return true }
        }
        return false
    }

    static func isWildcard(_ header: String) -> Bool {
        header.split(separator: ",").contains { bare(String($0)) == "*" }
    }

    private static func bare(_ tag: String) -> String {
        var text = Substring(tag.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
        return String(text)
    }
}
