import Foundation
import MedStoreProtocol

/// The audit trail of the control plane (spec §5.2): `audit.db` in the state directory, a hash
/// chain of records written by one group-committing thread (``AuditWriter``), and `audit.head`,
/// the authenticated head that shows when the newest records were removed.
///
/// Opening it checks the chain's last record against `audit.head` and appends a `start` record
/// saying whether they matched; a mismatch stays in the chain, so `audit.verify` keeps reporting
/// it. Reads (`list`, `verify`) use a second, read-only connection and never wait for commits.
public final class AuditLog: @unchecked Sendable {
    /// The database file's name in the state directory.
    public static let databaseFileName = "audit.db"
    /// The head file's name in the state directory.
    public static let headFileName = "audit.head"
    /// The method name of start records.
    public static let startMethod = "medstored.start"
    /// The outcome of a start record whose chain matched its head.
    public static let startOK = "ok"
    /// The outcome of a start record whose chain did not match its head.
    public static let startHeadMismatch = "headMismatch"
    /// Bytes of entries one `audit.list` page holds at most (so the reply fits in a frame).
    static let pageBudgetBytes = 512 * 1024

    /// Group-commit counters since the log was opened.
    public struct Statistics: Sendable, Equatable {
        /// Transactions committed.
        public var commits: UInt64 = 0
        /// Records in them.
        public var records: UInt64 = 0
        /// Transactions that failed (their requests were refused).
        public var failedCommits: UInt64 = 0
    }

    /// `audit.db`'s path.
    public let path: String
    private let writer: AuditWriter
    private let reader: SQLiteDatabase
    private let readerLock = NSLock()
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let db: SQLiteDatabase
    private let headFile: AuditHeadFile

    /// Opens (creating) `audit.db` in `directory` and prepares `audit.head`, authenticated under
    /// a key derived from `masterKey`. Nothing is written until ``start()``.
    ///
    /// - Throws: `unavailable` when the file cannot be opened; `failedPrecondition` for a file
    ///   written by a newer medstored.
    public init(directory: String, masterKey: MasterKey, clock: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(level: .error)) throws(MedStoreError) {
        path = directory + "/" + AuditLog.databaseFileName
        self.clock = clock
        self.logger = logger
        let db = try SQLiteDatabase(path: path)
        try AuditDatabase.prepare(db)
        reader = try SQLiteDatabase(path: path)
        try reader.execute("PRAGMA query_only = 1")
        self.db = db
        headFile = AuditHeadFile(path: directory + "/" + AuditLog.headFileName, masterKey: masterKey)
        writer = AuditWriter(db: db, head: .empty, headFile: headFile, logger: logger)
    }

    /// Checks the chain's last record against `audit.head`, starts the writer and records the
    /// start (with whether they matched). Call once, after the master key proved right (a wrong
    /// one could not authenticate the head).
    ///
    /// - Throws: `unavailable` when the start record cannot be made durable: the daemon must not
    ///   serve without its audit trail.
    public func start() throws(MedStoreError) {
        let last = try AuditDatabase.lastRecord(db)
        let mismatch = AuditLog.mismatch(last: last, reading: headFile.read(), db: db)
        writer.start(after: last)
        if let mismatch {
            logger.error("the audit chain does not match its head; audit.verify will report it",
                         [("path", path), ("detail", mismatch)])
        }
        let start = AuditRecord(kind: .start, timeMicros: now(), method: AuditLog.startMethod,
                                outcome: mismatch == nil ? AuditLog.startOK : AuditLog.startHeadMismatch,
                                detail: mismatch)
        do {
            _ = try append(start)
        } catch {
            writer.stop()
            throw MedStoreError(.unavailable, "cannot write the audit trail \(path): \(error.message)")
        }
    }

    deinit { writer.stop() }

    /// Why the chain's last record and the head file disagree; nil when they agree.
    private static func mismatch(last: AuditHead, reading: AuditHeadFile.Reading, db: SQLiteDatabase) -> String? {
        switch reading {
        case .missing:
            return last.seq == 0 ? nil : "audit.head is missing but audit.db holds records up to seq \(last.seq)"
        case .invalid(let why):
            return "audit.head is not valid: \(why)"
        case .head(let head):
            if head.seq > last.seq {
                return "audit.head is at seq \(head.seq) but audit.db ends at seq \(last.seq): records were removed"
            }
            if head.seq == 0 { return head.hash == AuditChain.genesis ? nil : "audit.head has a bad empty-chain hash" }
            let stored = try? db.query("SELECT hash FROM audit_records WHERE seq = ?",
                                       [.integer(Int64(bitPattern: head.seq))]).first?.blob(0)
            return stored == head.hash ? nil : "audit.db's record \(head.seq) does not match audit.head: the chain was rewritten"
        }
    }

    // MARK: - Writing

    /// Queues `record` for the next group commit; `completion` runs on the writer thread with the
    /// record's seq once it is durable, or with `unavailable` when it could not be written.
    public func submit(_ record: AuditRecord, _ completion: @escaping @Sendable (Result<UInt64, MedStoreError>) -> Void) {
        writer.submit(record, completion)
    }

