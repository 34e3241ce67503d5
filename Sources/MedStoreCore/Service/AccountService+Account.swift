import Foundation
import MedStoreProtocol

/// The account row as stored.
struct AccountRow {
    var name: String
    var createdAt: Int64
    var imported: Bool
    var keyForTokens: KeyName
}

extension AccountService {
    /// Creates the cluster's account with two fresh 512-bit keys; refuses a second account.
    public func createAccount(name: String?) throws(MedStoreError) -> AccountInfo {
        let accountName: String
        if let name { accountName = name } else { accountName = try ResourceNames.randomAccountName() }
        try ResourceNames.validateAccountName(accountName)
        let primary = try AccountKey.generate()
        let secondary = try AccountKey.generate()
        return try insertAccount(name: accountName, primary: primary, secondary: secondary, imported: false)
    }

    /// Adopts an existing account's name and base64 keys.
    public func importAccount(name: String, primaryKey: String, secondaryKey: String) throws(MedStoreError) -> AccountInfo {
        try ResourceNames.validateAccountName(name)
        let primary: AccountKey
        let secondary: AccountKey
        do {
            primary = try AccountKey(base64: primaryKey)
        } catch {
            throw MedStoreError(.invalidKey, "primary key: \(error.message)")
        }
        do {
            secondary = try AccountKey(base64: secondaryKey)
        } catch {
            throw MedStoreError(.invalidKey, "secondary key: \(error.message)")
        }
        return try insertAccount(name: name, primary: primary, secondary: secondary, imported: true)
    }

    private func insertAccount(name: String, primary: AccountKey, secondary: AccountKey,
                               imported: Bool) throws(MedStoreError) -> AccountInfo {
        try locked { () throws(MedStoreError) -> AccountInfo in
            let created = now
            try db.transaction { () throws(MedStoreError) in
                if let existing = try accountRow() {
                    throw MedStoreError(.accountAlreadyExists,
                                        "this cluster already has the storage account '\(existing.name)'; one account per cluster (delete it first with `medctl account delete --confirm \(existing.name)`)")
                }
                try db.query("INSERT INTO account (id, name, created_at, imported, key_for_tokens) VALUES (1, ?, ?, ?, 'primary')",
                             [.text(name), .integer(created), .integer(imported ? 1 : 0)])
                for (keyName, key) in [(KeyName.primary, primary), (.secondary, secondary)] {
                    try storeSealed(key, as: keyName, createdAt: created)
                }
            }
            try loadKeys()
            return try accountInfo(requireAccount())
        }
    }

    /// The account, without keys.
    public func showAccount() throws(MedStoreError) -> AccountInfo {
        try locked { () throws(MedStoreError) -> AccountInfo in try accountInfo(requireAccount()) }
    }

    /// Deletes the account, its keys, containers, blobs, every backup (deleted containers' too),
    /// allowed-IP rules and token records, in one transaction. `confirmName` must match.
    public func deleteAccount(confirmName: String) throws(MedStoreError) -> AccountDelete.Result {
        try locked { () throws(MedStoreError) -> AccountDelete.Result in
            let account = try requireAccount()
            guard confirmName == account.name else {
                throw MedStoreError(.failedPrecondition,
                                    "confirmation '\(confirmName)' does not match the account name '\(account.name)'; nothing was deleted")
            }
            let (containers, freed) = try db.transaction { () throws(MedStoreError) -> (Int64, [String]) in
                let count = try db.query("SELECT count(*) FROM containers")[0].int(0)
                let freed = try blobs.removeEverything()
                try db.execute("DELETE FROM containers; DELETE FROM ip_rules; DELETE FROM settings; DELETE FROM account_keys; DELETE FROM account;")
                try db.execute("DELETE FROM issued_tokens")
                return (count, freed)
            }
            blobs.removeFiles(freed)
            try loadKeys()
            revokedTokens = RevokedTokenSet()
            return AccountDelete.Result(name: account.name, containersDeleted: UInt64(containers))
        }
    }

    /// The account row, or nil. Call with the lock held.
    func accountRow() throws(MedStoreError) -> AccountRow? {
        guard let row = try db.query("SELECT name, created_at, imported, key_for_tokens FROM account WHERE id = 1").first else {
            return nil
        }
        return AccountRow(name: row.text(0) ?? "", createdAt: row.int(1), imported: row.int(2) != 0,
                          keyForTokens: KeyName(rawValue: row.text(3) ?? "") ?? .primary)
    }

    /// The account row or `accountNotFound`. Call with the lock held.
    func requireAccount() throws(MedStoreError) -> AccountRow {
        guard let account = try accountRow() else {
            throw MedStoreError(.accountNotFound,
                                "this cluster has no storage account yet; create one with `medctl account create` or `medctl account import`")
        }
        return account
    }

    func accountInfo(_ account: AccountRow) throws(MedStoreError) -> AccountInfo {
        let containers = try db.query("SELECT count(*) FROM containers")[0].int(0)
        let rules = try db.query("SELECT count(*) FROM ip_rules")[0].int(0)
        return AccountInfo(name: account.name, createdAt: Timestamp.format(unixSeconds: account.createdAt),
                           imported: account.imported, keyForTokens: account.keyForTokens,
                           blobEndpoint: configuration.blobEndpoint(account: account.name),
                           containerCount: UInt64(containers), allowedIPCount: UInt64(rules),
                           clusterNetworks: configuration.clusterNetworks)
    }

    /// Counts for `status`: account name (if any) and number of containers.
    public func statusCounts() throws(MedStoreError) -> (accountName: String?, containers: UInt64) {
        try locked { () throws(MedStoreError) -> (accountName: String?, containers: UInt64) in
            let account = try accountRow()
            let containers = try db.query("SELECT count(*) FROM containers")[0].int(0)
            return (account?.name, UInt64(containers))
        }
    }
}
