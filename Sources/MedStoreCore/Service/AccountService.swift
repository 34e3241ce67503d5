import Foundation
import MedStoreProtocol

/// The storage account's domain logic over one SQLite connection. Every public method is safe to
/// call from any thread: calls are serialised on one lock, so the database has one owner.
public final class AccountService: @unchecked Sendable {
    let db: SQLiteDatabase
    /// Surroundings: endpoint template, cluster networks.
    public let configuration: ServiceConfiguration
    let clock: @Sendable () -> Date
    private let lock = NSLock()
    /// Keys kept in memory for signing; refreshed on every key change.
    var keyCache: [KeyName: AccountKey] = [:]

    /// Opens (creating and migrating) the database `medstore.db` in `stateDirectory`.
    public convenience init(stateDirectory: String, configuration: ServiceConfiguration,
                            clock: @escaping @Sendable () -> Date = { Date() }) throws(MedStoreError) {
        let db = try SQLiteDatabase(path: stateDirectory + "/medstore.db")
        try self.init(database: db, configuration: configuration, clock: clock)
    }

    /// Uses an open database, running pending migrations first.
    public init(database: SQLiteDatabase, configuration: ServiceConfiguration,
                clock: @escaping @Sendable () -> Date = { Date() }) throws(MedStoreError) {
        self.db = database
        self.configuration = configuration
        self.clock = clock
        try Migrations.run(on: database)
        try loadKeys()
    }

    /// Closes the database; later calls fail with `unavailable`.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        keyCache.removeAll()
        db.close()
    }

    /// Runs `body` holding the service lock.
    func locked<T>(_ body: () throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var now: Int64 { Int64(clock().timeIntervalSince1970.rounded(.down)) }

    func loadKeys() throws(MedStoreError) {
        keyCache.removeAll()
        for row in try db.query("SELECT name, key_bytes FROM account_keys") {
            guard let name = row.text(0).flatMap(KeyName.init(rawValue:)), let bytes = row.blob(1) else { continue }
            keyCache[name] = try AccountKey(rawBytes: bytes)
        }
    }
}
