import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// A fresh service on a fresh temporary database, with a clock the test controls.
final class ServiceFixture: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "mscore")
    let masterKey = try! MasterKey.generate()
    let clockLock = NSLock()
    var currentTime = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
    var service: AccountService!

    init() throws {
        service = try makeService()
    }

    func makeService() throws -> AccountService {
        try AccountService(stateDirectory: directory.path,
                           configuration: ServiceConfiguration(blobEndpointTemplate: "http://127.0.0.1:10000",
                                                               clusterNetworks: ["127.0.0.0/8", "::1/128"],
                                                               daemonVersion: "test"),
                           masterKey: masterKey,
                           clock: { [unowned self] in
                               clockLock.lock()
                               defer { clockLock.unlock() }
                               return currentTime
                           })
    }

    func advance(_ seconds: TimeInterval) {
        clockLock.lock()
        currentTime = currentTime.addingTimeInterval(seconds)
        clockLock.unlock()
    }
}

/// The base64 of bytes 0x00…0x3f, the key of the reference vectors.
let vectorKeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
/// Another valid key.
let otherKey = "u30CWhU0xSwZ/YfVjzRfLY2kVeEFX6AT5Jf4Xy7ksPBglgJ3gI31ZjIAkEvkRMgpfwuStTMU/ATu2fX8Q5OWMA=="

func expectCode<T>(_ code: ErrorCode, _ body: () throws(MedStoreError) -> T,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try body()
        Issue.record("expected \(code.rawValue), got success", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
    }
}

@Suite("Account service")
struct AccountServiceTests {
    @Test func createMakesRandomValidNameAndTwoDistinctKeys() throws {
        let f = try ServiceFixture()
        let info = try f.service.createAccount(name: nil)
        #expect(info.name.count >= 3 && info.name.count <= 24)
        #expect(info.name.allSatisfy { $0.isLowercase || $0.isNumber })
        #expect(info.keyForTokens == .primary)
        #expect(info.blobEndpoint == "http://127.0.0.1:10000/\(info.name)")
        #expect(info.imported == false)
        let rows = try f.service.db.query("SELECT key_bytes FROM account_keys ORDER BY name")
        #expect(rows.count == 2)
        #expect(rows[0].blob(0)?.count == KeySealer.sealedLength && rows[1].blob(0)?.count == KeySealer.sealedLength)
        #expect(rows[0].blob(0) != rows[1].blob(0))
    }

    @Test func secondAccountIsRefused() throws {
        let f = try ServiceFixture()
        _ = try f.service.createAccount(name: "firstacct")
        expectCode(.accountAlreadyExists) { () throws(MedStoreError) in try f.service.createAccount(name: "secondacct") }
        expectCode(.accountAlreadyExists) { () throws(MedStoreError) in
            try f.service.importAccount(name: "third", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        }
        #expect(try f.service.showAccount().name == "firstacct")
    }

    @Test(arguments: ["ab", "UPPER", "has-hyphen", "waytoolongaccountname12345", "spa ce"])
    func invalidAccountNamesAreRefused(name: String) throws {
        let f = try ServiceFixture()
        expectCode(.invalidAccountName) { () throws(MedStoreError) in try f.service.createAccount(name: name) }
    }

    @Test func importRejectsBadKeysWithoutEchoingThem() throws {
        let f = try ServiceFixture()
        let short = Data(repeating: 7, count: 63).base64EncodedString()
        for bad in [short, "not base64 at all!!", ""] {
            do {
                _ = try f.service.importAccount(name: "imported", primaryKey: vectorKeyBase64, secondaryKey: bad)
                Issue.record("accepted a bad key")
            } catch {
                #expect(error.code == .invalidKey)
                #expect(bad.isEmpty || !error.message.contains(bad))
                #expect(error.message.contains("secondary"))
            }
        }
        expectCode(.accountNotFound) { () throws(MedStoreError) in try f.service.showAccount() }
    }

    @Test func stateSurvivesReopening() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        _ = try f.service.createContainer(name: "patient-records")
        _ = try f.service.switchKey(to: .secondary)
        f.service.close()
        let reopened = try f.makeService()
        #expect(try reopened.showAccount().keyForTokens == .secondary)
        #expect(try reopened.showContainer(name: "patient-records").name == "patient-records")
        let token = try reopened.issueToken(container: "patient-records", blob: nil,
                                            options: TokenOptions(permissions: "r", expiry: "2026-06-01T00:00:00Z"))
        #expect(token.signedWith == .secondary)
    }

    @Test func deleteNeedsTheRightNameAndRemovesEverything() throws {
        let f = try ServiceFixture()
        _ = try f.service.createAccount(name: "deleteme")
        _ = try f.service.createContainer(name: "one")
        _ = try f.service.createContainer(name: "two")
        _ = try f.service.allowIP(address: "203.0.113.0/24", note: nil)
        expectCode(.failedPrecondition) { () throws(MedStoreError) in try f.service.deleteAccount(confirmName: "other") }
        #expect(try f.service.showAccount().containerCount == 2)
        let result = try f.service.deleteAccount(confirmName: "deleteme")
        #expect(result.containersDeleted == 2)
        expectCode(.accountNotFound) { () throws(MedStoreError) in try f.service.showAccount() }
        for table in ["containers", "ip_rules", "account_keys", "account"] {
            #expect(try f.service.db.query("SELECT count(*) FROM \(table)")[0].int(0) == 0, "\(table)")
        }
        _ = try f.service.createAccount(name: "again")
        #expect(try f.service.showAccount().containerCount == 0)
    }

    @Test func newerDatabaseIsRefused() throws {
        let f = try ServiceFixture()
        try f.service.db.query("INSERT INTO schema_migrations (name, applied_at) VALUES ('9999-from-the-future', 0)")
        f.service.close()
        do {
            _ = try f.makeService()
            Issue.record("opened a database from a newer version")
        } catch let error as MedStoreError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("9999-from-the-future"))
        }
    }

    @Test func migrationsAreRecordedOnce() throws {
        let f = try ServiceFixture()
        f.service.close()
        _ = try f.makeService()
        let rows = try SQLiteDatabase(path: f.directory.file("medstore.db")).query("SELECT name FROM schema_migrations")
        #expect(rows.compactMap { $0.text(0) } == Migrations.all.map(\.name))
        let mode = try SQLiteDatabase(path: f.directory.file("medstore.db")).query("PRAGMA journal_mode")
        #expect(mode.first?.text(0) == "wal")
    }
}
