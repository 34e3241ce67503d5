/// Decides a caller's role from its identity, the admin and reader groups, and the grants.
public struct AccessControl: Sendable, Equatable {
    /// Members of this group are admins (besides root); a missing group means only root.
    public var adminGroup: String?
    /// Members of this group are readers.
    public var readerGroup: String?

    /// The defaults: `medstore-admin` and `medstore-readers`.
    public init(adminGroup: String? = "medstore-admin", readerGroup: String? = "medstore-readers") {
        self.adminGroup = adminGroup
        self.readerGroup = readerGroup
    }

    /// The role `caller` has without looking at grants: admin (root or admin group), reader
    /// (reader group) or stranger. Groups are looked up now, so one created later counts.
    public func baseRole(of caller: CallerIdentity) -> Role {
        if caller.uid == 0 { return .admin }
        let groups = caller.allGroups
        if let adminGroup, let gid = SystemAccounts.gid(adminGroup), groups.contains(gid) { return .admin }
        if let readerGroup, let gid = SystemAccounts.gid(readerGroup), groups.contains(gid) { return .reader }
        return .stranger
    }

    /// The full role: the base role, raised to issuer when some grant matches.
    public static func role(base: Role, matchingGrants: [Grant]) -> Role {
        base >= .issuer || matchingGrants.isEmpty ? base : .issuer
    }
}
