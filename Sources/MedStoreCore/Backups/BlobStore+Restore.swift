import Foundation
import MedStoreProtocol

/// Point-in-time restore from the backup journal. A restore is metadata work in one transaction:
/// it finds the blobs changed after the restore time (through the journal's timeline index, so
/// its cost follows what changed, not the bytes or the whole history) and appends, for each one
/// that differs, a version equal to the one it had then (sharing its content) or a deletion
/// version. It is therefore journaled like any write and can itself be undone by restoring to a
/// time before it. All or nothing: a crash leaves the old state or the new one. Uncommitted
/// blocks of the blobs it changes are dropped (they were staged after the restore time).
extension BlobStore {
    /// What a restore did.
    public struct RestoreReport: Sendable, Equatable {
        /// The container written (the source, or the new one for `into`).
        public var container: String
        /// Blobs brought back that did not exist just before the restore.
        public var restored: Int64
        /// Blobs removed (created after the restore time).
        public var removed: Int64
        /// Blobs that existed and were put back to their earlier bytes, metadata or properties.
        public var reverted: Int64
        /// The container itself was brought back (it had been deleted).
        public var containerRecreated: Bool
        /// The restore time (µs) and the journal time the restore committed at (µs).
        public var restoredTo: Int64
        public var committedAt: Int64
    }

    /// Restores `container` to its state at journal time `time` (µs): in place, or, with `into`,
    /// as the new container `into` (the source is left as it is). A deleted container is brought
    /// back in place with the metadata it had when deleted. Call inside `store.locked`.
    ///
    /// - Throws: `.invalidTime` when `time` is outside the container's restore window (the message
    ///   names the window), `.containerAlreadyExists` when `into` exists, `.invalidContainerName`.
    public func restore(container: String, to time: Int64, into: String?) throws(MedStoreError) -> RestoreReport {
        try ResourceNames.validateContainerName(container)
        if let into { try ResourceNames.validateContainerName(into) }
        let window = try restoreWindow(container)
        guard let lifetime = window.lifetime(at: time) else { throw window.refusal(container: container, time: time) }
        freedByRestore = []
        defer {
            removeFiles(freedByRestore)
            freedByRestore = []
        }
        return try db.transaction { () throws(MedStoreError) -> RestoreReport in
            let exists = try db.query("SELECT 1 FROM containers WHERE name = ?", [.text(container)]).first != nil
            let commit = try nextCommitTime()
            if let into {
                if try db.query("SELECT 1 FROM containers WHERE name = ?", [.text(into)]).first != nil {
                    throw MedStoreError(.containerAlreadyExists, "container '\(into)' already exists; choose a new name for --into")
                }
                // The container's metadata as of that lifetime: kept at deletion for an ended one.
                let metadata = exists && lifetime.deletedAt == nil ? try currentMetadata(container) : lifetime.metadataText
                try createContainerRow(into, time: commit, metadata: metadata)
                let copied = try copyState(of: container, at: time, into: into, commit: commit)
                return RestoreReport(container: into, restored: copied, removed: 0, reverted: 0, containerRecreated: false,
                                     restoredTo: time, committedAt: commit)
            }
            if !exists { try createContainerRow(container, time: commit, metadata: lifetime.metadataText) }
            var report = try revert(container, to: time, commit: commit)
            report.containerRecreated = !exists
            return report
        }
    }

    /// Inserts a container row and starts its lifetime at `time`. Call inside a transaction.
    private func createContainerRow(_ name: String, time: Int64, metadata: String?) throws(MedStoreError) {
        try db.query("INSERT INTO containers (name, created_at, etag, last_modified, metadata) VALUES (?, ?, ?, ?, ?)",
                     [.text(name), .integer(time / 1_000_000), .text(BlobJournalClock.etag(time)), .integer(time),
                      metadata.map { .text($0) } ?? .null])
        try startLifetime(name, time: time, metadata: nil)
    }

    private func currentMetadata(_ name: String) throws(MedStoreError) -> String? {
        try db.query("SELECT metadata FROM containers WHERE name = ?", [.text(name)]).first?.text(0)
    }

    /// Appends to `into` a copy of every blob `container` held at `time`. Returns how many.
    private func copyState(of container: String, at time: Int64, into: String, commit: Int64) throws(MedStoreError) -> Int64 {
        try db.query("""
            INSERT INTO blob_versions (container, name, committed_at, superseded_at, deleted, created_at, content_id,
                content_type, content_encoding, content_language, content_disposition, cache_control, content_md5, metadata)
            SELECT ?, v.name, ?, NULL, 0, v.created_at, v.content_id, v.content_type, v.content_encoding,
                v.content_language, v.content_disposition, v.cache_control, v.content_md5, v.metadata
            FROM blob_versions v
            WHERE v.container = ? AND v.committed_at <= ? AND v.deleted = 0 AND (v.superseded_at IS NULL OR v.superseded_at > ?)
            """, [.text(into), .integer(commit), .text(container), .integer(time), .integer(time)])
        return Int64(db.changes)
    }

