import COpenSSL
import Foundation

/// TLS over a connected socket. Blocking; the socket's `SO_RCVTIMEO`/`SO_SNDTIMEO` bound every
/// step. SIGPIPE from OpenSSL's `write` is blocked on connection threads by the server.
final class TLSTransport: HTTPTransport {
    let fd: Int32
    private let ssl: OpaquePointer
    private var finished = false

    init(fd: Int32, ssl: OpaquePointer) {
        self.fd = fd
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            ERR_clear_error()
            errno = 0
            var count = 0
            let rc = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
            if rc == 1 { return count }
            let savedErrno = errno
            let code = SSL_get_error(ssl, rc)
            // close_notify, or (SYSCALL without errno) a peer that closed the socket without one.
            if code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && savedErrno == 0) { return 0 }
            errno = savedErrno
            if let failure = classify(rc) { throw failure }
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            errno = 0
            var count = 0
            let rc = SSL_write_ex(ssl, bytes.baseAddress! + offset, bytes.count - offset, &count)
            if rc == 1 {
                offset += count
                continue
            }
            if let failure = classify(rc) { throw failure }
        }
    }

    var hasBufferedInput: Bool { SSL_has_pending(ssl) == 1 }

    func finish() {
        guard !finished else { return }
        finished = true
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Maps a failed SSL call to an error; `nil` means retry (interrupted system call).
    func classify(_ rc: Int32) -> TransportError? {
        let savedErrno = errno
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            if savedErrno == EINTR { return nil }
            return .timedOut
        case SSL_ERROR_SYSCALL:
            if savedErrno == EINTR { return nil }
            if savedErrno == EAGAIN || savedErrno == EWOULDBLOCK { return .timedOut }
            return .failed(savedErrno == 0 ? "connection closed during TLS" : String(cString: strerror(savedErrno)))
        case SSL_ERROR_ZERO_RETURN:
            return .failed("the peer closed the TLS session")
        default:
            return .failed("TLS error: \(TLSContext.lastError())")
        }
    }
}
