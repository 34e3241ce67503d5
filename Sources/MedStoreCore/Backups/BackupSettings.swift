import Foundation
import MedStoreProtocol

/// The backup journal's bookkeeping in the `settings` table: the last full prune, and how far
/// pruning has gone (no restore point before it remains, whatever the retention says now).
enum BackupSettings {
    static let prunedThroughKey = "backup.pruned-through"
    static let lastPruneKey = "backup.last-prune"

    /// Records a full prune. Call inside a transaction.
    static func recordPrune(_ report: BlobStore.PruneReport, db: SQLiteDatabase) throws(MedStoreError) {
        let through = max(try prunedThrough(db: db), report.cutoff)
        try set(prunedThroughKey, String(through), db: db)
        try set(lastPruneKey, "\(report.ranAt) \(report.versionsRemoved) \(report.filesRemoved) \(report.bytesFreed)", db: db)
    }

    /// The latest cutoff any prune used (µs), 0 when none ran. Call with the lock held.
    static func prunedThrough(db: SQLiteDatabase) throws(MedStoreError) -> Int64 {
        Int64(try get(prunedThroughKey, db: db) ?? "") ?? 0
    }

    /// The last full prune, if one ran. Call with the lock held.
    static func lastPrune(db: SQLiteDatabase) throws(MedStoreError) -> BlobStore.PruneReport? {
        guard let text = try get(lastPruneKey, db: db) else { return nil }
        let parts = text.split(separator: " ").compactMap { Int64($0) }
        guard parts.count == 4 else { return nil }
        return BlobStore.PruneReport(versionsRemoved: parts[1], filesRemoved: parts[2], bytesFreed: parts[3],
                                     cutoff: 0, ranAt: parts[0])
    }

    private static func get(_ key: String, db: SQLiteDatabase) throws(MedStoreError) -> String? {
        try db.query("SELECT value FROM settings WHERE key = ?", [.text(key)]).first?.text(0)
    }

    private static func set(_ key: String, _ value: String, db: SQLiteDatabase) throws(MedStoreError) {
        try db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [.text(key), .text(value)])
    }
}
