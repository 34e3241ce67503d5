import Foundation
import MedStoreProtocol

/// The journal's commit time: microseconds since the Unix epoch, strictly increasing across every
/// change in the store even when the wall clock steps back (persisted in `blob_journal_clock`).
/// ETags derive from it, so every version's ETag is unique.
enum BlobJournalClock {
    /// .NET ticks (100 ns) from 0001-01-01 to the Unix epoch: Azure ETags are tick counts.
    static let unixEpochTicks: Int64 = 621_355_968_000_000_000

    /// The next commit time: max(clock, last + 1), recorded in the database. Call inside a transaction.
    static func next(db: SQLiteDatabase, clock: Date) throws(MedStoreError) -> Int64 {
        let wall = micros(clock)
        let last = try db.query("SELECT last_commit_us FROM blob_journal_clock WHERE id = 1").first?.int(0) ?? 0
        let time = max(wall, last + 1)
        try db.query("UPDATE blob_journal_clock SET last_commit_us = ? WHERE id = 1", [.integer(time)])
        return time
    }

    /// Journal microseconds of a wall-clock date (rounded down).
    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    /// Azure-style quoted ETag for a commit time: `"0x"` and the tick count in uppercase hex.
    static func etag(_ micros: Int64) -> String {
        "\"0x" + String(micros * 10 + unixEpochTicks, radix: 16, uppercase: true) + "\""
    }

    /// The commit time as a date cut to whole seconds (HTTP dates have no fractions).
    static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000))
    }
}
