/// A response from an ``HTTPHandler``. The server adds `Date`, `x-ms-request-id`, `x-ms-version`,
/// `Server`, `Content-Length` and `Connection` (see ``HTTPServer``).
public struct HTTPResponse {
    /// Status code, e.g. 200.
    public var status: Int
    /// Header fields, in the order they are sent.
    public var headers: HTTPHeaders
    /// The body.
    public var body: HTTPResponseBody

    /// A response with the given parts.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: HTTPResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response body: nothing, bytes in memory, or bytes produced while sending.
public enum HTTPResponseBody: Sendable {
    /// No body (`Content-Length: 0`).
    case empty
    /// A small body held in memory.
    case bytes([UInt8])
    /// `length` bytes produced by `write`, which calls the writer repeatedly (the server sends
    /// `Content-Length: length` and checks the producer wrote exactly that many). Write in chunks
    /// of at most 1 MiB so a large body is never in memory. A producer that throws or writes a
    /// different number of bytes leaves the client a truncated response: the connection closes.
    /// The closure is not called when no body is sent (HEAD, 1xx, 204, 304) or the response
    /// head could not be sent, so it must not be the only place that releases a resource
    /// (a blob reader should also close in its own `deinit`).
    case stream(length: Int64, write: @Sendable (HTTPBodyWriter) throws -> Void)

    /// Bytes the body will send.
    public var length: Int64 {
        switch self {
        case .empty: return 0
        case .bytes(let bytes): return Int64(bytes.count)
        case .stream(let length, _): return length
        }
    }
}

/// Where a streamed response body goes. Each call sends (or buffers a little of) `bytes`;
/// it throws when the client is gone or stops reading, or when the producer exceeds the
/// declared length.
public protocol HTTPBodyWriter {
    /// Sends `bytes` as the next part of the body.
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension HTTPBodyWriter {
    /// Sends `bytes` as the next part of the body.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}
