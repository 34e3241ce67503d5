import MedStoreProtocol

/// The one table of control method → the weakest role allowed to call it. The connection checks
/// it before any handler runs; a method missing here needs `admin`.
public enum MethodPolicy {
    /// Methods weaker roles may call; everything else is admin-only.
    public static let table: [String: Role] = [
        Hello.name: .stranger,
        Status.name: .reader,
        AccountShow.name: .reader,
        KeysShow.name: .reader,
        ContainerList.name: .reader,
        ContainerShow.name: .reader,
        IPList.name: .reader,
        BackupShow.name: .reader,
        BackupDeleted.name: .reader,
        TokenContainer.name: .issuer,
        TokenBlob.name: .issuer,
        TokenList.name: .reader,
    ]

    /// The weakest role that may call `method` (admin for anything not listed).
    public static func requiredRole(for method: String) -> Role {
        table[method] ?? .admin
    }

    /// Nil when `role` may call `method`; otherwise the `permissionDenied` error to send.
    public static func denial(method: String, role: Role, uid: UInt32) -> MedStoreError? {
        let required = requiredRole(for: method)
        guard role < required else { return nil }
        if role == .stranger {
            return MedStoreError(.permissionDenied,
                "uid \(uid) has no role on this daemon (not admin, no grant, not a reader); the connection closes")
        }
        return MedStoreError(.permissionDenied, "\(method) needs the \(required) role; uid \(uid) is \(role)")
    }
}
