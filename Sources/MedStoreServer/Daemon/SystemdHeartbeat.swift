import Dispatch
import Foundation
import MedStoreCore

/// Periodic messages to systemd while serving: a `STATUS=` line every `statusInterval` seconds
/// and, when a watchdog is configured, `WATCHDOG=1` every half `WATCHDOG_USEC`. The watchdog
/// ping first takes the database lock (a status query), so a wedged daemon stops pinging and
/// systemd restarts it.
final class SystemdHeartbeat: @unchecked Sendable {
    private let notifier: SystemdNotifier
    private let statusInterval: TimeInterval
    private let statusLine: @Sendable () -> String?
    private let healthCheck: @Sendable () -> Bool
    private let queue = DispatchQueue(label: "medstore.systemd")
    private var timers: [DispatchSourceTimer] = []

    /// `statusLine` makes the current status (nil: skip); `healthCheck` gates watchdog pings.
    init(notifier: SystemdNotifier, statusInterval: TimeInterval, statusLine: @escaping @Sendable () -> String?,
         healthCheck: @escaping @Sendable () -> Bool) {
        self.notifier = notifier
        self.statusInterval = statusInterval
        self.statusLine = statusLine
        self.healthCheck = healthCheck
    }

    /// Starts the timers (nothing when systemd is not listening).
    func start() {
        guard notifier.isEnabled, timers.isEmpty else { return }
        let status = DispatchSource.makeTimerSource(queue: queue)
        status.schedule(deadline: .now() + statusInterval, repeating: statusInterval, leeway: .milliseconds(200))
        status.setEventHandler { [notifier, statusLine] in
            if let line = statusLine() { notifier.status(line) }
        }
        timers.append(status)
        if let interval = notifier.watchdogInterval {
            let half = max(interval / 2, 0.01)
            let watchdog = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "medstore.watchdog"))
            watchdog.schedule(deadline: .now(), repeating: half, leeway: .milliseconds(Int(min(half * 100, 1000))))
            watchdog.setEventHandler { [notifier, healthCheck] in
                if healthCheck() { notifier.watchdog() }
            }
            timers.append(watchdog)
        }
        for timer in timers { timer.resume() }
    }

    /// Stops the timers.
    func stop() {
        for timer in timers { timer.cancel() }
        timers.removeAll()
    }
}
