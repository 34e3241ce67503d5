import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Backups: upgrade, fractions, staged blocks, container metadata")
struct BackupEdgeTests {
    @Test func aDatabaseFromBeforeBackupsOffersNoRestorePointBeforeTheUpgrade() throws {
        let directory = TemporaryDirectory(prefix: "msupgrade")
        let upgradeTime = Date(timeIntervalSince1970: 1_780_000_000)
        // A database as the release before backups left it: migrations 0001-0005, a container
        // created an hour before the upgrade with a blob last written ten minutes before it (its
        // earlier versions were never kept).
        do {
            let db = try SQLiteDatabase(path: directory.path + "/medstore.db")
            try db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
            for migration in Migrations.all.prefix(5) {
                try db.execute(migration.sql)
                try db.query("INSERT INTO schema_migrations (name, applied_at) VALUES (?, 0)", [.text(migration.name)])
            }
            try db.query("INSERT INTO containers (name, created_at) VALUES ('old', ?)", [.integer(1_780_000_000 - 3600)])
            let written: Int64 = (1_780_000_000 - 600) * 1_000_000
            try db.query("INSERT INTO blob_contents (id, size, md5, block_count) VALUES (1, 0, NULL, 0)")
            try db.query("""
                INSERT INTO blob_versions (container, name, committed_at, created_at, content_id) VALUES ('old', 'x', ?, ?, 1)
                """, [.integer(written), .integer(written - 1_000_000_000)])
            try db.query("UPDATE blob_journal_clock SET last_commit_us = ?", [.integer(written)])
            db.close()
        }
        let service = try AccountService(stateDirectory: directory.path,
                                         configuration: ServiceConfiguration(blobEndpointTemplate: "http://127.0.0.1:1",
                                                                             clusterNetworks: [], daemonVersion: "test"),
                                         masterKey: try MasterKey.generate(), clock: { upgradeTime.addingTimeInterval(60) })
        defer { service.close() }
        _ = try service.createAccount(name: "acct")
        do {
            _ = try service.restoreContainer("old", to: "-30m", into: "copy")
            Issue.record("a restore point before the upgrade was accepted")
        } catch {
            #expect(error.code == .invalidTime && error.message.contains("before the retained window"), "\(error.message)")
        }
        let info = try service.backupInfo(container: "old")
        #expect(info.earliestRestorePoint == RestorePoint.format((1_780_000_000 - 600) * 1_000_000), "the last change before the upgrade")
        #expect(info.liveBlobs == 1)
        let copy = try service.restoreContainer("old", to: "-5m", into: "copy")
        #expect(copy.restored == 1)
    }

    @Test func restoreTimesKeepTheirMicroseconds() throws {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(try RestorePoint.resolve("2026-05-28T20:26:40.650123Z", now: now) == 1_780_000_000_650_123)
        #expect(try RestorePoint.resolve("2026-05-28T20:26:40.65Z", now: now) == 1_780_000_000_650_000)
        #expect(try RestorePoint.resolve("2026-05-28T21:26:40.000001+01:00", now: now) == 1_780_000_000_000_001)
        #expect(try RestorePoint.resolve("2026-05-28T20:26:40.1234567Z", now: now) == 1_780_000_000_123_456)
        for micros: Int64 in [1_780_000_000_000_000, 1_780_000_000_000_001, 1_780_000_000_999_999] {
            #expect(try RestorePoint.resolve(RestorePoint.format(micros), now: now) == micros)
        }
        expectCode(.invalidArgument) { () throws(MedStoreError) in _ = try RestorePoint.resolve("2026-05-28T20:26:40.Z", now: now) }
    }

    @Test func aRestoreDropsBlocksStagedAfterItsTime() throws {
        let f = try BlobFixture()
        try f.put("scan", [1, 2, 3])
        f.advance(5)
        let t = RestorePoint.micros(f.now)
        f.advance(5)
        try f.put("scan", [4, 5])
        let id = Data("block-0001".utf8).base64EncodedString()
        try f.putBlock("scan", id, [9, 9, 9])
        #expect(f.dataFiles().count == 3)
        _ = try f.service.store.locked { () throws(MedStoreError) -> BlobStore.RestoreReport in
            try f.blobs.restore(container: "records", to: t, into: nil)
        }
        #expect(try f.read("scan") == [1, 2, 3])
        #expect(try f.count("uncommitted_blocks") == 0)
        #expect(f.dataFiles().count == 2, "the staged block's file is freed; both versions stay for backups")
        expectCode(.invalidBlockList) { () throws(MedStoreError) in
            _ = try f.blobs.putBlockList(container: "records", name: "scan", blocks: [.uncommitted(id)], content: .init(),
                                         metadata: [], conditions: .none, overwrite: true)
        }
    }

    @Test func intoTakesTheContainerMetadataOfTheLifetimeItRestores() throws {
        let f = try BlobFixture()
        _ = try f.blobs.setContainerMetadata(container: "records", metadata: [("ward", "old")], conditions: .none)
        try f.put("a", [1])
        f.advance(5)
        let t = RestorePoint.micros(f.now)
        f.advance(5)
        _ = try f.service.deleteContainer(name: "records")
        _ = try f.service.createContainer(name: "records")
        _ = try f.blobs.setContainerMetadata(container: "records", metadata: [("ward", "new")], conditions: .none)
        _ = try f.service.restoreContainer("records", to: RestorePoint.format(t), into: "copy")
        #expect(try f.blobs.containerProperties(container: "copy").metadata.map { "\($0.0)=\($0.1)" } == ["ward=old"])
        #expect(try f.blobs.containerProperties(container: "records").metadata.map { "\($0.0)=\($0.1)" } == ["ward=new"])
    }
}
