import Foundation

/// One record of the audit trail (spec §5.2). A request the daemon performs leaves an `attempt`
/// before its handler runs and an `outcome` after it; a request without side effects leaves one
/// `request` after its handler, before its reply; a request refused before any handler leaves one
/// `refused`; each daemon start leaves a `start`. Records never hold key material, tokens or
/// signatures: only who asked, what, on which resource, and how it ended.
public struct AuditRecord: Sendable, Equatable {
    /// What a record stands for.
    public enum Kind: String, Sendable, CaseIterable {
        /// A request about to be performed (durable before its handler runs).
        case attempt
        /// How an `attempt` ended; `ref` is the attempt's `seq`.
        case outcome
        /// A request without side effects, with its outcome (durable before its reply).
        case request
        /// A request refused before any handler (role, stranger, unknown method, limits).
        case refused
        /// The daemon started; `outcome` says whether the chain matched its head.
        case start
    }

    /// Position in the chain, from 1; assigned by the writer (0 until then).
    public var seq: UInt64
    /// When the request reached the daemon, in microseconds since the Unix epoch.
    public var timeMicros: UInt64
    /// What the record stands for.
    public var kind: Kind
    /// For an `outcome`: the `seq` of its `attempt`.
    public var ref: UInt64?
    /// The control connection's id (as in the daemon log).
    public var connection: UInt64?
    /// The request's id on its connection.
    public var requestID: UInt64?
    /// The caller's uid (from the kernel).
    public var uid: UInt32?
    /// The caller's gid (from the kernel).
    public var gid: UInt32?
    /// The caller's pid (from the kernel).
    public var pid: UInt32?
    /// The caller's executable as seen at accept.
    public var executable: String?
    /// The caller's systemd unit as seen at accept.
    public var unit: String?
    /// The caller's role for this request.
    public var role: String?
    /// The method called (`medstored.start` for a start record).
    public var method: String
    /// The resource the request named (see ``AuditTarget``).
    public var target: String?
    /// `ok` or the error code.
    public var outcome: String?
    /// Extra facts (start records only).
    public var detail: String?

    /// Creates a record; `seq` is filled in by the writer.
    public init(kind: Kind, timeMicros: UInt64, method: String, ref: UInt64? = nil, connection: UInt64? = nil,
                requestID: UInt64? = nil, uid: UInt32? = nil, gid: UInt32? = nil, pid: UInt32? = nil,
                executable: String? = nil, unit: String? = nil, role: String? = nil, target: String? = nil,
                outcome: String? = nil, detail: String? = nil) {
        self.seq = 0
        self.timeMicros = timeMicros
        self.kind = kind
        self.ref = ref
        self.connection = connection
        self.requestID = requestID
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.executable = executable.map { AuditText.clean($0) }
        self.unit = unit.map { AuditText.clean($0) }
        self.role = role
        self.method = AuditText.clean(method, limit: AuditText.maxMethodBytes)
        self.target = target.map { AuditText.clean($0) }
        self.outcome = outcome
        self.detail = detail.map { AuditText.clean($0) }
    }

    /// Microseconds since the epoch for `date` (0 before 1970).
    public static func micros(_ date: Date) -> UInt64 {
        let value = (date.timeIntervalSince1970 * 1_000_000).rounded(.down)
        return value > 0 ? UInt64(value) : 0
    }

    /// The record's fields in canonical order (spec §5.2), as stored in `audit.db`.
    public var fields: [AuditField] {
        [.uint(seq), .uint(timeMicros), .text(kind.rawValue), .uint(ref), .uint(connection), .uint(requestID),
         .uint(uid.map(UInt64.init)), .uint(gid.map(UInt64.init)), .uint(pid.map(UInt64.init)), .text(executable),
         .text(unit), .text(role), .text(method), .text(target), .text(outcome), .text(detail)]
    }
}
