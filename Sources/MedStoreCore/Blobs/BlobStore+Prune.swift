import Foundation
import MedStoreProtocol

/// The one place that decides what the journal no longer needs, and frees it.
///
/// Pruning runs in three stages inside the caller's transaction:
/// 1. versions (only a full prune): drop the versions no restore point inside the retention window
///    needs — versions superseded at or before the cutoff (now − retention), deletion markers at
///    the head committed at or before it — and container lifetimes that ended before it;
/// 2. contents: drop those contents no remaining version uses (their extents go with them);
/// 3. data files: drop the files that no extent and no uncommitted block references and that no
///    open reader has pinned, returning their names for the caller to unlink after the commit.
///
/// Writes never drop versions themselves: the full prune (hourly, and `backup.prune`) is the only
/// step that moves the journal's earliest restore point, and it records how far it went
/// (`backup.pruned-through`) so a retention made longer later never promises what is gone.
extension BlobStore {
    /// Which versions a prune looks at.
    enum VersionScope {
        /// None (a write discarding uncommitted blocks, a container deletion).
        case none
        /// Every version outside the retention window, and the contents and files only they used.
        case all
        /// As `all`, plus any content or data file nothing references (rows a crash left behind).
        case allWithLeftovers
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

    /// What a full prune did.
    public struct PruneReport: Sendable, Equatable {
        /// Versions (including deletion markers) removed from the journal.
        public var versionsRemoved: Int64
        /// Data files removed, and their bytes.
        public var filesRemoved: Int64
        public var bytesFreed: Int64
        /// The journal time before which no restore point remains (µs).
        public var cutoff: Int64
        /// When it ran (µs).
        public var ranAt: Int64
    }

    /// Uncommitted blocks live a week after their blob's last Put Block, as in Azure.
    static let uncommittedBlockLifetimeMicros: Int64 = 7 * 24 * 3600 * 1_000_000

    /// Versions superseded at or before this journal time (µs), and deletion markers committed at
    /// or before it, are no longer needed by any restore point inside the retention window.
    func retentionCutoff(now: Int64) -> Int64 { now - retention.micros }

    /// The journal's present: the later of the wall clock and the last commit. Call with the lock held.
    func journalNow() throws(MedStoreError) -> Int64 {
        let lastCommit = try db.query("SELECT last_commit_us FROM blob_journal_clock WHERE id = 1").first?.int(0) ?? 0
        return max(lastCommit, BlobJournalClock.micros(store.clock()))
    }

    /// Drops what no restore point inside the retention window needs and frees the data files
    /// only it used, plus uncommitted blocks older than a week; removes the freed files. Its cost
    /// follows what it removes. With `includeLeftovers` (the start-up sweep) it also passes over
    /// every content and data file for rows a crash left unreferenced.
    @discardableResult
    public func prune(includeLeftovers: Bool = false) throws(MedStoreError) -> PruneReport {
        try writeTransaction { () throws(MedStoreError) -> (PruneReport, [String]) in
            let now = try journalNow()
            let cutoff = max(retentionCutoff(now: now), 0)
            let freed = try prune(versions: includeLeftovers ? .allWithLeftovers : .all, blocks: .expired, now: now, cutoff: cutoff)
            let report = PruneReport(versionsRemoved: lastRemovedVersions, filesRemoved: Int64(freed.count),
                                     bytesFreed: lastFreedBytes, cutoff: cutoff, ranAt: now)
            try BackupSettings.recordPrune(report, db: db)
            return (report, freed)
        }
    }

    /// The prune step. Returns the names of data files whose rows it deleted; unlink them after
    /// the commit. Call inside a transaction.
    /// `now` and `cutoff` (µs) default to the journal's present and the retention cutoff; a full
    /// prune passes the cutoff it records. The number of versions removed is left in
    /// `lastRemovedVersions`.
    func prune(versions: VersionScope, blocks: BlockScope, now givenNow: Int64? = nil,
               cutoff givenCutoff: Int64? = nil) throws(MedStoreError) -> [String] {
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS prune_contents (id INTEGER PRIMARY KEY);
            CREATE TEMP TABLE IF NOT EXISTS prune_files (id INTEGER PRIMARY KEY);
            DELETE FROM temp.prune_contents;
            DELETE FROM temp.prune_files;
            """)
        let now: Int64
        if let givenNow { now = givenNow } else { now = try journalNow() }
        let cutoff = givenCutoff ?? max(retentionCutoff(now: now), 0)
        lastRemovedVersions = 0

        // 1. Versions.
        var selections: [(String, [SQLiteValue])] = []
        if versions != .none {
            selections.append(("superseded_at IS NOT NULL AND superseded_at <= ?", [.integer(cutoff)]))
            selections.append(("superseded_at IS NULL AND deleted = 1 AND committed_at <= ?", [.integer(cutoff)]))
            try db.query("DELETE FROM container_lifetimes WHERE deleted_at IS NOT NULL AND deleted_at <= ?", [.integer(cutoff)])
        }
        for (condition, bindings) in selections {
            try db.query("INSERT OR IGNORE INTO temp.prune_contents SELECT content_id FROM blob_versions WHERE \(condition) AND content_id IS NOT NULL", bindings)
            try db.query("DELETE FROM blob_versions WHERE \(condition)", bindings)
            lastRemovedVersions += Int64(db.changes)
        }

        // 2. Contents.
        if versions == .allWithLeftovers {
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
        if versions == .allWithLeftovers {
            try db.execute("INSERT OR IGNORE INTO temp.prune_files SELECT id FROM data_files")
        }
        return try releaseCandidateFiles()
    }

    /// Deletes the rows of the data files listed in `temp.prune_files` that nothing references and
    /// no reader has pinned (pinned ones are remembered and freed when the last reader closes).
    /// Returns their names (their total size is left in `lastFreedBytes`). Call inside a transaction.
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
        let rows = try db.query("SELECT f.file_name, f.size FROM data_files f JOIN temp.prune_files p ON p.id = f.id")
        let names = rows.compactMap { $0.text(0) }
        lastFreedBytes = rows.reduce(0) { $0 + $1.int(1) }
        try db.execute("DELETE FROM data_files WHERE id IN (SELECT id FROM temp.prune_files)")
        return names
    }
}
