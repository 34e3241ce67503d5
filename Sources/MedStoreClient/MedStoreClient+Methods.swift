import MedStoreProtocol

extension MedStoreClient {
    /// Daemon version, uptime and whether the account exists.
    public func status() async throws(MedStoreError) -> Status.Result {
        try await call(Status.self, Empty())
    }

    /// Creates the cluster's account (random name when `name` is nil).
    public func createAccount(name: String? = nil) async throws(MedStoreError) -> AccountInfo {
        try await call(AccountCreate.self, .init(name: name))
    }

    /// Adopts an existing account's name and base64 keys.
    public func importAccount(name: String, primaryKey: String, secondaryKey: String) async throws(MedStoreError) -> AccountInfo {
        try await call(AccountImport.self, .init(name: name, primaryKey: primaryKey, secondaryKey: secondaryKey))
    }

    /// The account, without keys.
    public func showAccount() async throws(MedStoreError) -> AccountInfo {
        try await call(AccountShow.self, Empty())
    }

    /// Deletes the account and everything in it; `confirmName` must be its name.
    public func deleteAccount(confirmName: String) async throws(MedStoreError) -> AccountDelete.Result {
        try await call(AccountDelete.self, .init(confirmName: confirmName))
    }

    /// Which key signs tokens and each key's age.
    public func showKeys() async throws(MedStoreError) -> KeysInfo {
        try await call(KeysShow.self, Empty())
    }

    /// Signs new tokens with `key` (the other key when nil).
    public func switchKey(to key: KeyName? = nil) async throws(MedStoreError) -> KeysInfo {
        try await call(KeysSwitch.self, .init(key: key))
    }

    /// Replaces `key` with fresh bytes; `force` is needed for the key that signs tokens. The
    /// result says which recorded tokens it invalidated (daemons from protocol 1.2 on).
    public func regenerateKey(_ key: KeyName, force: Bool = false) async throws(MedStoreError) -> KeysRegenerate.Result {
        try await call(KeysRegenerate.self, .init(key: key, force: force ? true : nil))
    }

    /// Creates a container.
    public func createContainer(_ name: String) async throws(MedStoreError) -> ContainerInfo {
        try await call(ContainerCreate.self, .init(name: name))
    }

    /// One container.
    public func showContainer(_ name: String) async throws(MedStoreError) -> ContainerInfo {
        try await call(ContainerShow.self, .init(name: name))
    }

    /// Deletes a container and everything in it.
    public func deleteContainer(_ name: String) async throws(MedStoreError) -> ContainerInfo {
        try await call(ContainerDelete.self, .init(name: name))
    }

    /// One page of containers.
    public func listContainers(prefix: String? = nil, marker: String? = nil,
                               limit: UInt64? = nil) async throws(MedStoreError) -> ContainerList.Result {
        try await call(ContainerList.self, .init(prefix: prefix, marker: marker, limit: limit))
    }

    /// Every container, following pages.
    public func allContainers(prefix: String? = nil) async throws(MedStoreError) -> [ContainerInfo] {
        var all: [ContainerInfo] = []
        var marker: String?
        repeat {
            let page = try await listContainers(prefix: prefix, marker: marker, limit: ProtocolLimits.maxPageSize)
            all += page.containers
            marker = page.nextMarker
        } while marker != nil
        return all
    }

    /// A service SAS for a container.
    public func containerToken(_ container: String, _ options: TokenOptions) async throws(MedStoreError) -> IssuedToken {
        try await call(TokenContainer.self, .init(container: container, options: options))
    }

    /// A service SAS for one blob.
    public func blobToken(_ container: String, blob: String, _ options: TokenOptions) async throws(MedStoreError) -> IssuedToken {
        try await call(TokenBlob.self, .init(container: container, blob: blob, options: options))
    }

    /// The allowed-IP rules and the cluster networks.
    public func listIPRules() async throws(MedStoreError) -> IPList.Result {
        try await call(IPList.self, Empty())
    }

    /// Allows an address or CIDR range.
    public func allowIP(_ address: String, note: String? = nil) async throws(MedStoreError) -> IPRuleInfo {
        try await call(IPAllow.self, .init(address: address, note: note))
    }

    /// Removes a rule by id, address or range.
    public func removeIP(_ rule: String) async throws(MedStoreError) -> IPRuleInfo {
        try await call(IPRemove.self, .init(rule: rule))
    }
}
