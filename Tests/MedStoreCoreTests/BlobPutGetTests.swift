import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Blob put and get")
struct BlobPutGetTests {
    @Test(arguments: [0, 1, 3 * 1024 * 1024])
    func putThenGetReturnsTheBytes(size: Int) throws {
        let f = try BlobFixture()
        let bytes = blobBytes(size, seed: UInt64(size))
        let md5 = try MD5Hasher.digest(bytes)
        let put = try f.put("dir/file.bin", bytes, content: BlobContentSettings(contentType: "application/x-test"))
        #expect(put.size == Int64(size))
        #expect(put.content.contentMD5 == md5)
        #expect(put.content.contentType == "application/x-test")
        #expect(put.lastModified == f.now && put.createdAt == f.now)
        #expect(put.committedBlockCount == 0)
        #expect(put.etag.range(of: #"^"0x8D[0-9A-F]{13}"$"#, options: .regularExpression) != nil, "\(put.etag)")
        #expect(try f.read("dir/file.bin", chunk: 7777) == bytes)
        #expect(try f.blobs.properties(container: "records", name: "dir/file.bin", conditions: .none, forRead: true) == put)
        #expect(f.dataFiles().count == (size == 0 ? 0 : 1))
        #expect(f.tempFiles().isEmpty)
    }

    @Test func storedMD5GivenByTheClientIsKeptAndWrongLengthRefused() throws {
        let f = try BlobFixture()
        let given = [UInt8](repeating: 7, count: 16)
        #expect(try f.put("a", [1, 2, 3], content: BlobContentSettings(contentMD5: given)).content.contentMD5 == given)
        expectCode(.invalidHeaderValue) { () throws(MedStoreError) in try f.put("b", [1], content: BlobContentSettings(contentMD5: [1, 2])) }
        #expect(f.dataFiles().count == 1)
    }

    @Test func overwriteKeepsTheOldFileForBackupsUntilRetentionAndKeepsCreationTime() throws {
        let f = try BlobFixture()
        let first = try f.put("x", blobBytes(5000, seed: 1))
        let firstFiles = f.dataFiles()
        #expect(firstFiles.count == 1)
        f.advance(10)
        let second = try f.put("x", blobBytes(7000, seed: 2))
        #expect(f.dataFiles().count == 2 && Set(firstFiles).isSubset(of: Set(f.dataFiles())))
        #expect(second.etag != first.etag && second.versionID > first.versionID)
        #expect(second.createdAt == first.createdAt && second.lastModified == first.lastModified.addingTimeInterval(10))
        #expect(try f.read("x") == blobBytes(7000, seed: 2))
        try f.blobs.prune()
        #expect(f.dataFiles().count == 2, "inside the retention window a prune keeps the old version")
        try f.expireBackups()
        #expect(f.dataFiles().count == 1 && f.dataFiles() != firstFiles)
        #expect(try f.count("blob_versions") == 1 && f.count("blob_contents") == 1 && f.count("data_files") == 1)
    }

    @Test func deleteFreesTheFileAndTheBlobIsGone() throws {
        let f = try BlobFixture()
        let put = try f.put("gone", blobBytes(4096))
        f.advance(3)
        let deleted = try f.blobs.deleteBlob(container: "records", name: "gone", conditions: .none)
        #expect(deleted == put)
        #expect(f.dataFiles().count == 1, "the deleted bytes stay for backups")
        try f.expireBackups()
        #expect(f.dataFiles().isEmpty)
        #expect(try f.count("blob_versions") == 0 && f.count("data_files") == 0 && f.count("blob_contents") == 0)
        expectCode(.blobNotFound) { () throws(MedStoreError) in try f.blobs.properties(container: "records", name: "gone", conditions: .none, forRead: true) }
        expectCode(.blobNotFound) { () throws(MedStoreError) in try f.read("gone") }
        expectCode(.blobNotFound) { () throws(MedStoreError) in try f.blobs.deleteBlob(container: "records", name: "gone", conditions: .none) }
        // Created again after a delete: a new blob with a new creation time.
        let again = try f.put("gone", [9])
        #expect(again.createdAt == f.now && again.createdAt != put.createdAt)
    }

    @Test func metadataAndPropertyChangesShareTheDataFile() throws {
        let f = try BlobFixture()
        let bytes = blobBytes(10_000)
        let put = try f.put("m", bytes, content: BlobContentSettings(contentType: "text/plain"), metadata: [("a", "1")])
        let files = f.dataFiles()
        f.advance(1)
        let meta = try f.blobs.setMetadata(container: "records", name: "m", metadata: [("b", "2")], conditions: .none)
        #expect(f.dataFiles() == files)
        #expect(meta.etag != put.etag && meta.versionID > put.versionID)
        #expect(meta.metadata.map(\.0) == ["b"] && meta.content == put.content && meta.size == put.size)
        let props = try f.blobs.setContentSettings(container: "records", name: "m",
                                                   content: BlobContentSettings(contentType: "image/png", cacheControl: "no-cache"),
                                                   conditions: .none)
        #expect(f.dataFiles() == files)
        #expect(props.content == BlobContentSettings(contentType: "image/png", cacheControl: "no-cache"))
        #expect(props.metadata.map(\.0) == ["b"] && props.etag != meta.etag)
        #expect(try f.read("m") == bytes)
        #expect(try f.count("blob_versions") == 3 && f.count("blob_contents") == 1)
        try f.expireBackups()
        #expect(try f.count("blob_versions") == 1 && f.count("blob_contents") == 1 && f.dataFiles() == files)
        expectCode(.blobNotFound) { () throws(MedStoreError) in
            try f.blobs.setMetadata(container: "records", name: "nope", metadata: [], conditions: .none)
        }
    }

