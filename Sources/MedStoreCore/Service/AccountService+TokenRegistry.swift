import Foundation
import MedStoreProtocol

/// The token registry: what was issued, and revocation.
extension AccountService {
    /// Largest estimated `token.list` reply: a page ends early rather than come near the frame limit.
    static let tokenPageBudgetBytes = 512 * 1024

    /// One page of recorded tokens in id order: all, or only active ones, or one container's.
    ///
    /// - Throws: `invalidArgument` for a limit outside 1–1000 or a marker that is not an id;
    ///   `invalidContainerName`; `accountNotFound`.
    public func listTokens(_ p: TokenList.Params) throws(MedStoreError) -> TokenList.Result {
        let pageSize = p.limit ?? TokenList.maxPageSize
        guard pageSize >= 1 && pageSize <= TokenList.maxPageSize else {
            throw MedStoreError(.invalidArgument, "limit must be between 1 and \(TokenList.maxPageSize), got \(pageSize)")
        }
        var after: Int64 = 0
        if let marker = p.marker, !marker.isEmpty {
            guard let value = Int64(marker), value >= 0 else {
                throw MedStoreError(.invalidArgument, "marker must be a token id from a previous page's nextMarker, got '\(marker.prefix(32))'")
            }
            after = value
        }
        if let container = p.container { try ResourceNames.validateContainerName(container) }
        return try locked { () throws(MedStoreError) -> TokenList.Result in
            _ = try requireAccount()
            let current = now
            var filters = ["id > ?"]
            var bindings: [SQLiteValue] = [.integer(after)]
            if let container = p.container {
                filters.append("container = ?")
                bindings.append(.text(container))
            }
            if p.activeOnly == true {
                filters.append(Self.liveTokenFilter)
                bindings.append(.integer(current))
            }
            bindings.append(.integer(Int64(pageSize) + 1))
            let rows = try db.query("SELECT \(Self.tokenColumns) FROM issued_tokens WHERE \(filters.joined(separator: " AND ")) ORDER BY id LIMIT ?",
                                    bindings)
            var page: [TokenInfo] = []
            var bytes = 0
            for row in rows.prefix(Int(pageSize)) {
                let info = Self.tokenInfo(row, now: current)
                bytes += Self.estimatedSize(info)
                if bytes > Self.tokenPageBudgetBytes && !page.isEmpty { break }
                page.append(info)
            }
            let more = page.count < rows.count
            return TokenList.Result(tokens: page, nextMarker: more ? page.last.map { String($0.id) } : nil)
        }
    }

    /// Revokes one token by id, every active token signed with a key, or every active token for
    /// a container (exactly one of them); counts tokens, not records (identical tokens issued
    /// in one second have several records). From the next request on the data plane refuses them
    /// with `AuthenticationFailed` until they expire.
    ///
    /// A token named by id that is already revoked, expired or dead by a key regeneration is left
    /// as it is: the result has `revoked` 0 and the token's state.
    ///
    /// - Throws: `invalidArgument` unless exactly one selector is given; `notFound` for an
    ///   unknown id; `invalidContainerName`; `accountNotFound`.
    public func revokeTokens(_ p: TokenRevoke.Params) throws(MedStoreError) -> TokenRevoke.Result {
        let given = [p.id != nil, p.allForKey != nil, p.container != nil].filter { $0 }.count
        guard given == 1 else {
            throw MedStoreError(.invalidArgument, "token.revoke takes exactly one of id, allForKey and container; got \(given)")
        }
        if let container = p.container { try ResourceNames.validateContainerName(container) }
        return try locked { () throws(MedStoreError) -> TokenRevoke.Result in
            _ = try requireAccount()
            let current = now
            if let id = p.id {
                return try revokeOne(id: id, now: current)
            }
            var filter = Self.liveTokenFilter
            var bindings: [SQLiteValue] = [.integer(current)]
            if let key = p.allForKey {
                filter += " AND signing_key = ?"
                bindings.append(.text(key.rawValue))
            } else if let container = p.container {
                filter += " AND container = ?"
                bindings.append(.text(container))
            }
            let count = try db.transaction { () throws(MedStoreError) -> Int in
                let rows = try db.query("SELECT fingerprint, expires_at FROM issued_tokens WHERE \(filter)", bindings)
                try db.query("UPDATE issued_tokens SET revoked_at = ? WHERE \(filter)", [.integer(current)] + bindings)
                var distinct = Set<TokenFingerprint>()
                for row in rows {
                    guard let fingerprint = row.text(0).flatMap(TokenFingerprint.init(hex:)) else { continue }
                    distinct.insert(fingerprint)
                    revokedTokens.insert(fingerprint, expiresAt: row.int(1))
                }
                return distinct.count
            }
            return TokenRevoke.Result(revoked: UInt64(count))
        }
    }

