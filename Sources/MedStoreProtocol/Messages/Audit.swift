/// One request (or daemon start) in the audit trail, as `audit.list` reports it: an `attempt`
/// joined with its `outcome`, a `request`, a `refused` or a `start` record (spec §5.2).
public struct AuditEntry: Codable, Sendable, Equatable {
    /// The record's position in the chain (the attempt's, for a performed request).
    public var seq: UInt64
    /// When the request reached the daemon: RFC 3339 UTC with microseconds.
    public var time: String
    /// `attempt`, `request`, `refused` or `start`.
    public var kind: String
    /// The caller's uid (absent for `start`).
    public var uid: UInt32?
    /// The caller's gid.
    public var gid: UInt32?
    /// The caller's pid.
    public var pid: UInt32?
    /// The user name for `uid`, when the system knows it (looked up when listing).
    public var userName: String?
    /// The caller's executable as seen at accept, when known.
    public var executable: String?
    /// The caller's systemd unit as seen at accept, when known.
    public var unit: String?
    /// The caller's role for this request (absent when refused before it was known).
    public var role: String?
    /// The method called (`medstored.start` for a start).
    public var method: String
    /// The resource the request named, as `field=value` pairs.
    public var target: String?
    /// `ok` or the error code; absent for an attempt whose outcome was never recorded (the daemon
    /// stopped in between, or the outcome could not be written).
    public var outcome: String?
    /// The seq of the attempt's outcome record.
    public var outcomeSeq: UInt64?
    /// The control connection's id.
    public var connection: UInt64?
    /// The request's id on its connection.
    public var requestId: UInt64?
    /// Extra facts (start records).
    public var detail: String?

    /// Creates an entry.
    public init(seq: UInt64, time: String, kind: String, uid: UInt32? = nil, gid: UInt32? = nil, pid: UInt32? = nil,
                userName: String? = nil, executable: String? = nil, unit: String? = nil, role: String? = nil,
                method: String, target: String? = nil, outcome: String? = nil, outcomeSeq: UInt64? = nil,
                connection: UInt64? = nil, requestId: UInt64? = nil, detail: String? = nil) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.userName = userName
        self.executable = executable
        self.unit = unit
        self.role = role
        self.method = method
        self.target = target
        self.outcome = outcome
        self.outcomeSeq = outcomeSeq
        self.connection = connection
        self.requestId = requestId
        self.detail = detail
    }
}

/// `audit.list` (since 1.2): the audit trail, oldest first, one page at a time.
public enum AuditList: RPCMethod {
    public static let name = "audit.list"
    /// Parameters; every filter is optional.
    public struct Params: Codable, Sendable, Equatable {
        /// Only entries at or after this time (RFC 3339 or `YYYY-MM-DD`).
        public var since: String?
        /// Only entries of this caller: a user name or uid.
        public var caller: String?
        /// Only entries of this method.
        public var method: String?
        /// Only entries after this seq (the previous page's `nextMarker`).
        public var marker: UInt64?
        /// Most entries in the page (1–5000, default 1000).
        public var limit: UInt64?
        /// Creates parameters.
        public init(since: String? = nil, caller: String? = nil, method: String? = nil, marker: UInt64? = nil,
                    limit: UInt64? = nil) {
            self.since = since
            self.caller = caller
            self.method = method
            self.marker = marker
            self.limit = limit
        }
    }
    /// One page.
    public struct Result: Codable, Sendable, Equatable {
        /// Entries in seq order.
        public var entries: [AuditEntry]
        /// Present when more may follow: pass it as `marker`.
        public var nextMarker: UInt64?
        /// Creates a result.
        public init(entries: [AuditEntry], nextMarker: UInt64?) {
            self.entries = entries
            self.nextMarker = nextMarker
        }
    }
}

/// `audit.verify` (since 1.2): walks the hash chain and compares its end with the daemon's head.
public enum AuditVerify: RPCMethod {
    public static let name = "audit.verify"
    public typealias Params = Empty
    /// What the walk found.
    public struct Result: Codable, Sendable, Equatable {
        /// Whether every record is intact and the chain reaches the head.
        public var ok: Bool
        /// Records read (up to and including the first bad one).
        public var recordsChecked: UInt64
        /// The last seq read.
        public var lastSeq: UInt64
        /// The daemon's head (last durable seq) when the walk began.
        public var headSeq: UInt64
        /// The first record that is missing, edited or out of place.
        public var firstBadSeq: UInt64?
        /// Why it is bad.
        public var reason: String?
        /// Creates a result.
        public init(ok: Bool, recordsChecked: UInt64, lastSeq: UInt64, headSeq: UInt64, firstBadSeq: UInt64? = nil,
                    reason: String? = nil) {
            self.ok = ok
            self.recordsChecked = recordsChecked
            self.lastSeq = lastSeq
            self.headSeq = headSeq
            self.firstBadSeq = firstBadSeq
            self.reason = reason
        }
    }
}
