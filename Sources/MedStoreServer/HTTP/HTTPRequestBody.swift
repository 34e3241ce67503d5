import MedStoreProtocol

/// A request body read on demand from the connection: exactly `Content-Length` bytes, or a
/// chunked body decoded. Nothing is read until the handler asks (so `100 Continue` is sent only
/// when the handler wants the body), and reads stop at the body's end, never touching the next
/// request's bytes. Valid only while the handler runs.
public final class HTTPRequestBody {
    /// `Content-Length` when the request has one; `nil` for a chunked body or when the request
    /// has neither header (then the body is empty).
    public let declaredLength: Int64?
    /// Whether the body uses `Transfer-Encoding: chunked`.
    public let isChunked: Bool
    /// Body bytes handed out so far.
    public private(set) var bytesRead: Int64 = 0

    private enum State {
        case length(remaining: Int64)
        case chunkHeader
        case chunkData(remaining: Int64)
        case chunkDataEnd
        case trailers
        case done
        case failed(MedStoreError)
    }

    private var state: State
    private let input: HTTPInputBuffer?
    private let maxLineBytes: Int
    private let maxTrailerBytes: Int
    private let readTimeout: Double
    private var beforeFirstRead: (() throws(TransportError) -> Void)?
    private var trailerBytes = 0
    private var detached = false

    /// An in-memory body for tests and internal callers: `bytes` read as a `Content-Length` body.
    public convenience init(bytes: [UInt8]) {
        let transport = MemoryTransport(bytes)
        self.init(framing: bytes.isEmpty ? .none : .length(Int64(bytes.count)),
                  input: HTTPInputBuffer(transport: transport), limits: HTTPLimits(), beforeFirstRead: nil)
    }

    init(framing: HTTPBodyFraming, input: HTTPInputBuffer?, limits: HTTPLimits,
         beforeFirstRead: (() throws(TransportError) -> Void)?) {
        switch framing {
        case .none:
            declaredLength = nil
            isChunked = false
            state = .done
        case .length(let length):
            declaredLength = length
            isChunked = false
            state = length == 0 ? .done : .length(remaining: length)
        case .chunked:
            declaredLength = nil
            isChunked = true
            state = .chunkHeader
        }
        self.input = input
        self.maxLineBytes = 4096
        self.maxTrailerBytes = limits.maxHeaderBytes
        self.readTimeout = limits.readTimeoutSeconds
        if case .done = state { self.beforeFirstRead = nil } else { self.beforeFirstRead = beforeFirstRead }
    }

    /// Whether the whole body has been read.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Whether reading failed (client hung up, stalled, or sent a malformed chunked body).
    var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Whether `100 Continue` was owed and never sent (the client is still waiting to send).
    var isWaitingForContinue: Bool { beforeFirstRead != nil }

    /// Reads the next body bytes into `buffer`; returns how many, 0 only at the end of the body
    /// (or for an empty `buffer`). Throws `invalidArgument` when the client hangs up or stalls
    /// (no byte for the server's read timeout) before the end, or sends a malformed chunked body;
    /// the connection then closes, so a handler must treat a throw as "no upload".
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(MedStoreError) -> Int {
        guard !detached else {
            throw MedStoreError(.internal, "the request body was read after the handler returned")
        }
        return try readNext(into: buffer)
    }

