import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Keys")
struct KeysTests {
    private let options = TokenOptions(permissions: "r", expiry: "2026-06-01T00:00:00Z")

    @Test func showGivesAgesButNoBytes() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        f.advance(90)
        let keys = try f.service.showKeys()
        #expect(keys.keyForTokens == .primary)
        #expect(keys.keys.map(\.name) == [.primary, .secondary])
        #expect(keys.keys.allSatisfy { $0.ageSeconds == 90 })
        let encoded = CBORSerialization.encode(try CBOREncoder().encode(keys))
        #expect(!String(decoding: encoded, as: UTF8.self).contains(vectorKeyBase64.prefix(16)))
    }

    @Test func switchWithoutArgumentTogglesAndChangesTheSigner() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        _ = try f.service.createContainer(name: "box1")
        let before = try f.service.issueToken(container: "box1", blob: nil, options: options)
        #expect(try f.service.switchKey(to: nil).keyForTokens == .secondary)
        let after = try f.service.issueToken(container: "box1", blob: nil, options: options)
        #expect(after.signedWith == .secondary && before.signedWith == .primary)
        #expect(after.token != before.token)
        #expect(try f.service.switchKey(to: nil).keyForTokens == .primary)
        #expect(try f.service.issueToken(container: "box1", blob: nil, options: options).token == before.token)
        #expect(try f.service.switchKey(to: .primary).keyForTokens == .primary)
    }

    @Test func regeneratingTheKeyForTokensNeedsForce() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        do {
            _ = try f.service.regenerateKey(.primary, force: false)
            Issue.record("regenerated the key for tokens without force")
        } catch {
            #expect(error.code == .keyInUse)
            #expect(error.message.contains("keys switch secondary"))
        }
        _ = try f.service.createContainer(name: "box1")
        let old = try f.service.issueToken(container: "box1", blob: nil, options: options)
        f.advance(10)
        let keys = try f.service.regenerateKey(.primary, force: true)
        #expect(keys.keys.first { $0.name == .primary }?.ageSeconds == 0)
        #expect(keys.keys.first { $0.name == .secondary }?.ageSeconds == 10)
        let new = try f.service.issueToken(container: "box1", blob: nil, options: options)
        #expect(new.token != old.token)
    }

    @Test func regeneratingTheOtherKeyLeavesTokensAlone() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        _ = try f.service.createContainer(name: "box1")
        let before = try f.service.issueToken(container: "box1", blob: nil, options: options)
        _ = try f.service.regenerateKey(.secondary, force: false)
        #expect(try f.service.issueToken(container: "box1", blob: nil, options: options).token == before.token)
        let secondary = try #require(try f.service.db.query("SELECT key_bytes FROM account_keys WHERE name = 'secondary'")[0].blob(0))
        #expect(secondary.count == KeySealer.sealedLength)
        #expect(try f.service.sealer.open(secondary, slot: .secondary) != AccountKey(base64: otherKey))
    }
}
