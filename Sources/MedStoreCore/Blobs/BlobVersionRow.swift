import Foundation
import MedStoreProtocol

/// One `blob_versions` row joined with its content's size and block count.
struct BlobVersionRow {
    var id: Int64
    var container: String
    var name: String
    var committedAt: Int64
    var deleted: Bool
    var createdAt: Int64
    var contentID: Int64?
    var content: BlobContentSettings
    var metadataText: String?
    var size: Int64
    var blockCount: Int

    /// Columns selected by `init(row:)`, from `blob_versions v LEFT JOIN blob_contents c`.
    static let columns = """
        v.id, v.container, v.name, v.committed_at, v.deleted, v.created_at, v.content_id, v.content_type,
        v.content_encoding, v.content_language, v.content_disposition, v.cache_control, v.content_md5,
        v.metadata, c.size, c.block_count
        """

    init(row: SQLiteRow) {
        id = row.int(0)
        container = row.text(1) ?? ""
        name = row.text(2) ?? ""
        committedAt = row.int(3)
        deleted = row.int(4) != 0
        createdAt = row.int(5)
        contentID = row.values[6] == .null ? nil : row.int(6)
        content = BlobContentSettings(contentType: row.text(7), contentEncoding: row.text(8), contentLanguage: row.text(9),
                                      contentDisposition: row.text(10), cacheControl: row.text(11), contentMD5: row.blob(12))
        metadataText = row.text(13)
        size = row.int(14)
        blockCount = Int(row.int(15))
    }

    var etag: String { BlobJournalClock.etag(committedAt) }
    var lastModified: Date { BlobJournalClock.date(committedAt) }

    /// The public view of this version.
    var properties: BlobProperties {
        BlobProperties(container: container, name: name, size: size, etag: etag, lastModified: lastModified,
                       createdAt: BlobJournalClock.date(createdAt), content: content,
                       metadata: BlobMetadata.decode(metadataText), versionID: id, committedBlockCount: blockCount)
    }
}

extension BlobStore {
    /// The head (newest) version of a blob, which may be a deletion marker; nil if the blob never
    /// existed or its history was pruned. One query that also checks the container exists.
    /// Call with the lock held.
    ///
    /// - Throws: `.containerNotFound`.
    func headVersion(container: String, name: String) throws(MedStoreError) -> BlobVersionRow? {
        guard let row = try db.query("""
            SELECT \(BlobVersionRow.columns) FROM containers k
            LEFT JOIN blob_versions v ON v.container = k.name AND v.name = ? AND v.superseded_at IS NULL
            LEFT JOIN blob_contents c ON c.id = v.content_id
            WHERE k.name = ?
            """, [.text(name), .text(container)]).first else {
            throw MedStoreError(.containerNotFound, "the specified container '\(container)' does not exist")
        }
        return row.values[0] == .null ? nil : BlobVersionRow(row: row)
    }

    /// The head version if the blob currently exists, else `blobNotFound` (or `containerNotFound`).
    /// Call with the lock held.
    func liveVersion(container: String, name: String) throws(MedStoreError) -> BlobVersionRow {
        guard let head = try headVersion(container: container, name: name), !head.deleted else {
            throw MedStoreError(.blobNotFound, "the specified blob does not exist")
        }
        return head
    }

    /// Appends a version of a blob at commit time `time`: the old head (if any) is marked superseded
    /// at that time and the new row becomes the head. A nil `contentID` records a deletion.
    /// Call inside a transaction.
    func appendVersion(container: String, name: String, head: BlobVersionRow?, time: Int64, contentID: Int64?,
                       content: BlobContentSettings, metadata: [(String, String)]) throws(MedStoreError) -> BlobVersionRow {
        if let head {
            try db.query("UPDATE blob_versions SET superseded_at = ? WHERE id = ?", [.integer(time), .integer(head.id)])
        }
        // Creation time survives overwrites and property changes; a blob put after a delete is new.
        let createdAt = head.flatMap { $0.deleted ? nil : $0.createdAt } ?? time
        func text(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
        try db.query("""
            INSERT INTO blob_versions (container, name, committed_at, superseded_at, deleted, created_at, content_id,
                content_type, content_encoding, content_language, content_disposition, cache_control, content_md5, metadata)
            VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(container), .text(name), .integer(time), .integer(contentID == nil ? 1 : 0), .integer(createdAt),
                  contentID.map { .integer($0) } ?? .null, text(content.contentType), text(content.contentEncoding),
                  text(content.contentLanguage), text(content.contentDisposition), text(content.cacheControl),
                  content.contentMD5.map { .blob($0) } ?? .null, text(BlobMetadata.encode(metadata))])
        let id = db.lastInsertRowID
        guard let row = try db.query("""
            SELECT \(BlobVersionRow.columns) FROM blob_versions v LEFT JOIN blob_contents c ON c.id = v.content_id WHERE v.id = ?
            """, [.integer(id)]).first else {
            throw MedStoreError(.internal, "version \(id) vanished inside its own transaction")
        }
        return BlobVersionRow(row: row)
    }

    /// Records a data file that a staged upload left in place. Call inside a transaction.
    func insertDataFile(_ data: StagedData, time: Int64) throws(MedStoreError) -> Int64 {
        try db.query("INSERT INTO data_files (file_name, size, md5, created_at) VALUES (?, ?, ?, ?)",
                     [.text(data.fileName), .integer(data.size), .blob(data.md5), .integer(time)])
        return db.lastInsertRowID
    }

    /// Records a content (size, MD5 when known, block count). Call inside a transaction.
    func insertContent(size: Int64, md5: [UInt8]?, blockCount: Int) throws(MedStoreError) -> Int64 {
        try db.query("INSERT INTO blob_contents (size, md5, block_count) VALUES (?, ?, ?)",
                     [.integer(size), md5.map { .blob($0) } ?? .null, .integer(Int64(blockCount))])
        return db.lastInsertRowID
    }
}
