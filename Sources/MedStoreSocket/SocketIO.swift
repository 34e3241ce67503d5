import Foundation
import MedStoreProtocol

/// Small wrappers over Unix-socket syscalls shared by the server and the client: every call
/// retries `EINTR`, sends never raise SIGPIPE.
public enum SocketIO {
    /// Runs `call` again while it fails with `EINTR`.
    public static func retryingEINTR<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Writes every byte or throws (peer gone, send timeout).
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(MedStoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                retryingEINTR { send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL)) }
            }
            if n <= 0 {
                throw MedStoreError(.unavailable, "send failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads up to `buffer.count` bytes; 0 means the peer closed; throws on error.
    public static func receive(_ fd: Int32, into buffer: inout [UInt8]) throws(MedStoreError) -> Int {
        let n = buffer.withUnsafeMutableBytes { raw in
            retryingEINTR { recv(fd, raw.baseAddress!, raw.count, 0) }
        }
        if n < 0 {
            throw MedStoreError(.unavailable, "receive failed: \(String(cString: strerror(errno)))")
        }
        return n
    }

    /// Sets a send or receive timeout on a socket.
    public static func setTimeout(_ fd: Int32, option: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Builds a `sockaddr_un` for `path`, or throws when the path is too long.
    public static func unixAddress(_ path: String) throws(MedStoreError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw MedStoreError(.invalidArgument, "socket path is \(bytes.count) bytes; Unix sockets allow at most \(capacity - 1): \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return address
    }

    /// The outcome of a connect attempt.
    public enum ConnectResult: Sendable {
        /// Connected: the socket's file descriptor.
        case success(Int32)
        /// Refused or failed with this errno.
        case failure(POSIXErrorCode)
    }

    /// Connects a new stream socket to `path`; returns the fd or the errno.
    public static func connectUnix(_ path: String) throws(MedStoreError) -> ConnectResult {
        var address = try unixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MedStoreError(.internal, "socket() failed: \(String(cString: strerror(errno)))") }
        let rc = withUnsafePointer(to: &address) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                retryingEINTR { connect(fd, sa, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        if rc != 0 {
            let code = POSIXErrorCode(rawValue: errno) ?? .EIO
            close(fd)
            return .failure(code)
        }
        return .success(fd)
    }
}
