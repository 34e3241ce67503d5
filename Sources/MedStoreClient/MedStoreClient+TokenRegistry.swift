import MedStoreProtocol

extension MedStoreClient {
    /// One page of recorded tokens (protocol 1.2).
    public func listTokens(_ params: TokenList.Params) async throws(MedStoreError) -> TokenList.Result {
        try await call(TokenList.self, params)
    }

    /// Every recorded token that matches, following pages (protocol 1.2).
    public func allTokens(activeOnly: Bool = false, container: String? = nil) async throws(MedStoreError) -> [TokenInfo] {
        var all: [TokenInfo] = []
        var marker: String?
        repeat {
            let page = try await listTokens(.init(activeOnly: activeOnly ? true : nil, container: container, marker: marker))
            all += page.tokens
            marker = page.nextMarker
        } while marker != nil
        return all
    }

    /// Revokes one token by id, every active token signed with a key, or every active token for
    /// a container (exactly one of them; protocol 1.2).
    public func revokeTokens(_ params: TokenRevoke.Params) async throws(MedStoreError) -> TokenRevoke.Result {
        try await call(TokenRevoke.self, params)
    }

    /// What regenerating `key` would invalidate, changing nothing.
    ///
    /// - Throws: `failedPrecondition` when the daemon speaks protocol 1.1 or older: it would
    ///   ignore `dryRun` and regenerate the key, so the request is not sent.
    public func previewKeyRegeneration(_ key: KeyName, force: Bool = false) async throws(MedStoreError) -> KeysRegenerate.Result {
        guard server.protocolMinor >= 2 else {
            throw MedStoreError(.failedPrecondition,
                                "medstored speaks protocol \(server.protocolMajor).\(server.protocolMinor) and cannot preview a key regeneration (needs 1.2); upgrade medstored first")
        }
        return try await call(KeysRegenerate.self, .init(key: key, force: force ? true : nil, dryRun: true))
    }
}
