import MedStoreProtocol

extension AccountService {
    /// Seals every account key still stored raw (`sealed = 0`, written before keys were sealed)
    /// in one transaction, then checkpoints the WAL with `TRUNCATE` so that no old page with the
    /// raw bytes stays in `medstore.db-wal` (`secure_delete` already zeroes the freed cells in the
    /// database file). Returns how many keys it sealed. Call with the lock held.
    func sealUnsealedKeys() throws(MedStoreError) -> Int {
        let count = try db.transaction { () throws(MedStoreError) -> Int in
            let rows = try db.query("SELECT name, key_bytes FROM account_keys WHERE sealed = 0")
            for row in rows {
                guard let name = row.text(0).flatMap(KeyName.init(rawValue:)), var raw = row.blob(1) else {
                    throw MedStoreError(.internal, "an unsealed account key row in \(db.path) is unreadable")
                }
                defer { Crypto.cleanse(&raw) }
                let key = try AccountKey(rawBytes: raw)
                try storeSealed(key, as: name, createdAt: nil)
            }
            return rows.count
        }
        if count > 0 { try checkpointTruncatingWAL() }
        return count
    }

    /// Writes `key`, sealed, into slot `name` (inserting with `createdAt`, or updating the
    /// existing row's bytes, and its time when `createdAt` is given). Call with the lock held.
    func storeSealed(_ key: AccountKey, as name: KeyName, createdAt: Int64?) throws(MedStoreError) {
        let sealed = SQLiteValue.blob(try sealer.seal(key, slot: name))
        if let createdAt {
            try db.query("""
                INSERT INTO account_keys (name, key_bytes, sealed, created_at) VALUES (?, ?, 1, ?)
                ON CONFLICT (name) DO UPDATE SET key_bytes = excluded.key_bytes, sealed = 1, created_at = excluded.created_at
                """, [.text(name.rawValue), sealed, .integer(createdAt)])
        } else {
            try db.query("UPDATE account_keys SET key_bytes = ?, sealed = 1 WHERE name = ?", [sealed, .text(name.rawValue)])
        }
    }

    /// Moves every WAL frame into the database file and truncates the WAL to zero bytes.
    private func checkpointTruncatingWAL() throws(MedStoreError) {
        let result = try db.query("PRAGMA wal_checkpoint(TRUNCATE)")
        guard let row = result.first, row.int(0) == 0 else {
            throw MedStoreError(.unavailable,
                                "could not checkpoint \(db.path) after sealing the account keys (the database is busy); restart medstored")
        }
    }
}
