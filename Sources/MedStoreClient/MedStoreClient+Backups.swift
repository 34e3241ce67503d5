import MedStoreProtocol

extension MedStoreClient {
    /// A container's restore window and what its backup retains.
    public func backupInfo(_ container: String) async throws(MedStoreError) -> BackupInfo {
        try await call(BackupShow.self, .init(container: container))
    }

    /// Restores a container to `time` (RFC 3339 or relative like `-2h`), in place or `into` a new container.
    public func restoreContainer(_ container: String, to time: String, into: String? = nil) async throws(MedStoreError) -> BackupRestore.Result {
        try await call(BackupRestore.self, .init(container: container, to: time, into: into))
    }

    /// Deleted containers that can still be restored.
    public func deletedContainers() async throws(MedStoreError) -> BackupDeleted.Result {
        try await call(BackupDeleted.self, Empty())
    }

    /// Prunes the backup journal now.
    public func pruneBackups() async throws(MedStoreError) -> BackupPrune.Result {
        try await call(BackupPrune.self, Empty())
    }
}
