/// Where a recorded token stands (since 1.2).
public enum TokenState: String, Codable, Sendable, CaseIterable {
    /// Not expired, not revoked, its signing key unchanged: the data plane accepts it (from its
    /// start on).
    case active
    /// Past its expiry.
    case expired
    /// Revoked with `token.revoke`: refused by the data plane.
    case revoked
    /// Its signing key was regenerated after it was issued: it can never verify again.
    case keyRegenerated
}

/// One token issued through `token.container` or `token.blob`, as the registry records it:
/// who asked, what it allows, which key signed it and its fingerprint. Never the token or its
/// signature (since 1.2).
public struct TokenInfo: Codable, Sendable, Equatable {
    /// Stable id (what `token.revoke` takes).
    public var id: UInt64
    /// When it was issued (RFC 3339 UTC).
    public var issuedAt: String
    /// Who asked, for people: `uid 1001 (alice)`.
    public var caller: String
    /// The caller's uid, gid and pid at the time; absent for tokens issued inside the daemon.
    public var callerUID: UInt32?
    /// See `callerUID`.
    public var callerGID: UInt32?
    /// See `callerUID`.
    public var callerPID: UInt32?
    /// The caller's executable, when it was readable.
    public var callerExecutable: String?
    /// The caller's systemd service, if any.
    public var callerUnit: String?
    /// The container.
    public var container: String
    /// The blob, for a blob token.
    public var blob: String?
    /// `container` or `blob`.
    public var resource: String
    /// Permissions as signed (canonical order).
    public var permissions: String
    /// Start as signed, when given.
    public var start: String?
    /// Expiry as signed.
    public var expiry: String
    /// The signed IP address or range, when given.
    public var ip: String?
    /// Signed HTTPS-only.
    public var httpsOnly: Bool
    /// The key that signed it.
    public var signedWith: KeyName
    /// SHA-256 of the signature bytes, 64 hex digits; the access log prints its first 16.
    public var fingerprint: String
    /// Where it stands now.
    public var state: TokenState
    /// When it was revoked.
    public var revokedAt: String?
    /// When its signing key was regenerated.
    public var keyRegeneratedAt: String?

    /// Creates token info.
    public init(id: UInt64, issuedAt: String, caller: String, callerUID: UInt32? = nil, callerGID: UInt32? = nil,
                callerPID: UInt32? = nil, callerExecutable: String? = nil, callerUnit: String? = nil,
                container: String, blob: String?, resource: String, permissions: String, start: String?,
                expiry: String, ip: String?, httpsOnly: Bool, signedWith: KeyName, fingerprint: String,
                state: TokenState, revokedAt: String? = nil, keyRegeneratedAt: String? = nil) {
        self.id = id
        self.issuedAt = issuedAt
        self.caller = caller
        self.callerUID = callerUID
        self.callerGID = callerGID
        self.callerPID = callerPID
        self.callerExecutable = callerExecutable
        self.callerUnit = callerUnit
        self.container = container
        self.blob = blob
        self.resource = resource
        self.permissions = permissions
        self.start = start
        self.expiry = expiry
        self.ip = ip
        self.httpsOnly = httpsOnly
        self.signedWith = signedWith
        self.fingerprint = fingerprint
        self.state = state
        self.revokedAt = revokedAt
        self.keyRegeneratedAt = keyRegeneratedAt
    }
}

/// `token.list` (since 1.2): one page of recorded tokens in id order.
public enum TokenList: RPCMethod {
    public static let name = "token.list"

    /// Largest `limit`.
    public static let maxPageSize: UInt64 = 1000

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// Only tokens in state `active`.
        public var activeOnly: Bool?
        /// Only tokens for this container (container and blob tokens).
        public var container: String?
        /// Only ids after this (the previous page's `nextMarker`).
        public var marker: String?
        /// Page size, 1–1000 (default 1000).
        public var limit: UInt64?
        /// Creates parameters.
        public init(activeOnly: Bool? = nil, container: String? = nil, marker: String? = nil, limit: UInt64? = nil) {
            self.activeOnly = activeOnly
            self.container = container
            self.marker = marker
            self.limit = limit
        }
    }

    /// One page.
    public struct Result: Codable, Sendable, Equatable {
        /// Tokens in id order.
        public var tokens: [TokenInfo]
        /// Present when more follow: pass it as `marker`.
        public var nextMarker: String?
        /// Creates a page.
        public init(tokens: [TokenInfo], nextMarker: String?) {
            self.tokens = tokens
            self.nextMarker = nextMarker
        }
    }
}

/// `token.revoke` (since 1.2): the data plane refuses the chosen tokens from the next request
/// until they expire. Exactly one of `id`, `allForKey`, `container`.
public enum TokenRevoke: RPCMethod {
    public static let name = "token.revoke"

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// One token, by its registry id.
        public var id: UInt64?
        /// Every active token signed with this key.
        public var allForKey: KeyName?
        /// Every active token for this container (container and blob tokens).
        public var container: String?
        /// Creates parameters.
        public init(id: UInt64? = nil, allForKey: KeyName? = nil, container: String? = nil) {
            self.id = id
            self.allForKey = allForKey
            self.container = container
        }
    }

    /// What happened.
    public struct Result: Codable, Sendable, Equatable {
        /// Tokens revoked by this call (0 when a token named by id was already dead).
        public var revoked: UInt64
        /// For a revoke by id: the token as it stands now (its `state` says whether it was
        /// already revoked, expired or made dead by a key regeneration).
        public var token: TokenInfo?
        /// Creates a result.
        public init(revoked: UInt64, token: TokenInfo? = nil) {
            self.revoked = revoked
            self.token = token
        }
    }
}

/// How many of one caller's tokens something affects.
public struct CallerTokenCount: Codable, Sendable, Equatable {
    /// The caller, for people: `uid 1001 (alice)`.
    public var caller: String
    /// The caller's uid, when known.
    public var uid: UInt32?
    /// Number of tokens.
    public var tokens: UInt64
    /// Creates a count.
    public init(caller: String, uid: UInt32?, tokens: UInt64) {
        self.caller = caller
        self.uid = uid
        self.tokens = tokens
    }
}

/// The unexpired, unrevoked recorded tokens an action makes dead, by caller (most first).
public struct TokenImpact: Codable, Sendable, Equatable {
    /// Total number of tokens.
    public var tokens: UInt64
    /// Per caller, most tokens first.
    public var callers: [CallerTokenCount]
    /// Creates an impact report.
    public init(tokens: UInt64, callers: [CallerTokenCount]) {
        self.tokens = tokens
        self.callers = callers
    }
}
