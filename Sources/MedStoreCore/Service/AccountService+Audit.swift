import Foundation
import MedStoreProtocol

extension AccountService {
    /// One page of the audit trail, oldest first (`audit.list`).
    ///
    /// - Throws: `invalidTime` for a `since` that does not parse, `invalidArgument` for an unknown
    ///   user or a limit outside 1–5000.
    public func listAudit(_ p: AuditList.Params) throws(MedStoreError) -> AuditList.Result {
        let limit = p.limit ?? ProtocolLimits.defaultPageSize
        guard limit >= 1, limit <= ProtocolLimits.maxPageSize else {
            throw MedStoreError(.invalidArgument, "limit must be between 1 and \(ProtocolLimits.maxPageSize), got \(limit)")
        }
        let since = try p.since.map { (text) throws(MedStoreError) -> UInt64 in
            AuditRecord.micros(try SASTime.parseUserTime(text))
        }
        let uid = try p.caller.map { (text) throws(MedStoreError) -> UInt32 in
            guard let uid = SystemAccounts.uid(text) else {
                throw MedStoreError(.invalidArgument, "no user '\(text.prefix(64))' on this system; give a user name or uid")
            }
            return uid
        }
        return try audit.list(sinceMicros: since, uid: uid, method: p.method, marker: p.marker ?? 0, limit: Int(limit))
    }

    /// Walks the audit chain (`audit.verify`).
    public func verifyAudit() throws(MedStoreError) -> AuditVerify.Result {
        try audit.verify()
    }
}
