import Foundation
import MedStoreProtocol

extension BlobStore {
    /// The times a container can be restored to: inside the retention window, after the last
    /// prune's cutoff, and while the container existed.
    struct RestoreWindow {
        /// Journal present (µs).
        var now: Int64
        /// Earliest restorable time of the journal as a whole (µs).
        var journalEarliest: Int64
        /// The container's lifetimes that reach into the window, oldest first.
        var lifetimes: [ContainerLifetime]

        /// Earliest restore point of this container, if any.
        var earliest: Int64? { lifetimes.first.map { max($0.createdAt, journalEarliest) } }
        /// Latest restore point: now while the container exists, else just before its last deletion.
        var latest: Int64? {
            guard let last = lifetimes.last else { return nil }
            return last.deletedAt.map { $0 - 1 } ?? now
        }

        /// The lifetime covering `time`, if the time is restorable.
        func lifetime(at time: Int64) -> ContainerLifetime? {
            guard time >= journalEarliest, time <= now else { return nil }
            return lifetimes.first { $0.covers(time) }
        }

        /// The refusal for a time outside the window, naming the window.
        func refusal(container: String, time: Int64) -> MedStoreError {
            let asked = RestorePoint.format(time)
            guard let earliest, let latest else {
                return MedStoreError(.containerNotFound,
                                     "container '\(container)' has no backup inside the retention window (it does not exist and was not deleted recently)")
            }
            let spans = lifetimes.map { l in
                "from \(RestorePoint.format(max(l.createdAt, journalEarliest))) to \(l.deletedAt.map { RestorePoint.format($0 - 1) } ?? "now")"
            }.joined(separator: " or ")
            let reason: String
            if time > now {
                reason = "is in the future"
            } else if time < journalEarliest {
                reason = "is before the retained window"
            } else {
                reason = "is outside the times the container existed"
            }
            return MedStoreError(.invalidTime,
                "restore time \(asked) \(reason); container '\(container)' can be restored to any time \(spans) (earliest \(RestorePoint.format(earliest)), latest \(RestorePoint.format(latest)))")
        }
    }

    /// The restore window of `container`. Call with the lock held.
    func restoreWindow(_ container: String) throws(MedStoreError) -> RestoreWindow {
        let now = try journalNow()
        let journalEarliest = max(retentionCutoff(now: now), try BackupSettings.prunedThrough(db: db))
        let lifetimes = try lifetimes(of: container).filter { l in
            l.deletedAt.map { $0 > journalEarliest } ?? true
        }
        return RestoreWindow(now: now, journalEarliest: journalEarliest, lifetimes: lifetimes)
    }
}
