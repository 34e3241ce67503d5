import CMedStoreShims
import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreSocket

/// Accepts control connections on a Unix socket, one reader thread each, and runs requests on a
/// worker queue. Stops accepting, drains and closes on `stop`.
public final class ControlServer: @unchecked Sendable {
    /// Most concurrent connections; more are answered with `resourceExhausted` and closed.
    public static let maxConnections = 256

    private let listener: UnixListener
    private let router: RequestRouter
    private let logger: Logger
    private let tracker = InFlightTracker()
    private let workers = DispatchQueue(label: "medstore.control.workers", attributes: .concurrent)
    private let lock = NSLock()
    private var connections: [UInt64: ControlConnection] = [:]
    private var nextConnectionID: UInt64 = 1
    private var acceptThread: Thread?
    private var stopping = false
    private let acceptDone = DispatchSemaphore(value: 0)
    private let helloResult: Hello.Result
    private let access: AccessControl
    private let gatekeeper: Gatekeeper

    /// The socket path served.
    public var socketPath: String { listener.path }

    /// Requests finished since start.
    public var requestsServed: UInt64 { tracker.totalServed }

    /// Connections open now.
    public var openConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return connections.count
    }

    private let metrics: Metrics

    /// Binds `socketPath` (mode `mode`), or adopts the listening socket `inheritedFD` (socket
    /// activation; `socketPath` then only names it when the fd cannot), and prepares to serve
    /// `service`. `socketGroup` (a name or gid) becomes the group of a socket file bound here;
    /// `access` decides callers' roles.
    public init(socketPath: String, mode: mode_t = 0o660, inheritedFD: Int32? = nil, service: AccountService,
                startedAt: Date, logger: Logger, access: AccessControl = AccessControl(),
                socketGroup: String? = nil, metrics: Metrics = Metrics()) throws(MedStoreError) {
        self.metrics = metrics
        if let inheritedFD {
            self.listener = UnixListener(adoptingFD: inheritedFD, path: socketPath)
        } else {
            self.listener = try UnixListener(path: socketPath, mode: mode, logger: logger)
            if let socketGroup { try ControlServer.setGroup(socketGroup, of: listener) }
        }
        self.logger = logger
        self.access = access
        self.gatekeeper = Gatekeeper(access: access, service: service)
        let tracker = self.tracker
        self.router = ControlHandlers.router(service: service, facts: .init(startedAt: startedAt,
                                                                           requestsServed: { tracker.totalServed },
                                                                           metrics: metrics))
        self.helloResult = Hello.Result(daemon: "medstored", daemonVersion: service.configuration.daemonVersion,
                                        protocolMajor: ProtocolVersion.major, protocolMinor: ProtocolVersion.minor,
                                        methods: MethodRegistry.names,
                                        maxFrameBytes: UInt64(ProtocolLimits.maxFrameBytes),
                                        maxInFlight: UInt64(ProtocolLimits.maxInFlightPerConnection))
    }

    /// Starts the accept thread.
    public func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "medstore-accept"
        acceptThread = thread
        thread.start()
    }

    private func acceptLoop() {
        defer { acceptDone.signal() }
        while true {
            var pfd = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 200)
            lock.lock()
            let isStopping = stopping
            lock.unlock()
            if isStopping { return }
            if ready <= 0 { continue }
            let fd = medstore_accept_cloexec(listener.fd)
            if fd < 0 {
                if errno == EINTR || errno == EAGAIN || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE {
                    logger.warning("accept failed: out of file descriptors")
                    usleep(50_000)
                    continue
                }
                logger.error("accept failed", [("errno", "\(errno)")])
                continue
            }
            admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        guard let identity = PeerIdentityReader.identity(of: fd) else {
            logger.warning("refusing a connection without peer credentials", [("errno", "\(errno)")])
            close(fd)
            return
        }
        lock.lock()
        guard connections.count < ControlServer.maxConnections else {
            lock.unlock()
            let refusal = ResponseEnvelope(id: 0, outcome: .error(MedStoreError(.resourceExhausted,
                "the daemon has \(ControlServer.maxConnections) connections open; try again later")))
            if let bytes = try? FrameEncoder.frame(refusal.encoded()) { try? SocketIO.sendAll(fd, bytes) }
            close(fd)
            return
        }
        let id = nextConnectionID
        nextConnectionID += 1
        let connection = ControlConnection(fd: fd, id: id, identity: identity, baseRole: access.baseRole(of: identity),
                                           gatekeeper: gatekeeper, router: router, hello: helloResult,
                                           tracker: tracker, workers: workers, logger: logger, metrics: metrics)
        connections[id] = connection
        lock.unlock()
        let thread = Thread { [self] in
            connection.run()
            lock.lock()
            connections[id] = nil
            lock.unlock()
        }
        thread.name = "medstore-conn-\(id)"
        thread.start()
    }

    /// Stops accepting, waits up to `drainTimeout` for in-flight requests, then closes every
    /// connection. Returns whether everything in flight finished.
    @discardableResult
    public func stop(drainTimeout: TimeInterval = 30) -> Bool {
        lock.lock()
        let alreadyStopping = stopping
        stopping = true
        lock.unlock()
        if alreadyStopping { return true }
        if acceptThread != nil { acceptDone.wait() }
        listener.close()
        let drained = tracker.waitUntilIdle(timeout: drainTimeout)
        lock.lock()
        let open = Array(connections.values)
        lock.unlock()
        for connection in open { connection.shutdownSocket() }
        // Give reader threads a moment to notice and close their sockets.
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            lock.lock()
            let remaining = connections.count
            lock.unlock()
            if remaining == 0 { break }
            usleep(2000)
        }
        return drained
    }
}
