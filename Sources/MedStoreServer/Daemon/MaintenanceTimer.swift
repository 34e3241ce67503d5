import Dispatch
import Foundation
import MedStoreCore

/// Runs the blob store's prune periodically (expired uncommitted blocks, anything a crashed
/// writer left unreferenced). The first run waits one interval; errors are logged, not fatal.
final class MaintenanceTimer: @unchecked Sendable {
    private let timer: DispatchSourceTimer

    init(blobs: BlobStore, interval: TimeInterval, logger: Logger) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "medstore.maintenance"))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .seconds(5))
        timer.setEventHandler {
            let started = Date()
            do {
                try blobs.prune()
                logger.debug("prune finished", [("ms", String(format: "%.1f", Date().timeIntervalSince(started) * 1000))])
            } catch {
                logger.warning("prune failed", [("error", "\(error)")])
            }
        }
    }

    func start() { timer.resume() }

    func stop() { timer.cancel() }
}
