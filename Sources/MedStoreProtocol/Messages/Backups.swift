/// A container's backup: what can be restored and what it costs.
public struct BackupInfo: Codable, Sendable, Equatable {
    /// The container name.
    public var container: String
    /// Whether the container exists now (false: deleted, restorable from its backup).
    public var exists: Bool
    /// The daemon's retention in days.
    public var retentionDays: UInt64
    /// Earliest and latest restore points (RFC 3339 UTC, microseconds when not whole seconds);
    /// absent when nothing is restorable.
    public var earliestRestorePoint: String?
    public var latestRestorePoint: String?
    /// Blobs the container holds now.
    public var liveBlobs: UInt64
    /// Versions kept only for restores (superseded versions and deletion records).
    public var versionsRetained: UInt64
    /// Bytes of data files kept only for restores (beyond what live blobs use).
    public var bytesRetained: UInt64
    /// The last prune of the journal (RFC 3339 UTC), versions it removed and bytes it freed.
    public var lastPruneAt: String?
    public var lastPruneVersionsRemoved: UInt64?
    public var lastPruneBytesFreed: UInt64?

    /// Creates backup info.
    public init(container: String, exists: Bool, retentionDays: UInt64, earliestRestorePoint: String?,
                latestRestorePoint: String?, liveBlobs: UInt64, versionsRetained: UInt64, bytesRetained: UInt64,
                lastPruneAt: String?, lastPruneVersionsRemoved: UInt64?, lastPruneBytesFreed: UInt64?) {
        self.container = container
        self.exists = exists
        self.retentionDays = retentionDays
        self.earliestRestorePoint = earliestRestorePoint
        self.latestRestorePoint = latestRestorePoint
        self.liveBlobs = liveBlobs
        self.versionsRetained = versionsRetained
        self.bytesRetained = bytesRetained
        self.lastPruneAt = lastPruneAt
        self.lastPruneVersionsRemoved = lastPruneVersionsRemoved
        self.lastPruneBytesFreed = lastPruneBytesFreed
    }
}

/// `backup.show` (since 1.2): a container's restore window and retained versions and bytes.
/// Works for a deleted container whose backup is still inside the retention window.
public enum BackupShow: RPCMethod {
    public static let name = "backup.show"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The container.
        public var container: String
        /// Creates parameters.
        public init(container: String) { self.container = container }
    }
    public typealias Result = BackupInfo
}

/// `backup.restore` (since 1.2, admin): puts a container back as it was at a time.
public enum BackupRestore: RPCMethod {
    public static let name = "backup.restore"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The container to restore (it may have been deleted).
        public var container: String
        /// The restore time: RFC 3339 (`2026-12-01T10:15:00Z`) or relative to the daemon's clock
        /// (`-90s`, `-15m`, `-2h`, `-3d`, `-1d12h`).
        public var to: String
        /// Materialise the state as this new container instead of restoring in place.
        public var into: String?
        /// Creates parameters.
        public init(container: String, to: String, into: String? = nil) {
            self.container = container
            self.to = to
            self.into = into
        }
    }

    /// What the restore did.
    public struct Result: Codable, Sendable, Equatable {
        /// The container written: the source, or `into`.
        public var container: String
        /// The restore time resolved (RFC 3339 UTC).
        public var restoredTo: String
        /// Blobs brought back, removed (created later) and reverted (existed, changed later).
        public var restored: UInt64
        public var removed: UInt64
        public var reverted: UInt64
        /// The container had been deleted and was brought back.
        public var containerRecreated: Bool
        /// Time the restore took inside the daemon, in milliseconds.
        public var durationMs: Double
        /// Creates a result.
        public init(container: String, restoredTo: String, restored: UInt64, removed: UInt64, reverted: UInt64,
                    containerRecreated: Bool, durationMs: Double) {
            self.container = container
            self.restoredTo = restoredTo
            self.restored = restored
            self.removed = removed
            self.reverted = reverted
            self.containerRecreated = containerRecreated
            self.durationMs = durationMs
        }
    }
}

/// A deleted container whose backup is still inside the retention window.
public struct DeletedContainerInfo: Codable, Sendable, Equatable {
    /// The container name.
    public var name: String
    /// When that lifetime of the container began and when it was deleted (RFC 3339 UTC).
    public var createdAt: String
    public var deletedAt: String
    /// Blobs it held when deleted.
    public var blobs: UInt64
    /// Until when `backup.restore` can bring it back (RFC 3339 UTC).
    public var restorableUntil: String
    /// A container of the same name exists now.
    public var existsAgain: Bool
    /// Creates deleted-container info.
    public init(name: String, createdAt: String, deletedAt: String, blobs: UInt64, restorableUntil: String, existsAgain: Bool) {
        self.name = name
        self.createdAt = createdAt
        self.deletedAt = deletedAt
        self.blobs = blobs
        self.restorableUntil = restorableUntil
        self.existsAgain = existsAgain
    }
}

/// `backup.deleted` (since 1.2): deleted containers that can still be restored, newest deletion first.
public enum BackupDeleted: RPCMethod {
    public static let name = "backup.deleted"
    public typealias Params = Empty
    /// The list.
    public struct Result: Codable, Sendable, Equatable {
        /// Deleted containers, newest deletion first.
        public var containers: [DeletedContainerInfo]
        /// Creates a result.
        public init(containers: [DeletedContainerInfo]) { self.containers = containers }
    }
}

/// `backup.prune` (since 1.2, admin): removes now what no restore point inside the retention
/// window needs (the daemon also does this hourly).
public enum BackupPrune: RPCMethod {
    public static let name = "backup.prune"
    public typealias Params = Empty
    /// What the prune did.
    public struct Result: Codable, Sendable, Equatable {
        /// Versions (and deletion records) removed, data files removed and their bytes.
        public var versionsRemoved: UInt64
        public var filesRemoved: UInt64
        public var bytesFreed: UInt64
        /// The earliest restore point left (RFC 3339 UTC).
        public var earliestRestorePoint: String
        /// Time the prune took, in milliseconds.
        public var durationMs: Double
        /// Creates a result.
        public init(versionsRemoved: UInt64, filesRemoved: UInt64, bytesFreed: UInt64, earliestRestorePoint: String, durationMs: Double) {
            self.versionsRemoved = versionsRemoved
            self.filesRemoved = filesRemoved
            self.bytesFreed = bytesFreed
            self.earliestRestorePoint = earliestRestorePoint
            self.durationMs = durationMs
        }
    }
}
