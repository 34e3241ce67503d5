import CMedStoreShims
import Foundation
import MedStoreCore
import MedStoreSocket

/// `sd_notify(3)` without libsystemd: one datagram per message to `$NOTIFY_SOCKET` (a path, or
/// an abstract-namespace name when it starts with `@`). Without `NOTIFY_SOCKET` every call is a
/// no-op, so the daemon behaves the same outside systemd.
public final class SystemdNotifier: @unchecked Sendable {
    /// The socket address, nil when not running under a notify-aware supervisor.
    public let socketPath: String?
    /// Interval systemd expects `WATCHDOG=1` within (`WATCHDOG_USEC`), when it is meant for us.
    public let watchdogInterval: TimeInterval?
    private let logger: Logger
    private let lock = NSLock()
    private var warned = false

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`. The watchdog
    /// applies only when `WATCHDOG_PID` is absent or names `pid`.
    public init(environment: [String: String], pid: pid_t = getpid(), logger: Logger) {
        self.logger = logger
        if let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || path.hasPrefix("@"), path.utf8.count < 108 {
            socketPath = path
        } else {
            socketPath = nil
        }
        let forUs = environment["WATCHDOG_PID"].map { pid_t($0) == pid } ?? true
        if forUs, let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 {
            watchdogInterval = TimeInterval(usec) / 1_000_000
        } else {
            watchdogInterval = nil
        }
    }

    /// Whether messages go anywhere.
    public var isEnabled: Bool { socketPath != nil }

    /// Sends `READY=1` (optionally with a status line).
    public func ready(status: String? = nil) {
        send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// Sends `STATUS=<text>`.
    public func status(_ text: String) { send(["STATUS=\(text)"]) }

    /// Sends `STOPPING=1`.
    public func stopping() { send(["STOPPING=1", "STATUS=Stopping: draining requests in flight"]) }

    /// Sends `RELOADING=1` with `MONOTONIC_USEC` (as `Type=notify-reload` requires).
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        send(["RELOADING=1", "MONOTONIC_USEC=\(usec)", "STATUS=Reloading configuration"])
    }

    /// Sends `WATCHDOG=1`.
    public func watchdog() { send(["WATCHDOG=1"]) }

    /// Sends the newline-joined assignments as one datagram; failures are logged once, never fatal.
    public func send(_ assignments: [String]) {
        guard let socketPath else { return }
        let message = Array(assignments.joined(separator: "\n").utf8)
        let error = SystemdNotifier.sendDatagram(message, to: socketPath)
        guard let error else { return }
        let first = lock.withLock { () -> Bool in
            defer { warned = true }
            return !warned
        }
        if first { logger.warning("cannot notify systemd", [("socket", socketPath), ("error", error)]) }
    }

    /// Sends `message` to the datagram socket at `path` (`@name`: abstract namespace). Returns an
    /// error text, nil on success.
    static func sendDatagram(_ message: [UInt8], to path: String) -> String? {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes) }
        // Abstract names are exactly as long as given; paths may count the terminating zero too.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let sent = message.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) { ptr in
                ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    SocketIO.retryingEINTR { sendto(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL), sa, length) }
                }
            }
        }
        return sent < 0 ? String(cString: strerror(errno)) : nil
    }
}
