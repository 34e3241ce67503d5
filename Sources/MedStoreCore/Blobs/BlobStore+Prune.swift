import Foundation
import MedStoreProtocol

/// The one place that decides what the journal no longer needs, and frees it.
///
/// Pruning runs in three stages inside the caller's transaction:
/// 1. versions: drop the selected versions that the retention policy no longer needs (superseded
///    versions, and deletion markers at the head), remembering their contents;
/// 2. contents: drop those contents no remaining version uses (their extents go with them);
/// 3. data files: drop the files that no extent and no uncommitted block references and that no
///    open reader has pinned, returning their names for the caller to unlink after the commit.
///
/// The backup issue changes only `retentionCutoff` (keep what a restore point inside the window
/// needs) and `removeAllBlobs` (keep a deleted container's journal).
extension BlobStore {
    /// Which versions a prune looks at.
    enum VersionScope {
        /// One blob's history (after each write).
        case blob(container: String, name: String)
        /// Every version, plus contents and data files nothing references.
        case all
        /// Every version of a container, needed or not (the container is being removed).
        case wholeContainer(String)
    }

    /// Which uncommitted blocks a prune drops.
    enum BlockScope {
        case none
        /// All of one blob's uncommitted blocks (a commit or delete discards them, as in Azure).
        case blob(container: String, name: String)
        /// Blocks of blobs that got no Put Block for `uncommittedBlockLifetime`.
        case expired
        /// All blocks of a container.
        case wholeContainer(String)
    }

    /// Uncommitted blocks live a week after their blob's last Put Block, as in Azure.
    static let uncommittedBlockLifetimeMicros: Int64 = 7 * 24 * 3600 * 1_000_000

    /// Versions superseded at or before this journal time (µs), and deletion markers committed at
    /// or before it, are no longer needed. This release keeps no history: everything superseded
    /// goes at once. (The backup issue returns `now − retention`.)
    func retentionCutoff(now: Int64) -> Int64 { Int64.max }

    /// Drops superseded versions, unreferenced contents and data files, and uncommitted blocks
    /// older than a week; removes the freed files. Cheap enough to run periodically.
    public func prune() throws(MedStoreError) {
        try writeTransaction { () throws(MedStoreError) -> ((), [String]) in
            ((), try prune(versions: .all, blocks: .expired))
        }
    }

    /// Removes every blob, version and uncommitted block of `container` and frees their files.
    /// Call inside `store.locked` (not inside another transaction), before deleting the container row.
    public func removeAllBlobs(container: String) throws(MedStoreError) {
        let freed = try db.transaction { () throws(MedStoreError) -> [String] in
            try prune(versions: .wholeContainer(container), blocks: .wholeContainer(container))
        }
        removeFiles(freed)
    }

