import Foundation
import MedStoreCore
import MedStoreProtocol

/// An HTTP/1.1 (and 1.0) server over TCP, optionally TLS, one dedicated thread per connection
/// with blocking I/O bounded by ``HTTPLimits`` — never Swift's cooperative pool.
///
/// - Keep-alive by default on HTTP/1.1 (`Connection: close` honoured); requests on one
///   connection are served one after another, pipelined bytes kept for the next one.
/// - `Expect: 100-continue`: `100 Continue` is sent when the handler first reads the body; a
///   handler that answers without reading gets its response sent and the connection closed.
/// - Limits and malformed requests are answered by the server itself with Azure's XML error
///   body (see ``AzureErrorBody``) and the connection closes: request line too long → 414,
///   headers too large or too many → 431, bad syntax or `Content-Length` (conflicting,
///   negative, non-numeric) or `Content-Length` with `Transfer-Encoding` → 400, a head not
///   received within the read timeout → 408, too many connections → 503 `ServerBusy`.
/// - Every response carries `Date`, `x-ms-request-id`, `x-ms-version`, `Server: medstored` and
///   `Content-Length` (see ``HTTPResponsePreparation/prepare(_:request:requestID:keepAlive:now:)``);
///   HEAD responses carry headers only.
/// - A body the handler left unread is drained (up to 1 MiB) to keep the connection; more, and
///   the connection closes.
public final class HTTPServer: @unchecked Sendable {
    private let listener: HTTPListener
    private let handler: any HTTPHandler
    private let logger: Logger
    private let limits: HTTPLimits
    private let tls: TLSContext?
    private let condition = NSCondition()
    private var connections: [UInt64: (fd: Int32, idle: Bool)] = [:]
    private var nextConnectionID: UInt64 = 1
    private var stopping = false
    private var started = false
    private let acceptDone = DispatchSemaphore(value: 0)

    /// The TCP port listened on (the real one when `listen` asked for port 0).
    public var boundPort: Int { listener.port }

    /// Open client connections right now.
    public var activeConnections: Int {
        condition.lock()
        defer { condition.unlock() }
        return connections.count
    }

    /// Binds `listen` (`127.0.0.1:10000`, `[::1]:10000`, `0.0.0.0:10000`, `[::]:10000`), or adopts
    /// the listening socket `inheritedFD` (socket activation), and, with `tls`, loads the
    /// certificate and key. Serving begins with ``start()``.
    public init(listen: String, inheritedFD: Int32? = nil, tls: TLSConfiguration?, handler: any HTTPHandler,
                logger: Logger, limits: HTTPLimits = .init()) throws(MedStoreError) {
        self.tls = try tls.map { configuration throws(MedStoreError) in try TLSContext(configuration) }
        if let inheritedFD {
            self.listener = HTTPListener(adoptingFD: inheritedFD)
        } else {
            self.listener = try HTTPListener(listen: listen)
        }
        self.handler = handler
        self.logger = logger
        self.limits = limits
    }

    deinit {
        listener.close()
    }

    /// Starts the accept thread.
    public func start() {
        condition.lock()
        guard !started && !stopping else {
            condition.unlock()
            return
        }
        started = true
        condition.unlock()
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "medstore-http-accept"
        thread.start()
        logger.notice("http server listening", [("port", "\(boundPort)"), ("tls", tls == nil ? "off" : "on")])
    }

    /// Stops accepting, closes idle keep-alive connections at once, lets in-flight requests finish
    /// (each connection closes after its current response) for up to `drainTimeout` seconds, then
    /// cuts the rest. Returns whether every in-flight request finished in time.
    @discardableResult
    public func stop(drainTimeout: TimeInterval) -> Bool {
        condition.lock()
        if stopping {
            condition.unlock()
            return true
        }
        stopping = true
        let wasStarted = started
        for (_, connection) in connections where connection.idle {
            shutdown(connection.fd, Int32(SHUT_RDWR))
        }
        condition.unlock()
        listener.wake()
        if wasStarted { acceptDone.wait() }
        listener.close()

        let deadline = Date().addingTimeInterval(drainTimeout)
        condition.lock()
        while !connections.isEmpty && condition.wait(until: deadline) {}
        let drained = connections.isEmpty
        if !drained {
            logger.warning("http connections still busy after the drain timeout; closing them",
                           [("connections", "\(connections.count)")])
            for (_, connection) in connections { shutdown(connection.fd, Int32(SHUT_RDWR)) }
            let cutoff = Date().addingTimeInterval(2)
            while !connections.isEmpty && condition.wait(until: cutoff) {}
        }
        condition.unlock()
        return drained
    }

    private func acceptLoop() {
        defer { acceptDone.signal() }
        while true {
            var pfd = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 500)
            condition.lock()
            let isStopping = stopping
            condition.unlock()
            if isStopping { return }
            if ready <= 0 { continue }
            let fd = listener.accept()
            if fd < 0 {
                let code = errno
                if code == EINTR || code == EAGAIN || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE {
                    logger.warning("http accept failed: out of file descriptors")
                } else {
                    logger.error("http accept failed", [("errno", "\(code)")])
                }
                usleep(50_000)
                continue
            }
            admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        guard let peer = HTTPListener.peerAddress(fd) else {
            close(fd)
            return
        }
        condition.lock()
        guard connections.count < limits.maxConnections else {
            condition.unlock()
            refuseBusy(fd, peer: peer)
            return
        }
        let id = nextConnectionID
        nextConnectionID += 1
        connections[id] = (fd: fd, idle: false)
        condition.unlock()

        let context = HTTPConnection.Context(
            handler: handler, limits: limits, tls: tls, logger: logger,
            enterIdle: { [self] in setIdle(id, true) },
            leaveIdle: { [self] in setIdle(id, false) },
            isStopping: { [self] in
                condition.lock()
                defer { condition.unlock() }
                return stopping
            })
        let thread = Thread { [self] in
            HTTPConnection(fd: fd, id: id, peer: peer, context: context).run()
            // Close under the lock so `stop` never shuts down a descriptor number already reused.
            condition.lock()
            connections[id] = nil
            close(fd)
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "medstore-http-\(id)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Records whether connection `id` waits between requests; false when the server is stopping.
    private func setIdle(_ id: UInt64, _ idle: Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        connections[id]?.idle = idle
        return !stopping
    }

    /// Answers `503 ServerBusy` on the accept thread (a small write that fits the socket buffer)
    /// and closes.
    private func refuseBusy(_ fd: Int32, peer: IPAddress) {
        logger.warning("http connection refused: too many connections",
                       [("peer", peer.description), ("limit", "\(limits.maxConnections)")])
        let requestID = HTTPRequestID.make()
        if tls == nil {
            let response = AzureErrorBody.response(status: 503, code: "ServerBusy",
                                                   message: "The server has too many open connections. Please retry later.",
                                                   requestID: requestID)
            let prepared = HTTPResponsePreparation.prepare(response, request: nil, requestID: requestID, keepAlive: false)
            var bytes = prepared.head
            if case .bytes(let body) = response.body { bytes += body }
            SocketOptions.setTimeout(fd, option: SO_SNDTIMEO, seconds: 1)
            _ = bytes.withUnsafeBytes { raw in send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            shutdown(fd, Int32(SHUT_WR))
            // Swallow what already arrived so closing does not reset the connection under the reply.
            var scratch = [UInt8](repeating: 0, count: 16 * 1024)
            while scratch.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        }
        close(fd)
    }
}
