/// How the request body is delimited.
enum HTTPBodyFraming: Equatable {
    /// No body (neither `Content-Length` nor `Transfer-Encoding`).
    case none
    /// Exactly this many bytes.
    case length(Int64)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// The parsed request line and header section, with the framing decisions made from them.
struct HTTPRequestHead {
    var method: String
    var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: Int
    var headers: HTTPHeaders
    var framing: HTTPBodyFraming
    /// Whether the client wants the connection kept after this request (version default and
    /// `Connection: close` / `keep-alive`).
    var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    var expectContinue: Bool

    var version: String { minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1" }
}
