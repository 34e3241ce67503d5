import Foundation
import MedStoreClient
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol
@testable import MedStoreServer

private let keyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
private let keyB = "u30CWhU0xSwZ/YfVjzRfLY2kVeEFX6AT5Jf4Xy7ksPBglgJ3gI31ZjIAkEvkRMgpfwuStTMU/ATu2fX8Q5OWMA=="

/// A method no daemon serves (to be refused with `unknownMethod`).
private enum NoSuchMethod: RPCMethod {
    static let name = "no.such"
    typealias Params = Empty
    typealias Result = Empty
}

private func errorCode<T>(_ body: () async throws(MedStoreError) -> T) async -> MedStoreError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

@Suite("Audit trail over the socket")
struct AuditTrailTests {
    @Test func everyRequestIsRecordedWithItsCallerTargetAndOutcome() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let client = try await daemon.client()
        defer { client.close() }
        _ = try await client.importAccount(name: "medstoretest", primaryKey: keyA, secondaryKey: keyB)
        _ = try await client.createContainer("ward-a")
        #expect(await errorCode { () async throws(MedStoreError) in try await client.createContainer("ward-a") }?.code
                == .containerAlreadyExists)
        _ = try await client.blobToken("ward-a", blob: "scan 1.dcm", TokenOptions(permissions: "r", ttlSeconds: 60))
        #expect(await errorCode { () async throws(MedStoreError) in try await client.call(NoSuchMethod.self, Empty()) }?.code
                == .unknownMethod)

        let entries = try await client.auditEntries(AuditList.Params())
        let summary = entries.map { "\($0.kind) \($0.method) \($0.target ?? "-") \($0.outcome ?? "none")" }
        #expect(summary == [
            "start medstored.start - ok",
            "attempt account.import name=medstoretest ok",
            "attempt container.create name=ward-a ok",
            "attempt container.create name=ward-a containerAlreadyExists",
            "attempt token.blob container=ward-a blob=\"scan 1.dcm\" ok",  // issuing writes the registry
            "refused no.such - unknownMethod",
        ])
        for entry in entries.dropFirst() {
            #expect(entry.uid == getuid() && entry.gid == getgid() && entry.pid == UInt32(getpid()))
            #expect(entry.role == "admin" && entry.connection != nil && entry.requestId != nil)
            #expect(entry.executable == (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")))
        }
        // A performed request's outcome is a record of its own, after its attempt.
        let create = entries[2]
        #expect(create.outcomeSeq.map { $0 > create.seq } == true)
        // The list itself was recorded too, and the chain is intact.
        let verdict = try await client.verifyAudit()
        #expect(verdict.ok && verdict.lastSeq >= UInt64(entries.count + 4), "\(verdict)")
    }

    @Test func listFiltersAndPages() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let client = try await daemon.client()
        defer { client.close() }
        _ = try await client.createAccount(name: "filters")
        for name in ["box-a", "box-b", "box-c"] { _ = try await client.createContainer(name) }
        let creates = try await client.auditEntries(AuditList.Params(method: "container.create"))
        #expect(creates.map(\.target) == ["name=box-a", "name=box-b", "name=box-c"])
        let page = try await client.listAudit(AuditList.Params(method: "container.create", limit: 2))
        #expect(page.entries.count == 2 && page.nextMarker == page.entries.last?.seq)
        let rest = try await client.listAudit(AuditList.Params(method: "container.create", marker: page.nextMarker))
        #expect(rest.entries.map(\.target) == ["name=box-c"] && rest.nextMarker == nil)
        #expect(try await client.auditEntries(AuditList.Params(since: "2999-01-01")).isEmpty)
        #expect(try await client.auditEntries(AuditList.Params(caller: "\(getuid())")).count >= 5)
        let mine = try await client.auditEntries(AuditList.Params(caller: "\(getuid() + 4242)"))
        #expect(mine.isEmpty)
        #expect(await errorCode { () async throws(MedStoreError) in
            try await client.listAudit(AuditList.Params(caller: "no-such-user-medstore"))
        }?.code == .invalidArgument)
        #expect(await errorCode { () async throws(MedStoreError) in
            try await client.listAudit(AuditList.Params(since: "yesterday"))
        }?.code == .invalidTime)
    }

    @Test func withoutADurableAuditRecordNothingIsPerformed() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let client = try await daemon.client()
        defer { client.close() }
        _ = try await client.createAccount(name: "failclosed")
        _ = try await client.createContainer("ward-a")
        let service = daemon.daemon.service
        service.audit.poisonWriter()

        let create = await errorCode { () async throws(MedStoreError) in try await client.createContainer("ward-b") }
        #expect(create?.code == .unavailable)
        #expect(create?.message == "the audit trail cannot be written, so container.create was not performed; the daemon log says why")
        #expect(throws: MedStoreError.self) { try service.showContainer(name: "ward-b") }
        // A token is a reply-only request: it is computed, then dropped.
        let token = await errorCode { () async throws(MedStoreError) in
            try await client.containerToken("ward-a", TokenOptions(permissions: "r", ttlSeconds: 60))
        }
        #expect(token?.code == .unavailable)
        let delete = await errorCode { () async throws(MedStoreError) in try await client.deleteContainer("ward-a") }
        #expect(delete?.code == .unavailable)
        #expect(try service.showContainer(name: "ward-a").name == "ward-a", "not deleted")
        // Refusals are still sent.
        #expect(await errorCode { () async throws(MedStoreError) in try await client.call(NoSuchMethod.self, Empty()) }?.code
                == .unknownMethod)
        #expect(service.audit.statistics.failedCommits >= 4)
    }

    @Test func noKeyOrTokenSignatureReachesTheAuditFiles() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let client = try await daemon.client()
        defer { client.close() }
        _ = try await client.importAccount(name: "medstoretest", primaryKey: keyA, secondaryKey: keyB)
        _ = try await client.createContainer("ward-a")
        let token = try await client.containerToken("ward-a", TokenOptions(permissions: "rl", ttlSeconds: 600))
        _ = try await client.regenerateKey(.secondary)
        let signature = try #require(token.token.split(separator: "&").first { $0.hasPrefix("sig=") }).dropFirst(4)

        var forms: [[UInt8]] = [Array(signature.utf8), Array(String(signature).removingPercentEncoding!.utf8)]
        for key in [keyA, keyB] {
            let raw = [UInt8](Data(base64Encoded: key)!)
            let hexText = raw.map { String(format: "%02x", $0) }.joined()
            let url = key.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            forms += [raw, Array(key.utf8), Array(key.dropLast(2).utf8), Array(hexText.utf8),
                      Array(hexText.uppercased().utf8), Array(url.utf8)]
        }
        var all: [UInt8] = []
        for name in ["audit.db", "audit.db-wal", "audit.head"] {
            guard let data = FileManager.default.contents(atPath: daemon.stateDirectory + "/" + name) else { continue }
            let bytes = [UInt8](data)
            all += bytes
            for form in forms {
                #expect(!contains(bytes, form), "\(name) holds a secret form of \(form.count) bytes")
            }
        }
        // The scan saw the records: the import's target is there, in clear.
        #expect(contains(all, Array("name=medstoretest".utf8)))
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first && Array(haystack[index..<index + needle.count]) == needle { return true }
            index += 1
        }
        return false
    }
}
