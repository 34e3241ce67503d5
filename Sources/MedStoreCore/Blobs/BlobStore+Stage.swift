#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MedStoreProtocol

extension BlobStore {
    /// Size of the buffer `stage` hands to `read`.
    static let stageBufferSize = 1 << 20

    /// Streams a request body into a new data file without holding the lock: `read` fills the
    /// buffer and returns the byte count (0 at the end; it throws if the client goes away). The
    /// bytes are hashed (MD5) and counted while written to `blobs/tmp/`, then fsynced, renamed into
    /// `blobs/<2 hex>/<2 hex>/` and the directory fsynced. Nothing references the file until
    /// `putBlob`/`putBlock` commits it.
    ///
    /// - Parameters:
    ///   - maxBytes: more bytes than this → `.requestBodyTooLarge`.
    ///   - expectedMD5: the request's `Content-MD5`; a different digest → `.md5Mismatch`.
    /// - Throws: the reader's error, `.requestBodyTooLarge`, `.md5Mismatch`, or an I/O error
    ///   (`.resourceExhausted` when the disk is full). On any failure no file remains.
    public func stage(maxBytes: Int64, expectedMD5: [UInt8]?,
                      read: (UnsafeMutableRawBufferPointer) throws(MedStoreError) -> Int) throws(MedStoreError) -> StagedData {
        try files.prepare()
        let name = try BlobFiles.newFileName()
        _ = try store.locked { () throws(MedStoreError) in staging.insert(name) }
        let tempPath = files.tempPath(of: name)
        let finalPath = files.path(of: name)
        var renamed = false
        do throws(MedStoreError) {
            let (size, md5) = try writeTemp(tempPath, maxBytes: maxBytes, read: read)
            if let expectedMD5, !Crypto.constantTimeEquals(expectedMD5, md5) {
                throw MedStoreError(.md5Mismatch, "the MD5 of the body (\(Crypto.base64Encode(md5))) differs from Content-MD5 (\(Crypto.base64Encode(expectedMD5)))")
            }
            try files.prepareDirectory(of: name)
            try BlobFiles.rename(tempPath, finalPath)
            renamed = true
            try BlobFiles.fsyncDirectory(files.directory(of: name))
            return StagedData(fileName: name, path: finalPath, size: size, md5: md5)
        } catch {
            BlobFiles.remove(renamed ? finalPath : tempPath)
            _ = try? store.locked { () throws(MedStoreError) in staging.remove(name) }
            throw error
        }
    }

    /// Removes staged data that will not be committed (idempotent; data that was committed is left alone).
    public func discard(_ staged: StagedData) {
        let committed = (try? store.locked { () throws(MedStoreError) -> Bool in
            staging.remove(staged.fileName)
            return try db.query("SELECT 1 FROM data_files WHERE file_name = ?", [.text(staged.fileName)]).first != nil
        }) ?? true
        if !committed { BlobFiles.remove(files.path(of: staged.fileName)) }
    }

    /// Writes the body to `path` (created exclusively, mode 0600), hashing as it goes, and fsyncs it.
    private func writeTemp(_ path: String, maxBytes: Int64,
                           read: (UnsafeMutableRawBufferPointer) throws(MedStoreError) -> Int) throws(MedStoreError) -> (Int64, [UInt8]) {
        let fd = try BlobFiles.open(path, O_WRONLY | O_CREAT | O_EXCL)
        defer { _ = Glibc.close(fd) }
        let hasher = try MD5Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.stageBufferSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try read(buffer)
            if n == 0 { break }
            guard n > 0, n <= buffer.count else {
                throw MedStoreError(.internal, "body reader returned \(n) for a \(buffer.count)-byte buffer")
            }
            guard hasher.byteCount + Int64(n) <= maxBytes else {
                throw MedStoreError(.requestBodyTooLarge, "the request body is larger than the \(maxBytes) bytes this operation accepts")
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hasher.update(chunk)
            try BlobFiles.writeAll(fd, chunk, path: path)
        }
        try BlobFiles.fsync(fd, path: path)
        return (hasher.byteCount, hasher.finish())
    }

    /// Takes a staged file out of the in-flight set once it is committed or refused. Call with the lock held.
    func settleStaged(_ staged: StagedData) {
        staging.remove(staged.fileName)
    }
}
