import Foundation
import MedStoreProtocol

extension BlobStore {
    /// Put Blob: makes `data` the blob's whole content as a new version, replacing any current
    /// version and discarding the blob's uncommitted blocks (as Azure does).
    ///
    /// Takes ownership of `data`: committed on success, removed on failure.
    /// - Parameters:
    ///   - content: content headers to store; a nil `contentMD5` stores the MD5 computed while staging.
    ///   - overwrite: false → `.blobAlreadyExists` if the blob exists (a create-only SAS).
    /// - Throws: `.containerNotFound`, `.blobAlreadyExists`, `.conditionNotMet`, `.invalidMetadata`,
    ///   `.invalidBlobName`, `.requestBodyTooLarge` (over 5000 MiB).
    @discardableResult
    public func putBlob(container: String, name: String, data: StagedData, content: BlobContentSettings,
                        metadata: [(String, String)], conditions: AccessConditions, overwrite: Bool) throws(MedStoreError) -> BlobProperties {
        var owned = true
        do throws(MedStoreError) {
            try BlobStore.validateNames(container: container, name: name)
            try BlobMetadata.validate(metadata)
            try BlobStore.validateContentMD5(content.contentMD5)
            guard data.size <= BlobStore.maximumPutBlobBytes else {
                throw MedStoreError(.requestBodyTooLarge, "a single Put Blob may carry at most \(BlobStore.maximumPutBlobBytes) bytes; use blocks")
            }
            let properties = try writeTransaction { () throws(MedStoreError) -> (BlobProperties, [String]) in
                try claimStaged(data, owned: &owned)
                let head = try headVersion(container: container, name: name)
                let live = head.flatMap { $0.deleted ? nil : $0 }
                if live != nil && !overwrite {
                    throw MedStoreError(.blobAlreadyExists, "the specified blob already exists")
                }
                try conditions.evaluate(etag: live?.etag, lastModified: live?.lastModified, use: .create)
                let time = try nextCommitTime()
                let contentID = try insertContent(size: data.size, md5: data.md5, blockCount: 0)
                if data.size > 0 {
                    let fileID = try insertDataFile(data, time: time)
                    try db.query("""
                        INSERT INTO content_extents (content_id, seq, blob_offset, data_file, file_offset, length, block_id)
                        VALUES (?, 0, 0, ?, 0, ?, NULL)
                        """, [.integer(contentID), .integer(fileID), .integer(data.size)])
                }
                var stored = content
                if stored.contentMD5 == nil { stored.contentMD5 = data.md5 }
                let version = try appendVersion(container: container, name: name, head: head, time: time,
                                                contentID: contentID, content: stored, metadata: metadata)
                let freed = try prune(versions: .none,
                                      blocks: .blob(container: container, name: name))
                return (version.properties, freed)
            }
            if data.size == 0 { BlobFiles.remove(data.path) }  // an empty blob needs no data file
            return properties
        } catch {
            if owned { discard(data) }
            throw error
        }
    }

    /// Checks that `data` belongs to this store and was never committed, and takes it out of the
    /// in-flight set. Clears `owned` if it is already committed (then it must not be removed).
    /// Call inside the write transaction.
    func claimStaged(_ data: StagedData, owned: inout Bool) throws(MedStoreError) {
        if try db.query("SELECT 1 FROM data_files WHERE file_name = ?", [.text(data.fileName)]).first != nil {
            owned = false
            throw MedStoreError(.invalidArgument, "this staged data was already committed")
        }
        guard BlobFiles.isFileName(data.fileName), data.path == files.path(of: data.fileName) else {
            owned = false
            throw MedStoreError(.invalidArgument, "this staged data belongs to another store")
        }
        settleStaged(data)
    }

    static func validateContentMD5(_ md5: [UInt8]?) throws(MedStoreError) {
        if let md5, md5.count != MD5Hasher.digestLength {
            throw MedStoreError(.invalidHeaderValue, "a Content-MD5 must be \(MD5Hasher.digestLength) bytes (base64 of an MD5 digest), got \(md5.count)")
        }
    }
}
