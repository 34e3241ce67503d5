import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// The decoded `sig` of a token string.
private func signature(of token: String) throws -> String {
    let raw = try #require(token.split(separator: "&").first { $0.hasPrefix("sig=") }).dropFirst(4)
    return try #require(PercentEncoding.decode(String(raw)))
}

/// A Get Blob at the fixture's time carrying `token` (for a container token, any blob in it).
private func request(_ token: String, container: String, blob: String?, now: Date) -> AuthRequest {
    let name = blob ?? "any.dcm"
    let path = "/medstoretest/" + container + "/" + SASURL.encodeBlobName(name)
    return AuthRequest(method: "GET", account: "medstoretest", container: container, blob: name, operation: .getBlob,
                       rawQuery: token, headers: [], rawPath: path, peer: IPAddress("127.0.0.1")!, isTLS: false, now: now)
}

/// A service with the account imported, two containers, and callers to issue as.
private final class RegistryFixture: @unchecked Sendable {
    let f: ServiceFixture
    var service: AccountService { f.service }
    let alice = CallerIdentity(uid: 0, gid: 0, pid: 4242, executable: "/usr/bin/medctl", unit: "backup.service")
    let bob = CallerIdentity(uid: 4_000_000_001, gid: 7, pid: 99)

    init() throws {
        f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        _ = try f.service.createContainer(name: "ward-a")
        _ = try f.service.createContainer(name: "lab-b")
    }

    func issue(_ container: String, _ blob: String? = nil, ttl: UInt64 = 3600, caller: CallerIdentity? = nil,
               permissions: String = "r") throws -> IssuedToken {
        try service.issueToken(container: container, blob: blob, options: TokenOptions(permissions: permissions, ttlSeconds: ttl),
                               caller: caller ?? alice)
    }

    /// Authenticates `issued` on the data plane as of the fixture's clock.
    func authenticate(_ issued: IssuedToken, container: String, blob: String? = nil) throws(MedStoreError) -> AuthIdentity {
        let context = try service.dataPlaneContext()
        return try RequestAuthenticator(logger: Logger(level: .error, sink: { _ in })).authenticate(
            request(issued.token, container: container, blob: blob, now: f.currentTime), keys: context.keys,
            accountName: "medstoretest", firewall: context.firewall, revoked: context.revokedTokens)
    }

    func list(_ params: TokenList.Params = TokenList.Params()) throws -> [TokenInfo] {
        try service.listTokens(params).tokens
    }
}

@Suite("Token registry")
struct TokenRegistryTests {
    @Test("a fingerprint is SHA-256 of the signature bytes; the log prints its first 16 hex digits")
    func fingerprint() throws {
        let sig = "ipJF8FuW1YUBybgIcd2gTxvOgKYTk2o906VTcgFgyOI="
        let fingerprint = TokenFingerprint(signature: sig)
        // hashlib.sha256(base64.b64decode(sig)).hexdigest()
        #expect(fingerprint.hex == "cd0325e1d8a15fec633ae45ceb17ee10f53cb46be25e38a1a129659a1ff89ff4")
        #expect(fingerprint.short == String(fingerprint.hex.prefix(16)))
        #expect(RequestAuthenticator.fingerprint(ofSignature: sig) == fingerprint.short)
        #expect(TokenFingerprint(hex: fingerprint.hex) == fingerprint)
        #expect(TokenFingerprint(hex: String(fingerprint.hex.dropLast())) == nil)
        #expect(TokenFingerprint(hex: fingerprint.hex.uppercased()) == nil)
        // Not base64 (never verifies): still a handle, from the text.
        #expect(TokenFingerprint(signature: "not base64!").hex == "f17f1486250c2a7f6afd2c2a889eab4e588961369aa67eab511cab9425df2818")
    }

