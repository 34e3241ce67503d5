import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Sealed keys: KeySealer")
struct KeySealerTests {
    let sealer = KeySealer(masterKey: try! MasterKey.generate(), databasePath: "/state/medstore.db")
    let wrongKeyMessage = "the master key does not open the account keys in /state/medstore.db: wrong --master-key-file?"

    @Test func sealThenOpenGivesTheKeyBack() throws {
        let key = try AccountKey.generate()
        let sealed = try sealer.seal(key, slot: .primary)
        #expect(sealed.count == 93 && sealed.count == KeySealer.sealedLength)
        #expect(sealed[0] == KeySealer.version)
        #expect(try sealer.open(sealed, slot: .primary) == key)
        // A fresh nonce each time: sealing twice never gives the same bytes.
        let again = try sealer.seal(key, slot: .primary)
        #expect(again != sealed)
        #expect(Array(again[1...12]) != Array(sealed[1...12]))
        #expect(try sealer.open(again, slot: .primary) == key)
        // The ciphertext is not the key.
        #expect(!contains(sealed, key.rawBytesForStorage))
    }

    @Test(arguments: [
        ("nonce", 1), ("nonce", 12), ("ciphertext", 13), ("ciphertext", 76), ("tag", 77), ("tag", 92),
    ])
    func anyFlippedBitFailsWithTheWrongKeyError(region: String, index: Int) throws {
        var sealed = try sealer.seal(AccountKey.generate(), slot: .secondary)
        sealed[index] ^= 0x01
        expectWrongMasterKey(message: wrongKeyMessage) { () throws(MedStoreError) in try sealer.open(sealed, slot: .secondary) }
    }

    @Test func aBlobMovedToTheOtherSlotDoesNotOpen() throws {
        let sealed = try sealer.seal(AccountKey.generate(), slot: .primary)
        expectWrongMasterKey(message: wrongKeyMessage) { () throws(MedStoreError) in try sealer.open(sealed, slot: .secondary) }
    }

    @Test func anotherMasterKeyDoesNotOpen() throws {
        let sealed = try sealer.seal(AccountKey.generate(), slot: .primary)
        let other = KeySealer(masterKey: try MasterKey.generate(), databasePath: "/state/medstore.db")
        expectWrongMasterKey(message: wrongKeyMessage) { () throws(MedStoreError) in try other.open(sealed, slot: .primary) }
    }

    @Test func unknownVersionAndBadLengthAreRefusedPlainly() throws {
        var sealed = try sealer.seal(AccountKey.generate(), slot: .primary)
        sealed[0] = 2
        expectFailure(.failedPrecondition, containing: "format version 2") { () throws(MedStoreError) in try sealer.open(sealed, slot: .primary) }
        expectFailure(.failedPrecondition, containing: "not 93") { () throws(MedStoreError) in
            try sealer.open(Array(sealed.dropLast()), slot: .primary)
        }
    }

    @Test func masterKeyNeverPrints() throws {
        let key = try MasterKey.generate()
        #expect("\(key)" == "MasterKey(<redacted>)")
        #expect(String(reflecting: key) == "MasterKey(<redacted>)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("storage"))
    }
}

@Suite("Sealed keys: service")
struct SealedKeyServiceTests {
    @Test func aWrongMasterKeyStopsTheServiceAndTheRightOneStillWorks() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        _ = try f.service.createContainer(name: "box")
        let options = TokenOptions(permissions: "r", expiry: "2026-06-01T00:00:00Z")
        let before = try f.service.issueToken(container: "box", blob: nil, options: options)
        f.service.close()
        let configuration = f.service.configuration
        do {
            _ = try AccountService(stateDirectory: f.directory.path, configuration: configuration, masterKey: MasterKey.generate())
            Issue.record("opened the account keys with another master key")
        } catch {
            #expect(error.code == .failedPrecondition)
            #expect(error.message == "the master key does not open the account keys in \(f.directory.path)/medstore.db: wrong --master-key-file?")
            #expect(KeySealer.isWrongMasterKey(error))
        }
        f.service = try f.makeService()
        #expect(try f.service.issueToken(container: "box", blob: nil, options: options).token == before.token)
    }

    @Test func theDatabaseHoldsOnlySealedKeys() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        _ = try f.service.regenerateKey(.secondary, force: false)
        let rows = try f.service.db.query("SELECT name, key_bytes, sealed FROM account_keys ORDER BY name")
        #expect(rows.map { $0.int(2) } == [1, 1])
        let secondary = try f.service.locked { () throws(MedStoreError) in f.service.keyCache[.secondary] }
        let keys = [try AccountKey(base64: vectorKeyBase64), try #require(secondary)]
        f.service.close()
        try expectNoKeyBytes(keys, inDatabaseAt: f.directory.path)
    }

    @Test(arguments: [false, true])
    func aDatabaseFromBeforeSealingIsSealedOnFirstOpen(crashed: Bool) throws {
        let directory = TemporaryDirectory(prefix: "mslegacy")
        let keys = [try AccountKey.generate(), try AccountKey.generate()]
        let replaced = try LegacyDatabase.write(in: directory.path, primary: keys[0], secondary: keys[1], leaveWAL: crashed)
        // Before: the raw bytes are on disk (this is what the change protects against).
        #expect(try databaseFiles(in: directory.path).contains { contains($0.bytes, keys[0].rawBytesForStorage) })

        let masterKey = try MasterKey.generate()
        let configuration = ServiceConfiguration(blobEndpointTemplate: "http://127.0.0.1:10000", clusterNetworks: [],
                                                 daemonVersion: "test")
        let service = try AccountService(stateDirectory: directory.path, configuration: configuration, masterKey: masterKey)
        let loaded = try service.locked { () throws(MedStoreError) in (service.keyCache[.primary], service.keyCache[.secondary]) }
        #expect(loaded.0 == keys[0] && loaded.1 == keys[1])
        #expect(try service.db.query("SELECT sealed FROM account_keys").map { $0.int(0) } == [1, 1])
        #expect(try service.showKeys().keyForTokens == .primary)
        // While the daemon still runs (WAL and shm present) and after it closed.
        try expectNoKeyBytes(keys + [replaced], inDatabaseAt: directory.path)
        service.close()
        try expectNoKeyBytes(keys + [replaced], inDatabaseAt: directory.path)

        let reopened = try AccountService(stateDirectory: directory.path, configuration: configuration, masterKey: masterKey)
        #expect(try reopened.locked { () throws(MedStoreError) in reopened.keyCache[.secondary] } == keys[1])
        reopened.close()
        expectWrongMasterKey(message: "the master key does not open the account keys in \(directory.path)/medstore.db: wrong --master-key-file?") {
            () throws(MedStoreError) in try AccountService(stateDirectory: directory.path, configuration: configuration, masterKey: MasterKey.generate())
        }
    }
}

