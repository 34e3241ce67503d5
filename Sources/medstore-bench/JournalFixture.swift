import Foundation
import MedStoreCore
import MedStoreProtocol

/// `medstore-bench journal-fixture`: writes a large backup journal straight into a stopped
/// daemon's state directory, for the restore and prune benchmarks and the crash test.
///
/// A few seed blobs are put through the engine (real data files, in the container
/// `fixture-seeds`); then `--blobs` blobs × `--versions` versions are inserted into
/// `--container` in one transaction, sharing the seeds' contents (as versions share data),
/// interleaved evenly over [`--from-days-ago`, `--to-days-ago`]: version v of blob j commits at
/// slot v·blobs + j, so every blob changes throughout the span. Every tenth blob's last version is
/// a deletion. Prints one JSON object: the span and its midpoint (RFC 3339, whole seconds).
enum JournalFixture {
    static func run(_ options: Options) {
        let stateDirectory = options.required("state-dir")
        let container = options.required("container")
        let blobs = options.int("blobs", default: 1000)
        let versions = max(1, options.int("versions", default: 10))
        let fromDaysAgo = Double(options.string("from-days-ago") ?? "2") ?? 2
        let toDaysAgo = Double(options.string("to-days-ago") ?? "0.01") ?? 0.01
        do {
            let result = try generate(stateDirectory: stateDirectory, container: container, blobs: blobs, versions: versions,
                                      fromDaysAgo: fromDaysAgo, toDaysAgo: toDaysAgo)
            printJSON(result)
        } catch {
            fail("journal-fixture: \(error)")
        }
    }

    static func generate(stateDirectory: String, container: String, blobs: Int, versions: Int,
                         fromDaysAgo: Double, toDaysAgo: Double) throws(MedStoreError) -> [String: Any] {
        let started = Date()
        let (key, _) = try MasterKey.loadOrCreate(atPath: stateDirectory + "/master.key")
        let service = try AccountService(stateDirectory: stateDirectory,
                                         configuration: ServiceConfiguration(blobEndpointTemplate: "http://127.0.0.1:10000",
                                                                             clusterNetworks: [], daemonVersion: "fixture"),
                                         masterKey: key)
        defer { service.close() }
        if (try? service.showAccount()) == nil { _ = try service.createAccount(name: nil) }
        if (try? service.showContainer(name: "fixture-seeds")) == nil { _ = try service.createContainer(name: "fixture-seeds") }
        _ = try service.createContainer(name: container)

        // Seed contents: real files through the engine.
        var contents: [Int64] = []
        for seed in 0..<8 {
            var bytes = [UInt8](repeating: 0, count: 1024 + seed * 512)
            for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ seed) }
            var offset = 0
            let staged = try service.blobs.stage(maxBytes: 1 << 20, expectedMD5: nil) { (buffer: UnsafeMutableRawBufferPointer) -> Int in
                let n = min(buffer.count, bytes.count - offset)
                bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
                offset += n
                return n
            }
            let props = try service.blobs.putBlob(container: "fixture-seeds", name: "seed-\(seed)-\(container)", data: staged,
                                                  content: BlobContentSettings(contentType: "application/octet-stream"),
                                                  metadata: [("seed", "\(seed)")], conditions: .none, overwrite: true)
            let row = try service.store.locked { () throws(MedStoreError) -> [SQLiteRow] in
                try service.store.db.query("SELECT content_id FROM blob_versions WHERE id = ?", [.integer(props.versionID)])
            }
            contents.append(row[0].int(0))
        }

        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let start = now - Int64(fromDaysAgo * 86_400 * 1_000_000)
        let end = now - Int64(toDaysAgo * 86_400 * 1_000_000)
        let slots = Int64(blobs) * Int64(versions)
        let step = max(1, (end - start) / max(1, slots))
        func time(_ version: Int, _ blob: Int) -> Int64 { start + (Int64(version) * Int64(blobs) + Int64(blob)) * step }

        try service.store.locked { () throws(MedStoreError) in
            try service.store.db.transaction { () throws(MedStoreError) in
                let insert = try service.store.db.prepare("""
                    INSERT INTO blob_versions (container, name, committed_at, superseded_at, deleted, created_at, content_id,
                        content_type, metadata)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for blob in 0..<blobs {
                    let name = String(format: "patients/%06d/record.json", blob)
                    let created = time(0, blob)
                    for version in 0..<versions {
                        let last = version == versions - 1
                        let deleted = last && versions > 1 && blob % 10 == 9
                        try insert.bind([.text(container), .text(name), .integer(time(version, blob)),
                                         last ? .null : .integer(time(version + 1, blob)), .integer(deleted ? 1 : 0),
                                         .integer(created), deleted ? .null : .integer(contents[(blob + version) % contents.count]),
                                         deleted ? .null : .text("application/json"),
                                         deleted ? .null : .text("v=\(version)")])
                        _ = try insert.next()
                    }
                }
                try service.store.db.query("UPDATE container_lifetimes SET created_at = ? WHERE name = ? AND deleted_at IS NULL",
                                     [.integer(start - 1), .text(container)])
                try service.store.db.query("UPDATE blob_journal_clock SET last_commit_us = max(last_commit_us, ?)", [.integer(end)])
            }
        }
        let mid = (start + end) / 2
        return ["container": container, "blobs": blobs, "versions": blobs * versions,
                "from": Timestamp.format(unixSeconds: start / 1_000_000), "to": Timestamp.format(unixSeconds: end / 1_000_000),
                "midpoint": Timestamp.format(unixSeconds: mid / 1_000_000),
                "seconds": Date().timeIntervalSince(started)]
    }
}