    @Test("issuing records who asked, what the token allows and its fingerprint")
    func recordsEachIssuedToken() throws {
        let r = try RegistryFixture()
        let container = try r.service.issueToken(
            container: "ward-a", blob: nil,
            options: TokenOptions(permissions: "lr", start: "2026-05-28T20:00:00Z", ttlSeconds: 7200, ip: "10.0.0.1-10.0.0.9",
                                  httpsOnly: true),
            caller: r.alice)
        let blob = try r.issue("lab-b", "scans/a b.dcm", caller: r.bob, permissions: "rw")
        let inProcess = try r.service.issueToken(container: "ward-a", blob: nil, options: TokenOptions(permissions: "r", ttlSeconds: 60))

        let rows = try r.list()
        #expect(rows.map(\.id) == [container.id, blob.id, inProcess.id].compactMap { $0 })
        let first = rows[0]
        #expect(first.caller == "uid 0 (root)")
        #expect(first.callerUID == 0 && first.callerGID == 0 && first.callerPID == 4242)
        #expect(first.callerExecutable == "/usr/bin/medctl" && first.callerUnit == "backup.service")
        #expect(first.container == "ward-a" && first.blob == nil && first.resource == "container")
        #expect(first.permissions == "rl" && first.start == "2026-05-28T20:00:00Z" && first.expiry == container.expiry)
        #expect(first.ip == "10.0.0.1-10.0.0.9" && first.httpsOnly && first.signedWith == .primary)
        #expect(first.state == .active && first.revokedAt == nil && first.issuedAt == Timestamp.format(r.f.currentTime))
        let expected = TokenFingerprint(signature: try signature(of: container.token))
        #expect(first.fingerprint == expected.hex && container.fingerprint == expected.hex)

        #expect(rows[1].caller == "uid 4000000001" && rows[1].callerUID == 4_000_000_001)
        #expect(rows[1].blob == "scans/a b.dcm" && rows[1].resource == "blob" && rows[1].permissions == "rw")
        #expect(rows[1].start == nil && rows[1].ip == nil && !rows[1].httpsOnly)
        #expect(rows[2].caller == "medstored" && rows[2].callerUID == nil && rows[2].callerPID == nil)
    }

    @Test("list filters: active only, one container, pages")
    func listFilters() throws {
        let r = try RegistryFixture()
        let short = try r.issue("ward-a", ttl: 60)
        let ward = try r.issue("ward-a", "x.dcm")
        let lab = try r.issue("lab-b")
        let revoked = try r.issue("lab-b", permissions: "rl")
        _ = try r.service.revokeTokens(.init(id: revoked.id))
        r.f.advance(61)

        #expect(try r.list().map(\.state) == [.expired, .active, .active, .revoked])
        #expect(try r.list(.init(activeOnly: true)).map(\.id) == [ward.id, lab.id])
        #expect(try r.list(.init(container: "ward-a")).map(\.id) == [short.id, ward.id])
        #expect(try r.list(.init(activeOnly: true, container: "lab-b")).map(\.id) == [lab.id])
        #expect(try r.list(.init(container: "no-such")).isEmpty)

        let page1 = try r.service.listTokens(.init(limit: 3))
        #expect(page1.tokens.count == 3 && page1.nextMarker == String(lab.id ?? 0))
        let page2 = try r.service.listTokens(.init(marker: page1.nextMarker, limit: 3))
        #expect(page2.tokens.map(\.id) == [revoked.id] && page2.nextMarker == nil)

        expectCode(.invalidArgument) { () throws(MedStoreError) in try r.service.listTokens(.init(limit: 0)) }
        expectCode(.invalidArgument) { () throws(MedStoreError) in try r.service.listTokens(.init(limit: 1001)) }
        expectCode(.invalidArgument) { () throws(MedStoreError) in try r.service.listTokens(.init(marker: "x")) }
        expectCode(.invalidContainerName) { () throws(MedStoreError) in try r.service.listTokens(.init(container: "Bad_Name")) }
    }

    @Test("a page stops short of the frame limit with long blob names and executables")
    func pageBudget() throws {
        let r = try RegistryFixture()
        let longBlob = String(repeating: "é", count: 1000)
        let caller = CallerIdentity(uid: 1, gid: 1, pid: 1, executable: "/" + String(repeating: "x", count: 4000))
        for _ in 0..<200 { _ = try r.issue("ward-a", longBlob, caller: caller) }
        let page = try r.service.listTokens(.init())
        #expect(page.tokens.count < 200 && page.nextMarker != nil)
        let bytes = CBORSerialization.encode(try CBOREncoder().encode(page)).count
        #expect(bytes < Int(ProtocolLimits.maxFrameBytes) - 64 * 1024, "\(bytes) bytes")
        var all = page.tokens
        var marker = page.nextMarker
        while let next = marker {
            let more = try r.service.listTokens(.init(marker: next))
            all += more.tokens
            marker = more.nextMarker
        }
        #expect(all.count == 200 && Set(all.map(\.id)).count == 200)
    }

