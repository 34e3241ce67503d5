import Foundation
import MedStoreProtocol

/// The storage account's domain logic: account, keys, containers, tokens, allowed IPs. Every
/// public method is safe to call from any thread: database work runs under the store's lock.
public final class AccountService: @unchecked Sendable {
    /// The shared state (database, lock, clock).
    public let store: StateStore
    /// Surroundings: endpoint template, cluster networks.
    public let configuration: ServiceConfiguration
    /// The blob storage engine on the same store.
    public let blobs: BlobStore
    /// Keys kept in memory for signing; refreshed on every key change. Guarded by the store lock.
    var keyCache: [KeyName: AccountKey] = [:]

    var db: SQLiteDatabase { store.db }
    var clock: @Sendable () -> Date { store.clock }
    var now: Int64 { store.now }

    /// Opens (creating and migrating) the database in `stateDirectory`.
    public convenience init(stateDirectory: String, configuration: ServiceConfiguration,
                            clock: @escaping @Sendable () -> Date = { Date() },
                            logger: Logger = Logger(level: .error)) throws(MedStoreError) {
        try self.init(store: StateStore(directory: stateDirectory, clock: clock), configuration: configuration, logger: logger)
    }

    /// Uses an open store.
    public init(store: StateStore, configuration: ServiceConfiguration,
                logger: Logger = Logger(level: .error)) throws(MedStoreError) {
        self.store = store
        self.configuration = configuration
        self.blobs = BlobStore(store: store, logger: logger)
        try store.locked { () throws(MedStoreError) in try loadKeys() }
    }

    /// Closes the database; later calls fail with `unavailable`.
    public func close() {
        _ = try? store.locked { () throws(MedStoreError) in keyCache.removeAll() }
        store.close()
    }

    /// Runs `body` holding the store lock.
    func locked<T>(_ body: () throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        try store.locked(body)
    }

    /// Reloads both keys from the database. Call with the lock held.
    func loadKeys() throws(MedStoreError) {
        keyCache.removeAll()
        for row in try db.query("SELECT name, key_bytes FROM account_keys") {
            guard let name = row.text(0).flatMap(KeyName.init(rawValue:)), let bytes = row.blob(1) else { continue }
            keyCache[name] = try AccountKey(rawBytes: bytes)
        }
    }
}
