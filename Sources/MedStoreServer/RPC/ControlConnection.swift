import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreSocket

/// One client connection: a reader thread splits frames, answers `hello` first, then hands each
/// request to the worker queue; replies may leave in any order and carry the request's id.
/// Before a request reaches its handler the caller's role is checked against ``MethodPolicy``;
/// a caller with no role (a stranger) gets `permissionDenied` and the connection closes.
final class ControlConnection: @unchecked Sendable {
    let fd: Int32
    let id: UInt64
    private let identity: CallerIdentity
    private let baseRole: Role
    private let gatekeeper: Gatekeeper
    private let router: RequestRouter
    private let hello: Hello.Result
    private let tracker: InFlightTracker
    private let workers: DispatchQueue
    private let logger: Logger
    private let metrics: Metrics
    private let outbox: ReplyOutbox
    private let stateLock = NSLock()
    private var inFlight = 0
    /// Requests admitted whose reply is not yet queued (`inFlight` frees a moment earlier).
    private var unfinished = 0
    private var closed = false

    init(fd: Int32, id: UInt64, identity: CallerIdentity, baseRole: Role, gatekeeper: Gatekeeper,
         router: RequestRouter, hello: Hello.Result, tracker: InFlightTracker, workers: DispatchQueue, logger: Logger,
         metrics: Metrics) {
        self.fd = fd
        self.id = id
        self.identity = identity
        self.baseRole = baseRole
        self.gatekeeper = gatekeeper
        self.router = router
        self.hello = hello
        self.tracker = tracker
        self.workers = workers
        self.logger = logger
        self.metrics = metrics
        self.outbox = ReplyOutbox(fd: fd, connectionID: id)
    }

    /// Reads and serves until the peer hangs up, sends something unusable, or `shutdown` is called.
    func run() {
        SocketIO.setTimeout(fd, option: SO_SNDTIMEO, seconds: 10)
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var greeted = false
        readLoop: while true {
            let n: Int
            do { n = try SocketIO.receive(fd, into: &buffer) } catch { break }
            if n == 0 { break }
            decoder.append(buffer[0..<n])
            while true {
                let payload: [UInt8]
                do {
                    guard let next = try decoder.nextFrame() else { break }
                    payload = next
                } catch {
                    reply(ResponseEnvelope(id: 0, outcome: .error(error)))
                    logger.info("closing connection after framing error", [("conn", "\(id)"), ("error", error.message)])
                    break readLoop
                }
                guard outbox.waitForRoom(), handle(payload, greeted: &greeted) else { break readLoop }
            }
        }
        finish()
    }

    /// Handles one payload; returns false when the connection must close.
    private func handle(_ payload: [UInt8], greeted: inout Bool) -> Bool {
        let request: RequestEnvelope
        do {
            request = try RequestEnvelope.decode(payload)
        } catch {
            reply(ResponseEnvelope(id: error.id, outcome: .error(error.error)))
            return error.error.code != .protocolError
        }
        if request.method == Hello.name {
            return answerHello(request, greeted: &greeted)
        }
        guard greeted else {
            reply(ResponseEnvelope(id: request.id, outcome: .error(
                MedStoreError(.protocolError, "the first request on a connection must be 'hello'"))))
            return false
        }
        let caller: RequestCaller
        switch gatekeeper.caller(identity, baseRole: baseRole) {
        case .success(let found): caller = found
        case .failure(let error):
            reply(ResponseEnvelope(id: request.id, outcome: .error(publicError(error, method: request.method, requestID: request.id))))
            return true
        }
        if caller.role == .stranger, let denial = MethodPolicy.denial(method: request.method, role: .stranger, uid: identity.uid) {
            deny(request, denial)
            return false
        }
        guard let handler = router.handler(for: request.method) else {
            reply(ResponseEnvelope(id: request.id, outcome: .error(
                MedStoreError(.unknownMethod, "unknown method '\(request.method)'; the daemon serves: \(router.methodNames.joined(separator: ", "))"))))
            return true
        }
        if let denial = MethodPolicy.denial(method: request.method, role: caller.role, uid: identity.uid) {
            deny(request, denial)
            return true
        }
        stateLock.lock()
        let admitted = inFlight < ProtocolLimits.maxInFlightPerConnection
        if admitted {
            inFlight += 1
            unfinished += 1
        }
        stateLock.unlock()
        guard admitted else {
            reply(ResponseEnvelope(id: request.id, outcome: .error(MedStoreError(.resourceExhausted,
                "more than \(ProtocolLimits.maxInFlightPerConnection) requests in flight on one connection; wait for replies"))))
            return true
        }
        tracker.begin()
        workers.async { [self] in
            let started = Date()
            let outcome: ResponseEnvelope.Outcome
            switch handler(request.params, caller) {
            case .success(let value): outcome = .result(value)
            case .failure(let error): outcome = .error(publicError(error, method: request.method, requestID: request.id))
            }
            record(method: request.method, outcome: outcome, seconds: Date().timeIntervalSince(started))
            // The slot frees before the reply is queued, so a client that has its reply may send again.
            stateLock.lock()
            inFlight -= 1
            stateLock.unlock()
            reply(ResponseEnvelope(id: request.id, outcome: outcome))
            stateLock.lock()
            unfinished -= 1
            stateLock.unlock()
            tracker.end()
        }
        return true
    }

