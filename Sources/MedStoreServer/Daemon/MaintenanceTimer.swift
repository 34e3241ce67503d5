import Dispatch
import Foundation
import MedStoreCore

/// Runs the blob store's prune periodically (expired uncommitted blocks, anything a crashed
/// writer left unreferenced). The first run waits one interval; errors are logged, not fatal.
final class MaintenanceTimer: @unchecked Sendable {
    private let blobs: BlobStore
    private let interval: TimeInterval
    private let logger: Logger
    private let metrics: Metrics
    private var timer: DispatchSourceTimer?

    init(blobs: BlobStore, interval: TimeInterval, logger: Logger, metrics: Metrics) {
        self.metrics = metrics
        self.blobs = blobs
        self.interval = interval
        self.logger = logger
    }

    /// Starts the timer (the source exists only while running: Dispatch traps on releasing a
    /// source that was never resumed).
    func start() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "medstore.maintenance"))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .seconds(5))
        timer.setEventHandler { [blobs, logger, metrics] in
            let started = Date()
            do {
                try blobs.prune()
                metrics.observe("medstore_prune_seconds", seconds: Date().timeIntervalSince(started))
                logger.debug("prune finished", [("ms", String(format: "%.1f", Date().timeIntervalSince(started) * 1000))])
            } catch {
                logger.warning("prune failed", [("error", "\(error)")])
            }
        }
        timer.resume()
        self.timer = timer
    }

    /// Stops the timer.
    func stop() {
        timer?.cancel()
        timer = nil
    }
}
