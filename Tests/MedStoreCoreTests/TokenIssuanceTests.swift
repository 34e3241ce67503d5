import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// The daemon's own issuance path (account → key for tokens → options → token) against the
/// tokens Azure's SDK made for the same inputs.
@Suite("Token issuance")
struct TokenIssuanceTests {
    private struct Vector: Decodable {
        var account: String, key: String, resource: String, container: String, blob: String?, permissions: String
        var start: String?, expiry: String, ip: String?, `protocol`: String?, rscd: String?, rsct: String?, token: String
    }
    private struct File: Decodable { var vectors: [Vector] }

    private static func vectors() throws -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sas-vectors.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }

    @Test func issuedTokensEqualTheSDKVectors() throws {
        // The daemon signs spr only as `https` (or not at all) and never response overrides.
        let usable = try Self.vectors().filter { ($0.protocol == nil || $0.protocol == "https") && $0.rscd == nil && $0.rsct == nil }
        #expect(usable.count >= 40)
        for v in usable {
            let f = try ServiceFixture()
            let start = try v.start.map { try SASTime.parseSignedTime($0) }
            let expiry = try SASTime.parseSignedTime(v.expiry)
            f.currentTime = min(start ?? expiry, expiry).addingTimeInterval(-3600)
            _ = try f.service.importAccount(name: v.account, primaryKey: v.key, secondaryKey: otherKey)
            _ = try f.service.createContainer(name: v.container)
            let options = TokenOptions(permissions: String(v.permissions.reversed()), start: v.start, expiry: v.expiry,
                                       ip: v.ip, httpsOnly: v.protocol == "https" ? true : nil)
            let issued = try f.service.issueToken(container: v.container, blob: v.resource == "blob" ? v.blob : nil,
                                                  options: options)
            #expect(issued.token == v.token, "\(v.container) \(v.blob ?? "") \(v.permissions)")
            #expect(issued.permissions == v.permissions)
            #expect(issued.signedWith == .primary)
        }
    }

    @Test func ttlCountsFromStartOrNow() throws {
        let f = try ServiceFixture()
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        _ = try f.service.createContainer(name: "box")
        let fromNow = try f.service.issueToken(container: "box", blob: nil, options: TokenOptions(permissions: "r", ttlSeconds: 3600))
        #expect(fromNow.start == nil && fromNow.expiry == "2026-05-28T21:26:40Z")
        let fromStart = try f.service.issueToken(container: "box", blob: nil,
                                                 options: TokenOptions(permissions: "r", start: "2026-06-01T00:00:00Z", ttlSeconds: 60))
        #expect(fromStart.start == "2026-06-01T00:00:00Z" && fromStart.expiry == "2026-06-01T00:01:00Z")
    }

    @Test func badRequestsGetTheirOwnCodes() throws {
        let f = try ServiceFixture()
        let o = TokenOptions(permissions: "r", ttlSeconds: 60)
        expectCode(.accountNotFound) { () throws(MedStoreError) in try f.service.issueToken(container: "box", blob: nil, options: o) }
        _ = try f.service.importAccount(name: "medstoretest", primaryKey: vectorKeyBase64, secondaryKey: otherKey)
        expectCode(.containerNotFound) { () throws(MedStoreError) in try f.service.issueToken(container: "box", blob: nil, options: o) }
        _ = try f.service.createContainer(name: "box")
        let cases: [(ErrorCode, String?, TokenOptions)] = [
            (.invalidContainerName, nil, o),
            (.invalidPermissions, nil, TokenOptions(permissions: "rq", ttlSeconds: 60)),
            (.invalidPermissions, nil, TokenOptions(permissions: "rr", ttlSeconds: 60)),
            (.invalidPermissions, nil, TokenOptions(permissions: "", ttlSeconds: 60)),
            (.invalidPermissions, "blob.txt", TokenOptions(permissions: "rl", ttlSeconds: 60)),
            (.invalidTime, nil, TokenOptions(permissions: "r")),
            (.invalidTime, nil, TokenOptions(permissions: "r", expiry: "2026-06-01T00:00:00Z", ttlSeconds: 60)),
            (.invalidTime, nil, TokenOptions(permissions: "r", expiry: "2026-05-01T00:00:00Z")),
            (.invalidTime, nil, TokenOptions(permissions: "r", start: "2026-06-02T00:00:00Z", expiry: "2026-06-01T00:00:00Z")),
            (.invalidTime, nil, TokenOptions(permissions: "r", expiry: "tomorrow")),
            (.invalidTime, nil, TokenOptions(permissions: "r", ttlSeconds: 0)),
            (.invalidTime, nil, TokenOptions(permissions: "r", ttlSeconds: 400 * 86400)),
            (.invalidIPRule, nil, TokenOptions(permissions: "r", ttlSeconds: 60, ip: "1.2.3")),
            (.invalidIPRule, nil, TokenOptions(permissions: "r", ttlSeconds: 60, ip: "10.0.0.9-10.0.0.1")),
            (.invalidBlobName, "", TokenOptions(permissions: "r", ttlSeconds: 60)),
        ]
        for (index, (code, blob, options)) in cases.enumerated() {
            let container = index == 0 ? "Bad_Name" : "box"
            expectCode(code) { () throws(MedStoreError) in try f.service.issueToken(container: container, blob: blob, options: options) }
        }
    }

    @Test func endpointTemplateSubstitutesOrAppendsTheAccount() {
        let appended = ServiceConfiguration(blobEndpointTemplate: "http://127.0.0.1:10000/", clusterNetworks: [], daemonVersion: "t")
        #expect(appended.blobEndpoint(account: "acct") == "http://127.0.0.1:10000/acct")
        let templated = ServiceConfiguration(blobEndpointTemplate: "https://{account}.blob.core.windows.net",
                                             clusterNetworks: [], daemonVersion: "t")
        #expect(templated.blobEndpoint(account: "acct") == "https://acct.blob.core.windows.net")
    }
}
