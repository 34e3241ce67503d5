/// The content headers stored with a blob (Azure's `x-ms-blob-content-*` and `x-ms-blob-cache-control`),
/// returned on reads as `Content-Type`, `Content-Encoding`, ... A nil field is not stored.
public struct BlobContentSettings: Sendable, Equatable {
    /// `Content-Type`.
    public var contentType: String?
    /// `Content-Encoding`.
    public var contentEncoding: String?
    /// `Content-Language`.
    public var contentLanguage: String?
    /// `Content-Disposition`.
    public var contentDisposition: String?
    /// `Cache-Control`.
    public var cacheControl: String?
    /// The stored `Content-MD5` (16 bytes). For Put Blob, nil means "store the MD5 computed while
    /// staging"; for Put Block List and Set Blob Properties nil means the blob has no stored MD5.
    public var contentMD5: [UInt8]?

    /// Creates settings; every field defaults to absent.
    public init(contentType: String? = nil, contentEncoding: String? = nil, contentLanguage: String? = nil,
                contentDisposition: String? = nil, cacheControl: String? = nil, contentMD5: [UInt8]? = nil) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.contentLanguage = contentLanguage
        self.contentDisposition = contentDisposition
        self.cacheControl = cacheControl
        self.contentMD5 = contentMD5
    }
}
