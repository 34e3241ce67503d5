import MedStoreProtocol

extension MedStoreClient {
    /// Adds an issuer grant.
    public func addGrant(_ params: GrantAdd.Params) async throws(MedStoreError) -> GrantInfo {
        try await call(GrantAdd.self, params)
    }

    /// Every grant.
    public func listGrants() async throws(MedStoreError) -> GrantList.Result {
        try await call(GrantList.self, Empty())
    }

    /// Removes a grant by id.
    public func removeGrant(_ id: UInt64) async throws(MedStoreError) -> GrantInfo {
        try await call(GrantRemove.self, .init(id: id))
    }
}
