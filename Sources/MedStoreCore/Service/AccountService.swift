import Foundation
import MedStoreProtocol

/// The storage account's domain logic: account, keys, containers, tokens, allowed IPs. Every
/// public method is safe to call from any thread: database work runs under the store's lock.
public final class AccountService: @unchecked Sendable {
    /// The shared state (database, lock, clock).
    public let store: StateStore
    /// Surroundings: endpoint template, cluster networks. The cluster networks can change while
    /// serving (``updateClusterNetworks(_:)``); read the property once per request.
    public var configuration: ServiceConfiguration { configurationLock.withLock { liveConfiguration } }
    private let configurationLock = NSLock()
    private var liveConfiguration: ServiceConfiguration
    /// The blob storage engine on the same store.
    public let blobs: BlobStore
    /// The control plane's audit trail (`audit.db` beside the database).
    public let audit: AuditLog
    /// Keys kept in memory for signing; refreshed on every key change. Guarded by the store lock.
    var keyCache: [KeyName: AccountKey] = [:]
    /// Seals account keys under the master key before they reach the database.
    let sealer: KeySealer
    /// The account name and allowed-IP rules as the data plane needs them, read once and dropped
    /// whenever the account, its keys or its rules change. Guarded by the store lock.
    var firewallCache: (accountName: String?, rules: [CIDR])?
    /// Revoked tokens that have not expired, consulted by the data plane. Guarded by the store lock.
    var revokedTokens = RevokedTokenSet()
    /// The prepared INSERT for token records. Guarded by the store lock.
    var insertTokenRecord: SQLiteStatement?
    /// Makes token records durable outside the lock (one fsync for concurrent issuers).
    let tokenRecordSync: WALSyncer
    /// The cluster networks, parsed once per configuration. Guarded by `configurationLock`.
    private var liveClusterCIDRs: [CIDR]
    /// The cluster networks as CIDRs.
    var clusterCIDRs: [CIDR] { configurationLock.withLock { liveClusterCIDRs } }

    var db: SQLiteDatabase { store.db }
    var clock: @Sendable () -> Date { store.clock }
    var now: Int64 { store.now }

    /// Opens (creating and migrating) the database in `stateDirectory`; the account keys in it are
    /// sealed under `masterKey` (see ``init(store:configuration:masterKey:logger:)``).
    public convenience init(stateDirectory: String, configuration: ServiceConfiguration, masterKey: MasterKey,
                            clock: @escaping @Sendable () -> Date = { Date() },
                            logger: Logger = Logger(level: .error)) throws(MedStoreError) {
        try self.init(store: StateStore(directory: stateDirectory, clock: clock), configuration: configuration,
                      masterKey: masterKey, logger: logger)
    }

    /// Uses an open store. Account keys still stored unsealed (written before keys were sealed)
    /// are sealed under `masterKey` first, then every key is opened with it.
    ///
    /// - Throws: ``KeySealer/wrongMasterKey(database:)`` when `masterKey` does not open the stored
    ///   keys; the service is not usable then and nothing falls back.
    public init(store: StateStore, configuration: ServiceConfiguration, masterKey: MasterKey,
                logger: Logger = Logger(level: .error)) throws(MedStoreError) {
        self.store = store
        self.liveConfiguration = configuration
        self.liveClusterCIDRs = AccountService.parse(configuration.clusterNetworks)
        try BackupRetention.validate(configuration.backupRetentionDays)
        self.blobs = BlobStore(store: store, logger: logger, retention: BackupRetention(days: configuration.backupRetentionDays))
        self.sealer = KeySealer(masterKey: masterKey, databasePath: store.db.path)
        self.tokenRecordSync = WALSyncer(databasePath: store.db.path)
        self.audit = try AuditLog(directory: store.directory, masterKey: masterKey, clock: store.clock, logger: logger)
        let sealedNow = try store.locked { () throws(MedStoreError) -> Int in
            let count = try sealUnsealedKeys()
            try loadKeys()
            try loadRevokedTokens()
            return count
        }
        if sealedNow > 0 {
            logger.notice("account keys sealed at rest", [("keys", "\(sealedNow)"), ("database", store.db.path)])
        }
        try audit.start()
    }

    /// Replaces the cluster networks (canonical CIDR text); the next request sees them. Used by a
    /// configuration reload: connections stay open.
    public func updateClusterNetworks(_ networks: [String]) {
        let parsed = AccountService.parse(networks)
        configurationLock.withLock {
            liveConfiguration.clusterNetworks = networks
            liveClusterCIDRs = parsed
        }
    }

    /// Changes the backup retention (days); the next prune and restore use it. Used by a
    /// configuration reload.
    public func updateBackupRetention(days: Int) throws(MedStoreError) {
        try blobs.retention.update(days: days)
        configurationLock.withLock { liveConfiguration.backupRetentionDays = days }
    }

    private static func parse(_ networks: [String]) -> [CIDR] {
        networks.compactMap { try? CIDR.parse($0) }
    }

    /// Closes the audit trail and the database; later calls fail with `unavailable`.
    public func close() {
        audit.close()
        _ = try? store.locked { () throws(MedStoreError) in
            keyCache.removeAll()
            insertTokenRecord = nil
        }
        store.close()
        tokenRecordSync.close()
    }

    /// Runs `body` holding the store lock.
    func locked<T>(_ body: () throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        try store.locked(body)
    }

    /// Reloads both keys from the database, opening each with the master key. Call with the lock held.
    func loadKeys() throws(MedStoreError) {
        keyCache.removeAll()
        firewallCache = nil
        for row in try db.query("SELECT name, key_bytes, sealed FROM account_keys") {
            guard let name = row.text(0).flatMap(KeyName.init(rawValue:)), let bytes = row.blob(1) else { continue }
            guard row.int(2) == 1 else {
                throw MedStoreError(.internal, "the \(name.rawValue) account key in \(db.path) is not sealed")
            }
            keyCache[name] = try sealer.open(bytes, slot: name)
        }
    }
}
