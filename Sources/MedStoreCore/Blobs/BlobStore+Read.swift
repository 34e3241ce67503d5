import Foundation
import MedStoreProtocol

/// A byte range of a read: `start` through `end` inclusive (`end` nil: to the end of the blob),
/// as in `x-ms-range: bytes=start-end`.
public struct BlobRange: Sendable, Equatable {
    /// First byte.
    public var start: Int64
    /// Last byte (inclusive), or nil for "to the end".
    public var end: Int64?

    /// A range from `start` to `end` (inclusive) or to the end of the blob.
    public init(start: Int64, end: Int64? = nil) {
        self.start = start
        self.end = end
    }

    /// The same bytes as a closed range.
    public init(_ range: ClosedRange<Int64>) {
        self.init(start: range.lowerBound, end: range.upperBound)
    }
}

extension BlobStore {
    /// Get Blob Properties: the current version after checking `conditions`.
    ///
    /// - Parameter forRead: true for GET/HEAD (a failed `If-None-Match`/`If-Modified-Since` is
    ///   `.notModified`), false to report every failure as `.conditionNotMet`.
    /// - Throws: `.blobNotFound`, `.containerNotFound`, `.conditionNotMet`, `.notModified`.
    public func properties(container: String, name: String, conditions: AccessConditions,
                           forRead: Bool) throws(MedStoreError) -> BlobProperties {
        try BlobStore.validateNames(container: container, name: name)
        return try store.locked { () throws(MedStoreError) -> BlobProperties in
            let live = try liveVersion(container: container, name: name)
            try conditions.evaluate(etag: live.etag, lastModified: live.lastModified, use: forRead ? .read : .write)
            return live.properties
        }
    }

    /// Get Blob: the current version's properties and a reader over `range` (whole blob if nil).
    /// The reader's data files are pinned under the lock, so a concurrent overwrite, delete or
    /// container removal cannot free them: the reader sees this version completely. Close it.
    ///
    /// - Throws: `.invalidRange` (start at or past the end, including any range of an empty blob,
    ///   or end before start); `.blobNotFound`, `.containerNotFound`, `.conditionNotMet`, `.notModified`.
    public func openForRead(container: String, name: String, range: BlobRange?,
                            conditions: AccessConditions) throws(MedStoreError) -> BlobReader {
        try BlobStore.validateNames(container: container, name: name)
        let (properties, start, segments, pinned) = try store.locked { () throws(MedStoreError) -> (BlobProperties, Int64, [BlobReader.Segment], [Int64]) in
            let live = try liveVersion(container: container, name: name)
            try conditions.evaluate(etag: live.etag, lastModified: live.lastModified, use: .read)
            var start: Int64 = 0
            var end = live.size - 1
            if let range {
                guard range.start >= 0, range.start < live.size, (range.end ?? range.start) >= range.start else {
                    throw MedStoreError(.invalidRange, "the range specified is invalid for the current size of the resource (\(live.size) bytes)")
                }
                start = range.start
                end = min(range.end ?? end, end)
            }
            guard end >= start, let content = live.contentID else { return (live.properties, start, [], []) }
            let pieces = try readSegments(content: content, start: start, end: end)
            let pinned = Array(Set(pieces.map(\.dataFile)))
            for id in pinned { pins[id, default: 0] += 1 }
            return (live.properties, start, pieces, pinned)
        }
        return BlobReader(properties: properties, offset: start, segments: segments) { [self] in unpin(pinned) }
    }

    /// The pieces of data files holding blob bytes `start...end` of a content, in order. Call with the lock held.
    private func readSegments(content: Int64, start: Int64, end: Int64) throws(MedStoreError) -> [BlobReader.Segment] {
        // The extent holding `start` begins at the largest offset not after it.
        let first = start == 0 ? 0 : try db.query("SELECT max(blob_offset) FROM content_extents WHERE content_id = ? AND blob_offset <= ? AND length > 0",
                                                  [.integer(content), .integer(start)]).first?.int(0) ?? 0
        let rows = try db.query("""
            SELECT e.blob_offset, e.length, e.data_file, e.file_offset, f.file_name
            FROM content_extents e JOIN data_files f ON f.id = e.data_file
            WHERE e.content_id = ? AND e.blob_offset >= ? AND e.blob_offset <= ? AND e.length > 0
            ORDER BY e.blob_offset, e.seq
            """, [.integer(content), .integer(first), .integer(end)])
        var result: [BlobReader.Segment] = []
        for row in rows {
            let blobOffset = row.int(0)
            let length = row.int(1)
            let from = max(start, blobOffset)
            let to = min(end, blobOffset + length - 1)
            guard to >= from, let name = row.text(4) else { continue }
            result.append(BlobReader.Segment(dataFile: row.int(2), path: files.path(of: name),
                                             fileOffset: row.int(3) + (from - blobOffset), length: to - from + 1))
        }
        return result
    }

    /// Releases a closed reader's pins; files that became unreferenced while pinned are freed.
    func unpin(_ ids: [Int64]) {
        guard !ids.isEmpty else { return }
        do {
            let freed = try store.locked { () throws(MedStoreError) -> [String] in
                var released: [Int64] = []
                for id in ids {
                    let count = (pins[id] ?? 1) - 1
                    pins[id] = count > 0 ? count : nil
                    if count <= 0, deferredFiles.remove(id) != nil { released.append(id) }
                }
                guard !released.isEmpty else { return [] }
                return try db.transaction { () throws(MedStoreError) -> [String] in
                    try db.execute("CREATE TEMP TABLE IF NOT EXISTS prune_files (id INTEGER PRIMARY KEY); DELETE FROM temp.prune_files;")
                    for id in released { try db.query("INSERT INTO temp.prune_files (id) VALUES (?)", [.integer(id)]) }
                    return try releaseCandidateFiles()
                }
            }
            removeFiles(freed)
        } catch {
            logger.warning("releasing a blob reader's data files failed; the next prune frees them", [("error", error.message)])
        }
    }
}
