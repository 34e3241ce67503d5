/// Bounds the decoder enforces so that hostile input cannot exhaust memory or the stack.
public struct CBORLimits: Sendable, Equatable {
    /// Maximum nesting of arrays, maps and tags; a top-level array counts as depth 1.
    public var maxDepth: Int
    /// Maximum number of elements in one array, or of entries in one map.
    public var maxCollectionCount: Int
    /// Maximum length in bytes of one byte or text string.
    public var maxStringLength: Int
    /// Maximum number of data items in the whole input, counting every key, value and tag.
    public var maxTotalItems: Int

    /// Creates limits; every parameter defaults to the value in `CBORLimits.default`.
    public init(
        maxDepth: Int = 16,
        maxCollectionCount: Int = 100_000,
        maxStringLength: Int = 1 << 20,
        maxTotalItems: Int = 1_000_000
    ) {
        self.maxDepth = maxDepth
        self.maxCollectionCount = maxCollectionCount
        self.maxStringLength = maxStringLength
        self.maxTotalItems = maxTotalItems
    }

    /// Depth 16, 100,000 items per collection, 1 MiB per string, 1,000,000 items in total.
    public static let `default` = CBORLimits()
}
