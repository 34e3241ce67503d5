import Foundation
import MedStoreProtocol

extension AccountService {
    /// A container's backup (``BlobStore/backupInfo(container:)``).
    public func backupInfo(container: String) throws(MedStoreError) -> BackupInfo {
        try locked { () throws(MedStoreError) -> BackupInfo in
            _ = try requireAccount()
            return try blobs.backupInfo(container: container)
        }
    }

    /// Deleted containers still restorable.
    public func deletedContainers() throws(MedStoreError) -> BackupDeleted.Result {
        try locked { () throws(MedStoreError) -> BackupDeleted.Result in
            _ = try requireAccount()
            return BackupDeleted.Result(containers: try blobs.deletedContainers())
        }
    }

    /// Restores a container to `time` (RFC 3339 or relative to the store's clock), in place or
    /// `into` a new container. Writes wait for it (it holds the store's lock for its one transaction).
    public func restoreContainer(_ container: String, to time: String, into: String?) throws(MedStoreError) -> BackupRestore.Result {
        let started = DispatchTime.now().uptimeNanoseconds
        let report = try locked { () throws(MedStoreError) -> BlobStore.RestoreReport in
            _ = try requireAccount()
            let micros = try RestorePoint.resolve(time, now: clock())
            return try blobs.restore(container: container, to: micros, into: into)
        }
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        return BackupRestore.Result(container: report.container, restoredTo: RestorePoint.format(report.restoredTo),
                                    restored: UInt64(report.restored), removed: UInt64(report.removed),
                                    reverted: UInt64(report.reverted), containerRecreated: report.containerRecreated,
                                    durationMs: milliseconds)
    }

    /// Prunes the backup journal now.
    public func pruneBackups() throws(MedStoreError) -> BackupPrune.Result {
        try locked { () throws(MedStoreError) in _ = try requireAccount() }
        let started = DispatchTime.now().uptimeNanoseconds
        let report = try blobs.prune()
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        return BackupPrune.Result(versionsRemoved: UInt64(report.versionsRemoved), filesRemoved: UInt64(report.filesRemoved),
                                  bytesFreed: UInt64(max(0, report.bytesFreed)),
                                  earliestRestorePoint: RestorePoint.format(report.cutoff), durationMs: milliseconds)
    }
}
