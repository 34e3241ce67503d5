import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// An account with container "records" on a fresh state directory, the blob engine on it, a clock
/// the test controls and a logger whose lines the test can read.
final class BlobFixture: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "msblob")
    private let masterKey = try! MasterKey.generate()
    private let lock = NSLock()
    private var time = Date(timeIntervalSince1970: 1_780_000_000)
    private var lines: [String] = []
    var service: AccountService!
    var blobs: BlobStore { service.blobs }
    let container = "records"

    init(container: Bool = true) throws {
        service = try open()
        _ = try service.createAccount(name: "acct")
        if container { _ = try service.createContainer(name: self.container) }
    }

    /// Opens (again) the service on the fixture's directory.
    func open() throws -> AccountService {
        try AccountService(stateDirectory: directory.path,
                           configuration: ServiceConfiguration(blobEndpointTemplate: "http://127.0.0.1:10000",
                                                               clusterNetworks: ["127.0.0.0/8"], daemonVersion: "test"),
                           masterKey: masterKey,
                           clock: { [unowned self] in lock.withLock { time } },
                           logger: Logger(level: .debug, sink: { [unowned self] line in lock.withLock { lines.append(line) } }))
    }

    /// Closes and reopens the database, as a daemon restart would.
    func restart() throws {
        service.close()
        service = try open()
    }

    func advance(_ seconds: TimeInterval) { lock.withLock { time = time.addingTimeInterval(seconds) } }

    /// Moves the clock one second past the backup retention and prunes: what only backups kept goes.
    func expireBackups() throws {
        advance(TimeInterval(BackupRetention.defaultDays * 86_400 + 1))
        try blobs.prune()
    }
    var now: Date { lock.withLock { time } }
    var logLines: [String] { lock.withLock { lines } }

    /// Stages `bytes`, handing them to the engine `chunk` bytes at a time.
    func stage(_ bytes: [UInt8], chunk: Int = 65536, expectedMD5: [UInt8]? = nil, maxBytes: Int64 = BlobStore.maximumPutBlobBytes) throws(MedStoreError) -> StagedData {
        var offset = 0
        return try blobs.stage(maxBytes: maxBytes, expectedMD5: expectedMD5) { (buffer: UnsafeMutableRawBufferPointer) -> Int in
            let n = min(chunk, buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + n)]))
            }
            offset += n
            return n
        }
    }

    @discardableResult
    func put(_ name: String, _ bytes: [UInt8], content: BlobContentSettings = .init(), metadata: [(String, String)] = [],
             conditions: AccessConditions = .none, overwrite: Bool = true) throws(MedStoreError) -> BlobProperties {
        let staged = try stage(bytes)
        return try blobs.putBlob(container: container, name: name, data: staged, content: content, metadata: metadata,
                                 conditions: conditions, overwrite: overwrite)
    }

    func putBlock(_ name: String, _ id: String, _ bytes: [UInt8]) throws(MedStoreError) {
        try blobs.putBlock(container: container, name: name, blockID: id, data: try stage(bytes))
    }

    /// Reads the blob (or a range) completely through a reader.
    func read(_ name: String, range: BlobRange? = nil, conditions: AccessConditions = .none, chunk: Int = 100_000) throws(MedStoreError) -> [UInt8] {
        let reader = try blobs.openForRead(container: container, name: name, range: range, conditions: conditions)
        defer { reader.close() }
        return try BlobFixture.drain(reader, chunk: chunk)
    }

    static func drain(_ reader: BlobStore.BlobReader, chunk: Int = 100_000) throws(MedStoreError) -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try reader.read(into: buffer)
            if n == 0 { break }
            out += buffer[0..<n]
        }
        #expect(Int64(out.count) == reader.length)
        return out
    }

    /// Data files on disk (everything under `blobs/` except `tmp/`).
    func dataFiles() -> [String] {
        let root = directory.path + "/blobs"
        var found: [String] = []
        for top in BlobFiles.listDirectory(root) where top != "tmp" {
            for leaf in BlobFiles.listDirectory(root + "/" + top) {
                found += BlobFiles.listDirectory(root + "/" + top + "/" + leaf)
            }
        }
        return found.sorted()
    }

    /// The data file holding a single-extent blob.
    func dataFile(of name: String) throws -> String {
        try service.store.locked { () throws(MedStoreError) -> String in
            try service.db.query("""
                SELECT d.file_name FROM blob_versions v JOIN content_extents e ON e.content_id = v.content_id
                JOIN data_files d ON d.id = e.data_file WHERE v.container = ? AND v.name = ? AND v.superseded_at IS NULL
                """, [.text(container), .text(name)]).first?.text(0) ?? ""
        }
    }

    func tempFiles() -> [String] { BlobFiles.listDirectory(directory.path + "/blobs/tmp") }

    func count(_ table: String) throws -> Int64 {
        try service.store.locked { () throws(MedStoreError) -> Int64 in try service.db.query("SELECT count(*) FROM \(table)")[0].int(0) }
    }
}

