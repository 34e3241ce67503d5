import Foundation

/// A container's data-plane properties (Get Container Properties / Metadata).
public struct ContainerProperties: Sendable, Equatable {
    /// Container name.
    public var name: String
    /// Quoted ETag; changes when the container's metadata is set.
    public var etag: String
    /// Creation time, or the last metadata change (whole seconds).
    public var lastModified: Date
    /// User metadata in the order it was given.
    public var metadata: [(String, String)]

    /// Creates properties.
    public init(name: String, etag: String, lastModified: Date, metadata: [(String, String)]) {
        self.name = name
        self.etag = etag
        self.lastModified = lastModified
        self.metadata = metadata
    }

    public static func == (a: ContainerProperties, b: ContainerProperties) -> Bool {
        a.name == b.name && a.etag == b.etag && a.lastModified == b.lastModified && a.metadata.elementsEqual(b.metadata, by: ==)
    }
}