    @Test func rangesMiddleToEndClampedAndPastEnd() throws {
        let f = try BlobFixture()
        let bytes = blobBytes(1000)
        try f.put("r", bytes)
        #expect(try f.read("r", range: BlobRange(start: 100, end: 199)) == Array(bytes[100...199]))
        #expect(try f.read("r", range: BlobRange(start: 990)) == Array(bytes[990...]))
        #expect(try f.read("r", range: BlobRange(999...5000)) == [bytes[999]])
        #expect(try f.read("r", range: BlobRange(0...0)) == [bytes[0]])
        let reader = try f.blobs.openForRead(container: "records", name: "r", range: BlobRange(start: 250, end: 260), conditions: .none)
        #expect(reader.offset == 250 && reader.length == 11 && reader.properties.size == 1000)
        reader.close()
        for bad in [BlobRange(start: 1000), BlobRange(start: 5000, end: 6000), BlobRange(start: 10, end: 5), BlobRange(start: -1, end: 3)] {
            expectCode(.invalidRange) { () throws(MedStoreError) in try f.read("r", range: bad) }
        }
        try f.put("empty", [])
        #expect(try f.read("empty") == [])
        expectCode(.invalidRange) { () throws(MedStoreError) in try f.read("empty", range: BlobRange(start: 0)) }
    }

    @Test func stageWhoseReaderThrowsHalfwayLeavesNothing() throws {
        let f = try BlobFixture()
        var calls = 0
        expectCode(.invalidArgument) { () throws(MedStoreError) in
            try f.blobs.stage(maxBytes: 1 << 30, expectedMD5: nil) { (buffer) throws(MedStoreError) -> Int in
                calls += 1
                if calls == 5 { throw MedStoreError(.invalidArgument, "client went away") }
                buffer.initializeMemory(as: UInt8.self, repeating: 0xAB)
                return buffer.count
            }
        }
        #expect(calls == 5)
        #expect(f.tempFiles().isEmpty && f.dataFiles().isEmpty)
        #expect(try f.count("data_files") == 0 && f.count("blob_versions") == 0)
    }

    @Test func md5MismatchAndOversizeLeaveNothing() throws {
        let f = try BlobFixture()
        let bytes = blobBytes(200_000)
        expectCode(.md5Mismatch) { () throws(MedStoreError) in try f.stage(bytes, expectedMD5: [UInt8](repeating: 0, count: 16)) }
        expectCode(.requestBodyTooLarge) { () throws(MedStoreError) in try f.stage(bytes, maxBytes: 199_999) }
        #expect(f.tempFiles().isEmpty && f.dataFiles().isEmpty)
        let ok = try f.stage(bytes, expectedMD5: try MD5Hasher.digest(bytes), maxBytes: 200_000)
        #expect(ok.size == 200_000 && FileManager.default.fileExists(atPath: ok.path))
        f.blobs.discard(ok)
        #expect(f.dataFiles().isEmpty && !FileManager.default.fileExists(atPath: ok.path))
    }

    @Test func refusedPutsRemoveTheirStagedFile() throws {
        let f = try BlobFixture()
        try f.put("exists", [1])
        expectCode(.blobAlreadyExists) { () throws(MedStoreError) in try f.put("exists", [2], overwrite: false) }
        expectCode(.containerNotFound) { () throws(MedStoreError) in
            try f.blobs.putBlob(container: "nothere", name: "x", data: try f.stage([1]), content: .init(), metadata: [], conditions: .none, overwrite: true)
        }
        expectCode(.invalidBlobName) { () throws(MedStoreError) in try f.put(String(repeating: "a", count: 1025), [1]) }
        #expect(f.dataFiles().count == 1 && f.tempFiles().isEmpty)
        #expect(try f.read("exists") == [1])
        #expect(try f.put("new", [3], overwrite: false).size == 1)
    }

    @Test func stagedDataCannotBeCommittedTwice() throws {
        let f = try BlobFixture()
        let staged = try f.stage([1, 2, 3])
        try f.blobs.putBlob(container: "records", name: "a", data: staged, content: .init(), metadata: [], conditions: .none, overwrite: true)
        expectCode(.invalidArgument) { () throws(MedStoreError) in
            try f.blobs.putBlob(container: "records", name: "b", data: staged, content: .init(), metadata: [], conditions: .none, overwrite: true)
        }
        f.blobs.discard(staged)  // a misplaced discard of committed data must not damage the blob
        #expect(try f.read("a") == [1, 2, 3])
        #expect(f.dataFiles().count == 1)
    }
}
