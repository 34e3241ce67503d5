import Foundation
import MedStoreProtocol

/// The blob storage engine: block blobs as an append-only journal of immutable versions over
/// immutable data files, metadata in SQLite, bytes in `<state>/blobs/`.
///
/// - Bytes are staged outside the lock (`stage`), made durable, then committed by a short
///   transaction under the store's lock; nothing is visible before that commit.
/// - Every change (put, block-list commit, delete, metadata or property change) inserts a new
///   version row; a version's content is an ordered list of extents (data file, offset, length), so
///   Put Block List composes blocks without copying and a metadata change shares the content.
/// - The journal is the backup: superseded versions stay for the retention window, so any
///   container can be restored to any time inside it (`Backups/`). What no restore point needs is
///   removed by one prune step (`BlobStore+Prune.swift`); a data file goes when nothing references
///   it (and no open reader uses it).
///
/// Every public method is safe from any thread. Methods documented "call inside `store.locked`"
/// expect the caller to hold the store's lock.
public final class BlobStore: @unchecked Sendable {
    /// Largest Put Blob body (5000 MiB).
    public static let maximumPutBlobBytes: Int64 = 5000 * 1024 * 1024
    /// Largest block (4000 MiB).
    public static let maximumBlockBytes: Int64 = 4000 * 1024 * 1024
    /// Most blocks in one block list.
    public static let maximumBlocksPerList = 50_000
    /// Most uncommitted blocks one blob may have.
    public static let maximumUncommittedBlocks = 100_000
    /// Largest `maxResults` of a listing.
    public static let maximumListResults = 5000

    /// The shared state (database, lock, clock).
    public let store: StateStore
    let logger: Logger
    let files: BlobFiles

    // Guarded by the store lock.
    /// Open readers' data files: id → number of readers.
    var pins: [Int64: Int] = [:]
    /// Unreferenced data files kept only because a reader had them pinned.
    var deferredFiles: Set<Int64> = []
    /// Staged data files not yet committed or discarded (the sweep leaves them alone).
    var staging: Set<String> = []
    /// Bytes of the data files the last `releaseCandidateFiles` removed.
    var lastFreedBytes: Int64 = 0
    /// Versions the last prune step removed.
    var lastRemovedVersions: Int64 = 0
    /// Data files an in-place restore freed (uncommitted blocks it dropped), unlinked after its commit.
    var freedByRestore: [String] = []

    /// How long the backup journal keeps history (changeable while serving).
    public let retention: BackupRetention

    var db: SQLiteDatabase { store.db }

    /// An engine over `store` (whose migrations include `0002-blobs`).
    public init(store: StateStore, logger: Logger, retention: BackupRetention = BackupRetention()) {
        self.store = store
        self.retention = retention
        self.logger = logger
        self.files = BlobFiles(stateDirectory: store.directory)
    }

    /// Runs `body` under the lock in one transaction, then removes the data files it freed.
    func writeTransaction<T>(_ body: () throws(MedStoreError) -> (T, [String])) throws(MedStoreError) -> T {
        let (value, freed) = try store.locked { () throws(MedStoreError) -> (T, [String]) in
            try db.transaction { () throws(MedStoreError) -> (T, [String]) in try body() }
        }
        removeFiles(freed)
        return value
    }

    /// Unlinks freed data files (their rows are already gone, so a failure only leaves an orphan
    /// for the next sweep).
    func removeFiles(_ names: [String]) {
        for name in names where !BlobFiles.remove(files.path(of: name)) && errno != ENOENT {
            logger.warning("blob data file could not be removed", [("file", name), ("error", String(cString: strerror(errno)))])
        }
    }

    /// The next journal commit time (µs). Call inside a transaction.
    func nextCommitTime() throws(MedStoreError) -> Int64 {
        try BlobJournalClock.next(db: db, clock: store.clock())
    }

    /// Throws `containerNotFound` unless the container exists. Call with the lock held.
    func requireContainer(_ container: String) throws(MedStoreError) {
        guard try db.query("SELECT 1 FROM containers WHERE name = ?", [.text(container)]).first != nil else {
            throw MedStoreError(.containerNotFound, "the specified container '\(container)' does not exist")
        }
    }

    /// Checks a container and blob name pair.
    static func validateNames(container: String, name: String) throws(MedStoreError) {
        try ResourceNames.validateContainerName(container)
        try ResourceNames.validateBlobName(name)
    }
}
