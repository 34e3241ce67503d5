import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// What a blob is, as far as a restore must reproduce it.
struct ModelBlob: Equatable, CustomStringConvertible {
    var bytes: [UInt8]
    var content: BlobContentSettings
    var metadata: [String: String]

    var description: String { "\(bytes.count) B, \(content), \(metadata)" }
}

/// A seeded generator (SplitMix64), so a failure names a reproducible seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The container's state at every step of a random history, and the store under test.
final class BackupModel {
    let f: BlobFixture
    var rng: SeededRandom
    /// (commit time in µs, state after the change), oldest first.
    var timeline: [(Int64, [String: ModelBlob])] = []
    var state: [String: ModelBlob] = [:]
    let names: [String]

    init(seed: UInt64, blobNames: Int = 12) throws {
        f = try BlobFixture()
        rng = SeededRandom(state: seed)
        names = (0..<blobNames).map { "dir\($0 % 3)/blob-\($0)" }
        timeline.append((micros(f.now) - 1, [:]))
    }

    func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) }

    func randomBytes() -> [UInt8] {
        let size = Int.random(in: 0...3000, using: &rng)
        return blobBytes(size, seed: rng.next())
    }

    func randomContent() -> BlobContentSettings {
        let types = [nil, "text/plain", "application/dicom", "application/json"]
        return BlobContentSettings(contentType: types.randomElement(using: &rng)!,
                                   contentLanguage: Bool.random(using: &rng) ? "en" : nil,
                                   cacheControl: Bool.random(using: &rng) ? "no-cache" : nil)
    }

    func randomMetadata() -> [(String, String)] {
        (0..<Int.random(in: 0...2, using: &rng)).map { ("k\($0)", "v\(rng.next() % 1000)") }
    }

    /// One random change, recorded in the model at the time it committed.
    func step() throws {
        f.advance(TimeInterval(Int.random(in: 1...900, using: &rng)))
        let name = names.randomElement(using: &rng)!
        let exists = state[name] != nil
        let kind = exists ? Int.random(in: 0...5, using: &rng) : Int.random(in: 0...1, using: &rng)
        let props: BlobProperties
        switch kind {
        case 0, 2:  // put (a new blob or an overwrite)
            let bytes = randomBytes()
            props = try f.put(name, bytes, content: randomContent(), metadata: randomMetadata())
            state[name] = ModelBlob(bytes: bytes, content: props.content, metadata: Dictionary(uniqueKeysWithValues: props.metadata))
        case 1:  // block commit: new blocks, and on an existing block blob some committed ones again
            var blocks: [BlobStore.BlockListEntry] = []
            var bytes: [UInt8] = []
            for index in 0..<Int.random(in: 1...3, using: &rng) {
                let id = Data(String(format: "blk-%06d-%d", Int(rng.next() % 100_000), index).utf8).base64EncodedString()
                let data = randomBytes()
                try f.putBlock(name, id, data)
                blocks.append(.latest(id))
                bytes += data
            }
            props = try f.blobs.putBlockList(container: f.container, name: name, blocks: blocks, content: randomContent(),
                                             metadata: randomMetadata(), conditions: .none, overwrite: true)
            state[name] = ModelBlob(bytes: bytes, content: props.content, metadata: Dictionary(uniqueKeysWithValues: props.metadata))
        case 3:
            props = try f.blobs.setMetadata(container: f.container, name: name, metadata: randomMetadata(), conditions: .none)
            state[name]!.metadata = Dictionary(uniqueKeysWithValues: props.metadata)
        case 4:
            props = try f.blobs.setContentSettings(container: f.container, name: name, content: randomContent(), conditions: .none)
            state[name]!.content = props.content
        default:
            try f.blobs.deleteBlob(container: f.container, name: name, conditions: .none)
            state[name] = nil
            timeline.append((try lastCommit(), state))
            return
        }
        #expect(props.name == name)
        timeline.append((try lastCommit(), state))
    }

    /// The journal time of the latest change (Put Block ticks the journal clock too, so a change
    /// can commit a few µs after the wall clock's second).
    func lastCommit() throws -> Int64 {
        try f.service.store.locked { () throws(MedStoreError) -> Int64 in
            try f.service.db.query("SELECT last_commit_us FROM blob_journal_clock")[0].int(0)
        }
    }

    /// The model's state at journal time `t`.
    func state(at t: Int64) -> [String: ModelBlob] {
        timeline.last { $0.0 <= t }?.1 ?? [:]
    }

    /// A random time between the first change and now, in µs.
    func randomTime() -> Int64 {
        Int64.random(in: timeline[0].0...micros(f.now), using: &rng)
    }

    /// Everything `container` holds now, read back through the engine (bytes checked against their MD5).
    func contents(of container: String) throws -> [String: ModelBlob] {
        var found: [String: ModelBlob] = [:]
        var marker: String?
        repeat {
            let page = try f.blobs.listBlobs(container: container, prefix: nil, delimiter: nil, marker: marker, maxResults: 5000)
            for blob in page.blobs {
                let reader = try f.blobs.openForRead(container: container, name: blob.name, range: nil, conditions: .none)
                let bytes = try BlobFixture.drain(reader)
                reader.close()
                if let md5 = blob.content.contentMD5 { #expect(try MD5Hasher.digest(bytes) == md5, "\(blob.name)") }
                found[blob.name] = ModelBlob(bytes: bytes, content: blob.content, metadata: Dictionary(uniqueKeysWithValues: blob.metadata))
            }
            marker = page.nextMarker
        } while marker != nil
        return found
    }

    func restore(to t: Int64, into: String? = nil) throws(MedStoreError) -> BlobStore.RestoreReport {
        try f.service.store.locked { () throws(MedStoreError) -> BlobStore.RestoreReport in
            try f.blobs.restore(container: f.container, to: t, into: into)
        }
    }
}

