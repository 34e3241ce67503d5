import Dispatch
import Foundation
import MedStoreCore

/// Signals: SIGTERM and SIGINT drain and exit 0 (a second one exits at once with status 1,
/// abandoning what is in flight; committed data is safe in the database); SIGHUP reloads.
///
/// The signals are blocked in every thread from the first line of `main` and taken by one
/// thread with `sigwait`, so a signal that arrives during start-up waits instead of being lost.
public enum SignalHandlers {
    /// Exit status after a second SIGTERM/SIGINT cut the drain short.
    public static let forcedExitStatus: Int32 = 1

    private static var handled: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signalNumber) }
        return set
    }

    /// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread. Call before any thread starts so
    /// that every thread inherits the mask.
    public static func blockEarly() {
        var set = handled
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Starts the thread that waits for the signals and acts on them for `daemon`.
    public static func install(for daemon: Daemon) {
        let stopper = DispatchQueue(label: "medstore.stop")
        let reloader = DispatchQueue(label: "medstore.reload")
        let thread = Thread {
            var set = handled
            var stopRequested = false
            while true {
                var signalNumber: Int32 = 0
                guard sigwait(&set, &signalNumber) == 0 else { continue }
                switch signalNumber {
                case SIGHUP:
                    reloader.async { daemon.reload() }
                default:
                    if stopRequested {
                        daemon.logger.warning("second stop signal: exiting without waiting for the drain",
                                              [("signal", "\(signalNumber)"), ("status", "\(forcedExitStatus)")])
                        _exit(forcedExitStatus)
                    }
                    stopRequested = true
                    stopper.async {
                        daemon.stop()
                        exit(0)
                    }
                }
            }
        }
        thread.name = "medstore-signals"
        thread.start()
    }
}