/// Deterministic test bytes.
func blobBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed &* 0x9E3779B97F4A7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

@Suite("Blob schema")
struct BlobSchemaTests {
    @Test func migrationIsRecordedAndHotQueriesUseIndexes() throws {
        let f = try BlobFixture()
        try f.service.store.locked { () throws(MedStoreError) in
            let db = f.service.db
            let names = try db.query("SELECT name FROM schema_migrations ORDER BY name").compactMap { $0.text(0) }
            #expect(Array(names.prefix(2)) == ["0001-account-keys-containers-iprules", "0002-blobs"])
            func plan(_ sql: String) throws(MedStoreError) -> String {
                try db.query("EXPLAIN QUERY PLAN " + sql, [.text("c"), .text("n")]).compactMap { $0.text(3) }.joined(separator: " | ")
            }
            let head = try plan("""
                SELECT v.id FROM containers k LEFT JOIN blob_versions v ON v.container = k.name AND v.name = ? AND v.superseded_at IS NULL
                WHERE k.name = ?
                """)
            #expect(head.contains("blob_versions_head"), "\(head)")
            let listing = try plan("SELECT name FROM blob_versions WHERE container = ? AND superseded_at IS NULL AND deleted = 0 AND name >= ? ORDER BY name")
            #expect(listing.contains("blob_versions_head") && !listing.contains("TEMP B-TREE"), "\(listing)")
            // What the backup issue needs: what changed in a container after T, and a blob's version at T.
            let changed = try plan("SELECT name, content_id FROM blob_versions WHERE container = ? AND committed_at > ?")
            #expect(changed.contains("blob_versions_timeline"), "\(changed)")
            let atTime = try plan("SELECT id FROM blob_versions WHERE container = ? AND name = ? AND committed_at <= 5 ORDER BY committed_at DESC LIMIT 1")
            #expect(atTime.contains("blob_versions_history") && !atTime.contains("TEMP B-TREE"), "\(atTime)")
        }
    }

    @Test func containerWithoutMetadataGetsDerivedETagThenSetMetadataChangesIt() throws {
        let f = try BlobFixture()
        let initial = try f.blobs.containerProperties(container: "records")
        #expect(initial.metadata.isEmpty)
        #expect(initial.lastModified == f.now)
        #expect(initial.etag.hasPrefix("\"0x8D") && initial.etag.hasSuffix("\""))
        f.advance(5)
        let updated = try f.blobs.setContainerMetadata(container: "records", metadata: [("Owner", "radiology"), ("b", "2")], conditions: .none)
        #expect(updated.etag != initial.etag)
        #expect(updated.lastModified == f.now)
        #expect(updated.metadata.map(\.0) == ["Owner", "b"] && updated.metadata.map(\.1) == ["radiology", "2"])
        #expect(try f.blobs.containerProperties(container: "records") == updated)
        expectCode(.conditionNotMet) { () throws(MedStoreError) in
            try f.blobs.setContainerMetadata(container: "records", metadata: [], conditions: AccessConditions(ifMatch: initial.etag))
        }
        expectCode(.containerNotFound) { () throws(MedStoreError) in try f.blobs.containerProperties(container: "nothere") }
    }

    @Test func metadataRulesAreEnforcedAndOrderIsKept() throws {
        let f = try BlobFixture()
        for bad in [[("1abc", "v")], [("a-b", "v")], [("", "v")], [("Name", "1"), ("name", "2")], [("k", "line\nbreak")],
                    [("big", String(repeating: "x", count: 8190))]] {
            expectCode(.invalidMetadata) { () throws(MedStoreError) in try f.put("m", [1], metadata: bad) }
        }
        #expect(f.dataFiles().isEmpty && f.tempFiles().isEmpty)
        let good = [("_under", "a b = c"), ("Zeta", "ünïcode \"quoted\" /slash"), ("alpha9", "")]
        let put = try f.put("m", [1], metadata: good)
        #expect(put.metadata.elementsEqual(good, by: ==))
        #expect(try f.blobs.properties(container: "records", name: "m", conditions: .none, forRead: true).metadata.elementsEqual(good, by: ==))
        let exactly8K = [("k", String(repeating: "x", count: 8191))]
        #expect(try f.put("m8k", [], metadata: exactly8K).metadata.first?.1.count == 8191)
    }
}
