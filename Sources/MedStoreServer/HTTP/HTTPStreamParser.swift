import MedStoreProtocol

/// Parses a connection's whole received byte stream in memory, the way ``HTTPConnection`` reads
/// it from a socket: each head taken with ``HTTPHeadReader`` as bytes arrive, each body read to
/// its end through ``HTTPRequestBody`` (as a handler that reads everything would), the next
/// request taken from the bytes after it, and the stream stopping where the connection would
/// close. No handler runs and nothing is answered.
///
/// For tests and the fuzz harness (`MedStoreFuzzing`), which deliver the same bytes in different
/// receive and buffer sizes and expect the same requests.
package enum HTTPStreamParser {
    /// One request as the connection hands it to a handler, with its body read completely.
    package struct Request: Equatable {
        package var method: String
        package var target: String
        /// The target before `?`, still percent-encoded (see ``HTTPRequest/rawPath``).
        package var rawPath: String
        /// The target after the first `?`, `""` when there is none.
        package var rawQuery: String
        /// `HTTP/1.0` or `HTTP/1.1`.
        package var version: String
        /// Header fields in received order and case.
        package var headers: HTTPHeaders
        /// `Content-Length`, when the body is framed by one.
        package var declaredLength: Int64?
        /// Whether the body is `Transfer-Encoding: chunked`.
        package var isChunked: Bool
        /// Whether the connection stays open after this request.
        package var keepAlive: Bool
        /// `Expect: 100-continue` on an HTTP/1.1 request.
        package var expectContinue: Bool
        /// The decoded body.
        package var body: [UInt8]

        package static func == (lhs: Request, rhs: Request) -> Bool {
            lhs.method == rhs.method && lhs.target == rhs.target && lhs.rawPath == rhs.rawPath
                && lhs.rawQuery == rhs.rawQuery && lhs.version == rhs.version
                && lhs.headers.all.map(\.name) == rhs.headers.all.map(\.name)
                && lhs.headers.all.map(\.value) == rhs.headers.all.map(\.value)
                && lhs.declaredLength == rhs.declaredLength && lhs.isChunked == rhs.isChunked
                && lhs.keepAlive == rhs.keepAlive && lhs.expectContinue == rhs.expectContinue && lhs.body == rhs.body
        }
    }

    /// Why the stream stopped.
    package enum End: Equatable {
        /// The bytes ran out between requests or inside a head: the connection closes without an
        /// answer. `unparsedBytes` were received but never formed a head.
        case streamEnded(unparsedBytes: Int)
        /// The server answers this status and Azure error code, then closes.
        case refused(status: Int, code: String)
        /// A body could not be read (malformed chunking, or the bytes ran out inside it).
        case bodyFailed(message: String)
        /// The last request did not keep the connection alive.
        case closeRequested
    }

    /// The requests in order and how the stream ended.
    package struct Outcome: Equatable {
        package var requests: [Request]
        package var end: End
        /// Bytes the stream still held when parsing stopped (never received); not part of `==`,
        /// since it depends on the receive size.
        package var unreceivedBytes: Int

        package static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            lhs.requests == rhs.requests && lhs.end == rhs.end
        }
    }

    /// Parses `bytes` as one connection's input.
    /// - Parameters:
    ///   - receiveSize: most bytes one receive returns (1 delivers the stream byte by byte).
    ///   - bufferCapacity: the input buffer's starting size (small sizes exercise its growth).
    ///   - bodyReadSize: the size of the buffer a body is read into; reads of at least
    ///     `HTTPInputBuffer.directReadThreshold` bytes bypass the input buffer.
    package static func parse(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), receiveSize: Int = .max,
                               bufferCapacity: Int = 16 * 1024, bodyReadSize: Int = 64 * 1024) -> Outcome {
        let transport = MemoryTransport(bytes, maxReceive: receiveSize)
        let input = HTTPInputBuffer(transport: transport, initialCapacity: max(1, bufferCapacity))
        var requests: [Request] = []
        func outcome(_ end: End) -> Outcome {
            Outcome(requests: requests, end: end, unreceivedBytes: transport.unreceivedCount)
        }
        while true {
            let head: HTTPRequestHead
            switch nextHead(input, limits: limits) {
            case .end(let end): return outcome(end)
            case .head(let parsed): head = parsed
            }
            let body = HTTPRequestBody(framing: head.framing, input: input, limits: limits, beforeFirstRead: nil)
            let bodyBytes: [UInt8]
            do {
                bodyBytes = try readAll(body, readSize: max(1, bodyReadSize))
            } catch {
                return outcome(.bodyFailed(message: error.message))
            }
            body.detach()
            let split = HTTPRequest.splitTarget(head.target)
            requests.append(Request(
                method: head.method, target: head.target, rawPath: split.path, rawQuery: split.query,
                version: head.version, headers: head.headers, declaredLength: body.declaredLength,
                isChunked: body.isChunked, keepAlive: head.keepAlive, expectContinue: head.expectContinue, body: bodyBytes))
            if !head.keepAlive { return outcome(.closeRequested) }
        }
    }

    private enum HeadStep {
        case head(HTTPRequestHead)
        case end(End)
    }

    /// Receives until a head is complete, as ``HTTPConnection`` does without the deadline.
    private static func nextHead(_ input: HTTPInputBuffer, limits: HTTPLimits) -> HeadStep {
        var reader = HTTPHeadReader(limits: limits)
        while true {
            do {
                if let head = try reader.next(from: input) { return .head(head) }
            } catch {
                return .end(.refused(status: error.status, code: error.code))
            }
            if (try? input.fill(maxCapacity: reader.maxBufferCapacity)) ?? 0 == 0 {
                return .end(.streamEnded(unparsedBytes: input.available))
            }
        }
    }

    /// Reads `body` to its end in reads of `readSize` bytes.
    private static func readAll(_ body: HTTPRequestBody, readSize: Int) throws(MedStoreError) -> [UInt8] {
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: readSize)
        while true {
            let count = try scratch.withUnsafeMutableBytes { raw in
                Result { () throws(MedStoreError) in try body.read(into: raw) }
            }.get()
            if count == 0 { return bytes }
            bytes += scratch[0..<count]
        }
    }
}
