import Dispatch
import Foundation

/// Turns SIGTERM and SIGINT into a clean stop: the first one drains and exits 0.
public enum SignalHandlers {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs handlers that call `daemon.stop()` then `exit(0)`.
    public static func install(for daemon: Daemon) {
        let queue = DispatchQueue(label: "medstore.signals")
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { @Sendable in
                daemon.stop()
                exit(0)
            }
            source.resume()
            sources.append(source)
        }
    }
}
