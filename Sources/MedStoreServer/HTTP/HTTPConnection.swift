import Foundation
import MedStoreCore
import MedStoreProtocol

/// One client connection on its own thread: optional TLS handshake, then requests served one
/// after another (keep-alive, pipelined bytes kept for the next request) until the client
/// closes, a timeout fires, an error forces a close, or the server stops.
final class HTTPConnection {
    /// What the connection needs from its server.
    struct Context: Sendable {
        let handler: any HTTPHandler
        let limits: HTTPLimits
        let tls: TLSContext?
        let logger: Logger
        /// Marks the connection idle (waiting between requests, may be closed by `stop`); false
        /// when the server is stopping and the connection should end now.
        let enterIdle: @Sendable () -> Bool
        /// Marks the connection busy again; false when the server is stopping.
        let leaveIdle: @Sendable () -> Bool
        let isStopping: @Sendable () -> Bool
    }

    private let fd: Int32
    private let id: UInt64
    private let peer: IPAddress
    private let context: Context
    private var limits: HTTPLimits { context.limits }

    init(fd: Int32, id: UInt64, peer: IPAddress, context: Context) {
        self.fd = fd
        self.id = id
        self.peer = peer
        self.context = context
    }

    /// Serves the connection until it ends; the caller closes the socket afterwards.
    func run() {
        HTTPConnection.blockSIGPIPE()
        SocketOptions.setInt(fd, level: Int32(IPPROTO_TCP), option: TCP_NODELAY, value: 1)
        SocketOptions.setTimeout(fd, option: SO_RCVTIMEO, seconds: limits.readTimeoutSeconds)
        SocketOptions.setTimeout(fd, option: SO_SNDTIMEO, seconds: limits.readTimeoutSeconds)
        let transport: any HTTPTransport
        if let tls = context.tls {
            do {
                transport = try tls.accept(fd: fd)
            } catch {
                context.logger.debug("tls handshake failed", [("conn", "\(id)"), ("peer", peer.description), ("reason", "\(error)")])
                return
            }
        } else {
            transport = PlainTransport(fd: fd)
        }
        serve(transport)
    }

    private enum HeadResult {
        case head(HTTPRequestHead)
        case closed
        case refused(HTTPProtocolError)
    }