@Suite("Backups: point-in-time restore against a model")
struct BackupModelTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func restoreIntoANewContainerMatchesTheModelAtManyTimes(seed: UInt64) throws {
        let model = try BackupModel(seed: seed)
        for _ in 0..<120 { try model.step() }
        #expect(try model.contents(of: "records") == model.state, "the live container matches the model")
        for index in 0..<25 {
            let t = model.randomTime()
            let report = try model.restore(to: t, into: "copy-\(index)")
            let expected = model.state(at: t)
            #expect(report.restored == Int64(expected.count))
            #expect(try model.contents(of: "copy-\(index)") == expected, "seed \(seed), time \(t)")
        }
        #expect(try model.contents(of: "records") == model.state, "restoring into a copy leaves the source alone")
    }

    @Test(arguments: [4, 5] as [UInt64])
    func inPlaceRestoresMatchTheModelAndCanBeUndone(seed: UInt64) throws {
        let model = try BackupModel(seed: seed)
        for round in 0..<8 {
            for _ in 0..<30 { try model.step() }
            let before = model.state
            let live = try model.contents(of: "records")
            #expect(live == before, "live vs model, round \(round): \(before.filter { live[$0.key] != $0.value }.map(\.key))")
            let beforeTime = try model.lastCommit()
            let t = model.randomTime()
            let expected = model.state(at: t)
            model.f.advance(1)
            let report = try model.restore(to: t)
            let got = try model.contents(of: "records")
            #expect(got == expected, "seed \(seed), round \(round), time \(t)")
            let removed = Set(before.keys).subtracting(expected.keys).count
            let restored = Set(expected.keys).subtracting(before.keys).count
            let reverted = expected.filter { before[$0.key] != nil && before[$0.key] != $0.value }.count
            #expect(report.removed == Int64(removed) && report.restored == Int64(restored) && report.reverted == Int64(reverted),
                    "\(report) vs removed \(removed), restored \(restored), reverted \(reverted)")
            // The model continues from the restored state, which is journaled at the restore's commit time.
            model.state = expected
            model.timeline.append((report.committedAt, expected))
            if round % 3 == 2 {
                // Undo: back to just before the restore.
                model.f.advance(1)
                let undo = try model.restore(to: beforeTime)
                let undone = try model.contents(of: "records")
                #expect(undone == before, "undo, seed \(seed) round \(round): \(undone.keys.sorted()) vs \(before.keys.sorted()); differing: \(before.filter { undone[$0.key] != $0.value }.map { "\($0.key): \(String(describing: undone[$0.key])) vs \($0.value)" })")
                model.state = before
                model.timeline.append((undo.committedAt, before))
            }
        }
    }

    @Test func aDeletedContainerComesBackAsItWasAndTheNameCanBeReused() throws {
        let model = try BackupModel(seed: 9)
        for _ in 0..<40 { try model.step() }
        let atDeletion = model.state
        model.f.advance(60)
        _ = try model.f.service.deleteContainer(name: "records")
        let deletedAt = model.micros(model.f.now)
        let listed = try model.f.service.deletedContainers().containers
        #expect(listed.map(\.name) == ["records"] && listed[0].blobs == UInt64(atDeletion.count) && !listed[0].existsAgain)
        model.f.advance(60)
        // The name is used again by a new container with other blobs.
        _ = try model.f.service.createContainer(name: "records")
        try model.f.put("new-one", [1, 2, 3])
        #expect(try model.f.service.deletedContainers().containers.first?.existsAgain == true)
        // Restore in place to before the deletion: exactly the old blobs.
        model.f.advance(1)
        let report = try model.restore(to: deletedAt - 1)
        #expect(try model.contents(of: "records") == atDeletion)
        #expect(report.removed == 1 && report.restored == Int64(atDeletion.count))
        // Between deletion and re-creation the container did not exist: refused, naming the window.
        expectCode(.invalidTime) { () throws(MedStoreError) in _ = try model.restore(to: deletedAt + 30_000_000) }
        // Deleted again, then brought back without the name existing.
        model.f.advance(1)
        _ = try model.f.service.deleteContainer(name: "records")
        model.f.advance(1)
        let back = try model.f.service.restoreContainer("records", to: RestorePoint.format(deletedAt - 1), into: nil)
        #expect(back.containerRecreated && back.restored == UInt64(atDeletion.count))
        #expect(try model.contents(of: "records") == atDeletion)
    }

    @Test func retentionBoundaryIsExactToTheSecond() throws {
        let f = try BlobFixture()
        f.advance(1)  // past the container's creation, so the first put commits at `start` exactly
        let start = f.now
        try f.put("a", [1])
        f.advance(10)
        try f.put("a", [2])
        f.advance(TimeInterval(35 * 86_400) - 10)  // now = start + 35 days
        try f.blobs.prune()
        let exactly = RestorePoint.format(RestorePoint.micros(start))
        let back = try f.service.restoreContainer("records", to: exactly, into: "copy")
        #expect(back.restored == 1)
        #expect(try BackupModel.read(f, "copy", "a") == [1])
        let oneSecondPast = Timestamp.format(start.addingTimeInterval(-1))
        do {
            _ = try f.service.restoreContainer("records", to: oneSecondPast, into: "copy2")
            Issue.record("a time one second before the window was accepted")
        } catch {
            #expect(error.code == .invalidTime)
            #expect(error.message.contains("before the retained window") && error.message.contains(exactly), "\(error.message)")
        }
        // Relative forms resolve against the store's clock.
        let relative = try f.service.restoreContainer("records", to: "-35d", into: "copy3")
        #expect(relative.restoredTo == exactly)
        expectCode(.invalidArgument) { () throws(MedStoreError) in _ = try f.service.restoreContainer("records", to: "yesterday", into: nil) }
        expectCode(.invalidTime) { () throws(MedStoreError) in
            _ = try f.service.restoreContainer("records", to: Timestamp.format(f.now.addingTimeInterval(60)), into: nil)
        }
        expectCode(.containerAlreadyExists) { () throws(MedStoreError) in _ = try f.service.restoreContainer("records", to: "-1d", into: "copy") }
    }

    @Test func showReportsWindowVersionsAndBytesBeyondTheLiveData() throws {
        let f = try BlobFixture()
        try f.put("a", blobBytes(1000, seed: 1))
        f.advance(5)
        try f.put("a", blobBytes(3000, seed: 2))
        f.advance(5)
        _ = try f.blobs.setMetadata(container: "records", name: "a", metadata: [("x", "1")], conditions: .none)
        try f.put("b", blobBytes(500, seed: 3))
        f.advance(5)
        try f.blobs.deleteBlob(container: "records", name: "b", conditions: .none)
        let info = try f.service.backupInfo(container: "records")
        #expect(info.exists && info.liveBlobs == 1 && info.versionsRetained == 4)
        #expect(info.bytesRetained == 1500, "the first 'a' and the deleted 'b'; the metadata change shares the live bytes")
        #expect(info.retentionDays == 35 && info.lastPruneAt == nil)
        #expect(info.earliestRestorePoint != nil && info.latestRestorePoint != nil)
        f.advance(TimeInterval(36 * 86_400))
        let pruned = try f.service.pruneBackups()
        #expect(pruned.versionsRemoved == 4 && pruned.filesRemoved == 2 && pruned.bytesFreed == 1500)
        let after = try f.service.backupInfo(container: "records")
        #expect(after.versionsRetained == 0 && after.bytesRetained == 0 && after.lastPruneVersionsRemoved == 4)
        expectCode(.containerNotFound) { () throws(MedStoreError) in _ = try f.service.backupInfo(container: "never-was") }
    }

    @Test func accountDeletionRemovesEveryBackup() throws {
        let f = try BlobFixture()
        try f.put("a", blobBytes(100))
        try f.put("a", blobBytes(200))
        _ = try f.service.deleteContainer(name: "records")
        #expect(f.dataFiles().count == 2)
        _ = try f.service.deleteAccount(confirmName: "acct")
        #expect(f.dataFiles().isEmpty)
        for table in ["blob_versions", "blob_contents", "data_files", "container_lifetimes"] {
            #expect(try f.count(table) == 0, "\(table)")
        }
    }

    @Test func shorteningThenLengtheningRetentionNeverPromisesPrunedHistory() throws {
        let f = try BlobFixture()
        try f.put("a", [1])
        f.advance(3 * 86_400)
        try f.put("a", [2])
        try f.service.updateBackupRetention(days: 1)
        try f.blobs.prune()
        try f.service.updateBackupRetention(days: 35)
        expectCode(.invalidTime) { () throws(MedStoreError) in _ = try f.service.restoreContainer("records", to: "-2d", into: "copy") }
        expectCode(.invalidArgument) { () throws(MedStoreError) in try f.service.updateBackupRetention(days: 0) }
        expectCode(.invalidArgument) { () throws(MedStoreError) in try f.service.updateBackupRetention(days: 366) }
    }
}

extension BackupModel {
    static func read(_ f: BlobFixture, _ container: String, _ name: String) throws -> [UInt8] {
        let reader = try f.blobs.openForRead(container: container, name: name, range: nil, conditions: .none)
        defer { reader.close() }
        return try BlobFixture.drain(reader)
    }
}
