/// Options shared by both token requests.
public struct TokenOptions: Codable, Sendable, Equatable {
    /// Permission letters (any order; normalised to Azure's order).
    public var permissions: String
    /// Start time (RFC 3339); none means valid at once.
    public var start: String?
    /// Expiry time (RFC 3339); give this or `ttlSeconds`.
    public var expiry: String?
    /// Lifetime from now in seconds; give this or `expiry`.
    public var ttlSeconds: UInt64?
    /// One IPv4 address or an inclusive range `a.b.c.d-e.f.g.h`.
    public var ip: String?
    /// Only HTTPS requests may use the token (`spr=https`).
    public var httpsOnly: Bool?

    /// Creates token options.
    public init(permissions: String, start: String? = nil, expiry: String? = nil, ttlSeconds: UInt64? = nil,
                ip: String? = nil, httpsOnly: Bool? = nil) {
        self.permissions = permissions
        self.start = start
        self.expiry = expiry
        self.ttlSeconds = ttlSeconds
        self.ip = ip
        self.httpsOnly = httpsOnly
    }
}

/// An issued token. Returned once; the daemon does not store it (its registry keeps only a
/// record: see ``TokenInfo``).
public struct IssuedToken: Codable, Sendable, Equatable {
    /// The SAS query string (no leading `?`).
    public var token: String
    /// The resource URL with the token.
    public var url: String
    /// `container` or `blob`.
    public var resource: String
    /// Permissions as signed (canonical order).
    public var permissions: String
    /// Start as signed, when given.
    public var start: String?
    /// Expiry as signed.
    public var expiry: String
    /// The key that signed it.
    public var signedWith: KeyName
    /// The SAS version (`sv`).
    public var version: String
    /// The token's id in the registry, for `token.revoke` (since 1.2).
    public var id: UInt64?
    /// SHA-256 of the signature bytes, 64 hex digits: how the registry and the access log name
    /// the token (since 1.2).
    public var fingerprint: String?

    /// Creates a token result.
    public init(token: String, url: String, resource: String, permissions: String, start: String?,
                expiry: String, signedWith: KeyName, version: String, id: UInt64? = nil, fingerprint: String? = nil) {
        self.id = id
        self.fingerprint = fingerprint
        self.token = token
        self.url = url
        self.resource = resource
        self.permissions = permissions
        self.start = start
        self.expiry = expiry
        self.signedWith = signedWith
        self.version = version
    }
}

/// `token.container`: a service SAS for a container.
public enum TokenContainer: RPCMethod {
    public static let name = "token.container"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The container.
        public var container: String
        /// The token's limits.
        public var options: TokenOptions
        /// Creates parameters.
        public init(container: String, options: TokenOptions) {
            self.container = container
            self.options = options
        }
    }
    public typealias Result = IssuedToken
}

/// `token.blob`: a service SAS for one blob.
public enum TokenBlob: RPCMethod {
    public static let name = "token.blob"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The container.
        public var container: String
        /// The blob name (raw, not percent-encoded).
        public var blob: String
        /// The token's limits.
        public var options: TokenOptions
        /// Creates parameters.
        public init(container: String, blob: String, options: TokenOptions) {
            self.container = container
            self.blob = blob
            self.options = options
        }
    }
    public typealias Result = IssuedToken
}
