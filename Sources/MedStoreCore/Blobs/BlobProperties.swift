import Foundation

/// One blob's current version as the REST layer reports it.
public struct BlobProperties: Sendable, Equatable {
    /// Container name.
    public var container: String
    /// Blob name.
    public var name: String
    /// Content length in bytes.
    public var size: Int64
    /// Quoted ETag, e.g. `"0x8DE5F3C2A1B4D7E"`: new for every version.
    public var etag: String
    /// When this version was committed (whole seconds; the REST layer formats RFC 1123).
    public var lastModified: Date
    /// When the blob was first created (kept across overwrites and property changes; whole seconds).
    public var createdAt: Date
    /// Stored content headers and `Content-MD5`.
    public var content: BlobContentSettings
    /// User metadata in the order it was given (names as given; compare case-insensitively).
    public var metadata: [(String, String)]
    /// The version's journal id (increases with every change in the store).
    public var versionID: Int64
    /// Committed blocks (0 for a blob written with Put Blob).
    public var committedBlockCount: Int

    /// Creates properties.
    public init(container: String, name: String, size: Int64, etag: String, lastModified: Date, createdAt: Date,
                content: BlobContentSettings, metadata: [(String, String)], versionID: Int64, committedBlockCount: Int) {
        self.container = container
        self.name = name
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.createdAt = createdAt
        self.content = content
        self.metadata = metadata
        self.versionID = versionID
        self.committedBlockCount = committedBlockCount
    }

    public static func == (a: BlobProperties, b: BlobProperties) -> Bool {
        a.container == b.container && a.name == b.name && a.size == b.size && a.etag == b.etag
            && a.lastModified == b.lastModified && a.createdAt == b.createdAt && a.content == b.content
            && a.metadata.elementsEqual(b.metadata, by: ==) && a.versionID == b.versionID
            && a.committedBlockCount == b.committedBlockCount
    }
}
