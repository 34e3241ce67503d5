import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// Block ids the way the Azure SDK makes them: base64 of a fixed-width string.
func blockID(_ n: Int, width: Int = 8) -> String {
    Crypto.base64Encode(Array(String(format: "%0\(width)d", n).utf8))
}

@Suite("Blob blocks")
struct BlobBlockTests {
    @Test func blocksCommittedWithLatestComposeTheBlobWithoutCopying() throws {
        let f = try BlobFixture()
        let parts = (0..<4).map { blobBytes(1000 + $0 * 333, seed: UInt64($0)) }
        for (i, part) in parts.enumerated() { try f.putBlock("big", blockID(i), part) }
        try f.putBlock("big", blockID(9), [0xFF])  // staged, never committed
        let staged = try f.blobs.blockList(container: "records", name: "big", includeCommitted: true, includeUncommitted: true)
        #expect(staged.committed.isEmpty && staged.properties == nil)
        #expect(staged.uncommitted.map(\.id) == (0..<4).map { blockID($0) } + [blockID(9)])
        expectCode(.blobNotFound) { () throws(MedStoreError) in try f.read("big") }
        #expect(f.dataFiles().count == 5)

        let props = try f.blobs.putBlockList(container: "records", name: "big", blocks: (0..<4).map { .latest(blockID($0)) },
                                             content: BlobContentSettings(contentType: "application/octet-stream"),
                                             metadata: [("k", "v")], conditions: .none, overwrite: true)
        #expect(props.size == Int64(parts.map(\.count).reduce(0, +)))
        #expect(props.committedBlockCount == 4 && props.content.contentMD5 == nil)
        #expect(try f.read("big", chunk: 500) == parts.flatMap { $0 })
        // The committed blob uses the blocks' own files; the never-listed block is discarded.
        #expect(f.dataFiles().count == 4)
        let listed = try f.blobs.blockList(container: "records", name: "big", includeCommitted: true, includeUncommitted: true)
        #expect(listed.committed == parts.enumerated().map { BlobStore.BlockInfo(id: blockID($0.offset), size: Int64($0.element.count)) })
        #expect(listed.uncommitted.isEmpty && listed.properties == props)
    }

    @Test func mixedRecommitOfCommittedAndUncommittedBlocks() throws {
        let f = try BlobFixture()
        let a = blobBytes(100, seed: 1), b = blobBytes(200, seed: 2), a2 = blobBytes(300, seed: 3), c = blobBytes(50, seed: 4)
        try f.putBlock("mix", blockID(1), a)
        try f.putBlock("mix", blockID(2), b)
        _ = try f.blobs.putBlockList(container: "records", name: "mix", blocks: [.uncommitted(blockID(1)), .uncommitted(blockID(2))],
                                     content: .init(), metadata: [], conditions: .none, overwrite: true)
        try f.putBlock("mix", blockID(1), a2)  // a new uncommitted block with a committed block's id
        try f.putBlock("mix", blockID(3), c)
        let both = try f.blobs.blockList(container: "records", name: "mix", includeCommitted: true, includeUncommitted: true)
        #expect(both.committed.map(\.size) == [100, 200] && both.uncommitted.map(\.size) == [300, 50])
        let onlyUncommitted = try f.blobs.blockList(container: "records", name: "mix", includeCommitted: false, includeUncommitted: true)
        #expect(onlyUncommitted.committed.isEmpty && onlyUncommitted.uncommitted.count == 2)

        let props = try f.blobs.putBlockList(container: "records", name: "mix",
                                             blocks: [.committed(blockID(2)), .committed(blockID(1)), .latest(blockID(1)),
                                                      .uncommitted(blockID(3)), .committed(blockID(2))],
                                             content: .init(), metadata: [], conditions: .none, overwrite: true)
        #expect(try f.read("mix") == b + a + a2 + c + b)
        #expect(props.committedBlockCount == 5 && props.size == 850)
        #expect(f.dataFiles().count == 4)  // a, b, a2, c: shared, never copied
        // Dropping blocks from the list frees their files.
        _ = try f.blobs.putBlockList(container: "records", name: "mix", blocks: [.committed(blockID(3))],
                                     content: .init(), metadata: [], conditions: .none, overwrite: true)
        #expect(try f.read("mix") == c)
        #expect(f.dataFiles().count == 4)  // the earlier list's blocks stay for backups
        try f.expireBackups()
        #expect(f.dataFiles().count == 1)
    }

    @Test func unknownBlocksMakeTheListInvalidAndChangeNothing() throws {
        let f = try BlobFixture()
        try f.putBlock("u", blockID(1), [1, 2])
        let first = try f.blobs.putBlockList(container: "records", name: "u", blocks: [.latest(blockID(1))],
                                             content: .init(), metadata: [], conditions: .none, overwrite: true)
        try f.putBlock("u", blockID(2), [3])
        for list: [BlobStore.BlockListEntry] in [[.latest(blockID(7))], [.committed(blockID(2))], [.uncommitted(blockID(1))],
                                                 [.latest(blockID(1)), .latest(blockID(8))]] {
            expectCode(.invalidBlockList) { () throws(MedStoreError) in
                try f.blobs.putBlockList(container: "records", name: "u", blocks: list, content: .init(), metadata: [], conditions: .none, overwrite: true)
            }
        }
        #expect(try f.blobs.properties(container: "records", name: "u", conditions: .none, forRead: true) == first)
        #expect(try f.blobs.blockList(container: "records", name: "u", includeCommitted: true, includeUncommitted: true).uncommitted.map(\.id) == [blockID(2)])
        #expect(try f.read("u") == [1, 2])
    }

