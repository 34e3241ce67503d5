import MedStoreCore

/// One parsed request, handed to an ``HTTPHandler`` with its body still unread on the socket.
public struct HTTPRequest {
    /// The method as sent, e.g. `GET`, `PUT` (case-sensitive).
    public var method: String
    /// The raw request-target, e.g. `/acct/c/a%20b?comp=list&sig=...`. Contains credentials
    /// when a SAS is used: never log it.
    public var target: String
    /// The target before `?`, still percent-encoded (for an absolute-form target, only its path).
    public var rawPath: String
    /// The target after the first `?`, `""` when there is none. May hold a SAS: never log it.
    public var rawQuery: String
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    /// Header fields in received order and case.
    public var headers: HTTPHeaders
    /// The real peer address (an IPv4-mapped IPv6 address is reported as plain IPv4).
    public var peer: IPAddress
    /// Whether the request arrived over TLS.
    public var isTLS: Bool
    /// The id the server sends as `x-ms-request-id` (a lowercase UUID); use it in logs and error bodies.
    public var requestID: String
    /// The body, read on demand from the connection.
    public var body: HTTPRequestBody

    /// A request with the given parts (the server builds these; tests may too).
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPHeaders,
                peer: IPAddress, isTLS: Bool, requestID: String, body: HTTPRequestBody) {
        self.method = method
        self.target = target
        let split = HTTPRequest.splitTarget(target)
        self.rawPath = split.path
        self.rawQuery = split.query
        self.version = version
        self.headers = headers
        self.peer = peer
        self.isTLS = isTLS
        self.requestID = requestID
        self.body = body
    }

    /// Splits a request-target into its percent-encoded path and its query. An absolute-form
    /// target (`http://host:port/p?q`) yields its path (`/` when empty).
    static func splitTarget(_ target: String) -> (path: String, query: String) {
        var pathAndQuery = Substring(target)
        if !target.hasPrefix("/"), let schemeEnd = target.range(of: "://") {
            let afterAuthority = target[schemeEnd.upperBound...]
            if let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                pathAndQuery = afterAuthority[slash...]
            } else {
                pathAndQuery = ""
            }
            if !pathAndQuery.hasPrefix("/") { pathAndQuery = "/" + pathAndQuery }
        }
        guard let mark = pathAndQuery.firstIndex(of: "?") else { return (String(pathAndQuery), "") }
        return (String(pathAndQuery[..<mark]), String(pathAndQuery[pathAndQuery.index(after: mark)...]))
    }
}
