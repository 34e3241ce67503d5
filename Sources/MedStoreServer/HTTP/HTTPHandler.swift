/// Answers requests. The server calls `handle` on the connection's own thread (never Swift's
/// cooperative pool), one request at a time per connection, so blocking work is fine here.
public protocol HTTPHandler: Sendable {
    /// Returns the response to `request`; may read `request.body` before returning, but not after.
    func handle(_ request: HTTPRequest) -> HTTPResponse
}

/// An ``HTTPHandler`` made from a closure (tests, small tools).
public struct HTTPClosureHandler: HTTPHandler {
    private let body: @Sendable (HTTPRequest) -> HTTPResponse

    /// Wraps `body`.
    public init(_ body: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.body = body
    }

    /// Calls the closure.
    public func handle(_ request: HTTPRequest) -> HTTPResponse { body(request) }
}
