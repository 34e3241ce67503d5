import Foundation
import MedStoreProtocol

extension BlobStore {
    /// One entry of a Put Block List body.
    public enum BlockListEntry: Sendable, Equatable {
        /// `<Committed>`: a block of the blob's current committed list.
        case committed(String)
        /// `<Uncommitted>`: a block staged with Put Block.
        case uncommitted(String)
        /// `<Latest>`: the uncommitted block if there is one, else the committed one.
        case latest(String)

        /// The block id as sent (base64).
        public var id: String {
            switch self {
            case .committed(let id), .uncommitted(let id), .latest(let id): return id
            }
        }
    }

    /// A block as Get Block List reports it.
    public struct BlockInfo: Sendable, Equatable {
        /// Block id as sent (base64).
        public var id: String
        /// Bytes in the block.
        public var size: Int64

        /// Creates an entry.
        public init(id: String, size: Int64) {
            self.id = id
            self.size = size
        }
    }

    /// Put Block: stores `data` as an uncommitted block of the blob (replacing an uncommitted block
    /// with the same id). Takes ownership of `data`.
    ///
    /// - Throws: `.invalidBlockId` (not base64, over 64 bytes, or a length differing from the blob's
    ///   other blocks), `.requestBodyTooLarge` (over 4000 MiB), `.invalidBlockList` (the blob already
    ///   has 100,000 uncommitted blocks), `.containerNotFound`.
    public func putBlock(container: String, name: String, blockID: String, data: StagedData) throws(MedStoreError) {
        var owned = true
        do throws(MedStoreError) {
            try BlobStore.validateNames(container: container, name: name)
            let idLength = try BlockID.validate(blockID)
            guard data.size <= BlobStore.maximumBlockBytes else {
                throw MedStoreError(.requestBodyTooLarge, "a block may be at most \(BlobStore.maximumBlockBytes) bytes")
            }
            try writeTransaction { () throws(MedStoreError) -> ((), [String]) in
                try claimStaged(data, owned: &owned)
                try requireContainer(container)
                try checkBlockIDLength(idLength, container: container, name: name)
                let key: [SQLiteValue] = [.text(container), .text(name)]
                let previous = try db.query("SELECT data_file FROM uncommitted_blocks WHERE container = ? AND blob = ? AND block_id = ?",
                                            key + [.text(blockID)]).first?.int(0)
                if previous == nil {
                    let count = try db.query("SELECT count(*) FROM uncommitted_blocks WHERE container = ? AND blob = ?", key)[0].int(0)
                    guard count < BlobStore.maximumUncommittedBlocks else {
                        throw MedStoreError(.invalidBlockList, "the blob already has \(count) uncommitted blocks, the most Azure allows; commit or let them expire")
                    }
                }
                let time = try nextCommitTime()
                let fileID = try insertDataFile(data, time: time)
                try db.query("INSERT OR REPLACE INTO uncommitted_blocks (container, blob, block_id, data_file, size, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                             key + [.text(blockID), .integer(fileID), .integer(data.size), .integer(time)])
                guard let previous else { return ((), []) }
                try db.execute("CREATE TEMP TABLE IF NOT EXISTS prune_files (id INTEGER PRIMARY KEY); DELETE FROM temp.prune_files;")
                try db.query("INSERT INTO temp.prune_files (id) VALUES (?)", [.integer(previous)])
                return ((), try releaseCandidateFiles())
            }
        } catch {
            if owned { discard(data) }
            throw error
        }
    }

    /// Every block id of one blob must have the same length: compares with an existing
    /// uncommitted block and the current committed list. Call with the lock held.
    private func checkBlockIDLength(_ length: Int, container: String, name: String) throws(MedStoreError) {
        var existing = try db.query("SELECT length(block_id) FROM uncommitted_blocks WHERE container = ? AND blob = ? LIMIT 1",
                                    [.text(container), .text(name)]).first?.int(0)
        if existing == nil, let head = try headVersion(container: container, name: name), !head.deleted, let content = head.contentID {
            existing = try db.query("SELECT length(block_id) FROM content_extents WHERE content_id = ? AND block_id IS NOT NULL LIMIT 1",
                                    [.integer(content)]).first?.int(0)
        }
        if let existing, existing != Int64(length) {
            throw MedStoreError(.invalidBlobOrBlock, "all block ids of a blob must have the same length: this one has \(length) characters, the blob's others \(existing)")
        }
    }

    /// Put Block List: commits the listed blocks, in order, as the blob's new content (no bytes are
    /// copied), with new content headers and metadata; the blob's other uncommitted blocks are
    /// discarded. The stored `Content-MD5` is `content.contentMD5` (Azure does not compute one).
    ///
    /// - Throws: `.invalidBlockList` (an unknown block, more than 50,000 blocks), `.invalidBlockId`,
    ///   `.blobAlreadyExists` (`overwrite` false), `.conditionNotMet`, `.invalidMetadata`, `.containerNotFound`.
    @discardableResult
    public func putBlockList(container: String, name: String, blocks: [BlockListEntry], content: BlobContentSettings,
                             metadata: [(String, String)], conditions: AccessConditions, overwrite: Bool) throws(MedStoreError) -> BlobProperties {
        try BlobStore.validateNames(container: container, name: name)
        try BlobMetadata.validate(metadata)
        try BlobStore.validateContentMD5(content.contentMD5)
        guard blocks.count <= BlobStore.maximumBlocksPerList else {
            throw MedStoreError(.invalidBlockList, "a block list may name at most \(BlobStore.maximumBlocksPerList) blocks, this one names \(blocks.count)")
        }
        for entry in blocks { _ = try BlockID.validate(entry.id) }
        return try writeTransaction { () throws(MedStoreError) -> (BlobProperties, [String]) in
            let head = try headVersion(container: container, name: name)
            let live = head.flatMap { $0.deleted ? nil : $0 }
            if live != nil && !overwrite {
                throw MedStoreError(.blobAlreadyExists, "the specified blob already exists")
            }
            try conditions.evaluate(etag: live?.etag, lastModified: live?.lastModified, use: .create)
            let committed = try committedExtents(of: live)
            var uncommitted: [String: Extent] = [:]
            for row in try db.query("SELECT block_id, data_file, size FROM uncommitted_blocks WHERE container = ? AND blob = ?",
                                    [.text(container), .text(name)]) {
                uncommitted[row.text(0) ?? ""] = Extent(dataFile: row.int(1), fileOffset: 0, length: row.int(2))
            }
            var chosen: [(String, Extent)] = []
            chosen.reserveCapacity(blocks.count)
            for (index, entry) in blocks.enumerated() {
                let extent: Extent?
                switch entry {
                case .committed(let id): extent = committed[id]
                case .uncommitted(let id): extent = uncommitted[id]
                case .latest(let id): extent = uncommitted[id] ?? committed[id]
                }
                guard let extent else {
                    throw MedStoreError(.invalidBlockList, "the specified block list is invalid: entry \(index + 1) names block '\(entry.id.prefix(100))', which is not among the blob's \(BlobStore.kindName(entry)) blocks")
                }
                chosen.append((entry.id, extent))
            }
            let time = try nextCommitTime()
            let size = chosen.reduce(Int64(0)) { $0 + $1.1.length }
            let contentID = try insertContent(size: size, md5: nil, blockCount: chosen.count)
            let insert = try db.prepare("""
                INSERT INTO content_extents (content_id, seq, blob_offset, data_file, file_offset, length, block_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            var offset: Int64 = 0
            for (seq, (id, extent)) in chosen.enumerated() {
                try insert.bind([.integer(contentID), .integer(Int64(seq)), .integer(offset), .integer(extent.dataFile),
                                 .integer(extent.fileOffset), .integer(extent.length), .text(id)])
                _ = try insert.all()
                offset += extent.length
            }
            let version = try appendVersion(container: container, name: name, head: head, time: time,
                                            contentID: contentID, content: content, metadata: metadata)
            let freed = try prune(versions: .none, blocks: .blob(container: container, name: name))
            return (version.properties, freed)
        }
    }

    /// Get Block List: the committed blocks of the current version and/or the uncommitted blocks
    /// (in upload order), with the blob's properties when it has a committed version.
    ///
    /// - Throws: `.blobNotFound` when the blob has neither a committed version nor uncommitted blocks.
    public func blockList(container: String, name: String, includeCommitted: Bool,
                          includeUncommitted: Bool) throws(MedStoreError) -> (committed: [BlockInfo], uncommitted: [BlockInfo], properties: BlobProperties?) {
        try BlobStore.validateNames(container: container, name: name)
        return try store.locked { () throws(MedStoreError) -> (committed: [BlockInfo], uncommitted: [BlockInfo], properties: BlobProperties?) in
            let live = try headVersion(container: container, name: name).flatMap { $0.deleted ? nil : $0 }
            let uncommitted = try db.query("SELECT block_id, size FROM uncommitted_blocks WHERE container = ? AND blob = ? ORDER BY created_at",
                                           [.text(container), .text(name)]).map { BlockInfo(id: $0.text(0) ?? "", size: $0.int(1)) }
            guard live != nil || !uncommitted.isEmpty else {
                throw MedStoreError(.blobNotFound, "the specified blob does not exist")
            }
            var committed: [BlockInfo] = []
            if includeCommitted, let content = live?.contentID {
                committed = try db.query("SELECT block_id, length FROM content_extents WHERE content_id = ? AND block_id IS NOT NULL ORDER BY seq",
                                         [.integer(content)]).map { BlockInfo(id: $0.text(0) ?? "", size: $0.int(1)) }
            }
            return (committed, includeUncommitted ? uncommitted : [], live?.properties)
        }
    }

    /// A run of bytes in a data file.
    struct Extent {
        var dataFile: Int64
        var fileOffset: Int64
        var length: Int64
    }

    /// The committed blocks of a version by id (first occurrence). Call with the lock held.
    private func committedExtents(of version: BlobVersionRow?) throws(MedStoreError) -> [String: Extent] {
        guard let content = version?.contentID else { return [:] }
        var result: [String: Extent] = [:]
        for row in try db.query("SELECT block_id, data_file, file_offset, length FROM content_extents WHERE content_id = ? AND block_id IS NOT NULL ORDER BY seq",
                                [.integer(content)]) where result[row.text(0) ?? ""] == nil {
            result[row.text(0) ?? ""] = Extent(dataFile: row.int(1), fileOffset: row.int(2), length: row.int(3))
        }
        return result
    }

    private static func kindName(_ entry: BlockListEntry) -> String {
        switch entry {
        case .committed: return "committed"
        case .uncommitted: return "uncommitted"
        case .latest: return "uncommitted or committed"
        }
    }
}
