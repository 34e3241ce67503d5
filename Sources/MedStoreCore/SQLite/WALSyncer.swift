import Foundation
import MedStoreProtocol

/// Makes commits durable outside the store lock, several at a time.
///
/// A commit made with ``SQLiteDatabase/transactionWithoutSync(_:)`` has its WAL frames written
/// (so a crash of the process loses nothing) but not fsynced. Its writer notes it with
/// ``noteCommit()`` while still holding the store lock, lets the lock go, then calls
/// ``waitDurable(_:)``: one `fdatasync` of the WAL file covers every commit noted before it
/// started, so concurrent writers share syncs (group commit) and the lock is never held across
/// one. Used for token records, which must be on disk before their token leaves the daemon.
public final class WALSyncer: @unchecked Sendable {
    private let walPath: String
    private let condition = NSCondition()
    private var fd: Int32 = -1
    /// Sequence number of the last noted commit.
    private var noted: UInt64 = 0
    /// Every commit up to this one is on disk.
    private var synced: UInt64 = 0
    private var syncing = false

    /// A syncer for the WAL of the database at `databasePath`.
    public init(databasePath: String) {
        walPath = databasePath + "-wal"
    }

    deinit { close() }

    /// Records that a commit's frames are in the WAL; returns its number for ``waitDurable(_:)``.
    /// Call right after the commit, with the store lock still held.
    public func noteCommit() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        noted += 1
        return noted
    }

    /// Returns once commit `sequence` is on disk: joins a sync that is running and starts one
    /// when none covers it. Call without the store lock.
    ///
    /// - Throws: `internal` when the WAL cannot be opened or synced.
    public func waitDurable(_ sequence: UInt64) throws(MedStoreError) {
        condition.lock()
        defer { condition.unlock() }
        while synced < sequence {
            if syncing {
                condition.wait()
                continue
            }
            syncing = true
            let target = noted
            condition.unlock()
            let failure = syncWAL()
            condition.lock()
            syncing = false
            if failure == nil { synced = max(synced, target) }
            condition.broadcast()
            if let failure { throw failure }
        }
    }

    /// Closes the WAL descriptor (the database is closing), after a sync that is running.
    public func close() {
        condition.lock()
        defer { condition.unlock() }
        while syncing { condition.wait() }
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// `fdatasync` of the WAL file, opened on first use. Only the thread that set `syncing` runs it.
    private func syncWAL() -> MedStoreError? {
        do {
            if fd < 0 { fd = try BlobFiles.open(walPath, O_RDONLY) }
            while fdatasync(fd) != 0 {
                let code = errno
                if code == EINTR { continue }
                return MedStoreError(.internal, "cannot fdatasync \(walPath): \(String(cString: strerror(code)))")
            }
            return nil
        } catch {
            return error
        }
    }
}

extension SQLiteDatabase {
    /// Runs `body` in an immediate transaction whose commit is not fsynced (`synchronous=NORMAL`
    /// for this transaction only; `FULL` again afterwards). Make it durable with a
    /// ``WALSyncer`` before telling anyone it happened.
    public func transactionWithoutSync<T>(_ body: () throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        try execute("PRAGMA synchronous=NORMAL")
        do {
            let value = try transaction(body)
            try execute("PRAGMA synchronous=FULL")
            return value
        } catch {
            try? execute("PRAGMA synchronous=FULL")
            throw error
        }
    }
}
