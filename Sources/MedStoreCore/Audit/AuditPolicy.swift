import MedStoreProtocol

/// How each control method is recorded. A method with side effects (the default, so methods
/// added later are covered safely) gets an `attempt` record made durable before its handler runs
/// and an `outcome` record after it. A method whose only effect is its reply (listed here) gets
/// one `request` record, made durable after its handler and before its reply: nothing it
/// produces leaves the daemon unrecorded, and it waits for one group commit instead of two.
public enum AuditPolicy {
    /// Methods that change nothing: their reply is their only effect. (`token.container` and
    /// `token.blob` are not among them: issuing records the token in the registry.)
    public static let replyOnlyMethods: Set<String> = [
        Status.name, AccountShow.name, KeysShow.name, ContainerList.name, ContainerShow.name, IPList.name,
        GrantList.name, TokenList.name, BackupShow.name, BackupDeleted.name, AuditList.name, AuditVerify.name,
    ]

    /// Whether `method` is recorded once, after its handler (see ``replyOnlyMethods``).
    public static func isReplyOnly(_ method: String) -> Bool {
        replyOnlyMethods.contains(method)
    }
}
