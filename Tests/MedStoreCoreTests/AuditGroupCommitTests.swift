import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Audit group commit and failure")
struct AuditGroupCommitTests {
    /// Records `count` requests from `count` threads released together; returns their seqs.
    private func appendConcurrently(_ log: AuditLog, _ count: Int) -> [UInt64] {
        final class Shared: @unchecked Sendable {
            let gate = NSCondition()
            var waiting = 0
            var open = false
            var seqs: [UInt64] = []
        }
        let shared = Shared()
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            // One thread each, all waiting at the gate, so every writer really asks at once.
            Thread {
                shared.gate.lock()
                shared.waiting += 1
                shared.gate.broadcast()
                while !shared.open { shared.gate.wait() }
                shared.gate.unlock()
                let seq = try? log.append(AuditRecord(kind: .request, timeMicros: log.now(), method: "token.blob",
                                                      uid: UInt32(index), target: "container=c", outcome: "ok"))
                shared.gate.withLock { shared.seqs.append(seq ?? 0) }
                group.leave()
            }.start()
        }
        shared.gate.lock()
        while shared.waiting < count { shared.gate.wait() }
        shared.open = true
        shared.gate.broadcast()
        shared.gate.unlock()
        group.wait()
        return shared.seqs
    }

    @Test func recordsQueuedDuringACommitShareTheNextOne() throws {
        let fixture = try AuditFixture()
        let log = fixture.log
        let before = log.statistics
        log.pauseWriter()
        final class Box: @unchecked Sendable { var seqs: [UInt64] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.seqs = self.appendConcurrently(log, 64)
            done.signal()
        }.start()
        let deadline = Date().addingTimeInterval(10)
        while log.queuedRecords < 64 && Date() < deadline { usleep(1000) }
        #expect(log.queuedRecords == 64)
        log.resumeWriter()
        done.wait()
        #expect(box.seqs.sorted() == Array(2...65))
        let after = log.statistics
        #expect(after.records - before.records == 64)
        #expect(after.commits - before.commits == 1, "64 waiting records must go in one transaction")
        #expect(try log.verify().ok)
    }

    @Test func manyConcurrentWritersNeedFewTransactions() throws {
        let fixture = try AuditFixture()
        let before = fixture.log.statistics
        for _ in 0..<10 { _ = appendConcurrently(fixture.log, 32) }
        let after = fixture.log.statistics
        #expect(after.records - before.records == 320)
        // Ten rounds of 32 writers asking at once: each round fits in a few transactions.
        #expect(after.commits - before.commits <= 80, "\(after.commits - before.commits) commits for 320 records")
        let verdict = try fixture.log.verify()
        #expect(verdict.ok && verdict.lastSeq == 321)
    }

    @Test func aFailedCommitFailsEveryWaiterAndKeepsNothing() throws {
        let fixture = try AuditFixture()
        try fixture.append(2)
        let before = fixture.log.statistics
        fixture.log.poisonWriter()
        let failure = #expect(throws: MedStoreError.self) {
            try fixture.log.append(AuditRecord(kind: .attempt, timeMicros: 1, method: "container.create"))
        }
        #expect(failure?.code == .unavailable)
        #expect(fixture.log.statistics.failedCommits == before.failedCommits + 1)
        #expect(fixture.log.statistics.records == before.records)
        #expect(fixture.log.head.seq == 3)
        #expect(fixture.logs.lines.contains { $0.contains("audit commit failed") && $0.contains("database is closed") })
    }

    @Test func aClosedLogRefusesRecords() throws {
        let fixture = try AuditFixture()
        fixture.log.close()
        let failure = #expect(throws: MedStoreError.self) {
            try fixture.log.append(AuditRecord(kind: .attempt, timeMicros: 1, method: "status"))
        }
        #expect(failure?.code == .unavailable)
    }
}

@Suite("Audit targets and text")
struct AuditTargetTests {
    private func params(_ entries: [(String, CBORValue)]) -> CBORValue {
        .map(entries.map { CBORMapEntry(key: .text($0.0), value: $0.1) })
    }

    @Test func importRecordsTheNameAndNeverTheKeys() {
        let key = String(repeating: "A", count: 86) + "=="
        let target = AuditTarget.describe(method: "account.import", params: params([
            ("name", .text("medstoretest")), ("primaryKey", .text(key)), ("secondaryKey", .text(key))]))
        #expect(target == "name=medstoretest")
    }

    @Test func wellKnownFieldsInOrderAndQuotedWhenNeeded() {
        #expect(AuditTarget.describe(method: "token.blob", params: params([
            ("options", .map([])), ("blob", .text("scans/a b.dcm")), ("container", .text("ward-a"))]))
            == "container=ward-a blob=\"scans/a b.dcm\"")
        #expect(AuditTarget.describe(method: "grant.remove", params: params([("id", .unsigned(9))])) == "id=9")
        #expect(AuditTarget.describe(method: "status", params: params([])) == nil)
        // A method added later is covered by the same fields.
        #expect(AuditTarget.describe(method: "backup.restore", params: params([("container", .text("x"))])) == "container=x")
        #expect(AuditTarget.describe(method: "grant.add", params: params([
            ("kind", .text("user")), ("subject", .text("alice")), ("containers", .text("ward-*")),
            ("permissions", .text("rl"))])) == "kind=user subject=alice containers=ward-*")
    }

    @Test func keyIsRecordedOnlyAsAKeyName() {
        #expect(AuditTarget.describe(method: "keys.regenerate", params: params([("key", .text("primary"))])) == "key=primary")
        #expect(AuditTarget.describe(method: "x.y", params: params([("key", .text("c2VjcmV0"))])) == nil)
        #expect(AuditTarget.describe(method: "x.y", params: params([("key", .bytes([1, 2, 3]))])) == nil)
    }

    @Test func controlCharactersCannotCutOrColourAStoredValue() {
        let record = AuditRecord(kind: .refused, timeMicros: 1, method: "a\u{0}b\u{1b}[31m", target: "name=\"x\u{0}y\"")
        #expect(record.method == "a\\u{0}b\\u{1b}[31m")
        #expect(record.target == "name=\"x\\u{0}y\"")
        #expect(AuditText.clean(String(repeating: "é", count: 2000), limit: 10) == "ééééé…")
        #expect(AuditRecord(kind: .refused, timeMicros: 1, method: String(repeating: "m", count: 500)).method.count == 129)
    }

    @Test func timesAreRFC3339WithMicroseconds() {
        #expect(AuditLog.format(micros: 1_780_000_000_000_042) == "2026-05-28T20:26:40.000042Z")
    }
}
