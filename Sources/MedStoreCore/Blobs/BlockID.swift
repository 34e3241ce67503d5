import MedStoreProtocol

/// Azure's block id rules: standard base64 of at most 64 bytes.
enum BlockID {
    /// Most decoded bytes in a block id.
    static let maximumDecodedLength = 64

    /// Validates `id` (as sent, base64) and returns its length in characters, which must be the
    /// same for every block of one blob.
    static func validate(_ id: String) throws(MedStoreError) -> Int {
        guard !id.isEmpty, let decoded = Crypto.base64Decode(id) else {
            throw MedStoreError(.invalidBlockId, "block id '\(id.prefix(100))' is not valid base64")
        }
        guard decoded.count <= maximumDecodedLength else {
            throw MedStoreError(.invalidBlockId, "block id decodes to \(decoded.count) bytes; at most \(maximumDecodedLength) are allowed")
        }
        return id.utf8.count
    }
}
