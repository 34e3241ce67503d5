import Foundation
import MedStoreProtocol

extension AccountService {
    /// Adds an issuer grant. Users and groups are stored by number (names are resolved now).
    ///
    /// - Throws: `invalidArgument` for an unknown user or group, a unit not named `*.service`, a
    ///   relative executable path, a bad pattern or lifetime; `invalidPermissions`, `invalidIPRule`.
    public func addGrant(_ p: GrantAdd.Params) throws(MedStoreError) -> GrantInfo {
        let subject = try AccountService.canonicalSubject(kind: p.kind, p.subject)
        try ContainerPattern.validate(p.containers)
        let permissions = try SASPermissions.parse(p.permissions, for: .container).canonical
        guard p.maxTTLSeconds > 0, TimeInterval(p.maxTTLSeconds) <= TokenWindow.maxLifetimeSeconds else {
            throw MedStoreError(.invalidArgument, "maxTTLSeconds must be between 1 and \(Int(TokenWindow.maxLifetimeSeconds)), got \(p.maxTTLSeconds)")
        }
        let ip = try p.ipRange.map { (text) throws(MedStoreError) -> String in try SASIPRange.parse(text).text }
        return try locked { () throws(MedStoreError) -> GrantInfo in
            try db.query("""
                INSERT INTO grants (kind, subject, containers, permissions, max_ttl_seconds, ip_range, https_only, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(p.kind.rawValue), .text(subject), .text(p.containers), .text(permissions),
                      .integer(Int64(p.maxTTLSeconds)), ip.map(SQLiteValue.text) ?? .null,
                      .integer(p.httpsOnly == true ? 1 : 0), .integer(now)])
            return try grantRows("WHERE id = ?", [.integer(db.lastInsertRowID)])[0]
        }
    }

    /// Every grant in id order.
    public func listGrants() throws(MedStoreError) -> GrantList.Result {
        GrantList.Result(grants: try locked { () throws(MedStoreError) -> [GrantInfo] in try grantRows("", []) })
    }

    /// Removes grant `id`. Throws `notFound` when there is none.
    public func removeGrant(id: UInt64) throws(MedStoreError) -> GrantInfo {
        try locked { () throws(MedStoreError) -> GrantInfo in
            guard id <= UInt64(Int64.max), let info = try grantRows("WHERE id = ?", [.integer(Int64(id))]).first else {
                throw MedStoreError(.notFound, "no grant with id \(id); see `medctl grant list`")
            }
            try db.query("DELETE FROM grants WHERE id = ?", [.integer(Int64(id))])
            return info
        }
    }

    /// The grants that apply to `caller`, in id order.
    public func grants(for caller: CallerIdentity) throws(MedStoreError) -> [Grant] {
        let all = try locked { () throws(MedStoreError) -> [GrantInfo] in try grantRows("", []) }
        var matching: [Grant] = []
        for info in all {
            let grant = try Grant(info)
            if grant.matches(caller) { matching.append(grant) }
        }
        return matching
    }

    private func grantRows(_ filter: String, _ bindings: [SQLiteValue]) throws(MedStoreError) -> [GrantInfo] {
        try db.query("""
            SELECT id, kind, subject, containers, permissions, max_ttl_seconds, ip_range, https_only, created_at
            FROM grants \(filter) ORDER BY id
            """, bindings).map { row in
            let kind = row.text(1).flatMap(GrantKind.init(rawValue:)) ?? .user
            let subject = row.text(2) ?? ""
            return GrantInfo(id: UInt64(row.int(0)), kind: kind, subject: subject,
                             subjectName: AccountService.subjectName(kind: kind, subject),
                             containers: row.text(3) ?? "", permissions: row.text(4) ?? "",
                             maxTTLSeconds: UInt64(max(0, row.int(5))), ipRange: row.text(6),
                             httpsOnly: row.int(7) == 1, createdAt: Timestamp.format(unixSeconds: row.int(8)))
        }
    }

    static func canonicalSubject(kind: GrantKind, _ subject: String) throws(MedStoreError) -> String {
        switch kind {
        case .user:
            guard let uid = SystemAccounts.uid(subject) else {
                throw MedStoreError(.invalidArgument, "no user '\(subject.prefix(64))' on this system")
            }
            return String(uid)
        case .group:
            guard let gid = SystemAccounts.gid(subject) else {
                throw MedStoreError(.invalidArgument, "no group '\(subject.prefix(64))' on this system")
            }
            return String(gid)
        case .unit:
            guard subject.hasSuffix(".service"), subject.count > 8, !subject.contains("/"), subject.utf8.count <= 256 else {
                throw MedStoreError(.invalidArgument, "unit must be a systemd service name like backup.service, got '\(subject.prefix(64))'")
            }
            return subject
        case .exe:
            guard subject.hasPrefix("/"), subject.utf8.count <= 4096 else {
                throw MedStoreError(.invalidArgument, "exe must be an absolute path, got '\(subject.prefix(64))'")
            }
            return subject
        }
    }

    static func subjectName(kind: GrantKind, _ subject: String) -> String? {
        switch kind {
        case .user: return UInt32(subject).flatMap(SystemAccounts.userName)
        case .group: return UInt32(subject).flatMap(SystemAccounts.groupName)
        case .unit, .exe: return nil
        }
    }
}
