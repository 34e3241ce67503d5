import Foundation
import MedStoreClient
import MedStoreTestSupport
import Testing
@testable import MedStoreProtocol
@testable import MedStoreServer

private let keyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
private let keyB = "u30CWhU0xSwZ/YfVjzRfLY2kVeEFX6AT5Jf4Xy7ksPBglgJ3gI31ZjIAkEvkRMgpfwuStTMU/ATu2fX8Q5OWMA=="

private func expectError<T>(_ code: ErrorCode, _ body: () async throws(MedStoreError) -> T,
                            sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        _ = try await body()
        Issue.record("expected \(code.rawValue)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
    }
}

@Suite("Client and server")
struct ClientServerTests {
    @Test func helloStatesVersionsAndEveryMethod() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let client = try await daemon.client()
        defer { client.close() }
        #expect(client.server.daemon == "medstored")
        #expect(client.server.protocolMajor == ProtocolVersion.major)
        #expect(Set(client.server.methods) == Set(MethodRegistry.names))
        let status = try await client.status()
        #expect(status.accountPresent == false && status.accountName == nil)
        #expect(status.protocolVersion == "\(ProtocolVersion.major).\(ProtocolVersion.minor)")
    }

    @Test func accountContainersTokensEndToEnd() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let client = try await daemon.client()
        defer { client.close() }
        await expectError(.accountNotFound) { () async throws(MedStoreError) in try await client.showAccount() }
        let account = try await client.importAccount(name: "medstoretest", primaryKey: keyA, secondaryKey: keyB)
        #expect(account.blobEndpoint == "http://127.0.0.1:\(daemon.blobPort)/medstoretest")
        await expectError(.accountAlreadyExists) { () async throws(MedStoreError) in try await client.createAccount() }
        _ = try await client.createContainer("patient-records")
        await expectError(.invalidContainerName) { () async throws(MedStoreError) in try await client.createContainer("Bad_Name") }
        // Same inputs as the reference vector V2 (azure-storage-blob 12.31.1), but with spr=https.
        let token = try await client.blobToken("patient-records", blob: "scans/2026/img-001.dcm",
                                               TokenOptions(permissions: "wr", start: "2026-01-01T00:00:00Z",
                                                            expiry: "2026-12-31T00:00:00Z", ip: "10.0.0.1-10.0.0.255",
                                                            httpsOnly: true))
        #expect(token.permissions == "rw")
        #expect(token.token.hasPrefix("st=2026-01-01T00%3A00%3A00Z&se=2026-12-31T00%3A00%3A00Z&sp=rw&sip=10.0.0.1-10.0.0.255&spr=https&sv=2026-10-06&sr=b&sig="))
        #expect(token.url == "http://127.0.0.1:\(daemon.blobPort)/medstoretest/patient-records/scans/2026/img-001.dcm?" + token.token)
        #expect(token.signedWith == .primary)
        let status = try await client.status()
        #expect(status.accountName == "medstoretest" && status.containerCount == 1)
    }

    @Test func manyConcurrentRequestsOnOneConnection() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let client = try await daemon.client()
        defer { client.close() }
        _ = try await client.createAccount(name: "concurrent")
        let names = (0..<200).map { String(format: "box-%03d", $0) }
        try await withThrowingTaskGroup(of: String.self) { group in
            for name in names {
                group.addTask { try await client.createContainer(name).name }
            }
            var created: [String] = []
            for try await name in group { created.append(name) }
            #expect(created.sorted() == names)
        }
        #expect(try await client.allContainers().map(\.name) == names)
    }

    @Test func unreachableSocketSaysHowToStartTheDaemon() async {
        let dir = TemporaryDirectory()
        do {
            _ = try await MedStoreClient.connect(socketPath: dir.file("nothing.sock"))
            Issue.record("connected to nothing")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("systemctl start medstored"))
            #expect(error.message.contains("make run"))
        }
    }

    @Test func stopDrainsAndRemovesTheSocket() async throws {
        let daemon = try InProcessDaemon()
        let client = try await daemon.client()
        _ = try await client.createAccount(name: "drain")
        daemon.stop()
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        await expectError(.unavailable) { () async throws(MedStoreError) in try await client.status() }
        client.close()
    }

    @Test func liveSocketIsNotStolenAndStaleOneIsReplaced() async throws {
        let first = try InProcessDaemon()
        defer { first.stop() }
        do {
            _ = try InProcessDaemon { $0.socketPath = first.socketPath }
            Issue.record("second daemon took a live socket")
        } catch let error as MedStoreError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("already listening"))
        }
        // A stale socket: bound, then its listener closed without unlinking.
        let dir = TemporaryDirectory()
        let stale = dir.file("stale.sock")
        _ = try SocketIOTestHelpers.bindAndClose(stale)
        let second = try InProcessDaemon { $0.socketPath = stale }
        defer { second.stop() }
        let client = try await second.client()
        #expect(try await client.status().accountPresent == false)
        client.close()
        var info = stat()
        #expect(stat(stale, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
    }
}
