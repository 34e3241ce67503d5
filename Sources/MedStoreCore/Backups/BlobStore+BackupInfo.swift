import Foundation
import MedStoreProtocol

extension BlobStore {
    /// A container's backup: its restore window, live blobs, the versions and bytes kept only for
    /// restores, and the last prune. Call with the lock held.
    ///
    /// - Throws: `.containerNotFound` when the container neither exists nor has a backup in the window.
    public func backupInfo(container: String) throws(MedStoreError) -> BackupInfo {
        try ResourceNames.validateContainerName(container)
        let window = try restoreWindow(container)
        let exists = try db.query("SELECT 1 FROM containers WHERE name = ?", [.text(container)]).first != nil
        guard exists || !window.lifetimes.isEmpty else {
            throw MedStoreError(.containerNotFound,
                                "container '\(container)' does not exist and has no backup inside the retention window")
        }
        let counts = try db.query("""
            SELECT coalesce(sum(superseded_at IS NULL AND deleted = 0), 0), coalesce(sum(NOT (superseded_at IS NULL AND deleted = 0)), 0)
            FROM blob_versions WHERE container = ?
            """, [.text(container)])[0]
        // Data files this container's history references that no live blob (of any container) uses.
        let bytes = try db.query("""
            SELECT coalesce(sum(f.size), 0) FROM data_files f WHERE f.id IN (
                SELECT e.data_file FROM blob_versions v JOIN content_extents e ON e.content_id = v.content_id
                WHERE v.container = ? AND NOT (v.superseded_at IS NULL AND v.deleted = 0))
            AND NOT EXISTS (
                SELECT 1 FROM content_extents e JOIN blob_versions v ON v.content_id = e.content_id
                WHERE e.data_file = f.id AND v.superseded_at IS NULL AND v.deleted = 0)
            """, [.text(container)])[0].int(0)
        let prune = try BackupSettings.lastPrune(db: db)
        return BackupInfo(container: container, exists: exists, retentionDays: UInt64(retention.days),
                          earliestRestorePoint: window.earliest.map(RestorePoint.format),
                          latestRestorePoint: window.latest.map(RestorePoint.format),
                          liveBlobs: UInt64(counts.int(0)), versionsRetained: UInt64(counts.int(1)), bytesRetained: UInt64(bytes),
                          lastPruneAt: prune.map { RestorePoint.format($0.ranAt / 1_000_000 * 1_000_000) },
                          lastPruneVersionsRemoved: prune.map { UInt64($0.versionsRemoved) },
                          lastPruneBytesFreed: prune.map { UInt64($0.bytesFreed) })
    }

    /// Deleted containers still restorable, newest deletion first. Call with the lock held.
    public func deletedContainers() throws(MedStoreError) -> [DeletedContainerInfo] {
        let now = try journalNow()
        let earliest = max(retentionCutoff(now: now), try BackupSettings.prunedThrough(db: db))
        let rows = try db.query("""
            SELECT l.name, l.created_at, l.deleted_at,
                (SELECT count(*) FROM blob_versions v WHERE v.container = l.name AND v.committed_at = l.deleted_at AND v.deleted = 1),
                EXISTS (SELECT 1 FROM containers k WHERE k.name = l.name)
            FROM container_lifetimes l WHERE l.deleted_at IS NOT NULL AND l.deleted_at > ?
            ORDER BY l.deleted_at DESC
            """, [.integer(earliest)])
        return rows.map { row in
            DeletedContainerInfo(name: row.text(0) ?? "", createdAt: RestorePoint.format(row.int(1) / 1_000_000 * 1_000_000),
                                 deletedAt: RestorePoint.format(row.int(2) / 1_000_000 * 1_000_000), blobs: UInt64(row.int(3)),
                                 restorableUntil: RestorePoint.format((row.int(2) + retention.micros) / 1_000_000 * 1_000_000),
                                 existsAgain: row.int(4) != 0)
        }
    }
}