    /// Counts a finished request (and an issued token) in the metrics.
    private func record(method: String, outcome: ResponseEnvelope.Outcome, seconds: Double) {
        var result = "ok"
        if case .error(let error) = outcome { result = error.code.rawValue }
        metrics.add("medstore_control_requests_total", [("method", method), ("outcome", result)])
        metrics.observe("medstore_control_request_seconds", [("method", method)], seconds: seconds)
        if result == "ok" && (method == TokenContainer.name || method == TokenBlob.name) {
            metrics.add("medstore_tokens_issued_total", [("resource", method == TokenBlob.name ? "blob" : "container")])
        }
    }

    /// Sends a `permissionDenied` reply and logs who was refused what.
    private func deny(_ request: RequestEnvelope, _ denial: MedStoreError) {
        logger.info("permission denied", [("conn", "\(id)"), ("method", request.method), ("uid", "\(identity.uid)"),
                                          ("pid", "\(identity.pid)")])
        reply(ResponseEnvelope(id: request.id, outcome: .error(denial)))
    }

    private func answerHello(_ request: RequestEnvelope, greeted: inout Bool) -> Bool {
        let params: Hello.Params
        do {
            params = try CBORDecoder().decode(Hello.Params.self, from: request.params)
        } catch {
            reply(ResponseEnvelope(id: request.id, outcome: .error(
                MedStoreError(.invalidArgument, "hello: \(describeDecodingError(error))"))))
            return greeted
        }
        guard params.protocolMajor == ProtocolVersion.major else {
            reply(ResponseEnvelope(id: request.id, outcome: .error(MedStoreError(.unsupportedVersion,
                "this daemon speaks protocol \(ProtocolVersion.major).\(ProtocolVersion.minor); the client speaks \(params.protocolMajor).\(params.protocolMinor); use a client for major version \(ProtocolVersion.major)"))))
            return false
        }
        greeted = true
        do {
            reply(ResponseEnvelope(id: request.id, outcome: .result(try CBOREncoder().encode(hello))))
        } catch {
            return false
        }
        return true
    }

    /// Errors reach the wire as they are, except `internal`, whose detail goes to the log only.
    private func publicError(_ error: MedStoreError, method: String, requestID: UInt64) -> MedStoreError {
        guard error.code == .internal else { return error }
        logger.error("internal error", [("conn", "\(id)"), ("request", "\(requestID)"), ("method", method), ("detail", error.message)])
        return MedStoreError(.internal, "internal error (the daemon log has the detail for connection \(id) request \(requestID))")
    }

    /// Sends one reply frame; a reply too large for a frame becomes a `resourceExhausted` error.
    private func reply(_ unredacted: ResponseEnvelope) {
        var response = unredacted
        if case .error(let error) = response.outcome { response.outcome = .error(SecretShape.redact(error)) }
        var bytes: [UInt8]
        do {
            bytes = try FrameEncoder.frame(response.encoded())
        } catch {
            let fallback = ResponseEnvelope(id: response.id, outcome: .error(
                MedStoreError(.resourceExhausted, "the reply is larger than one frame; ask for a smaller page")))
            bytes = (try? FrameEncoder.frame(fallback.encoded())) ?? []
        }
        outbox.enqueue(bytes)
    }

    /// Wakes the reader so the connection ends (used at shutdown).
    func shutdownSocket() {
        stateLock.lock()
        defer { stateLock.unlock() }
        if !closed { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Waits for this connection's requests to finish and their replies to go out, then closes
    /// the socket.
    private func finish() {
        while true {
            stateLock.lock()
            let pending = unfinished
            stateLock.unlock()
            if pending == 0 { break }
            usleep(1000)
        }
        outbox.finish()
        stateLock.lock()
        closed = true
        stateLock.unlock()
        close(fd)
    }
}
