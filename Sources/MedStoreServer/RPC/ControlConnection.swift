import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreSocket

/// One client connection: a reader thread splits frames, answers `hello` first, then hands each
/// request to the worker queue; replies may leave in any order and carry the request's id.
/// Before a request reaches its handler the caller's role is checked against ``MethodPolicy``;
/// a caller with no role (a stranger) gets `permissionDenied` and the connection closes.
///
/// Every request after `hello` is recorded in the audit trail (spec §5.2) and no reply leaves
/// before its record is durable. A request with side effects is performed only after its
/// `attempt` record is durable (otherwise it is refused with `unavailable`); its `outcome` record
/// follows. A reply-only request (``AuditPolicy``) leaves one `request` record after its handler;
/// if that cannot be written the result is dropped and the reply is `unavailable`. Refusals leave
/// a `refused` record. The reader thread never waits for a commit: the audit writer calls back.
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
    private let audit: AuditLog
    private let auditRecords: AuditRecordMaker
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
        let audit = gatekeeper.service.audit
        self.audit = audit
        self.auditRecords = AuditRecordMaker(connection: id, identity: identity, now: { audit.now() })
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
            refuse(request, MedStoreError(.protocolError, "the first request on a connection must be 'hello'"), role: nil)
            return false
        }
        let target = AuditTarget.describe(method: request.method, params: request.params)
        let caller: RequestCaller
        switch gatekeeper.caller(identity, baseRole: baseRole) {
        case .success(let found): caller = found
        case .failure(let error):
            refuse(request, publicError(error, method: request.method, requestID: request.id), role: nil, target: target)
            return true
        }
        if caller.role == .stranger, let denial = MethodPolicy.denial(method: request.method, role: .stranger, uid: identity.uid) {
            deny(request, denial, role: caller.role, target: target)
            return false
        }
        guard let handler = router.handler(for: request.method) else {
            refuse(request, MedStoreError(.unknownMethod, "unknown method '\(request.method)'; the daemon serves: \(router.methodNames.joined(separator: ", "))"),
                   role: caller.role, target: target)
            return true
        }
        if let denial = MethodPolicy.denial(method: request.method, role: caller.role, uid: identity.uid) {
            deny(request, denial, role: caller.role, target: target)
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
            refuse(request, MedStoreError(.resourceExhausted,
                "more than \(ProtocolLimits.maxInFlightPerConnection) requests in flight on one connection; wait for replies"),
                   role: caller.role, target: target)
            return true
        }
        tracker.begin()
        if AuditPolicy.isReplyOnly(request.method) {
            performReplyOnly(request, handler, caller, target: target)
        } else {
            performAfterAttempt(request, handler, caller, target: target)
        }
        return true
    }

    /// A request whose reply is its only effect: the handler runs, then one `request` record; the
    /// reply leaves once that is durable, or `unavailable` instead when it could not be written.
    private func performReplyOnly(_ request: RequestEnvelope, _ handler: @escaping RequestRouter.Handler,
                                  _ caller: RequestCaller, target: String?) {
        let started = Date()
        workers.async { [self] in
            let outcome = perform(handler, request, caller)
            let record = auditRecords.record(.request, request, role: caller.role, target: target,
                                             outcome: AuditRecordMaker.outcome(outcome))
            let bytes = frame(ResponseEnvelope(id: request.id, outcome: outcome))
            audit.submit(record) { [self] result in
                switch result {
                case .success: complete(request, outcome, bytes, started: started)
                case .failure: complete(request, .error(auditFailure(request)), nil, started: started)
                }
            }
        }
    }

    /// A request that may change something: performed only once its `attempt` record is durable
    /// (otherwise refused with `unavailable`); its `outcome` record is durable before the reply.
    private func performAfterAttempt(_ request: RequestEnvelope, _ handler: @escaping RequestRouter.Handler,
                                     _ caller: RequestCaller, target: String?) {
        let started = Date()
        audit.submit(auditRecords.record(.attempt, request, role: caller.role, target: target)) { [self] result in
            guard case .success(let attemptSeq) = result else {
                complete(request, .error(auditFailure(request)), nil, started: started)
                return
            }
            workers.async { [self] in
                let outcome = perform(handler, request, caller)
                let record = auditRecords.record(.outcome, request, role: caller.role, target: target,
                                                 outcome: AuditRecordMaker.outcome(outcome), ref: attemptSeq)
                let bytes = frame(ResponseEnvelope(id: request.id, outcome: outcome))
                audit.submit(record) { [self] result in
                    if case .failure = result {
                        // Performed already: the reply tells the truth; the attempt record stands.
                        logger.error("the outcome of a performed request could not be recorded in the audit trail",
                                     [("conn", "\(id)"), ("request", "\(request.id)"), ("method", request.method),
                                      ("attempt_seq", "\(attemptSeq)")])
                    }
                    complete(request, outcome, bytes, started: started)
                }
            }
        }
    }

    /// Runs the handler; internal errors lose their detail on the way out.
    private func perform(_ handler: RequestRouter.Handler, _ request: RequestEnvelope,
                         _ caller: RequestCaller) -> ResponseEnvelope.Outcome {
        switch handler(request.params, caller) {
        case .success(let value): return .result(value)
        case .failure(let error): return .error(publicError(error, method: request.method, requestID: request.id))
        }
    }

    /// Finishes an admitted request: metrics, its slot, its reply (`bytes`, or `outcome` encoded now).
    private func complete(_ request: RequestEnvelope, _ outcome: ResponseEnvelope.Outcome, _ bytes: [UInt8]?,
                          started: Date) {
        record(method: request.method, outcome: outcome, seconds: Date().timeIntervalSince(started))
        // The slot frees before the reply is queued, so a client that has its reply may send again.
        stateLock.lock()
        inFlight -= 1
        stateLock.unlock()
        outbox.enqueue(bytes ?? frame(ResponseEnvelope(id: request.id, outcome: outcome)))
        stateLock.lock()
        unfinished -= 1
        stateLock.unlock()
        tracker.end()
    }

    /// The error a caller gets when its request's audit record could not be made durable.
    private func auditFailure(_ request: RequestEnvelope) -> MedStoreError {
        logger.error("request refused: its audit record could not be made durable",
                     [("conn", "\(id)"), ("request", "\(request.id)"), ("method", request.method)])
        return MedStoreError(.unavailable,
            "the audit trail cannot be written, so \(AuditText.clean(request.method, limit: AuditText.maxMethodBytes)) was not performed; the daemon log says why")
    }

    /// Refuses `request` with `error` before any handler: a `refused` audit record, then the reply
    /// (sent even when the record cannot be written: refusing is always safe; the log says so).
    private func refuse(_ request: RequestEnvelope, _ error: MedStoreError, role: Role?, target: String? = nil) {
        let bytes = frame(ResponseEnvelope(id: request.id, outcome: .error(error)))
        stateLock.lock()
        unfinished += 1
        stateLock.unlock()
        let record = auditRecords.record(.refused, request, role: role, target: target, outcome: error.code.rawValue)
        audit.submit(record) { [self] result in
            if case .failure = result {
                logger.error("a refused request could not be recorded in the audit trail",
                             [("conn", "\(id)"), ("request", "\(request.id)"), ("method", AuditText.clean(request.method, limit: AuditText.maxMethodBytes))])
            }
            outbox.enqueue(bytes)
            stateLock.lock()
            unfinished -= 1
            stateLock.unlock()
        }
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

    /// Refuses with `permissionDenied` and logs who was refused what.
    private func deny(_ request: RequestEnvelope, _ denial: MedStoreError, role: Role, target: String?) {
        logger.info("permission denied", [("conn", "\(id)"), ("method", AuditText.clean(request.method, limit: AuditText.maxMethodBytes)),
                                          ("uid", "\(identity.uid)"), ("pid", "\(identity.pid)")])
        refuse(request, denial, role: role, target: target)
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

    /// Sends one reply frame now (hello and framing errors: nothing to record).
    private func reply(_ response: ResponseEnvelope) {
        outbox.enqueue(frame(response))
    }

    /// One reply frame; a reply too large for a frame becomes a `resourceExhausted` error. Error
    /// messages lose secret-shaped runs first (``SecretShape``).
    private func frame(_ unredacted: ResponseEnvelope) -> [UInt8] {
        var response = unredacted
        if case .error(let error) = response.outcome { response.outcome = .error(SecretShape.redact(error)) }
        do {
            return try FrameEncoder.frame(response.encoded())
        } catch {
            let fallback = ResponseEnvelope(id: response.id, outcome: .error(
                MedStoreError(.resourceExhausted, "the reply is larger than one frame; ask for a smaller page")))
            return (try? FrameEncoder.frame(fallback.encoded())) ?? []
        }
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
