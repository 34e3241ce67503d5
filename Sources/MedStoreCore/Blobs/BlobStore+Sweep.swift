import Foundation
import MedStoreProtocol

extension BlobStore {
    /// Start-up cleanup (run before serving; safe later too): prunes, removes every temp file and
    /// every file under `blobs/` that no row references (uploads cut off by a crash), and reports
    /// rows whose file is missing or has the wrong size (logged as errors; reads of those blobs fail
    /// with `.internal`, they are never served as zeros). Staged uploads in flight are left alone.
    ///
    /// - Returns: data files removed (orphans and files freed by the prune) and temp files removed.
    @discardableResult
    public func sweepOrphans() throws(MedStoreError) -> (removedFiles: Int, removedTemp: Int) {
        try files.prepare()
        var removedFiles = 0
        var removedTemp = 0
        removedFiles += Int(try prune(includeLeftovers: true).filesRemoved)
        try store.locked { () throws(MedStoreError) in
            for entry in BlobFiles.listDirectory(files.tempDirectory) {
                let staged = entry.hasSuffix(".tmp") ? String(entry.dropLast(4)) : entry
                if staging.contains(staged) { continue }
                if BlobFiles.remove(files.tempDirectory + "/" + entry) { removedTemp += 1 }
            }
            for top in BlobFiles.listDirectory(files.root) where BlobStore.isHexPair(top) {
                for leaf in BlobFiles.listDirectory(files.root + "/" + top) where BlobStore.isHexPair(leaf) {
                    removedFiles += try sweepLeaf(top + leaf)
                }
            }
            try reportMissingFiles()
        }
        if removedFiles > 0 || removedTemp > 0 {
            logger.notice("blob orphans removed", [("files", "\(removedFiles)"), ("temp_files", "\(removedTemp)")])
        }
        return (removedFiles, removedTemp)
    }

    /// Removes the unreferenced regular files of one leaf directory (`blobs/ab/cd`). Lock held.
    private func sweepLeaf(_ prefix: String) throws(MedStoreError) -> Int {
        let directory = files.root + "/" + prefix.prefix(2) + "/" + prefix.suffix(2)
        let known = Set(try db.query("SELECT file_name FROM data_files WHERE file_name >= ? AND file_name < ?",
                                     [.text(prefix), .text(prefix + "g")]).compactMap { $0.text(0) })
        var removed = 0
        for name in BlobFiles.listDirectory(directory) where !known.contains(name) && !staging.contains(name) {
            let path = directory + "/" + name
            guard BlobFiles.fileSize(path) != nil else { continue }  // not a regular file: leave it
            if BlobFiles.remove(path) { removed += 1 }
        }
        return removed
    }

    /// Logs every data file row whose file is missing or has another size. Lock held.
    private func reportMissingFiles() throws(MedStoreError) {
        var lastID: Int64 = 0
        while true {
            let rows = try db.query("SELECT id, file_name, size FROM data_files WHERE id > ? ORDER BY id LIMIT 10000", [.integer(lastID)])
            guard let last = rows.last else { return }
            lastID = last.int(0)
            for row in rows {
                guard let name = row.text(1) else { continue }
                let expected = row.int(2)
                let actual = BlobFiles.fileSize(files.path(of: name))
                guard actual != expected else { continue }
                let blobs = try db.query("""
                    SELECT count(DISTINCT v.container || '/' || v.name) FROM blob_versions v
                    JOIN content_extents e ON e.content_id = v.content_id WHERE e.data_file = ?
                    """, [.integer(row.int(0))])[0].int(0)
                logger.error("blob data file missing or damaged; reads of the blobs using it will fail",
                             [("file", name), ("expected_bytes", "\(expected)"),
                              ("found_bytes", actual.map { "\($0)" } ?? "missing"), ("blobs_affected", "\(blobs)")])
            }
        }
    }

    static func isHexPair(_ name: String) -> Bool {
        name.utf8.count == 2 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
