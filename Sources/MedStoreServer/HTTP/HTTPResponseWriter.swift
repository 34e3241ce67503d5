import MedStoreProtocol

/// Sends one response on a connection: the head, then the body, coalescing small pieces in a
/// 64 KiB staging buffer and passing large writes straight to the socket, so a streamed body
/// of any size uses constant memory. Counts body bytes against the declared length.
final class HTTPResponseWriter: HTTPBodyWriter {
    private let transport: any HTTPTransport
    private let staging: UnsafeMutableRawPointer
    private let stagingCapacity = 64 * 1024
    private var staged = 0
    private var remaining: Int64 = 0
    /// Set once a send failed or the producer broke the length contract: the connection must close.
    private(set) var failed = false

    init(transport: any HTTPTransport) {
        self.transport = transport
        self.staging = UnsafeMutableRawPointer.allocate(byteCount: stagingCapacity, alignment: 16)
    }

    deinit {
        staging.deallocate()
    }

    /// Stages the response head; the body may then write exactly `bodyLength` bytes.
    func begin(head: [UInt8], bodyLength: Int64) throws(TransportError) {
        remaining = Int64(head.count)
        try head.withUnsafeBytes { raw in Result { () throws(TransportError) in try append(raw) } }.get()
        remaining = bodyLength
    }

    /// Body bytes the producer still owes.
    var bytesOwed: Int64 { remaining }

    /// ``HTTPBodyWriter``: sends the next body bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !failed else { throw MedStoreError(.unavailable, "the response can no longer be sent") }
        guard Int64(bytes.count) <= remaining else {
            failed = true
            throw MedStoreError(.internal, "the response body producer wrote more than the declared Content-Length")
        }
        do {
            try append(bytes)
        } catch {
            failed = true
            throw MedStoreError(.unavailable, "the client stopped receiving the response")
        }
        remaining -= Int64(bytes.count)
    }

    /// Sends whatever is staged.
    func flush() throws(TransportError) {
        guard staged > 0 else { return }
        let count = staged
        staged = 0
        do {
            try transport.send(UnsafeRawBufferPointer(start: staging, count: count))
        } catch {
            failed = true
            throw error
        }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        guard bytes.count > 0 else { return }
        if staged + bytes.count <= stagingCapacity {
            (staging + staged).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            staged += bytes.count
            return
        }
        try flush()
        if bytes.count < stagingCapacity / 2 {
            staging.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            staged = bytes.count
        } else {
            do {
                try transport.send(bytes)
            } catch {
                failed = true
                throw error
            }
        }
    }

    /// The status line and header fields, CRLF-terminated. Names that are not tokens are
    /// dropped and CR/LF in values become spaces, so no handler can split a response.
    static func serializeHead(status: Int, headers: HTTPHeaders) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n".utf8)
        for (name, value) in headers.all {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPHeadParser.isTokenByte) else { continue }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            for byte in value.utf8 {
                out.append(byte == 0x0D || byte == 0x0A || byte == 0 ? 0x20 : byte)
            }
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }
}
