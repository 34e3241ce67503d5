import Foundation
import MedStoreProtocol

/// How long the backup journal keeps what a restore needs: a whole number of days, changeable
/// while serving (a configuration reload). Safe from any thread.
public final class BackupRetention: @unchecked Sendable {
    /// Days kept when nothing is configured (Azure's container point-in-time restore maximum).
    public static let defaultDays = 35
    /// Allowed range of `--backup-retention-days`.
    public static let allowedDays = 1...365
    static let microsPerDay: Int64 = 86_400 * 1_000_000

    private let lock = NSLock()
    private var liveDays: Int

    /// A retention of `days` (checked with ``validate(_:)``).
    public init(days: Int = BackupRetention.defaultDays) {
        liveDays = days
    }

    /// The retention in days.
    public var days: Int { lock.withLock { liveDays } }

    /// The retention in journal microseconds.
    var micros: Int64 { Int64(days) * BackupRetention.microsPerDay }

    /// Changes the retention; the next prune and restore use it.
    public func update(days: Int) throws(MedStoreError) {
        try BackupRetention.validate(days)
        lock.withLock { liveDays = days }
    }

    /// Refuses a retention outside ``allowedDays``.
    public static func validate(_ days: Int) throws(MedStoreError) {
        guard allowedDays.contains(days) else {
            throw MedStoreError(.invalidArgument,
                                "backup retention must be \(allowedDays.lowerBound) to \(allowedDays.upperBound) days, got \(days)")
        }
    }
}
