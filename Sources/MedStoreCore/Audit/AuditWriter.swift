import Foundation
import MedStoreProtocol

/// The one thread that writes `audit.db`, with group commit: callers queue records and are called
/// back; the thread takes everything queued, inserts it in one transaction, commits (durable:
/// WAL with `synchronous=FULL`), moves the head, and then calls every waiter back with its seq,
/// or every waiter with the error when the transaction failed (nothing of it is kept then).
/// It has its own database connection and lock, so it never waits for the state store's.
final class AuditWriter: @unchecked Sendable {
    typealias Completion = @Sendable (Result<UInt64, MedStoreError>) -> Void

    /// Most records in one transaction.
    static let maxBatch = 4096

    private struct Pending {
        var record: AuditRecord
        var completion: Completion
    }

    private let db: SQLiteDatabase
    private let headFile: AuditHeadFile
    private let logger: Logger
    private let condition = NSCondition()
    private let finished = DispatchSemaphore(value: 0)
    // Guarded by `condition`.
    private var queue: [Pending] = []
    private var head: AuditHead
    private var statistics = AuditLog.Statistics()
    private var stopping = false
    private var running = false
    private var paused = false
    private var poisonRequested = false
    private var observer: (@Sendable (Int, Double, Bool) -> Void)?
    // Writer thread only.
    private var insert: SQLiteStatement?

    /// A writer appending to `db`; `start(after:)` starts its thread.
    init(db: SQLiteDatabase, head: AuditHead, headFile: AuditHeadFile, logger: Logger) {
        self.db = db
        self.head = head
        self.headFile = headFile
        self.logger = logger
    }

    /// Starts the writer thread, appending after `last`.
    func start(after last: AuditHead) {
        condition.lock()
        head = last
        running = true
        condition.unlock()
        let thread = Thread { [self] in run() }
        thread.name = "medstore-audit"
        thread.start()
    }

    /// Queues `record`; `completion` runs on the writer thread once the record is durable (its
    /// seq) or could not be written. Keep completions short: they delay the next commit.
    func submit(_ record: AuditRecord, _ completion: @escaping Completion) {
        condition.lock()
        guard running, !stopping else {
            condition.unlock()
            completion(.failure(MedStoreError(.unavailable, "the audit trail is closed")))
            return
        }
        queue.append(Pending(record: record, completion: completion))
        condition.signal()
        condition.unlock()
    }

    /// The last durable record.
    var currentHead: AuditHead { condition.withLock { head } }

    /// Commits and records so far.
    var currentStatistics: AuditLog.Statistics { condition.withLock { statistics } }

    /// Records waiting for the next commit.
    var queued: Int { condition.withLock { queue.count } }

    /// Called after every commit with its record count, duration in seconds and success.
    func setObserver(_ body: (@Sendable (Int, Double, Bool) -> Void)?) {
        condition.withLock { observer = body }
    }

    /// Writes what is queued, then stops the thread and waits for it.
    func stop() {
        condition.lock()
        let wasRunning = running && !stopping
        stopping = true
        paused = false
        condition.broadcast()
        condition.unlock()
        if wasRunning { finished.wait() }
    }

    /// Test seam: hold queued records back until `resume()` (to see them batched).
    func pause() { condition.withLock { paused = true } }

    /// Test seam: let the writer go on.
    func resume() {
        condition.lock()
        paused = false
        condition.broadcast()
        condition.unlock()
    }

    /// Test seam: the writer closes its connection before its next batch, so every later commit
    /// fails the way a broken disk makes it fail.
    func poison() { condition.withLock { poisonRequested = true } }

    private func run() {
        defer { finished.signal() }
        while true {
            condition.lock()
            while (queue.isEmpty || paused) && !stopping { condition.wait() }
            if queue.isEmpty {
                running = false
                condition.unlock()
                return
            }
            let batch = Array(queue.prefix(AuditWriter.maxBatch))
            queue.removeFirst(batch.count)
            let start = head
            let poisonNow = poisonRequested
            poisonRequested = false
            condition.unlock()
            if poisonNow {
                insert = nil
                db.close()
            }
            let began = DispatchTime.now().uptimeNanoseconds
            switch write(batch.map(\.record), after: start) {
            case .success(let newHead):
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                do {
                    try headFile.write(newHead)
                } catch {
                    logger.error("cannot update the audit head file", [("error", error.message)])
                }
                condition.lock()
                head = newHead
                statistics.commits += 1
                statistics.records += UInt64(batch.count)
                let observer = self.observer
                condition.unlock()
                observer?(batch.count, seconds, true)
                for (offset, pending) in batch.enumerated() {
                    pending.completion(.success(start.seq + UInt64(offset) + 1))
                }
            case .failure(let error):
                logger.error("audit commit failed; the requests in it are refused",
                             [("records", "\(batch.count)"), ("error", error.message)])
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                let observer = condition.withLock {
                    statistics.failedCommits += 1
                    return self.observer
                }
                observer?(batch.count, seconds, false)
                let failure = MedStoreError(.unavailable, "the audit record could not be made durable")
                for pending in batch { pending.completion(.failure(failure)) }
            }
        }
    }

    /// Inserts `records` after `start` in one transaction; the new head, or the error (then the
    /// transaction is rolled back and nothing of it is kept).
    private func write(_ records: [AuditRecord], after start: AuditHead) -> Result<AuditHead, MedStoreError> {
        do throws(MedStoreError) {
            try db.execute("BEGIN IMMEDIATE")
            if insert == nil {
                insert = try db.prepare("""
                    INSERT INTO audit_records (seq, time_us, kind, ref, connection, request_id, uid, gid, pid, exe, unit,
                        role, method, target, outcome, detail, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            guard let insert else { throw MedStoreError(.internal, "no insert statement") }
            var seq = start.seq
            var prev = start.hash
            for var record in records {
                seq += 1
                record.seq = seq
                let fields = record.fields
                guard let hash = AuditChain.hash(prev: prev, fields: fields) else {
                    throw MedStoreError(.internal, "an audit record has a field of no known type")
                }
                try insert.bind(fields.map(AuditDatabase.value) + [.blob(prev), .blob(hash)])
                _ = try insert.next()
                prev = hash
            }
            try db.execute("COMMIT")
            return .success(AuditHead(seq: seq, hash: prev))
        } catch {
            insert = nil
            try? db.execute("ROLLBACK")
            return .failure(error)
        }
    }
}
