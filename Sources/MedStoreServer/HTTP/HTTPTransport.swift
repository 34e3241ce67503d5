import Foundation
import MedStoreSocket

/// Why a connection's byte stream failed.
enum TransportError: Error, Equatable {
    /// `SO_RCVTIMEO`/`SO_SNDTIMEO` expired: the peer made no progress.
    case timedOut
    /// Reset, broken pipe, TLS failure, ...: the stream is unusable.
    case failed(String)
}

/// The byte stream under one HTTP connection: a plain TCP socket or TLS on top of one. Used by
/// a single thread at a time; blocking, with the socket's timeouts.
protocol HTTPTransport: AnyObject {
    /// The socket.
    var fd: Int32 { get }
    /// Reads up to `buffer.count` bytes (at least 1 unless the stream ended); 0 = orderly end.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int
    /// Sends every byte.
    func send(_ bytes: UnsafeRawBufferPointer) throws(TransportError)
    /// Whether input is already waiting above the socket (decrypted TLS bytes), so `poll` on the
    /// socket would not see it.
    var hasBufferedInput: Bool { get }
    /// Ends the stream politely (TLS `close_notify`); the socket itself stays open.
    func finish()
}

/// A plain TCP socket: `recv`/`send` with `MSG_NOSIGNAL`, `EINTR` retried.
final class PlainTransport: HTTPTransport {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        let n = SocketIO.retryingEINTR { recv(fd, buffer.baseAddress, buffer.count, 0) }
        if n < 0 { throw PlainTransport.error(errno) }
        return n
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            let n = SocketIO.retryingEINTR {
                Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 { throw PlainTransport.error(errno) }
            if n == 0 { throw TransportError.failed("send wrote nothing") }
            offset += n
        }
    }

    var hasBufferedInput: Bool { false }

    func finish() {}

    static func error(_ code: Int32) -> TransportError {
        if code == EAGAIN || code == EWOULDBLOCK { return .timedOut }
        return .failed(String(cString: strerror(code)))
    }
}

/// Socket options for accepted connections.
enum SocketOptions {
    /// Sets `SO_RCVTIMEO` or `SO_SNDTIMEO` with sub-second precision (0 = never time out).
    static func setTimeout(_ fd: Int32, option: Int32, seconds: TimeInterval) {
        let clamped = max(0, seconds)
        var tv = timeval(tv_sec: Int(clamped), tv_usec: Int((clamped - clamped.rounded(.down)) * 1_000_000))
        if tv.tv_sec == 0 && tv.tv_usec == 0 && clamped > 0 { tv.tv_usec = 1 }
        _ = setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sets an integer socket option.
    static func setInt(_ fd: Int32, level: Int32, option: Int32, value: Int32) {
        var v = value
        _ = setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Waits until `fd` is readable or `seconds` pass; true when readable (or hung up).
    static func waitReadable(_ fd: Int32, seconds: TimeInterval) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            let rc = poll(&pfd, 1, Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up)))
            if rc > 0 { return true }
            if rc == 0 { continue }
            if errno != EINTR { return true }
        }
    }
}