    private func serve(_ transport: any HTTPTransport) {
        let input = HTTPInputBuffer(transport: transport)
        let writer = HTTPResponseWriter(transport: transport)
        while true {
            if input.available == 0 && !transport.hasBufferedInput {
                guard context.enterIdle() else { return finish(transport) }
                let ready = SocketOptions.waitReadable(fd, seconds: limits.idleTimeoutSeconds)
                guard context.leaveIdle(), ready else { return finish(transport) }
            } else if context.isStopping() {
                return finish(transport)
            }
            let head: HTTPRequestHead
            switch readHead(input) {
            case .closed:
                return finish(transport)
            case .refused(let error):
                refuse(error, writer: writer)
                return lingeringClose(transport)
            case .head(let parsed):
                head = parsed
            }
            let requestID = HTTPRequestID.make()
            let body = HTTPRequestBody(framing: head.framing, input: input, limits: limits,
                                       beforeFirstRead: head.expectContinue ? { () throws(TransportError) in
                                           try HTTPConnection.sendContinue(transport)
                                       } : nil)
            let request = HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers,
                                      peer: peer, isTLS: context.tls != nil, requestID: requestID, body: body)
            let response = context.handler.handle(request)
            body.detach()

            var keepAlive = head.keepAlive && !context.isStopping() && !HTTPResponsePreparation.handlerWantsClose(response)
            var bodyLeftUnread = !body.isComplete
            if bodyLeftUnread {
                if body.hasFailed || body.isWaitingForContinue {
                    keepAlive = false
                } else if keepAlive {
                    if body.discardRemainder(limit: HTTPLimits.maxDrainBytes) {
                        bodyLeftUnread = false
                    } else {
                        keepAlive = false
                        bodyLeftUnread = !body.hasFailed
                    }
                }
            }
            let sent = send(response, for: head, requestID: requestID, keepAlive: keepAlive, writer: writer)
            if !sent { return finish(transport) }
            if !keepAlive {
                return bodyLeftUnread ? lingeringClose(transport) : finish(transport)
            }
        }
    }

    /// Reads until a complete head is buffered, within the read timeout from its first byte.
    private func readHead(_ input: HTTPInputBuffer) -> HeadResult {
        var reader = HTTPHeadReader(limits: limits)
        let deadline = Date().addingTimeInterval(limits.readTimeoutSeconds)
        while true {
            do {
                if let head = try reader.next(from: input) { return .head(head) }
            } catch {
                return .refused(error)
            }
            let sawBytes = reader.sawBytes
            let remaining = deadline.timeIntervalSinceNow
            let timedOut = HeadResult.refused(.timedOut(seconds: limits.readTimeoutSeconds))
            if remaining <= 0 { return sawBytes ? timedOut : .closed }
            if !input.transport.hasBufferedInput && !SocketOptions.waitReadable(fd, seconds: remaining) {
                return sawBytes ? timedOut : .closed
            }
            do {
                if try input.fill(maxCapacity: reader.maxBufferCapacity) == 0 { return .closed }
            } catch .timedOut {
                return sawBytes ? timedOut : .closed
            } catch {
                return .closed
            }
        }
    }

    /// Sends the response; false when the connection must close without another word (the
    /// client went away, or a streamed body broke its declared length).
    private func send(_ response: HTTPResponse, for head: HTTPRequestHead?, requestID: String, keepAlive: Bool,
                      writer: HTTPResponseWriter) -> Bool {
        let prepared = HTTPResponsePreparation.prepare(response, request: head, requestID: requestID, keepAlive: keepAlive)
        do {
            try writer.begin(head: prepared.head, bodyLength: prepared.bodyLength)
            if prepared.sendsBody {
                switch response.body {
                case .empty:
                    break
                case .bytes(let bytes):
                    try bytes.withUnsafeBytes { try writer.write($0) }
                case .stream(_, let produce):
                    try produce(writer)
                }
                if writer.bytesOwed != 0 {
                    context.logger.error("response body shorter than its Content-Length; closing the connection",
                                         [("conn", "\(id)"), ("request_id", requestID), ("missing_bytes", "\(writer.bytesOwed)")])
                    try? writer.flush()
                    return false
                }
            }
            try writer.flush()
        } catch {
            if !writer.failed {
                // The producer itself failed (the writer still worked): the body is truncated.
                context.logger.warning("response body producer failed; closing the connection",
                                       [("conn", "\(id)"), ("request_id", requestID), ("error", "\(error)")])
                try? writer.flush()
            } else {
                context.logger.debug("sending the response failed", [("conn", "\(id)"), ("request_id", requestID)])
            }
            return false
        }
        return !writer.failed
    }

    /// Answers a request the server refused itself, with Azure's XML error body.
    private func refuse(_ error: HTTPProtocolError, writer: HTTPResponseWriter) {
        let requestID = HTTPRequestID.make()
        context.logger.info("http request refused", [("conn", "\(id)"), ("peer", peer.description), ("status", "\(error.status)"),
                                                      ("code", error.code), ("reason", error.message), ("request_id", requestID)])
        let response = AzureErrorBody.response(status: error.status, code: error.code, message: error.message,
                                               requestID: requestID, details: error.details)
        _ = send(response, for: nil, requestID: requestID, keepAlive: false, writer: writer)
    }

    private func finish(_ transport: any HTTPTransport) {
        transport.finish()
    }

    /// Closes politely when the client may still be sending: stops writing, then reads and
    /// discards for a short while so the kernel does not answer unread bytes with a reset that
    /// would destroy the response on the client's side.
    private func lingeringClose(_ transport: any HTTPTransport) {
        transport.finish()
        shutdown(fd, Int32(SHUT_WR))
        SocketOptions.setTimeout(fd, option: SO_RCVTIMEO, seconds: 0.5)
        let deadline = Date().addingTimeInterval(2)
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while Date() < deadline {
            let n = scratch.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, 0) }
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            return
        }
    }

    private static func sendContinue(_ transport: any HTTPTransport) throws(TransportError) {
        let line: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
        try transport.send(UnsafeRawBufferPointer(start: line.utf8Start, count: line.utf8CodeUnitCount))
    }

    /// OpenSSL writes with `write(2)`, which raises SIGPIPE on a closed peer; the signal is
    /// blocked on connection threads (plain sockets use `MSG_NOSIGNAL`).
    private static func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