    /// The prune step. Returns the names of data files whose rows it deleted; unlink them after
    /// the commit. Call inside a transaction.
    func prune(versions: VersionScope, blocks: BlockScope) throws(MedStoreError) -> [String] {
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS prune_contents (id INTEGER PRIMARY KEY);
            CREATE TEMP TABLE IF NOT EXISTS prune_files (id INTEGER PRIMARY KEY);
            DELETE FROM temp.prune_contents;
            DELETE FROM temp.prune_files;
            """)
        let lastCommit = try db.query("SELECT last_commit_us FROM blob_journal_clock WHERE id = 1").first?.int(0) ?? 0
        let now = max(lastCommit, Int64((store.clock().timeIntervalSince1970 * 1_000_000).rounded(.down)))
        let cutoff = retentionCutoff(now: now)

        // 1. Versions.
        var selections: [(String, [SQLiteValue])] = []
        switch versions {
        case .blob(let container, let name):
            selections.append(("container = ? AND name = ? AND superseded_at IS NOT NULL AND superseded_at <= ?",
                               [.text(container), .text(name), .integer(cutoff)]))
            selections.append(("container = ? AND name = ? AND superseded_at IS NULL AND deleted = 1 AND committed_at <= ?",
                               [.text(container), .text(name), .integer(cutoff)]))
        case .all:
            selections.append(("superseded_at IS NOT NULL AND superseded_at <= ?", [.integer(cutoff)]))
            selections.append(("superseded_at IS NULL AND deleted = 1 AND committed_at <= ?", [.integer(cutoff)]))
        case .wholeContainer(let container):
            selections.append(("container = ?", [.text(container)]))
        }
        for (condition, bindings) in selections {
            try db.query("INSERT OR IGNORE INTO temp.prune_contents SELECT content_id FROM blob_versions WHERE \(condition) AND content_id IS NOT NULL", bindings)
            try db.query("DELETE FROM blob_versions WHERE \(condition)", bindings)
        }

        // 2. Contents.
        if case .all = versions {
            try db.execute("""
                INSERT OR IGNORE INTO temp.prune_contents
                SELECT id FROM blob_contents c WHERE NOT EXISTS (SELECT 1 FROM blob_versions v WHERE v.content_id = c.id)
                """)
        }
        try db.execute("""
            DELETE FROM temp.prune_contents WHERE EXISTS (SELECT 1 FROM blob_versions v WHERE v.content_id = prune_contents.id);
            INSERT OR IGNORE INTO temp.prune_files
                SELECT data_file FROM content_extents WHERE content_id IN (SELECT id FROM temp.prune_contents);
            DELETE FROM blob_contents WHERE id IN (SELECT id FROM temp.prune_contents);
            """)

        // Uncommitted blocks.
        let blockSelection: (String, [SQLiteValue])?
        switch blocks {
        case .none: blockSelection = nil
        case .blob(let container, let name): blockSelection = ("container = ? AND blob = ?", [.text(container), .text(name)])
        case .wholeContainer(let container): blockSelection = ("container = ?", [.text(container)])
        case .expired:
            let limit = now - BlobStore.uncommittedBlockLifetimeMicros
            blockSelection = ("(container, blob) IN (SELECT container, blob FROM uncommitted_blocks GROUP BY container, blob HAVING max(created_at) <= ?)",
                              [.integer(limit)])
        }
        if let (condition, bindings) = blockSelection {
            try db.query("INSERT OR IGNORE INTO temp.prune_files SELECT data_file FROM uncommitted_blocks WHERE \(condition)", bindings)
            try db.query("DELETE FROM uncommitted_blocks WHERE \(condition)", bindings)
        }

        // 3. Data files.
        if case .all = versions {
            try db.execute("INSERT OR IGNORE INTO temp.prune_files SELECT id FROM data_files")
        }
        return try releaseCandidateFiles()
    }

    /// Deletes the rows of the data files listed in `temp.prune_files` that nothing references and
    /// no reader has pinned (pinned ones are remembered and freed when the last reader closes).
    /// Returns their names. Call inside a transaction.
    func releaseCandidateFiles() throws(MedStoreError) -> [String] {
        try db.execute("""
            DELETE FROM temp.prune_files WHERE
                EXISTS (SELECT 1 FROM content_extents e WHERE e.data_file = prune_files.id)
                OR EXISTS (SELECT 1 FROM uncommitted_blocks u WHERE u.data_file = prune_files.id);
            """)
        if !pins.isEmpty {
            for row in try db.query("SELECT id FROM temp.prune_files") where pins[row.int(0)] != nil {
                deferredFiles.insert(row.int(0))
                try db.query("DELETE FROM temp.prune_files WHERE id = ?", [.integer(row.int(0))])
            }
        }
        let names = try db.query("SELECT f.file_name FROM data_files f JOIN temp.prune_files p ON p.id = f.id").compactMap { $0.text(0) }
        try db.execute("DELETE FROM data_files WHERE id IN (SELECT id FROM temp.prune_files)")
        return names
    }
}
