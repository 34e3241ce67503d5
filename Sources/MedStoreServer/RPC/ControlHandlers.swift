import Foundation
import MedStoreCore
import MedStoreProtocol

/// Wires every control method to the account service.
enum ControlHandlers {
    /// Facts `status` reports that the service does not own.
    struct DaemonFacts: Sendable {
        var startedAt: Date
        var requestsServed: @Sendable () -> UInt64
        var metrics: Metrics
    }

    static func router(service: AccountService, facts: DaemonFacts) -> RequestRouter {
        var router = RequestRouter()
        router.register(Status.self) { _ in
            let counts = try service.statusCounts()
            return Status.Result(
                daemonVersion: service.configuration.daemonVersion,
                protocolVersion: "\(ProtocolVersion.major).\(ProtocolVersion.minor)",
                startedAt: Timestamp.format(facts.startedAt),
                uptimeSeconds: UInt64(max(0, Date().timeIntervalSince(facts.startedAt))),
                accountPresent: counts.accountName != nil, accountName: counts.accountName,
                containerCount: counts.containers, clusterNetworks: service.configuration.clusterNetworks,
                requestsServed: facts.requestsServed())
                .with(blobRequestsServed: UInt64(facts.metrics.total("medstore_blob_requests_total")),
                      tokensIssued: UInt64(facts.metrics.total("medstore_tokens_issued_total")),
                      authFailures: UInt64(facts.metrics.total("medstore_auth_failures_total")))
        }
        router.register(AccountCreate.self) { p in try service.createAccount(name: p.name) }
        router.register(AccountImport.self) { p in
            try service.importAccount(name: p.name, primaryKey: p.primaryKey, secondaryKey: p.secondaryKey)
        }
        router.register(AccountShow.self) { _ in try service.showAccount() }
        router.register(AccountDelete.self) { p in try service.deleteAccount(confirmName: p.confirmName) }
        router.register(KeysShow.self) { _ in try service.showKeys() }
        router.register(KeysSwitch.self) { p in try service.switchKey(to: p.key) }
        router.register(KeysRegenerate.self) { p in
            try service.regenerateKey(p.key, force: p.force ?? false, dryRun: p.dryRun ?? false)
        }
        router.register(ContainerCreate.self) { p in try service.createContainer(name: p.name) }
        router.register(ContainerShow.self) { p in try service.showContainer(name: p.name) }
        router.register(ContainerDelete.self) { p in try service.deleteContainer(name: p.name) }
        router.register(ContainerList.self) { p in
            try service.listContainers(prefix: p.prefix, marker: p.marker, limit: p.limit)
        }
        router.register(TokenContainer.self) { p, caller in
            let options = try grantedOptions(caller, service, container: p.container, blob: nil, p.options)
            return try service.issueToken(container: p.container, blob: nil, options: options, caller: caller.identity)
        }
        router.register(TokenBlob.self) { p, caller in
            let options = try grantedOptions(caller, service, container: p.container, blob: p.blob, p.options)
            return try service.issueToken(container: p.container, blob: p.blob, options: options, caller: caller.identity)
        }
        router.register(IPList.self) { _ in try service.listIPRules() }
        router.register(IPAllow.self) { p in try service.allowIP(address: p.address, note: p.note) }
        router.register(IPRemove.self) { p in try service.removeIP(rule: p.rule) }
        router.register(GrantAdd.self) { p in try service.addGrant(p) }
        router.register(GrantList.self) { _ in try service.listGrants() }
        router.register(GrantRemove.self) { p in try service.removeGrant(id: p.id) }
        router.register(TokenList.self) { p in try service.listTokens(p) }
        router.register(TokenRevoke.self) { p in try service.revokeTokens(p) }
        router.register(BackupShow.self) { p in try service.backupInfo(container: p.container) }
        router.register(BackupDeleted.self) { _ in try service.deletedContainers() }
        router.register(BackupRestore.self) { p in
            let result = try service.restoreContainer(p.container, to: p.to, into: p.into)
            facts.metrics.observe("medstore_restore_seconds", seconds: result.durationMs / 1000)
            return result
        }
        router.register(BackupPrune.self) { _ in
            let result = try service.pruneBackups()
            facts.metrics.observe("medstore_prune_seconds", seconds: result.durationMs / 1000)
            return result
        }
        router.register(AuditList.self) { p in try service.listAudit(p) }
        router.register(AuditVerify.self) { _ in try service.verifyAudit() }
        return router
    }

    /// The token options to sign: as asked for an admin; for an issuer, only within its grants.
    private static func grantedOptions(_ caller: RequestCaller, _ service: AccountService, container: String,
                                       blob: String?, _ options: TokenOptions) throws(MedStoreError) -> TokenOptions {
        guard caller.role < .admin else { return options }
        return try TokenGrantCheck.options(grants: caller.grants, container: container, blob: blob, options: options,
                                           now: service.store.clock())
    }
}
