import Foundation
import MedStoreProtocol

extension BlobStore {
    /// Get Container Properties / Metadata. A container never given metadata reports its creation
    /// time as Last-Modified and an ETag derived from it.
    ///
    /// - Throws: `.containerNotFound`, `.invalidContainerName`.
    public func containerProperties(container: String) throws(MedStoreError) -> ContainerProperties {
        try ResourceNames.validateContainerName(container)
        return try store.locked { () throws(MedStoreError) -> ContainerProperties in try containerRow(container) }
    }

    /// Set Container Metadata: replaces all of the container's metadata and gives it a new ETag
    /// and Last-Modified. `conditions` are checked against the container (412 on failure).
    ///
    /// - Throws: `.containerNotFound`, `.invalidMetadata`, `.conditionNotMet`.
    @discardableResult
    public func setContainerMetadata(container: String, metadata: [(String, String)],
                                     conditions: AccessConditions) throws(MedStoreError) -> ContainerProperties {
        try ResourceNames.validateContainerName(container)
        try BlobMetadata.validate(metadata)
        return try writeTransaction { () throws(MedStoreError) -> (ContainerProperties, [String]) in
            let current = try containerRow(container)
            try conditions.evaluate(etag: current.etag, lastModified: current.lastModified, use: .write)
            let time = try nextCommitTime()
            try db.query("UPDATE containers SET etag = ?, last_modified = ?, metadata = ? WHERE name = ?",
                         [.text(BlobJournalClock.etag(time)), .integer(time),
                          BlobMetadata.encode(metadata).map { .text($0) } ?? .null, .text(container)])
            return (try containerRow(container), [])
        }
    }

    /// The container's properties. Call with the lock held.
    private func containerRow(_ container: String) throws(MedStoreError) -> ContainerProperties {
        guard let row = try db.query("SELECT created_at, etag, last_modified, metadata FROM containers WHERE name = ?",
                                     [.text(container)]).first else {
            throw MedStoreError(.containerNotFound, "the specified container '\(container)' does not exist")
        }
        let createdMicros = row.int(0) * 1_000_000
        let modified = row.values[2] == .null ? createdMicros : row.int(2)
        return ContainerProperties(name: container, etag: row.text(1) ?? BlobJournalClock.etag(createdMicros),
                                   lastModified: BlobJournalClock.date(modified), metadata: BlobMetadata.decode(row.text(3)))
    }
}
