import Foundation
import MedStoreProtocol

extension AccountService {
    /// The allowed-IP rules and the cluster networks always allowed.
    public func listIPRules() throws(MedStoreError) -> IPList.Result {
        try locked { () throws(MedStoreError) -> IPList.Result in
            _ = try requireAccount()
            let rules = try db.query("SELECT id, network, note, created_at FROM ip_rules ORDER BY id").map(AccountService.ruleInfo)
            return IPList.Result(rules: rules, clusterNetworks: configuration.clusterNetworks)
        }
    }

    /// Adds a rule for an address or CIDR range.
    public func allowIP(address: String, note: String?) throws(MedStoreError) -> IPRuleInfo {
        let network = try CIDR.parse(address)
        if let note, note.utf8.count > 256 {
            throw MedStoreError(.invalidArgument, "note is \(note.utf8.count) bytes; at most 256")
        }
        return try locked { () throws(MedStoreError) -> IPRuleInfo in
            _ = try requireAccount()
            let text = network.description
            if try !db.query("SELECT id FROM ip_rules WHERE network = ?", [.text(text)]).isEmpty {
                throw MedStoreError(.ipRuleAlreadyExists, "\(text) is already allowed")
            }
            firewallCache = nil
            try db.query("INSERT INTO ip_rules (network, note, created_at) VALUES (?, ?, ?)",
                         [.text(text), note.map(SQLiteValue.text) ?? .null, .integer(now)])
            let row = try db.query("SELECT id, network, note, created_at FROM ip_rules WHERE id = ?", [.integer(db.lastInsertRowID)])
            return AccountService.ruleInfo(row[0])
        }
    }

    /// Removes the rule named by id, address or CIDR range.
    public func removeIP(rule: String) throws(MedStoreError) -> IPRuleInfo {
        let trimmed = rule.trimmingCharacters(in: .whitespaces)
        return try locked { () throws(MedStoreError) -> IPRuleInfo in
            _ = try requireAccount()
            let rows: [SQLiteRow]
            if let id = Int64(trimmed), id > 0 {
                rows = try db.query("SELECT id, network, note, created_at FROM ip_rules WHERE id = ?", [.integer(id)])
            } else {
                let network = try CIDR.parse(trimmed)
                rows = try db.query("SELECT id, network, note, created_at FROM ip_rules WHERE network = ?", [.text(network.description)])
            }
            guard let row = rows.first else {
                throw MedStoreError(.ipRuleNotFound, "no allowed-IP rule matches '\(trimmed)'; see `medctl ip list`")
            }
            let info = AccountService.ruleInfo(row)
            firewallCache = nil
            try db.query("DELETE FROM ip_rules WHERE id = ?", [.integer(Int64(info.id))])
            return info
        }
    }

    static func ruleInfo(_ row: SQLiteRow) -> IPRuleInfo {
        IPRuleInfo(id: UInt64(row.int(0)), network: row.text(1) ?? "", note: row.text(2),
                   createdAt: Timestamp.format(unixSeconds: row.int(3)))
    }
}