    @Test("a revoked token is refused by the data plane from the next request; others still work")
    func revokeByID() throws {
        let r = try RegistryFixture()
        let revoked = try r.issue("ward-a", "scan.dcm")
        let kept = try r.issue("ward-a", "scan.dcm", permissions: "rw")
        _ = try r.authenticate(revoked, container: "ward-a", blob: "scan.dcm")

        let result = try r.service.revokeTokens(.init(id: revoked.id))
        #expect(result.revoked == 1)
        #expect(result.token?.id == revoked.id && result.token?.state == .revoked)
        #expect(result.token?.revokedAt == Timestamp.format(r.f.currentTime))
        do {
            _ = try r.authenticate(revoked, container: "ward-a", blob: "scan.dcm")
            Issue.record("a revoked token authenticated")
        } catch {
            #expect(error.code == .authenticationFailed)
            #expect(error.message.contains("revoked"))
            #expect(error.message.contains(String((revoked.fingerprint ?? "").prefix(16))))
        }
        _ = try r.authenticate(kept, container: "ward-a", blob: "scan.dcm")

        // Again: nothing changes, and the result says so.
        let again = try r.service.revokeTokens(.init(id: revoked.id))
        #expect(again.revoked == 0 && again.token?.state == .revoked)
        #expect(again.token?.revokedAt == result.token?.revokedAt)
        expectCode(.notFound) { () throws(MedStoreError) in try r.service.revokeTokens(.init(id: 999)) }
        expectCode(.notFound) { () throws(MedStoreError) in try r.service.revokeTokens(.init(id: UInt64.max)) }
    }

    @Test("revoking an expired token changes nothing and says it expired")
    func revokeExpired() throws {
        let r = try RegistryFixture()
        let token = try r.issue("ward-a", ttl: 10)
        r.f.advance(11)
        let result = try r.service.revokeTokens(.init(id: token.id))
        #expect(result.revoked == 0 && result.token?.state == .expired && result.token?.revokedAt == nil)
        #expect(try r.service.dataPlaneContext().revokedTokens.count == 0)
    }

    @Test("identical tokens (same request, same second) are one token: revoking one revokes both records")
    func identicalTokens() throws {
        let r = try RegistryFixture()
        let a = try r.issue("ward-a")
        let b = try r.issue("ward-a")
        #expect(a.token == b.token && a.id != b.id)
        #expect(try r.service.regenerateKey(.primary, force: true, dryRun: true).invalidatedTokens?.tokens == 1)
        #expect(try r.service.revokeTokens(.init(container: "ward-a")).revoked == 1)
        #expect(try r.list().map(\.state) == [.revoked, .revoked])
        let c = try r.issue("lab-b")
        let d = try r.issue("lab-b")
        _ = try r.service.revokeTokens(.init(id: c.id))
        #expect(try r.list(.init(container: "lab-b")).map(\.id) == [c.id, d.id])
        #expect(try r.list(.init(container: "lab-b")).map(\.state) == [.revoked, .revoked])
        #expect(try r.service.revokeTokens(.init(id: d.id)).revoked == 0)
    }

