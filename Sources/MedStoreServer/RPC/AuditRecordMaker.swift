import MedStoreCore
import MedStoreProtocol

/// Makes the audit records of one control connection's requests: who (the caller as seen at
/// accept, and its role for the request), what (method and target) and how it ended. Never puts
/// params other than the target's fields in a record (see ``AuditTarget``).
struct AuditRecordMaker: Sendable {
    /// The connection's id.
    let connection: UInt64
    /// The caller as seen at accept.
    let identity: CallerIdentity
    /// The audit trail's clock.
    let now: @Sendable () -> UInt64

    /// A record of `kind` for `request`; `role` is nil when the request was refused before the
    /// caller's role was known.
    func record(_ kind: AuditRecord.Kind, _ request: RequestEnvelope, role: Role?, target: String?,
                outcome: String? = nil, ref: UInt64? = nil) -> AuditRecord {
        AuditRecord(kind: kind, timeMicros: now(), method: request.method, ref: ref, connection: connection,
                    requestID: request.id, uid: identity.uid, gid: identity.gid,
                    pid: UInt32(clamping: max(identity.pid, 0)), executable: identity.executable, unit: identity.unit,
                    role: role?.description, target: target, outcome: outcome)
    }

    /// The outcome text of a reply: `ok` or its error code.
    static func outcome(_ outcome: ResponseEnvelope.Outcome) -> String {
        if case .error(let error) = outcome { return error.code.rawValue }
        return "ok"
    }
}