// MARK: - Helpers

/// Writes a state database as medstored wrote it before keys were sealed: migrations up to
/// "0003-settings" and both keys as raw bytes (with an older key overwritten, as `regenerate` did).
enum LegacyDatabase {
    /// Returns the overwritten secondary key (which must not survive on disk either).
    static func write(in directory: String, primary: AccountKey, secondary: AccountKey, leaveWAL: Bool) throws -> AccountKey {
        let path = directory + "/medstore.db"
        let db = try SQLiteDatabase(path: path)
        try db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
        for migration in Migrations.all.prefix(while: { $0.name != "0004-sealed-keys" }) {
            try db.transaction { () throws(MedStoreError) in
                try db.execute(migration.sql)
                try db.query("INSERT INTO schema_migrations (name, applied_at) VALUES (?, 0)", [.text(migration.name)])
            }
        }
        try db.execute("INSERT INTO account (id, name, created_at, imported, key_for_tokens) VALUES (1, 'legacy', 0, 0, 'primary')")
        let replaced = try AccountKey.generate()
        for (name, key) in [("primary", primary), ("secondary", replaced)] {
            try db.query("INSERT INTO account_keys (name, key_bytes, created_at) VALUES (?, ?, 0)",
                         [.text(name), .blob(key.rawBytesForStorage)])
        }
        try db.query("UPDATE account_keys SET key_bytes = ? WHERE name = 'secondary'", [.blob(secondary.rawBytesForStorage)])
        if leaveWAL {
            // A daemon that died: copy the files while the connection is still open, WAL unmerged.
            let copy = TemporaryDirectory(prefix: "mscrash")
            for suffix in ["", "-wal", "-shm"] {
                try FileManager.default.copyItem(atPath: path + suffix, toPath: copy.file("medstore.db" + suffix))
            }
            db.close()
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
                try FileManager.default.copyItem(atPath: copy.file("medstore.db" + suffix), toPath: path + suffix)
            }
            #expect((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 > 0)
        } else {
            db.close()
        }
        return replaced
    }
}

/// The database file and its `-wal` and `-shm` companions that exist, with their bytes.
func databaseFiles(in directory: String) throws -> [(name: String, bytes: [UInt8])] {
    try ["medstore.db", "medstore.db-wal", "medstore.db-shm"].compactMap { name in
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return (name, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}

/// Fails if any key appears in the database files raw, as base64 or as hex (either case).
func expectNoKeyBytes(_ keys: [AccountKey], inDatabaseAt directory: String,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
    let files = try databaseFiles(in: directory)
    #expect(files.contains { $0.name == "medstore.db" }, sourceLocation: sourceLocation)
    for (index, key) in keys.enumerated() {
        let raw = key.rawBytesForStorage
        let hex = Crypto.hex(raw)
        let forms: [(String, [UInt8])] = [
            ("raw", raw), ("base64", Array(key.base64ForExport().utf8)),
            ("hex", Array(hex.utf8)), ("HEX", Array(hex.uppercased().utf8)),
            ("raw half", Array(raw[0..<32])), ("raw tail", Array(raw[32...])),
        ]
        for file in files {
            for (form, needle) in forms {
                #expect(!contains(file.bytes, needle), "key \(index) found \(form) in \(file.name)", sourceLocation: sourceLocation)
            }
        }
    }
}

/// True if `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    let first = needle[0]
    var index = 0
    while index <= haystack.count - needle.count {
        if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
        index += 1
    }
    return false
}

func expectWrongMasterKey<T>(message: String, _ body: () throws(MedStoreError) -> T,
                             sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try body()
        Issue.record("opened with the wrong master key", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .failedPrecondition, sourceLocation: sourceLocation)
        #expect(error.message == message, sourceLocation: sourceLocation)
    }
}

func expectFailure<T>(_ code: ErrorCode, containing text: String, _ body: () throws(MedStoreError) -> T,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try body()
        Issue.record("expected \(code.rawValue), got success", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
    }
}