    @Test func blockIDRules() throws {
        let f = try BlobFixture()
        try f.putBlock("ids", blockID(1, width: 8), [1])
        expectCode(.invalidBlobOrBlock) { () throws(MedStoreError) in try f.putBlock("ids", blockID(2, width: 12), [2]) }
        expectCode(.invalidBlockId) { () throws(MedStoreError) in try f.putBlock("ids", "not base64!", [2]) }
        expectCode(.invalidBlockId) { () throws(MedStoreError) in try f.putBlock("ids2", Crypto.base64Encode([UInt8](repeating: 1, count: 65)), [2]) }
        expectCode(.invalidBlockId) { () throws(MedStoreError) in try f.putBlock("ids2", "", [2]) }
        try f.putBlock("ids2", Crypto.base64Encode([UInt8](repeating: 1, count: 64)), [2])
        // After a commit the committed ids set the length too.
        _ = try f.blobs.putBlockList(container: "records", name: "ids", blocks: [.latest(blockID(1, width: 8))],
                                     content: .init(), metadata: [], conditions: .none, overwrite: true)
        expectCode(.invalidBlobOrBlock) { () throws(MedStoreError) in try f.putBlock("ids", blockID(3, width: 4), [3]) }
        expectCode(.invalidBlockId) { () throws(MedStoreError) in
            try f.blobs.putBlockList(container: "records", name: "ids", blocks: [.latest("%%%")], content: .init(), metadata: [], conditions: .none, overwrite: true)
        }
        #expect(f.tempFiles().isEmpty && f.dataFiles().count == 2)
    }

    @Test func rangesAcrossBlockBoundaries() throws {
        let f = try BlobFixture()
        let parts = [blobBytes(7, seed: 1), blobBytes(1, seed: 2), [], blobBytes(13, seed: 3)]
        for (i, part) in parts.enumerated() { try f.putBlock("ranged", blockID(i), part) }
        _ = try f.blobs.putBlockList(container: "records", name: "ranged", blocks: (0..<4).map { .latest(blockID($0)) },
                                     content: .init(), metadata: [], conditions: .none, overwrite: true)
        let whole = parts.flatMap { $0 }
        for start in 0..<whole.count {
            for end in start..<(whole.count + 2) {
                let got = try f.read("ranged", range: BlobRange(start: Int64(start), end: Int64(end)), chunk: 3)
                #expect(got == Array(whole[start...min(end, whole.count - 1)]), "range \(start)-\(end)")
            }
        }
        #expect(try f.blobs.blockList(container: "records", name: "ranged", includeCommitted: true, includeUncommitted: false)
            .committed.map(\.size) == [7, 1, 0, 13])
    }

    @Test func replacingAnUncommittedBlockAndPutBlobDiscardFiles() throws {
        let f = try BlobFixture()
        try f.putBlock("p", blockID(1), [1])
        try f.putBlock("p", blockID(1), [2, 2])
        #expect(f.dataFiles().count == 1)
        #expect(try f.blobs.blockList(container: "records", name: "p", includeCommitted: true, includeUncommitted: true).uncommitted
            == [BlobStore.BlockInfo(id: blockID(1), size: 2)])
        try f.putBlock("p", blockID(2), [3])
        try f.put("p", [9, 9, 9])  // Put Blob discards the blob's uncommitted blocks
        #expect(f.dataFiles().count == 1)
        #expect(try f.count("uncommitted_blocks") == 0)
        expectCode(.blobNotFound) { () throws(MedStoreError) in
            try f.blobs.blockList(container: "records", name: "never", includeCommitted: true, includeUncommitted: true)
        }
    }

    @Test func blockListRespectsOverwriteAndConditions() throws {
        let f = try BlobFixture()
        let put = try f.put("c", [1])
        try f.putBlock("c", blockID(1), [2])
        expectCode(.blobAlreadyExists) { () throws(MedStoreError) in
            try f.blobs.putBlockList(container: "records", name: "c", blocks: [.latest(blockID(1))], content: .init(), metadata: [], conditions: .none, overwrite: false)
        }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in
            try f.blobs.putBlockList(container: "records", name: "c", blocks: [.latest(blockID(1))], content: .init(), metadata: [],
                                     conditions: AccessConditions(ifMatch: "\"0x8D0000000000000\""), overwrite: true)
        }
        let done = try f.blobs.putBlockList(container: "records", name: "c", blocks: [.latest(blockID(1))], content: .init(), metadata: [],
                                            conditions: AccessConditions(ifMatch: put.etag), overwrite: true)
        #expect(try f.read("c") == [2] && done.createdAt == put.createdAt)
    }
}
