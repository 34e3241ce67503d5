import Foundation
import MedStoreProtocol

extension BlobStore {
    /// One page of List Blobs.
    public struct BlobListing: Sendable {
        /// Blobs in name order.
        public var blobs: [BlobProperties]
        /// `BlobPrefix` names (each ends with the delimiter), in name order.
        public var prefixes: [String]
        /// Where the next page starts (pass back as `marker`), or nil when this page is the last.
        /// It is the name of the next entry (a blob or a prefix).
        public var nextMarker: String?
    }

    /// List Blobs with Azure's semantics: current blobs whose names start with `prefix`, from
    /// `marker` on, in name order (by UTF-8 bytes); with a `delimiter`, names with the delimiter
    /// after the prefix fold into one `BlobPrefix` each; `maxResults` counts blobs and prefixes.
    ///
    /// - Throws: `.outOfRangeInput` (maxResults outside 1...5000), `.containerNotFound`.
    public func listBlobs(container: String, prefix: String?, delimiter: String?, marker: String?,
                          maxResults: Int) throws(MedStoreError) -> BlobListing {
        try ResourceNames.validateContainerName(container)
        guard (1...BlobStore.maximumListResults).contains(maxResults) else {
            throw MedStoreError(.outOfRangeInput, "maxresults must be between 1 and \(BlobStore.maximumListResults), got \(maxResults)")
        }
        let prefix = prefix ?? ""
        let delimiter = delimiter.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        return try store.locked { () throws(MedStoreError) -> BlobListing in
            try requireContainer(container)
            var listing = BlobListing(blobs: [], prefixes: [], nextMarker: nil)
            var entries = 0
            // Lower bound of the scan; `inclusive` false means "names after it".
            var lower = prefix
            var inclusive = true
            if let marker, prefix.utf8.lexicographicallyPrecedes(marker.utf8) { lower = marker }
            // No valid blob name contains U+10FFFF, so this bounds every name that starts with the prefix.
            let upper: String? = prefix.isEmpty ? nil : prefix + "\u{10FFFF}"
            let batch = min(maxResults + 1, 1000)
            scan: while true {
                var sql = "SELECT \(BlobVersionRow.columns) FROM blob_versions v LEFT JOIN blob_contents c ON c.id = v.content_id "
                    + "WHERE v.container = ? AND v.superseded_at IS NULL AND v.deleted = 0 AND v.name \(inclusive ? ">=" : ">") ?"
                var bindings: [SQLiteValue] = [.text(container), .text(lower)]
                if let upper {
                    sql += " AND v.name < ?"
                    bindings.append(.text(upper))
                }
                sql += " ORDER BY v.name LIMIT ?"
                bindings.append(.integer(Int64(batch)))
                let rows = try db.query(sql, bindings)
                for row in rows {
                    let version = BlobVersionRow(row: row)
                    if let delimiter, let folded = BlobStore.fold(version.name, prefixLength: prefix.utf8.count, delimiter: delimiter) {
                        if entries == maxResults {
                            listing.nextMarker = folded
                            return listing
                        }
                        listing.prefixes.append(folded)
                        entries += 1
                        lower = folded + "\u{10FFFF}"  // skip every name under this prefix
                        inclusive = true
                        continue scan
                    }
                    if entries == maxResults {
                        listing.nextMarker = version.name
                        return listing
                    }
                    listing.blobs.append(version.properties)
                    entries += 1
                    lower = version.name
                    inclusive = false
                }
                if rows.count < batch { return listing }
            }
        }
    }

    /// The `BlobPrefix` a name folds into: the name up to and including the first `delimiter`
    /// after the first `prefixLength` bytes, or nil if there is none.
    static func fold(_ name: String, prefixLength: Int, delimiter: [UInt8]) -> String? {
        let bytes = Array(name.utf8)
        guard bytes.count >= prefixLength + delimiter.count else { return nil }
        var index = prefixLength
        while index + delimiter.count <= bytes.count {
            if bytes[index] == delimiter[0] && bytes[index..<(index + delimiter.count)].elementsEqual(delimiter) {
                return String(decoding: bytes[0..<(index + delimiter.count)], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }
}
