import Foundation

/// What the authenticator needs to know about one blob REST request, as plain values (no HTTP
/// types): the REST layer fills it from its parsed request.
public struct AuthRequest: Sendable {
    /// The HTTP method as sent, e.g. `GET`, `PUT`, `HEAD`.
    public var method: String
    /// The account named by the path (decoded).
    public var account: String
    /// The container named by the path (decoded), `nil` for a service-level request.
    public var container: String?
    /// The blob named by the path (decoded, slashes kept), `nil` above blob level.
    public var blob: String?
    /// The operation the REST layer routed the request to.
    public var operation: BlobOperation
    /// Whether the target blob exists, for Put Blob, Put Block and Put Block List: a create-only
    /// SAS (`c` without `w`) may not touch an existing blob. `nil` when not looked up; see
    /// ``RequestAuthenticator`` for how `nil` is treated.
    public var blobExists: Bool?
    /// The full raw query string without the `?` (SAS parameters and operation parameters, still
    /// percent-encoded), `""` if none.
    public var rawQuery: String
    /// The request headers as received, in order (names in any case).
    public var headers: [(String, String)]
    /// The path as sent, still percent-encoded, e.g. `/acct/cont/a%20b`.
    public var rawPath: String
    /// The real peer address of the connection.
    public var peer: IPAddress
    /// Whether the request came over TLS.
    public var isTLS: Bool
    /// The server's current time, used for the SAS window and the Shared Key date check.
    public var now: Date

    /// Creates a request description.
    public init(
        method: String,
        account: String,
        container: String?,
        blob: String?,
        operation: BlobOperation,
        blobExists: Bool? = nil,
        rawQuery: String,
        headers: [(String, String)],
        rawPath: String,
        peer: IPAddress,
        isTLS: Bool,
        now: Date
    ) {
        self.method = method
        self.account = account
        self.container = container
        self.blob = blob
        self.operation = operation
        self.blobExists = blobExists
        self.rawQuery = rawQuery
        self.headers = headers
        self.rawPath = rawPath
        self.peer = peer
        self.isTLS = isTLS
        self.now = now
    }

    /// The resource level the path names: blob if it names a blob, container if it names only a
    /// container, otherwise service.
    public var pathLevel: BlobOperation.Level {
        if blob != nil { return .blob }
        if container != nil { return .container }
        return .service
    }

    /// All values of header `name` (case-insensitive), in order.
    func headerValues(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.compactMap { $0.0.lowercased() == lowered ? $0.1 : nil }
    }

    /// The values of header `name` joined with `,` (HTTP's rule for repeated fields), or `nil`.
    func header(_ name: String) -> String? {
        let values = headerValues(name)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }
}
