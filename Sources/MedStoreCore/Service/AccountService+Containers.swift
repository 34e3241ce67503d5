import Foundation
import MedStoreProtocol

extension AccountService {
    /// Creates a container with an Azure-valid name.
    public func createContainer(name: String) throws(MedStoreError) -> ContainerInfo {
        try ResourceNames.validateContainerName(name)
        return try locked { () throws(MedStoreError) -> ContainerInfo in
            _ = try requireAccount()
            let created = now
            if try containerRow(name) != nil {
                throw MedStoreError(.containerAlreadyExists, "container '\(name)' already exists")
            }
            try db.transaction { () throws(MedStoreError) in
                try db.query("INSERT INTO containers (name, created_at) VALUES (?, ?)", [.text(name), .integer(created)])
                try blobs.recordContainerCreated(name)
            }
            return ContainerInfo(name: name, createdAt: Timestamp.format(unixSeconds: created))
        }
    }

    /// One container.
    public func showContainer(name: String) throws(MedStoreError) -> ContainerInfo {
        try ResourceNames.validateContainerName(name)
        return try locked { () throws(MedStoreError) -> ContainerInfo in
            _ = try requireAccount()
            return try requireContainer(name)
        }
    }

    /// Deletes a container and everything in it; its history stays in the backup journal for the
    /// retention window (`backup restore` can bring it back).
    public func deleteContainer(name: String) throws(MedStoreError) -> ContainerInfo {
        try ResourceNames.validateContainerName(name)
        return try locked { () throws(MedStoreError) -> ContainerInfo in
            _ = try requireAccount()
            let info = try requireContainer(name)
            _ = try blobs.deleteContainerKeepingBackups(name)
            return info
        }
    }

    /// One page of containers in name order, after `marker`, starting with `prefix`.
    public func listContainers(prefix: String?, marker: String?, limit: UInt64?) throws(MedStoreError) -> ContainerList.Result {
        let pageSize = limit ?? ProtocolLimits.defaultPageSize
        guard pageSize >= 1 && pageSize <= ProtocolLimits.maxPageSize else {
            throw MedStoreError(.invalidArgument, "limit must be between 1 and \(ProtocolLimits.maxPageSize), got \(pageSize)")
        }
        return try locked { () throws(MedStoreError) -> ContainerList.Result in
            _ = try requireAccount()
            var sql = "SELECT name, created_at FROM containers WHERE name > ?"
            var bindings: [SQLiteValue] = [.text(marker ?? "")]
            if let prefix, !prefix.isEmpty {
                // Names are [a-z0-9-], so a range scan on the primary key is exact.
                sql += " AND name >= ? AND name < ?"
                bindings += [.text(prefix), .text(prefix + "\u{7f}")]
            }
            sql += " ORDER BY name LIMIT ?"
            bindings.append(.integer(Int64(pageSize) + 1))
            let rows = try db.query(sql, bindings)
            let page = rows.prefix(Int(pageSize)).map {
                ContainerInfo(name: $0.text(0) ?? "", createdAt: Timestamp.format(unixSeconds: $0.int(1)))
            }
            let next = rows.count > Int(pageSize) ? page.last?.name : nil
            return ContainerList.Result(containers: Array(page), nextMarker: next)
        }
    }

    func containerRow(_ name: String) throws(MedStoreError) -> ContainerInfo? {
        guard let row = try db.query("SELECT name, created_at FROM containers WHERE name = ?", [.text(name)]).first else {
            return nil
        }
        return ContainerInfo(name: row.text(0) ?? name, createdAt: Timestamp.format(unixSeconds: row.int(1)))
    }

    func requireContainer(_ name: String) throws(MedStoreError) -> ContainerInfo {
        guard let info = try containerRow(name) else {
            throw MedStoreError(.containerNotFound, "container '\(name)' does not exist")
        }
        return info
    }
}
