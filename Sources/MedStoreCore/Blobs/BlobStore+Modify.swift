import Foundation
import MedStoreProtocol

extension BlobStore {
    /// Delete Blob: records a deletion version (the blob stops existing) and discards the blob's
    /// uncommitted blocks. Returns the properties the blob had.
    ///
    /// - Throws: `.blobNotFound`, `.conditionNotMet`, `.containerNotFound`.
    @discardableResult
    public func deleteBlob(container: String, name: String, conditions: AccessConditions) throws(MedStoreError) -> BlobProperties {
        try BlobStore.validateNames(container: container, name: name)
        return try writeTransaction { () throws(MedStoreError) -> (BlobProperties, [String]) in
            let live = try liveVersion(container: container, name: name)
            try conditions.evaluate(etag: live.etag, lastModified: live.lastModified, use: .write)
            let time = try nextCommitTime()
            _ = try appendVersion(container: container, name: name, head: live, time: time, contentID: nil,
                                  content: BlobContentSettings(), metadata: [])
            let freed = try prune(versions: .none, blocks: .blob(container: container, name: name))
            return (live.properties, freed)
        }
    }

    /// Set Blob Metadata: a new version with `metadata` (replacing all) sharing the current content.
    ///
    /// - Throws: `.blobNotFound`, `.conditionNotMet`, `.invalidMetadata`, `.containerNotFound`.
    @discardableResult
    public func setMetadata(container: String, name: String, metadata: [(String, String)],
                            conditions: AccessConditions) throws(MedStoreError) -> BlobProperties {
        try BlobMetadata.validate(metadata)
        return try changeProperties(container: container, name: name, conditions: conditions) { version in
            (version.content, metadata)
        }
    }

    /// Set Blob Properties: a new version with `content` (replacing every content header and the
    /// stored MD5) sharing the current content bytes and metadata.
    ///
    /// - Throws: `.blobNotFound`, `.conditionNotMet`, `.containerNotFound`.
    @discardableResult
    public func setContentSettings(container: String, name: String, content: BlobContentSettings,
                                   conditions: AccessConditions) throws(MedStoreError) -> BlobProperties {
        try BlobStore.validateContentMD5(content.contentMD5)
        return try changeProperties(container: container, name: name, conditions: conditions) { version in
            (content, BlobMetadata.decode(version.metadataText))
        }
    }

    private func changeProperties(container: String, name: String, conditions: AccessConditions,
                                  change: (BlobVersionRow) -> (BlobContentSettings, [(String, String)])) throws(MedStoreError) -> BlobProperties {
        try BlobStore.validateNames(container: container, name: name)
        return try writeTransaction { () throws(MedStoreError) -> (BlobProperties, [String]) in
            let live = try liveVersion(container: container, name: name)
            try conditions.evaluate(etag: live.etag, lastModified: live.lastModified, use: .write)
            let (content, metadata) = change(live)
            let time = try nextCommitTime()
            let version = try appendVersion(container: container, name: name, head: live, time: time,
                                            contentID: live.contentID, content: content, metadata: metadata)
            return (version.properties, [])
        }
    }
}
