import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Blob durability and cleanup")
struct BlobDurabilityTests {
    @Test func sweepRemovesPlantedOrphansButNotLiveFiles() throws {
        let f = try BlobFixture()
        try f.put("live", blobBytes(3000))
        let live = f.dataFiles()
        let orphanName = String(repeating: "ab", count: 16)
        let orphanDir = f.directory.path + "/blobs/ab/ab"
        try FileManager.default.createDirectory(atPath: orphanDir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: orphanDir + "/" + orphanName, contents: Data([1, 2, 3]))
        _ = FileManager.default.createFile(atPath: orphanDir + "/stray-notes", contents: Data([4]))
        _ = FileManager.default.createFile(atPath: f.directory.path + "/blobs/tmp/" + orphanName + ".tmp", contents: Data([5]))
        let staged = try f.stage([7, 7])  // an upload in flight during the sweep is left alone
        #expect(f.dataFiles().count == 4)

        let result = try f.blobs.sweepOrphans()
        #expect(result.removedFiles == 2 && result.removedTemp == 1)
        #expect(f.dataFiles() == (live + [staged.fileName]).sorted() && f.tempFiles().isEmpty)
        #expect(try f.read("live") == blobBytes(3000))
        #expect(try f.blobs.sweepOrphans() == (0, 0))
        try f.blobs.putBlob(container: "records", name: "late", data: staged, content: .init(), metadata: [], conditions: .none, overwrite: true)
        #expect(try f.read("late") == [7, 7])
    }

    @Test func aCrashBetweenStageAndCommitLeavesAnOrphanTheSweepRemoves() throws {
        let f = try BlobFixture()
        _ = try f.stage(blobBytes(100))  // never committed: as if the daemon died here
        #expect(f.dataFiles().count == 1)
        try f.restart()
        #expect(try f.blobs.sweepOrphans().removedFiles == 1)
        #expect(f.dataFiles().isEmpty)
    }

    @Test func missingDataFilesAreReportedAndNeverServed() throws {
        let f = try BlobFixture()
        try f.put("hurt", blobBytes(2000))
        try f.put("fine", blobBytes(10))
        let hurtFile = try f.dataFile(of: "hurt")
        try FileManager.default.removeItem(atPath: f.blobs.files.path(of: hurtFile))
        _ = try f.blobs.sweepOrphans()
        #expect(f.logLines.contains { $0.contains("blob data file missing or damaged") && $0.contains(hurtFile) && $0.contains("blobs_affected=1") })
        expectCode(.internal) { () throws(MedStoreError) in try f.read("hurt") }
        #expect(try f.read("fine") == blobBytes(10))
        // Truncated instead of missing: a short body is an error too, not a short read.
        try f.put("short", blobBytes(5000))
        #expect(truncate(f.blobs.files.path(of: try f.dataFile(of: "short")), 100) == 0)
        expectCode(.internal) { () throws(MedStoreError) in try f.read("short") }
    }

    @Test func uncommittedBlocksExpireAfterAWeek() throws {
        let f = try BlobFixture()
        try f.putBlock("old", blockID(1), [1])
        f.advance(6 * 86400)
        try f.putBlock("old", blockID(2), [2])  // a Put Block a day later keeps the blob's blocks alive
        try f.putBlock("young", blockID(1), [3])
        f.advance(2 * 86400)
        try f.blobs.prune()
        #expect(try f.count("uncommitted_blocks") == 3)
        f.advance(6 * 86400)
        try f.blobs.prune()  // no write in between: the wall clock alone ages them
        #expect(try f.count("uncommitted_blocks") == 0)
        #expect(f.dataFiles().isEmpty)
    }

