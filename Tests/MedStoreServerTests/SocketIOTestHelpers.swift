import Foundation
import MedStoreSocket

/// Raw-socket helpers for tests that must misbehave on purpose.
enum SocketIOTestHelpers {
    /// Binds a Unix socket at `path` and closes it, leaving a stale socket file.
    static func bindAndClose(_ path: String) throws -> sockaddr_un {
        var address = try SocketIO.unixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let rc = withUnsafePointer(to: &address) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        precondition(rc == 0, "bind failed")
        close(fd)
        return address
    }

    /// Connects a raw socket to `path`.
    static func connect(_ path: String) throws -> Int32 {
        switch try SocketIO.connectUnix(path) {
        case .success(let fd): return fd
        case .failure(let code): throw POSIXError(code)
        }
    }

    /// Reads until the peer closes or `timeout` passes; returns the bytes and whether it closed.
    static func readUntilClosed(_ fd: Int32, timeout: Int = 5) -> (bytes: [UInt8], closed: Bool) {
        SocketIO.setTimeout(fd, option: SO_RCVTIMEO, seconds: timeout)
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            guard let n = try? SocketIO.receive(fd, into: &buffer) else { return (all, false) }
            if n == 0 { return (all, true) }
            all += buffer[0..<n]
        }
    }
}