    /// Puts every blob of `container` changed after `time` back to its state then. Call inside a transaction.
    private func revert(_ container: String, to time: Int64, commit: Int64) throws(MedStoreError) -> RestoreReport {
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS restore_plan (
                name TEXT PRIMARY KEY, head_id INTEGER, head_live INTEGER NOT NULL, target_id INTEGER) WITHOUT ROWID;
            DELETE FROM temp.restore_plan;
            """)
        // Blobs changed after `time`: their head now, and the live version they had at `time`.
        try db.query("""
            INSERT INTO temp.restore_plan (name, head_id, head_live, target_id)
            SELECT n.name, h.id, coalesce(h.deleted = 0, 0),
                (SELECT t.id FROM blob_versions t
                 WHERE t.container = ?1 AND t.name = n.name AND t.committed_at <= ?2
                 ORDER BY t.committed_at DESC LIMIT 1)
            FROM (SELECT DISTINCT name FROM blob_versions WHERE container = ?1 AND committed_at > ?2) n
            LEFT JOIN blob_versions h ON h.container = ?1 AND h.name = n.name AND h.superseded_at IS NULL
            """, [.text(container), .integer(time)])
        // The version in force at `time` may be a deletion (or superseded by a container's end and a
        // new lifetime): then the blob did not exist.
        try db.query("""
            UPDATE temp.restore_plan SET target_id = NULL WHERE target_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM blob_versions t WHERE t.id = restore_plan.target_id
                  AND (t.deleted = 1 OR (t.superseded_at IS NOT NULL AND t.superseded_at <= ?)))
            """, [.integer(time)])
        // Blobs whose state is already what it was (e.g. changed and changed back) are left alone.
        try db.execute("""
            DELETE FROM temp.restore_plan WHERE (target_id IS NULL AND head_live = 0) OR (head_live = 1 AND EXISTS (
                SELECT 1 FROM blob_versions h JOIN blob_versions t ON t.id = restore_plan.target_id
                WHERE h.id = restore_plan.head_id AND h.content_id IS t.content_id AND h.content_type IS t.content_type
                  AND h.content_encoding IS t.content_encoding AND h.content_language IS t.content_language
                  AND h.content_disposition IS t.content_disposition AND h.cache_control IS t.cache_control
                  AND h.content_md5 IS t.content_md5 AND h.metadata IS t.metadata AND h.created_at = t.created_at))
            """)
        let counts = try db.query("""
            SELECT coalesce(sum(target_id IS NOT NULL AND head_live = 0), 0), coalesce(sum(target_id IS NULL), 0),
                   coalesce(sum(target_id IS NOT NULL AND head_live = 1), 0)
            FROM temp.restore_plan
            """)[0]
        try db.query("UPDATE blob_versions SET superseded_at = ? WHERE id IN (SELECT head_id FROM temp.restore_plan WHERE head_id IS NOT NULL)",
                     [.integer(commit)])
        try db.query("""
            INSERT INTO blob_versions (container, name, committed_at, superseded_at, deleted, created_at, content_id,
                content_type, content_encoding, content_language, content_disposition, cache_control, content_md5, metadata)
            SELECT ?1, p.name, ?2, NULL, 0, t.created_at, t.content_id, t.content_type, t.content_encoding,
                t.content_language, t.content_disposition, t.cache_control, t.content_md5, t.metadata
            FROM temp.restore_plan p JOIN blob_versions t ON t.id = p.target_id;
            """, [.text(container), .integer(commit)])
        try db.query("""
            INSERT INTO blob_versions (container, name, committed_at, superseded_at, deleted, created_at)
            SELECT ?1, name, ?2, NULL, 1, ?2 FROM temp.restore_plan WHERE target_id IS NULL
            """, [.text(container), .integer(commit)])
        // Blocks staged for those blobs are newer than the restore time: a later Put Block List
        // must not commit them into the restored state.
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS prune_files (id INTEGER PRIMARY KEY);
            DELETE FROM temp.prune_files;
            """)
        try db.query("""
            INSERT OR IGNORE INTO temp.prune_files SELECT data_file FROM uncommitted_blocks
            WHERE container = ? AND blob IN (SELECT name FROM temp.restore_plan)
            """, [.text(container)])
        try db.query("DELETE FROM uncommitted_blocks WHERE container = ? AND blob IN (SELECT name FROM temp.restore_plan)",
                     [.text(container)])
        freedByRestore = try releaseCandidateFiles()
        try db.execute("DELETE FROM temp.restore_plan")
        return RestoreReport(container: container, restored: counts.int(0), removed: counts.int(1), reverted: counts.int(2),
                             containerRecreated: false, restoredTo: time, committedAt: commit)
    }
}
