import Foundation
import MedStoreProtocol

extension AccountService {
    /// Which key signs tokens, and each key's age. Never the key bytes.
    public func showKeys() throws(MedStoreError) -> KeysInfo {
        try locked { () throws(MedStoreError) -> KeysInfo in try keysInfo(requireAccount()) }
    }

    /// Makes `key` (or the other key, when nil) the key new tokens are signed with.
    public func switchKey(to key: KeyName?) throws(MedStoreError) -> KeysInfo {
        try locked { () throws(MedStoreError) -> KeysInfo in
            let account = try requireAccount()
            let target = key ?? account.keyForTokens.other
            try db.query("UPDATE account SET key_for_tokens = ? WHERE id = 1", [.text(target.rawValue)])
            return try keysInfo(requireAccount())
        }
    }

    /// Replaces `key` with fresh random bytes. Every token signed with the old bytes stops
    /// verifying at once; their registry records become `keyRegenerated`. The key that signs
    /// tokens is only replaced with `force`. With `dryRun` nothing changes: the result only
    /// reports the tokens it would invalidate (the same checks apply, so a dry run without
    /// `force` of the key for tokens fails as the real call would).
    public func regenerateKey(_ key: KeyName, force: Bool, dryRun: Bool = false) throws(MedStoreError) -> KeysRegenerate.Result {
        let fresh = try AccountKey.generate()
        return try locked { () throws(MedStoreError) -> KeysRegenerate.Result in
            let account = try requireAccount()
            if key == account.keyForTokens && !force {
                throw MedStoreError(.keyInUse,
                                    "the \(key.rawValue) key signs new tokens; regenerating it now breaks every token in use. Safe order: `medctl keys switch \(key.other.rawValue)`, re-issue tokens, then `medctl keys regenerate \(key.rawValue)` (or pass --force to do it anyway)")
            }
            let impact = try liveTokenImpact(signedWith: key)
            if dryRun {
                return KeysRegenerate.Result(keys: try keysInfo(account), dryRun: true, invalidatedTokens: impact)
            }
            let current = now
            try db.transaction { () throws(MedStoreError) in
                try storeSealed(fresh, as: key, createdAt: current)
                try db.query("UPDATE issued_tokens SET key_regenerated_at = ? WHERE signing_key = ? AND key_regenerated_at IS NULL",
                             [.integer(current), .text(key.rawValue)])
            }
            try loadKeys()
            try loadRevokedTokens()
            return KeysRegenerate.Result(keys: try keysInfo(account), invalidatedTokens: impact)
        }
    }

    func keysInfo(_ account: AccountRow) throws(MedStoreError) -> KeysInfo {
        let current = now
        var keys: [KeyInfo] = []
        for row in try db.query("SELECT name, created_at FROM account_keys ORDER BY name") {
            guard let name = row.text(0).flatMap(KeyName.init(rawValue:)) else { continue }
            keys.append(KeyInfo(name: name, createdAt: Timestamp.format(unixSeconds: row.int(1)),
                                ageSeconds: UInt64(max(0, current - row.int(1)))))
        }
        return KeysInfo(keyForTokens: account.keyForTokens, keys: keys)
    }
}