    /// Revokes token `id` (and any other record of the very same token: identical requests in
    /// the same second sign identical tokens). Call with the lock held.
    private func revokeOne(id: UInt64, now current: Int64) throws(MedStoreError) -> TokenRevoke.Result {
        guard id <= UInt64(Int64.max),
              let row = try db.query("SELECT \(Self.tokenColumns) FROM issued_tokens WHERE id = ?", [.integer(Int64(id))]).first else {
            throw MedStoreError(.notFound, "no token with id \(id); see `medctl token list`")
        }
        let before = Self.tokenInfo(row, now: current)
        guard before.state == .active, let fingerprint = TokenFingerprint(hex: before.fingerprint) else {
            return TokenRevoke.Result(revoked: 0, token: before)
        }
        try db.transaction { () throws(MedStoreError) in
            // Identical tokens are for the same container: the container index narrows the search.
            try db.query("UPDATE issued_tokens SET revoked_at = ? WHERE container = ? AND fingerprint = ? AND revoked_at IS NULL",
                         [.integer(current), .text(before.container), .text(fingerprint.hex)])
            revokedTokens.insert(fingerprint, expiresAt: row.int(Self.expiresAtColumn))
        }
        var after = before
        after.state = .revoked
        after.revokedAt = Timestamp.format(unixSeconds: current)
        return TokenRevoke.Result(revoked: 1, token: after)
    }

    /// The active recorded tokens signed with `key`, counted by caller (most first). Tokens are
    /// counted once however many records they have (identical requests in one second). Call with
    /// the lock held.
    func liveTokenImpact(signedWith key: KeyName) throws(MedStoreError) -> TokenImpact {
        let bindings: [SQLiteValue] = [.integer(now), .text(key.rawValue)]
        let rows = try db.query("""
            SELECT caller_label, min(caller_uid), count(DISTINCT fingerprint) AS n FROM issued_tokens
            WHERE \(Self.liveTokenFilter) AND signing_key = ?
            GROUP BY caller_label ORDER BY n DESC, caller_label
            """, bindings)
        let callers = rows.map { row in
            CallerTokenCount(caller: row.text(0) ?? "", uid: row.optionalInt(1).map { UInt32(truncatingIfNeeded: $0) },
                             tokens: UInt64(max(0, row.int(2))))
        }
        let total = try db.query("SELECT count(DISTINCT fingerprint) FROM issued_tokens WHERE \(Self.liveTokenFilter) AND signing_key = ?",
                                 bindings)[0].int(0)
        return TokenImpact(tokens: UInt64(max(0, total)), callers: callers)
    }

    /// Reads the revoked, unexpired tokens into ``revokedTokens``. Call with the lock held.
    func loadRevokedTokens() throws(MedStoreError) {
        var set = RevokedTokenSet()
        let rows = try db.query("""
            SELECT fingerprint, expires_at FROM issued_tokens
            WHERE revoked_at IS NOT NULL AND key_regenerated_at IS NULL AND expires_at >= ?
            """, [.integer(now)])
        for row in rows {
            guard let fingerprint = row.text(0).flatMap(TokenFingerprint.init(hex:)) else { continue }
            set.insert(fingerprint, expiresAt: row.int(1))
        }
        revokedTokens = set
    }

    // MARK: - Rows

    /// Tokens the data plane still accepts (bind: now). No index serves it (a scan): it is
    /// only used by listing, revocation and key regeneration, never by issuance.
    static let liveTokenFilter = "revoked_at IS NULL AND key_regenerated_at IS NULL AND expires_at > ?"

    static let tokenColumns = """
        id, issued_at, caller_label, caller_uid, caller_gid, caller_pid, caller_exe, caller_unit, container, blob, resource,
        permissions, starts_at, expires_at, ip_range, protocol, signing_key, fingerprint, revoked_at, key_regenerated_at
        """
    static let expiresAtColumn = 13

    static func tokenInfo(_ row: SQLiteRow, now: Int64) -> TokenInfo {
        let expiresAt = row.int(expiresAtColumn)
        let revokedAt = row.optionalInt(18)
        let regeneratedAt = row.optionalInt(19)
        let state: TokenState
        if revokedAt != nil {
            state = .revoked
        } else if regeneratedAt != nil {
            state = .keyRegenerated
        } else if expiresAt <= now {
            state = .expired
        } else {
            state = .active
        }
        return TokenInfo(
            id: UInt64(max(0, row.int(0))), issuedAt: Timestamp.format(unixSeconds: row.int(1)), caller: row.text(2) ?? "",
            callerUID: row.optionalInt(3).map { UInt32(truncatingIfNeeded: $0) },
            callerGID: row.optionalInt(4).map { UInt32(truncatingIfNeeded: $0) },
            callerPID: row.optionalInt(5).map { UInt32(truncatingIfNeeded: $0) },
            callerExecutable: row.text(6), callerUnit: row.text(7), container: row.text(8) ?? "", blob: row.text(9),
            resource: row.text(10) == SASResource.blob.rawValue ? "blob" : "container", permissions: row.text(11) ?? "",
            start: row.optionalInt(12).map(Timestamp.format(unixSeconds:)), expiry: Timestamp.format(unixSeconds: expiresAt),
            ip: row.text(14), httpsOnly: row.text(15) == "https",
            signedWith: row.text(16).flatMap(KeyName.init(rawValue:)) ?? .primary, fingerprint: row.text(17) ?? "",
            state: state, revokedAt: revokedAt.map(Timestamp.format(unixSeconds:)),
            keyRegeneratedAt: regeneratedAt.map(Timestamp.format(unixSeconds:)))
    }

    /// A generous estimate of a token's size in a CBOR reply.
    private static func estimatedSize(_ info: TokenInfo) -> Int {
        let texts = [info.caller, info.callerExecutable ?? "", info.callerUnit ?? "", info.container, info.blob ?? "",
                     info.ip ?? ""]
        return 400 + texts.reduce(0) { $0 + $1.utf8.count }
    }
}
