import Foundation
import MedStoreProtocol

/// The daemon's state: one SQLite connection (the single owner of writes), the lock that
/// serialises every use of it, the state directory for blob files, and the clock.
/// Long work (streaming bytes to or from files) happens outside the lock; only the short
/// metadata steps take it.
public final class StateStore: @unchecked Sendable {
    /// The database connection; use only inside `locked`.
    public let db: SQLiteDatabase
    /// The state directory (holds `medstore.db` and the `blobs/` tree).
    public let directory: String
    /// The clock (tests replace it).
    public let clock: @Sendable () -> Date
    private let lock = NSLock()

    /// Opens (creating and migrating) `medstore.db` in `directory`.
    public init(directory: String, clock: @escaping @Sendable () -> Date = { Date() }) throws(MedStoreError) {
        self.directory = directory
        self.clock = clock
        self.db = try SQLiteDatabase(path: directory + "/medstore.db")
        try Migrations.run(on: db)
    }

    /// Runs `body` holding the lock.
    public func locked<T>(_ body: () throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Whole seconds since the epoch, by the store's clock.
    public var now: Int64 { Int64(clock().timeIntervalSince1970.rounded(.down)) }

    /// Closes the database; later use fails with `unavailable`.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        db.close()
    }
}
