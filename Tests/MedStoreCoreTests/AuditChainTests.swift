import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// The two records of the spec's worked example (§5.2), as the connection makes them.
private func exampleRecords() -> [AuditRecord] {
    var attempt = AuditRecord(kind: .attempt, timeMicros: 1_780_000_000_123_456, method: "container.create",
                              connection: 7, requestID: 3, uid: 1001, gid: 1001, pid: 4242,
                              executable: "/usr/bin/medctl", role: "issuer", target: "name=ward-a")
    attempt.seq = 1
    var outcome = AuditRecord(kind: .outcome, timeMicros: 1_780_000_000_125_000, method: "container.create", ref: 1,
                              connection: 7, requestID: 3, uid: 1001, gid: 1001, pid: 4242,
                              executable: "/usr/bin/medctl", role: "issuer", target: "name=ward-a", outcome: "ok")
    outcome.seq = 2
    return [attempt, outcome]
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// A fresh audit log (started) in a temporary directory, with its master key.
struct AuditFixture {
    let directory = TemporaryDirectory(prefix: "aud")
    let masterKey: MasterKey
    /// What the log logged.
    let logs = LogCapture()
    var log: AuditLog

    init() throws {
        masterKey = try MasterKey.generate()
        log = try AuditLog(directory: directory.path, masterKey: masterKey, logger: logs.logger)
        try log.start()
    }

    /// Closes the log and opens it again on the same files (a daemon restart).
    mutating func restart() throws {
        log.close()
        log = try AuditLog(directory: directory.path, masterKey: masterKey, logger: logs.logger)
        try log.start()
    }

    /// Appends `count` records of `method`; returns their seqs.
    @discardableResult
    func append(_ count: Int, method: String = "container.create") throws -> [UInt64] {
        try (0..<count).map { index in
            try log.append(AuditRecord(kind: .request, timeMicros: log.now(), method: method, uid: 1000, gid: 1000,
                                       pid: 77, role: "admin", target: "name=box-\(index)", outcome: "ok"))
        }
    }

    /// Runs SQL against `audit.db` on a connection of its own (as an intruder would).
    func tamper(_ sql: String) throws {
        let db = try SQLiteDatabase(path: log.path)
        defer { db.close() }
        try db.execute(sql)
    }

    /// Every stored row as (seq, prev_hash, hash, fields).
    func rows() throws -> [AuditStoredRecord] {
        let db = try SQLiteDatabase(path: log.path)
        defer { db.close() }
        return try db.query("SELECT \(AuditDatabase.columns) FROM audit_records ORDER BY seq").map(AuditDatabase.stored)
    }
}

@Suite("Audit chain")
struct AuditChainTests {
    @Test func canonicalEncodingAndHashMatchTheSpecExample() throws {
        let records = exampleRecords()
        let first = try #require(AuditChain.encoding(records[0].fields))
        #expect(hex(first) == "0101000000000000000101000652e68bb522400200000007617474656d7074000100000000000000070100000000000000030100000000000003e90100000000000003e9010000000000001092020000000f2f7573722f62696e2f6d656463746c0002000000066973737565720200000010636f6e7461696e65722e637265617465020000000b6e616d653d776172642d610000")
        let h1 = try #require(AuditChain.hash(prev: AuditChain.genesis, fields: records[0].fields))
        #expect(hex(h1) == "5579e0dd112c4ccc699bc72b5e6273d7f65dee15d887cdedbe5944b985375b8f")
        let h2 = try #require(AuditChain.hash(prev: h1, fields: records[1].fields))
        #expect(hex(h2) == "3140f8f301063190816a1eb13a7c8250655f4002f45bf645896d7a015f4d06f7")
    }

    @Test func appendedRecordsChainFromGenesis() throws {
        let fixture = try AuditFixture()
        let seqs = try fixture.append(3)
        #expect(seqs == [2, 3, 4], "seq 1 is the start record")
        let rows = try fixture.rows()
        #expect(rows.count == 4)
        var prev = AuditChain.genesis
        for row in rows {
            #expect(row.prevHash == prev)
            #expect(row.hash == AuditChain.hash(prev: prev, fields: row.fields))
            prev = row.hash ?? []
        }
        #expect(rows[0].fields[2] == .string("start") && rows[0].fields[14] == .string("ok"))
        #expect(fixture.log.head == AuditHead(seq: 4, hash: prev))
        let verdict = try fixture.log.verify()
        #expect(verdict.ok && verdict.recordsChecked == 4 && verdict.lastSeq == 4 && verdict.headSeq == 4)
    }

    @Test func verifyNamesAnEditedRecord() throws {
        let fixture = try AuditFixture()
        try fixture.append(5)
        try fixture.tamper("UPDATE audit_records SET target = 'name=other' WHERE seq = 4")
        let verdict = try fixture.log.verify()
        #expect(!verdict.ok && verdict.firstBadSeq == 4)
        #expect(verdict.reason?.contains("edited") == true, "\(verdict.reason ?? "")")
        // A value of another type (here a real number in an integer column) is caught as well.
        try fixture.tamper("UPDATE audit_records SET target = 'name=box-2' WHERE seq = 4")
        #expect(try fixture.log.verify().ok)
        try fixture.tamper("UPDATE audit_records SET uid = 1000.5 WHERE seq = 5")
        #expect(try fixture.log.verify().firstBadSeq == 5)
    }

    @Test func verifyNamesARemovedRecord() throws {
        let fixture = try AuditFixture()
        try fixture.append(5)
        try fixture.tamper("DELETE FROM audit_records WHERE seq = 3")
        let verdict = try fixture.log.verify()
        #expect(!verdict.ok && verdict.firstBadSeq == 3)
        #expect(verdict.reason == "seq 3 is missing: the record after seq 2 is seq 4 (removed)")
    }

    @Test func verifyNamesReorderedRecords() throws {
        let fixture = try AuditFixture()
        try fixture.append(5)
        try fixture.tamper("""
            UPDATE audit_records SET seq = 100 WHERE seq = 3;
            UPDATE audit_records SET seq = 3 WHERE seq = 4;
            UPDATE audit_records SET seq = 4 WHERE seq = 100;
            """)
        let verdict = try fixture.log.verify()
        #expect(!verdict.ok && verdict.firstBadSeq == 3, "\(verdict)")
    }

    @Test func verifyNamesARecordWhoseLinkWasReplaced() throws {
        let fixture = try AuditFixture()
        try fixture.append(4)
        // Seq 3 rebuilt with a valid hash over different contents: its own hash checks out, but
        // seq 4 no longer links to it.
        var rows = try fixture.rows()
        rows[2].fields[13] = .string("name=forged")
        let forged = try #require(AuditChain.hash(prev: rows[2].prevHash ?? [], fields: rows[2].fields))
        try fixture.tamper("UPDATE audit_records SET target = 'name=forged', hash = x'\(hex(forged))' WHERE seq = 3")
        let verdict = try fixture.log.verify()
        #expect(verdict.firstBadSeq == 4 && verdict.reason?.contains("prev_hash") == true, "\(verdict)")
    }

    @Test func verifyNamesATruncatedTailAgainstTheHead() throws {
        let fixture = try AuditFixture()
        try fixture.append(6)
        try fixture.tamper("DELETE FROM audit_records WHERE seq >= 6")
        let verdict = try fixture.log.verify()
        #expect(!verdict.ok && verdict.firstBadSeq == 6 && verdict.lastSeq == 5 && verdict.headSeq == 7)
        #expect(verdict.reason?.contains("seqs 6–7 are missing") == true, "\(verdict.reason ?? "")")
    }

    @Test func aConsistentlyRewrittenChainStillDisagreesWithTheHead() throws {
        let fixture = try AuditFixture()
        try fixture.append(4)
        // Edit seq 3 and recompute every later hash, as someone without the master key could.
        var rows = try fixture.rows()
        rows[2].fields[13] = .string("name=rewritten")
        var prev = rows[1].hash ?? []
        var sql = ""
        for index in 2..<rows.count {
            let hash = try #require(AuditChain.hash(prev: prev, fields: rows[index].fields))
            sql += "UPDATE audit_records SET prev_hash = x'\(hex(prev))', hash = x'\(hex(hash))' WHERE seq = \(index + 1);"
            prev = hash
        }
        try fixture.tamper(sql + "UPDATE audit_records SET target = 'name=rewritten' WHERE seq = 3;")
        let verdict = try fixture.log.verify()
        #expect(!verdict.ok && verdict.firstBadSeq == 5, "\(verdict)")
        #expect(verdict.reason?.contains("rewritten") == true)
    }

    @Test func recordsRemovedWhileStoppedAreReportedFromTheNextStartOn() throws {
        var fixture = try AuditFixture()
        try fixture.append(5)
        fixture.log.close()
        try fixture.tamper("DELETE FROM audit_records WHERE seq >= 5")
        try fixture.restart()
        try fixture.append(2)
        let verdict = try fixture.log.verify()
        #expect(!verdict.ok && verdict.firstBadSeq == 5, "\(verdict)")
        #expect(verdict.reason?.contains("audit.head is at seq 6 but audit.db ends at seq 4") == true, "\(verdict.reason ?? "")")
        #expect(fixture.logs.lines.contains { $0.contains("the audit chain does not match its head") })
        // The evidence stays: later starts do not clear it.
        try fixture.restart()
        #expect(try fixture.log.verify().firstBadSeq == 5)
    }

    @Test func anIntactRestartContinuesTheChain() throws {
        var fixture = try AuditFixture()
        try fixture.append(3)
        try fixture.restart()
        #expect(try fixture.append(1) == [6])
        let verdict = try fixture.log.verify()
        #expect(verdict.ok && verdict.lastSeq == 6, "\(verdict)")
    }

    @Test func aForgedOrForeignHeadFileIsReportedAtStart() throws {
        var fixture = try AuditFixture()
        try fixture.append(2)
        fixture.log.close()
        let headPath = fixture.directory.file(AuditLog.headFileName)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: headPath)))
        #expect(bytes.count == 80)
        bytes[15] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: headPath))
        try fixture.restart()
        let verdict = try fixture.log.verify()
        #expect(verdict.firstBadSeq == 4 && verdict.reason?.contains("audit.head is not valid") == true, "\(verdict)")
    }

    @Test func aMissingHeadFileIsReportedAtStart() throws {
        var fixture = try AuditFixture()
        try fixture.append(2)
        fixture.log.close()
        try FileManager.default.removeItem(atPath: fixture.directory.file(AuditLog.headFileName))
        try fixture.restart()
        #expect(try fixture.log.verify().firstBadSeq == 4)
    }
}
