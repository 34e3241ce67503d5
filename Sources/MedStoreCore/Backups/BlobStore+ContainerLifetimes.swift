import Foundation
import MedStoreProtocol

/// Containers as the backup journal sees them: each span of time a container name exists is a
/// lifetime (`container_lifetimes`, journal µs). Deleting a container ends its lifetime and records
/// a deletion version for each of its blobs, so the journal can put the container back as it was at
/// any time inside the retention window.
extension BlobStore {
    /// One lifetime of a container name.
    struct ContainerLifetime {
        var id: Int64
        var name: String
        var createdAt: Int64
        var deletedAt: Int64?
        var metadataText: String?

        init(row: SQLiteRow) {
            id = row.int(0)
            name = row.text(1) ?? ""
            createdAt = row.int(2)
            deletedAt = row.values[3] == .null ? nil : row.int(3)
            metadataText = row.text(4)
        }

        static let columns = "id, name, created_at, deleted_at, metadata"

        /// True when the container existed at journal time `time`.
        func covers(_ time: Int64) -> Bool { createdAt <= time && (deletedAt.map { time < $0 } ?? true) }
    }

    /// Starts a lifetime for a container just inserted into `containers` (at the next journal time,
    /// superseding the deletion versions an earlier lifetime of the name left as heads). Returns
    /// the journal time. Call inside a transaction.
    @discardableResult
    public func recordContainerCreated(_ name: String) throws(MedStoreError) -> Int64 {
        let time = try nextCommitTime()
        try startLifetime(name, time: time, metadata: nil)
        return time
    }

    /// Ends the container's lifetime: every live blob gets a deletion version, the uncommitted
    /// blocks go, and the container row is removed; the journal stays for the retention window.
    /// Returns the number of blobs the container held. Call inside `store.locked` (not inside a
    /// transaction).
    public func deleteContainerKeepingBackups(_ name: String) throws(MedStoreError) -> Int64 {
        let (count, freed) = try db.transaction { () throws(MedStoreError) -> (Int64, [String]) in
            let time = try nextCommitTime()
            let metadata = try db.query("SELECT metadata FROM containers WHERE name = ?", [.text(name)]).first?.text(0)
            let count = try markAllDeleted(container: name, time: time)
            try db.query("UPDATE container_lifetimes SET deleted_at = ?, metadata = ? WHERE name = ? AND deleted_at IS NULL",
                         [.integer(time), metadata.map { .text($0) } ?? .null, .text(name)])
            try db.query("DELETE FROM containers WHERE name = ?", [.text(name)])
            let freed = try prune(versions: .none, blocks: .wholeContainer(name))
            return (count, freed)
        }
        removeFiles(freed)
        return count
    }

    /// Removes every blob, version, uncommitted block, lifetime and data file of every container,
    /// deleted ones included (the account is being deleted: its backups go with it). Returns the
    /// data files to unlink after the commit. Call inside a transaction.
    public func removeEverything() throws(MedStoreError) -> [String] {
        try db.execute("""
            DELETE FROM blob_versions;
            DELETE FROM uncommitted_blocks;
            DELETE FROM content_extents;
            DELETE FROM blob_contents;
            DELETE FROM container_lifetimes;
            CREATE TEMP TABLE IF NOT EXISTS prune_files (id INTEGER PRIMARY KEY);
            DELETE FROM temp.prune_files;
            INSERT INTO temp.prune_files SELECT id FROM data_files;
            """)
        return try releaseCandidateFiles()
    }

    /// Records a deletion version at `time` for every live blob of `container`. Returns how many.
    /// Call inside a transaction.
    func markAllDeleted(container: String, time: Int64) throws(MedStoreError) -> Int64 {
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS doomed_heads (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            DELETE FROM temp.doomed_heads;
            """)
        try db.query("""
            INSERT INTO temp.doomed_heads (id, name)
            SELECT id, name FROM blob_versions WHERE container = ? AND superseded_at IS NULL AND deleted = 0
            """, [.text(container)])
        let count = try db.query("SELECT count(*) FROM temp.doomed_heads")[0].int(0)
        try db.query("UPDATE blob_versions SET superseded_at = ? WHERE id IN (SELECT id FROM temp.doomed_heads)", [.integer(time)])
        try db.query("""
            INSERT INTO blob_versions (container, name, committed_at, superseded_at, deleted, created_at)
            SELECT ?, name, ?, NULL, 1, ? FROM temp.doomed_heads
            """, [.text(container), .integer(time), .integer(time)])
        return count
    }

    /// Inserts a lifetime starting at `time`, superseding deletion heads of earlier lifetimes.
    /// Call inside a transaction.
    func startLifetime(_ name: String, time: Int64, metadata: String?) throws(MedStoreError) {
        try db.query("UPDATE blob_versions SET superseded_at = ? WHERE container = ? AND superseded_at IS NULL AND deleted = 1",
                     [.integer(time), .text(name)])
        try db.query("INSERT INTO container_lifetimes (name, created_at, deleted_at, metadata) VALUES (?, ?, NULL, ?)",
                     [.text(name), .integer(time), metadata.map { .text($0) } ?? .null])
    }

    /// The lifetimes of `name`, oldest first. Call with the lock held.
    func lifetimes(of name: String) throws(MedStoreError) -> [ContainerLifetime] {
        try db.query("SELECT \(ContainerLifetime.columns) FROM container_lifetimes WHERE name = ? ORDER BY created_at",
                     [.text(name)]).map(ContainerLifetime.init(row:))
    }
}
