import MedStoreProtocol

extension MedStoreClient {
    /// One page of the audit trail, oldest first.
    public func listAudit(_ params: AuditList.Params) async throws(MedStoreError) -> AuditList.Result {
        try await call(AuditList.self, params)
    }

    /// Audit entries matching the filters in `params`, following pages, at most `limit` of them
    /// (all when nil). `params.marker` and `params.limit` are managed here.
    public func auditEntries(_ params: AuditList.Params, limit: Int? = nil) async throws(MedStoreError) -> [AuditEntry] {
        var all: [AuditEntry] = []
        var page = params
        repeat {
            let left = limit.map { $0 - all.count } ?? Int(ProtocolLimits.maxPageSize)
            page.limit = UInt64(min(max(left, 1), Int(ProtocolLimits.maxPageSize)))
            let result = try await listAudit(page)
            all += result.entries
            page.marker = result.nextMarker
        } while page.marker != nil && (limit.map { all.count < $0 } ?? true)
        return all
    }

    /// Walks the audit chain and reports the first bad record, if any.
    public func verifyAudit() async throws(MedStoreError) -> AuditVerify.Result {
        try await call(AuditVerify.self, Empty())
    }
}
