import Foundation

/// Bounds that keep one client from holding the HTTP server's memory, threads or sockets.
public struct HTTPLimits: Sendable {
    /// Longest request line (method, target, version) in bytes; longer → 414 and close.
    public var maxRequestLineBytes: Int
    /// Most bytes of header fields after the request line; more → 431 and close.
    public var maxHeaderBytes: Int
    /// Most header fields in one request; more → 431 and close.
    public var maxHeaderCount: Int
    /// How long a keep-alive connection may sit between requests before it is closed.
    public var idleTimeoutSeconds: TimeInterval
    /// How long a client may make no progress while sending a request (or reading a response)
    /// before the server gives up; the whole request head must also arrive within this time.
    public var readTimeoutSeconds: TimeInterval
    /// Most open client connections; one more is answered `503 ServerBusy` and closed.
    public var maxConnections: Int

    /// Limits with the given values; the defaults suit a daemon on a cluster network.
    public init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 65536, maxHeaderCount: Int = 100,
                idleTimeoutSeconds: TimeInterval = 60, readTimeoutSeconds: TimeInterval = 30,
                maxConnections: Int = 512) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.maxConnections = maxConnections
    }

    /// Unread request body the server reads and discards to keep a connection alive when a
    /// handler answered without consuming the body; with more left, the connection closes.
    static let maxDrainBytes: Int64 = 1 << 20
}