    @Test("revoke every active token of a key, or of a container")
    func revokeInBulk() throws {
        let r = try RegistryFixture()
        let p1 = try r.issue("ward-a")
        let p2 = try r.issue("lab-b", "x")
        _ = try r.service.switchKey(to: .secondary)
        let s1 = try r.issue("ward-a", "y")
        let s2 = try r.issue("lab-b")

        #expect(try r.service.revokeTokens(.init(allForKey: .primary)).revoked == 2)
        for token in [p1, p2] {
            #expect(throws: MedStoreError.self) { try r.authenticate(token, container: token.url.contains("ward-a") ? "ward-a" : "lab-b",
                                                                     blob: token.resource == "blob" ? "x" : nil) }
        }
        _ = try r.authenticate(s1, container: "ward-a", blob: "y")
        #expect(try r.service.revokeTokens(.init(allForKey: .primary)).revoked == 0)

        #expect(try r.service.revokeTokens(.init(container: "ward-a")).revoked == 1)
        #expect(throws: MedStoreError.self) { try r.authenticate(s1, container: "ward-a", blob: "y") }
        _ = try r.authenticate(s2, container: "lab-b")
        #expect(try r.list(.init(activeOnly: true)).map(\.id) == [s2.id])
        // A container that no longer exists (or never did) can still have its tokens revoked.
        #expect(try r.service.revokeTokens(.init(container: "gone-now")).revoked == 0)

        expectCode(.invalidArgument) { () throws(MedStoreError) in try r.service.revokeTokens(.init()) }
        expectCode(.invalidArgument) { () throws(MedStoreError) in try r.service.revokeTokens(.init(id: s2.id, container: "lab-b")) }
        expectCode(.invalidContainerName) { () throws(MedStoreError) in try r.service.revokeTokens(.init(container: "-bad")) }
    }

    @Test("a revoked token leaves the in-memory set once it expires; the set survives a restart")
    func revokedSetLifetime() throws {
        let r = try RegistryFixture()
        let short = try r.issue("ward-a", ttl: 100)
        let long = try r.issue("ward-a", "b", ttl: 10_000)
        _ = try r.service.revokeTokens(.init(container: "ward-a"))
        let fingerprints = [short, long].map { TokenFingerprint(hex: $0.fingerprint ?? "")! }
        var set = try r.service.dataPlaneContext().revokedTokens
        #expect(set.count == 2 && fingerprints.allSatisfy(set.contains))

        r.f.advance(100)  // at the expiry second the token is still valid: kept
        #expect(try r.service.dataPlaneContext().revokedTokens.count == 2)
        r.f.advance(1)
        set = try r.service.dataPlaneContext().revokedTokens
        #expect(set.count == 1 && !set.contains(fingerprints[0]) && set.contains(fingerprints[1]))

        r.service.close()
        r.f.service = try r.f.makeService()
        set = try r.service.dataPlaneContext().revokedTokens
        #expect(set.count == 1 && set.contains(fingerprints[1]))
        #expect(throws: MedStoreError.self) { try r.authenticate(long, container: "ward-a", blob: "b") }
        r.f.advance(10_000)
        r.service.close()
        r.f.service = try r.f.makeService()
        #expect(try r.service.dataPlaneContext().revokedTokens.count == 0)
    }

    @Test("keys.regenerate reports the tokens it invalidates by caller, dry run first; their records turn key-regenerated")
    func regenerateReport() throws {
        let r = try RegistryFixture()
        for permissions in ["r", "rl", "l"] { _ = try r.issue("ward-a", caller: r.bob, permissions: permissions) }
        let aliceToken = try r.issue("lab-b", caller: r.alice)
        _ = try r.issue("lab-b", ttl: 5, caller: r.alice)  // expires: not counted
        let revoked = try r.issue("lab-b", "z", caller: r.alice)
        _ = try r.service.revokeTokens(.init(id: revoked.id))
        _ = try r.service.switchKey(to: .secondary)
        let onSecondary = try r.issue("ward-a", caller: r.alice)
        r.f.advance(10)

        let preview = try r.service.regenerateKey(.primary, force: false, dryRun: true)
        #expect(preview.dryRun == true)
        #expect(preview.invalidatedTokens == TokenImpact(tokens: 4, callers: [
            CallerTokenCount(caller: "uid 4000000001", uid: 4_000_000_001, tokens: 3),
            CallerTokenCount(caller: "uid 0 (root)", uid: 0, tokens: 1),
        ]))
        _ = try r.authenticate(aliceToken, container: "lab-b")  // nothing changed
        #expect(try r.service.dataPlaneContext().revokedTokens.count == 1)

        let done = try r.service.regenerateKey(.primary, force: false)
        #expect(done.dryRun == nil && done.invalidatedTokens?.tokens == 4)
        #expect(throws: MedStoreError.self) { try r.authenticate(aliceToken, container: "lab-b") }
        _ = try r.authenticate(onSecondary, container: "ward-a")
        let states = try r.list().map(\.state)
        #expect(states == [.keyRegenerated, .keyRegenerated, .keyRegenerated, .keyRegenerated, .keyRegenerated, .revoked, .active])
        #expect(try r.list()[0].keyRegeneratedAt == Timestamp.format(r.f.currentTime))
        // The revoked token can never verify again: it left the set.
        #expect(try r.service.dataPlaneContext().revokedTokens.count == 0)
        let byID = try r.service.revokeTokens(.init(id: aliceToken.id))
        #expect(byID.revoked == 0 && byID.token?.state == .keyRegenerated)
        #expect(try r.service.regenerateKey(.primary, force: false, dryRun: true).invalidatedTokens?.tokens == 0)
        // The dry run of the key for tokens needs force like the real call.
        expectCode(.keyInUse) { () throws(MedStoreError) in try r.service.regenerateKey(.secondary, force: false, dryRun: true) }
        #expect(try r.service.regenerateKey(.secondary, force: true, dryRun: true).invalidatedTokens?.tokens == 1)
    }

    @Test("the database holds no token and no signature, in any form")
    func noTokenBytesOnDisk() throws {
        let r = try RegistryFixture()
        var tokens: [IssuedToken] = []
        for index in 0..<20 {
            tokens.append(try r.issue(index % 2 == 0 ? "ward-a" : "lab-b", index % 3 == 0 ? "blob-\(index)" : nil))
        }
        _ = try r.service.revokeTokens(.init(id: tokens[0].id))
        var files: [Data] = []
        for name in ["medstore.db", "medstore.db-wal"] {
            if let data = FileManager.default.contents(atPath: r.f.directory.file(name)) { files.append(data) }
        }
        #expect(files.count == 2)
        func contains(_ haystack: Data, _ needle: [UInt8]) -> Bool {
            haystack.range(of: Data(needle)) != nil
        }
        for token in tokens {
            let sig = try signature(of: token.token)
            let raw = try #require(Crypto.base64Decode(sig))
            let forms: [[UInt8]] = [Array(token.token.utf8), Array(sig.utf8), Array(PercentEncoding.quote(sig).utf8),
                                    Array(sig.prefix(16).utf8), raw, Array(Crypto.hex(raw).utf8)]
            for file in files {
                for form in forms { #expect(!contains(file, form), "a form of a token's signature is in the database") }
            }
            // The fingerprint is there (as hex text): the check above would have seen a signature.
            #expect(files.contains { contains($0, Array((token.fingerprint ?? "-").utf8)) })
        }
    }

    @Test("deleting the account forgets its tokens and revocations")
    func accountDelete() throws {
        let r = try RegistryFixture()
        let token = try r.issue("ward-a")
        _ = try r.service.revokeTokens(.init(id: token.id))
        _ = try r.service.deleteAccount(confirmName: "medstoretest")
        _ = try r.service.createAccount(name: "again")
        #expect(try r.list().isEmpty)
        #expect(try r.service.dataPlaneContext().revokedTokens.count == 0)
    }

    @Test("concurrent issuers all get durable, distinct records (shared syncs)")
    func concurrentIssuers() async throws {
        let r = try RegistryFixture()
        let ids = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var ids: [UInt64] = []
                    for index in 0..<25 {
                        let token = try r.issue("ward-a", "w\(worker)-\(index)")
                        ids.append(try #require(token.id))
                    }
                    return ids
                }
            }
            var all: [UInt64] = []
            for try await some in group { all += some }
            return all
        }
        #expect(Set(ids).count == 200)
        #expect(try r.list().count == 200)
    }

    @Test("registry queries use their indexes; issuing touches as few as it can")
    func queryPlans() throws {
        let r = try RegistryFixture()
        try r.service.store.locked { () throws(MedStoreError) in
            func plan(_ sql: String, _ bindings: [SQLiteValue]) throws(MedStoreError) -> String {
                try r.service.db.query("EXPLAIN QUERY PLAN " + sql, bindings).compactMap { $0.text(3) }.joined(separator: " | ")
            }
            let byContainer = try plan("SELECT id FROM issued_tokens WHERE id > ? AND container = ? ORDER BY id LIMIT 10",
                                       [.integer(0), .text("ward-a")])
            #expect(byContainer.contains("issued_tokens_container"), "\(byContainer)")
            let revoked = try plan("""
                SELECT fingerprint, expires_at FROM issued_tokens
                WHERE revoked_at IS NOT NULL AND key_regenerated_at IS NULL AND expires_at >= ?
                """, [.integer(0)])
            #expect(revoked.contains("issued_tokens_revoked"), "\(revoked)")
            let indexes = try r.service.db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'issued_tokens'")
            #expect(indexes.count == 2)
        }
    }
}