    private func readNext(into buffer: UnsafeMutableRawBufferPointer) throws(MedStoreError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            switch state {
            case .done:
                return 0
            case .failed(let error):
                throw error
            case .length(let remaining):
                let n = try receive(into: buffer, limit: remaining)
                state = remaining == Int64(n) ? .done : .length(remaining: remaining - Int64(n))
                return n
            case .chunkData(let remaining):
                let n = try receive(into: buffer, limit: remaining)
                state = remaining == Int64(n) ? .chunkDataEnd : .chunkData(remaining: remaining - Int64(n))
                return n
            case .chunkHeader:
                let size = try chunkSize(try line())
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkDataEnd:
                let ending = try line()
                guard ending.isEmpty else { throw fail("a chunk's data is not followed by CRLF") }
                state = .chunkHeader
            case .trailers:
                let trailer = try line()
                if trailer.isEmpty {
                    state = .done
                } else {
                    trailerBytes += trailer.count + 2
                    if trailerBytes > maxTrailerBytes { throw fail("the chunked body's trailer section is too large") }
                }
            }
        }
    }

    /// Reads the whole body into memory (for small XML bodies). Throws `requestBodyTooLarge` when
    /// it is (or declares to be) longer than `limit` bytes, and like ``read(into:)`` otherwise.
    public func readAll(limit: Int) throws(MedStoreError) -> [UInt8] {
        if let declaredLength, declaredLength > Int64(limit) {
            throw MedStoreError(.requestBodyTooLarge, "The request body is \(declaredLength) bytes; this operation accepts at most \(limit).")
        }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(max(limit, 1) + 1, 64 * 1024))
        while true {
            let n = try chunk.withUnsafeMutableBytes { raw in Result { () throws(MedStoreError) in try read(into: raw) } }.get()
            if n == 0 { return result }
            if result.count + n > limit {
                throw MedStoreError(.requestBodyTooLarge, "The request body is longer than the \(limit) bytes this operation accepts.")
            }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    /// Ends the handler's access; later reads throw.
    func detach() {
        detached = true
    }

    /// Reads and discards the rest of the body, at most `limit` bytes (plus chunk framing).
    /// Returns whether the body is now complete. Used to keep a connection alive after a handler
    /// that did not read everything.
    func discardRemainder(limit: Int64) -> Bool {
        switch state {
        case .done: return true
        case .failed: return false
        case .length(let remaining) where remaining > limit: return false
        default: break
        }
        var discarded: Int64 = 0
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while discarded <= limit {
            let n: Int
            do {
                n = try scratch.withUnsafeMutableBytes { raw in Result { () throws(MedStoreError) in try readNext(into: raw) } }.get()
            } catch {
                return false
            }
            if n == 0 { return true }
            discarded += Int64(n)
        }
        return false
    }

    // MARK: - Reading from the connection

    private func receive(into buffer: UnsafeMutableRawBufferPointer, limit: Int64) throws(MedStoreError) -> Int {
        guard let input else { throw fail("the body is not available") }
        let n: Int
        do {
            try sendContinueIfOwed()
            n = try input.read(into: buffer, limit: Int(min(limit, Int64(Int.max))))
        } catch {
            throw fail(describe(error))
        }
        if n == 0 { throw fail("the client closed the connection before the end of the body") }
        bytesRead += Int64(n)
        return n
    }

    /// One line of chunk framing (without its CRLF or LF).
    private func line() throws(MedStoreError) -> [UInt8] {
        guard let input else { throw fail("the body is not available") }
        do {
            try sendContinueIfOwed()
            var scanned = 0
            while true {
                let bytes = input.bytes
                if let lf = HTTPHeadParser.indexOfLF(bytes, from: scanned) {
                    var end = lf
                    if end > 0 && bytes[end - 1] == 0x0D { end -= 1 }
                    let line = Array(bytes[0..<end])
                    input.consume(lf + 1)
                    return line
                }
                scanned = bytes.count
                if scanned > maxLineBytes { throw fail("a chunk-size line is longer than \(maxLineBytes) bytes") }
                if try input.fill(maxCapacity: max(input.capacity, maxLineBytes + 2)) == 0 {
                    throw fail("the client closed the connection before the end of the body")
                }
            }
        } catch let error as MedStoreError {
            throw error
        } catch let error as TransportError {
            throw fail(describe(error))
        } catch {
            throw fail("reading the body failed")
        }
    }

    /// Parses `hex-size [; extensions]`.
    private func chunkSize(_ line: [UInt8]) throws(MedStoreError) -> Int64 {
        var size: Int64 = 0
        var digits = 0
        var index = 0
        while index < line.count, let value = hexValue(line[index]) {
            guard digits < 15 else { throw fail("a chunk size is too large") }
            size = size << 4 | Int64(value)
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw fail("a chunk-size line does not start with a hexadecimal size") }
        while index < line.count && (line[index] == 0x20 || line[index] == 0x09) { index += 1 }
        guard index == line.count || line[index] == UInt8(ascii: ";") else {
            throw fail("a chunk-size line has unexpected characters after the size")
        }
        return size
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    private func sendContinueIfOwed() throws(TransportError) {
        guard let send = beforeFirstRead else { return }
        beforeFirstRead = nil
        try send()
    }

    private func describe(_ error: TransportError) -> String {
        switch error {
        case .timedOut: return "the client sent no body bytes for \(Int(readTimeout.rounded(.up))) seconds"
        case .failed(let reason): return "the connection failed while reading the body (\(reason))"
        }
    }

    private func fail(_ reason: String) -> MedStoreError {
        var message = "The request body could not be read: \(reason)"
        if let declaredLength { message += " (\(bytesRead) of \(declaredLength) bytes received)." } else { message += " (\(bytesRead) bytes received)." }
        let error = MedStoreError(.invalidArgument, message)
        state = .failed(error)
        return error
    }
}