    @Test func containerDeleteFreesEveryFile() throws {
        let f = try BlobFixture()
        _ = try f.service.createContainer(name: "other")
        for i in 0..<20 { try f.put("b\(i)", blobBytes(100 + i, seed: UInt64(i))) }
        try f.putBlock("pending", blockID(1), [1])
        let keep = try f.blobs.putBlob(container: "other", name: "keep", data: try f.stage([4, 2]), content: .init(), metadata: [],
                                       conditions: .none, overwrite: true)
        #expect(f.dataFiles().count == 22)
        _ = try f.service.deleteContainer(name: "records")
        #expect(f.dataFiles().count == 21, "the deleted container's blobs stay for backups; its uncommitted block goes")
        #expect(try f.count("uncommitted_blocks") == 0)
        _ = try f.service.createContainer(name: "records")
        #expect(try f.blobs.listBlobs(container: "records", prefix: nil, delimiter: nil, marker: nil, maxResults: 100).blobs.isEmpty)
        try f.expireBackups()
        #expect(f.dataFiles().count == 1)
        #expect(try f.count("blob_versions") == 1 && f.count("blob_contents") == 1)
        #expect(try f.blobs.properties(container: "other", name: "keep", conditions: .none, forRead: true) == keep)
        expectCode(.containerNotFound) { () throws(MedStoreError) in
            try f.blobs.putBlob(container: "gone", name: "x", data: try f.stage([1]), content: .init(), metadata: [], conditions: .none, overwrite: true)
        }
        _ = try f.service.deleteAccount(confirmName: "acct")
        #expect(f.dataFiles().isEmpty && f.tempFiles().isEmpty)
        #expect(try f.count("blob_versions") == 0 && f.count("data_files") == 0)
    }

    @Test func aDeletedContainersJournalStaysUntilTheRetentionPasses() throws {
        let f = try BlobFixture()
        try f.put("x", [1, 2])
        _ = try f.service.deleteContainer(name: "records")
        #expect(try f.count("blob_versions") == 2)  // the blob and its deletion record
        try f.blobs.prune()
        #expect(f.dataFiles().count == 1)
        #expect(try f.count("container_lifetimes") == 1)
        f.advance(TimeInterval(BackupRetention.defaultDays * 86_400))
        try f.blobs.prune()
        #expect(f.dataFiles().count == 1, "exactly at the retention the deletion is still a restore point's past")
        f.advance(1)
        try f.blobs.prune()
        #expect(f.dataFiles().isEmpty)
        #expect(try f.count("data_files") == 0 && f.count("blob_versions") == 0 && f.count("container_lifetimes") == 0)
    }

    @Test func anOpenReaderKeepsItsVersionAcrossOverwriteAndDelete() throws {
        let f = try BlobFixture()
        let old = blobBytes(300_000, seed: 1)
        try f.put("held", old)
        let reader = try f.blobs.openForRead(container: "records", name: "held", range: nil, conditions: .none)
        try f.put("held", blobBytes(10, seed: 2))
        try f.blobs.deleteBlob(container: "records", name: "held", conditions: .none)
        try f.expireBackups()
        #expect(f.dataFiles().count == 1)  // the old file, pinned by the reader
        #expect(try BlobFixture.drain(reader, chunk: 4096) == old)
        reader.close()
        #expect(f.dataFiles().isEmpty)
        #expect(try f.count("data_files") == 0)
        reader.close()  // idempotent
        expectCode(.internal) { () throws(MedStoreError) in try BlobFixture.drain(reader) }
    }

    @Test func concurrentReadersSeeOldOrNewContentCompletely() throws {
        let f = try BlobFixture()
        let size = 512 * 1024
        let content: @Sendable (UInt8) -> [UInt8] = { [UInt8](repeating: $0, count: size + Int($0) * 1000) }
        try f.put("hot", content(0))
        let failures = Shared(0)
        let reads = Shared(0)
        let stop = Shared(false)
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                while !stop.withLock({ $0 }) {
                    do {
                        let bytes = try f.read("hot", chunk: 64 * 1024)
                        let version = bytes.first ?? 255
                        if bytes != content(version) { failures.withLock { $0 += 1 } }
                        reads.withLock { $0 += 1 }
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
            }.start()
        }
        for version in 1...40 { try f.put("hot", content(UInt8(version))) }
        stop.withLock { $0 = true }
        group.wait()
        #expect(failures.withLock { $0 } == 0)
        #expect(reads.withLock { $0 } > 4)
        #expect(f.dataFiles().count == 41)  // every version kept for backups
        try f.expireBackups()
        #expect(f.dataFiles().count == 1)  // every superseded file freed once its readers closed
        #expect(try f.read("hot") == content(40))
    }

    @Test func blobsSurviveARestart() throws {
        let f = try BlobFixture()
        try f.putBlock("b", blockID(1), [1, 2])
        let put = try f.put("a", blobBytes(70_000), metadata: [("k", "v")])
        try f.restart()
        _ = try f.blobs.sweepOrphans()
        #expect(try f.blobs.properties(container: "records", name: "a", conditions: .none, forRead: true) == put)
        #expect(try f.read("a") == blobBytes(70_000))
        #expect(try f.blobs.blockList(container: "records", name: "b", includeCommitted: false, includeUncommitted: true).uncommitted.count == 1)
    }
}

/// A value shared between test threads.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