    /// Writes `record` and waits until it is durable; returns its seq.
    @discardableResult
    public func append(_ record: AuditRecord) throws(MedStoreError) -> UInt64 {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        writer.submit(record) { result in
            box.result = result
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    private final class ResultBox: @unchecked Sendable {
        var result: Result<UInt64, MedStoreError>?
    }

    /// A record stamped with the log's clock now.
    public func now() -> UInt64 { AuditRecord.micros(clock()) }

    /// Group-commit counters since the log was opened.
    public var statistics: Statistics { writer.currentStatistics }

    /// The last durable record.
    public var head: AuditHead { writer.currentHead }

    /// Calls `body` after every group commit with its number of records, the seconds it took and
    /// whether it succeeded (for metrics). Runs on the writer thread: keep it short.
    public func observeCommits(_ body: (@Sendable (_ records: Int, _ seconds: Double, _ ok: Bool) -> Void)?) {
        writer.setObserver(body)
    }

    /// Writes what is queued, stops the writer and closes the files; later submissions fail with
    /// `unavailable`.
    public func close() {
        writer.stop()
        readerLock.lock()
        reader.close()
        readerLock.unlock()
    }

    /// Test seam: hold records back until ``resumeWriter()`` (to see them batched).
    func pauseWriter() { writer.pause() }

    /// Test seam: let the writer go on.
    func resumeWriter() { writer.resume() }

    /// Test seam: records waiting for the next commit.
    var queuedRecords: Int { writer.queued }

    /// Test seam: breaks the writer's connection, so every later commit fails like one on a
    /// broken disk.
    func poisonWriter() { writer.poison() }

    // MARK: - Reading

    /// Walks the whole chain and compares its end with the head (taken before the walk, so
    /// records committed meanwhile never look like a mismatch).
    public func verify() throws(MedStoreError) -> AuditVerify.Result {
        let head = writer.currentHead
        readerLock.lock()
        defer { readerLock.unlock() }
        try reader.execute("BEGIN")
        defer { try? reader.execute("COMMIT") }
        let statement = try reader.prepare("SELECT \(AuditDatabase.columns) FROM audit_records ORDER BY seq")
        var verifier = AuditChainVerifier(head: head)
        while let row = try statement.next() {
            guard verifier.check(AuditDatabase.stored(row)) else { break }
        }
        return verifier.result()
    }

    /// One page of entries after seq `marker`, oldest first, filtered by time (microseconds since
    /// the epoch), uid and method.
    public func list(sinceMicros: UInt64?, uid: UInt32?, method: String?, marker: UInt64,
                     limit: Int) throws(MedStoreError) -> AuditList.Result {
        var filters = ["a.kind <> 'outcome'", "a.seq > ?"]
        var bindings: [SQLiteValue] = [.integer(Int64(bitPattern: marker))]
        if let sinceMicros {
            filters.append("a.time_us >= ?")
            bindings.append(.integer(Int64(clamping: sinceMicros)))
        }
        if let uid {
            filters.append("a.uid = ?")
            bindings.append(.integer(Int64(uid)))
        }
        if let method {
            filters.append("a.method = ?")
            bindings.append(.text(method))
        }
        bindings.append(.integer(Int64(limit) + 1))
        let sql = """
            SELECT a.seq, a.time_us, a.kind, a.uid, a.gid, a.pid, a.exe, a.unit, a.role, a.method, a.target,
                   COALESCE(a.outcome, o.outcome), o.seq, a.connection, a.request_id, a.detail
            FROM audit_records AS a
            LEFT JOIN audit_records AS o ON a.kind = 'attempt' AND o.ref = a.seq AND o.kind = 'outcome'
            WHERE \(filters.joined(separator: " AND "))
            ORDER BY a.seq LIMIT ?
            """
        readerLock.lock()
        defer { readerLock.unlock() }
        let statement = try reader.prepare(sql)
        try statement.bind(bindings)
        var entries: [AuditEntry] = []
        var names: [UInt32: String?] = [:]
        var bytes = 0
        var more = false
        while let row = try statement.next() {
            if entries.count == limit || bytes > AuditLog.pageBudgetBytes {
                more = true
                break
            }
            let uid = AuditLog.uint32(row, 3)
            var userName: String?
            if let uid {
                if let known = names[uid] {
                    userName = known
                } else {
                    userName = SystemAccounts.userName(uid)
                    names[uid] = userName
                }
            }
            let entry = AuditEntry(
                seq: UInt64(bitPattern: row.int(0)), time: AuditLog.format(micros: UInt64(bitPattern: row.int(1))),
                kind: row.text(2) ?? "", uid: uid, gid: AuditLog.uint32(row, 4), pid: AuditLog.uint32(row, 5),
                userName: userName, executable: row.text(6), unit: row.text(7), role: row.text(8),
                method: row.text(9) ?? "", target: row.text(10), outcome: row.text(11),
                outcomeSeq: AuditLog.uint64(row, 12), connection: AuditLog.uint64(row, 13),
                requestId: AuditLog.uint64(row, 14), detail: row.text(15))
            bytes += 160 + entry.method.utf8.count + (entry.target?.utf8.count ?? 0) + (entry.executable?.utf8.count ?? 0)
                + (entry.unit?.utf8.count ?? 0) + (entry.detail?.utf8.count ?? 0)
            entries.append(entry)
        }
        return AuditList.Result(entries: entries, nextMarker: more ? entries.last?.seq : nil)
    }

    private static func uint64(_ row: SQLiteRow, _ index: Int) -> UInt64? {
        if case .integer(let value) = row.values[index] { return UInt64(bitPattern: value) }
        return nil
    }

    private static func uint32(_ row: SQLiteRow, _ index: Int) -> UInt32? {
        if case .integer(let value) = row.values[index] { return UInt32(exactly: value) }
        return nil
    }

    /// RFC 3339 UTC with microseconds: `2026-12-04T19:25:11.123456Z`.
    public static func format(micros: UInt64) -> String {
        let seconds = Timestamp.format(unixSeconds: Int64(micros / 1_000_000))
        let fraction = String(micros % 1_000_000)
        return String(seconds.dropLast()) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }
}
