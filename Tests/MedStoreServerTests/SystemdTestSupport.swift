import Foundation
import MedStoreSocket

/// Plays systemd's part for notify tests: a real `AF_UNIX` datagram socket (a path, or an
/// abstract name when `abstract`) that collects every notification sent to it.
final class NotifySocketListener: @unchecked Sendable {
    /// What to put in `NOTIFY_SOCKET`.
    let address: String
    private let fd: Int32
    private let lock = NSCondition()
    private var messages: [String] = []
    private var path: String?

    init(directory: String, abstract: Bool = false) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        var bytes: [UInt8]
        if abstract {
            address = "@medstore-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            bytes = Array(address.utf8)
            bytes[0] = 0
        } else {
            address = directory + "/notify.sock"
            path = address
            bytes = Array(address.utf8) + [0]
        }
        withUnsafeMutableBytes(of: &sa.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let rc = withUnsafePointer(to: &sa) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
        let thread = Thread { [self] in receiveLoop() }
        thread.start()
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
            lock.lock()
            messages.append(String(decoding: buffer[0..<n], as: UTF8.self))
            lock.broadcast()
            lock.unlock()
        }
    }

    /// Every message so far.
    var received: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }

    /// Waits up to `timeout` for a message satisfying `match`; returns it.
    func waitFor(timeout: TimeInterval = 10, _ match: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let found = messages.first(where: match) { return found }
            if !lock.wait(until: deadline) { return messages.first(where: match) }
        }
    }

    /// Stops listening.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        if let path { unlink(path) }
    }
}
