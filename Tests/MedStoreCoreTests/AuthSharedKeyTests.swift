import MedStoreTestSupport
import Foundation
@testable import MedStoreCore
import MedStoreProtocol
import Testing

/// One request captured from azure-storage-blob 12.31.1 (SharedKeyCredentialPolicy) against a
/// loopback recorder at `http://127.0.0.1:PORT/medstoretest`, with the string-to-sign the SDK
/// signed (captured by wrapping `_add_authorization_header`). Key: the reference key.
private struct SDKRecord: Sendable {
    var method: String
    var rawPath: String
    var rawQuery: String
    var headers: [(String, String)]
    var stringToSign: String
    var operation: BlobOperation
    var container: String?
    var blob: String?
}

/// The recorder's requests were all sent at this x-ms-date.
private let sdkDate = RFC1123Date.parse("Fri, 04 Dec 2026 19:54:34 GMT")!

private let sdkRecords: [SDKRecord] = [
    SDKRecord(
        method: "PUT",
        rawPath: "/medstoretest/patient-records",
        rawQuery: "restype=container",
        headers: [
            ("Accept", "application/xml"),
            ("x-ms-meta-owner", "radiology"),
            ("x-ms-version", "2026-10-06"),
            ("x-ms-date", "Fri, 04 Dec 2026 19:54:34 GMT"),
            ("x-ms-client-request-id", "8734413a-f01c-11f1-8d24-02fc00000001"),
            ("Authorization", "SharedKey medstoretest:/P4Bat1hnwmxxRMqVDz2JQ9AdMofHjbPk5A3UKkyVMw="),
            ("Content-Length", "0"),
        ],
        stringToSign: "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-client-request-id:8734413a-f01c-11f1-8d24-02fc00000001\nx-ms-date:Fri, 04 Dec 2026 19:54:34 GMT\nx-ms-meta-owner:radiology\nx-ms-version:2026-10-06\n/medstoretest/medstoretest/patient-records\nrestype:container",
        operation: .createContainer, container: "patient-records", blob: nil),
    SDKRecord(
        method: "PUT",
        rawPath: "/medstoretest/patient-records/scans/a%20b%2Bc.txt",
        rawQuery: "",
        headers: [
            ("Accept", "application/xml"),
            ("Content-Length", "5"),
            ("x-ms-meta-a_b", "1"),
            ("x-ms-meta-a1", "2"),
            ("x-ms-meta-ab", "3"),
            ("x-ms-meta-Zed", "x"),
            ("x-ms-blob-type", "BlockBlob"),
            ("x-ms-blob-content-type", "text/plain"),
            ("x-ms-version", "2026-10-06"),
            ("Content-Type", "application/octet-stream"),
            ("x-ms-date", "Fri, 04 Dec 2026 19:54:34 GMT"),
            ("x-ms-client-request-id", "8735ab4c-f01c-11f1-8d24-02fc00000001"),
            ("Authorization", "SharedKey medstoretest:dxNQkS4Js+kNu+T7O4dqo20bwVTD3ezUCbyRuJ8hEmc="),
        ],
        stringToSign: "PUT\n\n\n5\n\napplication/octet-stream\n\n\n\n\n\n\nx-ms-blob-content-type:text/plain\nx-ms-blob-type:BlockBlob\nx-ms-client-request-id:8735ab4c-f01c-11f1-8d24-02fc00000001\nx-ms-date:Fri, 04 Dec 2026 19:54:34 GMT\nx-ms-meta-a_b:1\nx-ms-meta-a1:2\nx-ms-meta-ab:3\nx-ms-meta-zed:x\nx-ms-version:2026-10-06\n/medstoretest/medstoretest/patient-records/scans/a%20b%2Bc.txt",
        operation: .putBlob, container: "patient-records", blob: "scans/a b+c.txt"),
    SDKRecord(
        method: "GET",
        rawPath: "/medstoretest/patient-records",
        rawQuery: "restype=container&comp=list&prefix=scans%2F&include=metadata",
        headers: [
            ("Accept", "application/xml"),
            ("x-ms-version", "2026-10-06"),
            ("x-ms-date", "Fri, 04 Dec 2026 19:54:34 GMT"),
            ("x-ms-client-request-id", "873e1e4e-f01c-11f1-8d24-02fc00000001"),
            ("Authorization", "SharedKey medstoretest:srtDfsn9Bk5Mti0uqd0lScDbS99fPWzn5EdLFWVoDAA="),
        ],
        stringToSign: "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-client-request-id:873e1e4e-f01c-11f1-8d24-02fc00000001\nx-ms-date:Fri, 04 Dec 2026 19:54:34 GMT\nx-ms-version:2026-10-06\n/medstoretest/medstoretest/patient-records\ncomp:list\ninclude:metadata\nprefix:scans/\nrestype:container",
        operation: .listBlobs, container: "patient-records", blob: nil),
    SDKRecord(
        method: "PUT",
        rawPath: "/medstoretest/patient-records/scans/a%20b%2Bc.txt",
        rawQuery: "comp=block&blockid=TURBd01EQXdNREF3TURjeE5qRXlNRGsxT0RJd056SXlNems0TkRJNE1ERXhOamN5TXpBeU56QTROREU0TkRneQ%3D%3D",
        headers: [
            ("Accept", "application/xml"),
            ("Content-Length", "3"),
            ("x-ms-version", "2026-10-06"),
            ("Content-Type", "application/octet-stream"),
            ("x-ms-date", "Fri, 04 Dec 2026 19:54:34 GMT"),
            ("x-ms-client-request-id", "87451ec4-f01c-11f1-8d24-02fc00000001"),
            ("Authorization", "SharedKey medstoretest:8yLXCbKu4BO+B3xVNE5HNvRYjEtpyJ6syNGa0kSz+NU="),
        ],
        stringToSign: "PUT\n\n\n3\n\napplication/octet-stream\n\n\n\n\n\n\nx-ms-client-request-id:87451ec4-f01c-11f1-8d24-02fc00000001\nx-ms-date:Fri, 04 Dec 2026 19:54:34 GMT\nx-ms-version:2026-10-06\n/medstoretest/medstoretest/patient-records/scans/a%20b%2Bc.txt\nblockid:TURBd01EQXdNREF3TURjeE5qRXlNRGsxT0RJd056SXlNems0TkRJNE1ERXhOamN5TXpBeU56QTROREU0TkRneQ==\ncomp:block",
        operation: .putBlock, container: "patient-records", blob: "scans/a b+c.txt"),
]

/// The reference's §7 vectors (host-style URLs, so the path has no account segment).
private struct ReferenceVector: Sendable {
    var method: String
    var rawPath: String
    var rawQuery: String
    var headers: [(String, String)]
    var stringToSign: String
    var signature: String
    var operation: BlobOperation
    var container: String?
    var blob: String?
}

private let referenceDate = "Thu, 01 Jan 2026 00:00:00 GMT"

private let sharedKeyReferenceVectors: [ReferenceVector] = [
    ReferenceVector(
        method: "PUT", rawPath: "/patient-records", rawQuery: "restype=container",
        headers: [("x-ms-meta-owner", "radiology"), ("Content-Length", "0"),
                  ("x-ms-date", referenceDate), ("x-ms-version", "2026-10-06")],
        stringToSign: "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Thu, 01 Jan 2026 00:00:00 GMT\nx-ms-meta-owner:radiology\nx-ms-version:2026-10-06\n/medstoretest/patient-records\nrestype:container",
        signature: "34iF+BKXDl1/RRuzSi+piraneaMrx2i6Ges3AX1FVcI=",
        operation: .createContainer, container: "patient-records", blob: nil),
    ReferenceVector(
        method: "PUT", rawPath: "/patient-records/scans/a.txt", rawQuery: "",
        headers: [("x-ms-blob-type", "BlockBlob"), ("Content-Length", "5"), ("Content-Type", "application/octet-stream"),
                  ("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="), ("x-ms-date", referenceDate), ("x-ms-version", "2026-10-06")],
        stringToSign: "PUT\n\n\n5\nXUFAKrxLKna5cZ2REBfFkg==\napplication/octet-stream\n\n\n\n\n\n\nx-ms-blob-type:BlockBlob\nx-ms-date:Thu, 01 Jan 2026 00:00:00 GMT\nx-ms-version:2026-10-06\n/medstoretest/patient-records/scans/a.txt",
        signature: "FcdOthgNdmNip0k5CQQGA3QnR6eYA5oxG5qFl4frJb8=",
        operation: .putBlob, container: "patient-records", blob: "scans/a.txt"),
    ReferenceVector(
        method: "GET", rawPath: "/patient-records",
        rawQuery: "restype=container&comp=list&prefix=scans%2F&delimiter=%2F&maxresults=100",
        headers: [("x-ms-date", referenceDate), ("x-ms-version", "2026-10-06")],
        stringToSign: "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Thu, 01 Jan 2026 00:00:00 GMT\nx-ms-version:2026-10-06\n/medstoretest/patient-records\ncomp:list\ndelimiter:/\nmaxresults:100\nprefix:scans/\nrestype:container",
        signature: "a23ta/xE4qICdMXJRrr0Di5vQ7PNBpX8v/XkEwnozGk=",
        operation: .listBlobs, container: "patient-records", blob: nil),
    ReferenceVector(
        method: "GET", rawPath: "/patient-records/scans/a.txt", rawQuery: "",
        headers: [("x-ms-range", "bytes=0-33554431"), ("x-ms-date", referenceDate), ("x-ms-version", "2026-10-06")],
        stringToSign: "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Thu, 01 Jan 2026 00:00:00 GMT\nx-ms-range:bytes=0-33554431\nx-ms-version:2026-10-06\n/medstoretest/patient-records/scans/a.txt",
        signature: "ArkSDpPxW3kAh9q5YJNuuqaQGtXz7YWZqk3cog6pfHA=",
        operation: .getBlob, container: "patient-records", blob: "scans/a.txt"),
]

private func request(method: String, rawPath: String, rawQuery: String, headers: [(String, String)],
                     operation: BlobOperation, container: String?, blob: String?, now: Date,
                     peer: String = "10.1.2.3") -> AuthRequest {
    AuthRequest(method: method, account: AuthFixtures.account, container: container, blob: blob, operation: operation,
                rawQuery: rawQuery, headers: headers, rawPath: rawPath, peer: AuthFixtures.ip(peer), isTLS: false, now: now)
}

/// A Put Blob request signed by this code's own string-to-sign (checked against the vectors above).
private func signedPutBlob(date: Date, key: AccountKey, extraHeaders: [(String, String)] = [],
                           signedHeaders: [(String, String)]? = nil, now: Date) throws -> AuthRequest {
    var headers: [(String, String)] = [
        ("Content-Length", "5"), ("x-ms-blob-type", "BlockBlob"),
        ("x-ms-date", RFC1123Date.format(date)), ("x-ms-version", "2026-10-06"),
    ] + extraHeaders
    let rawPath = AuthFixtures.rawPath(container: AuthFixtures.container, blob: AuthFixtures.blob)
    let sts = try SharedKeyStringToSign.build(method: "PUT", headers: signedHeaders ?? headers, account: AuthFixtures.account,
                                              rawPath: rawPath, rawQuery: "")
    headers.append(("Authorization", "SharedKey \(AuthFixtures.account):\(key.sign(sts))"))
    return request(method: "PUT", rawPath: rawPath, rawQuery: "", headers: headers, operation: .putBlob,
                   container: AuthFixtures.container, blob: AuthFixtures.blob, now: now)
}

@Suite("Shared Key authorization")
struct AuthSharedKeyTests {
    @Test("reference §7 vectors: exact string-to-sign and signature, and they authenticate")
    func referenceVectors() throws {
        let key = try AuthFixtures.primary()
        let now = RFC1123Date.parse(referenceDate)!.addingTimeInterval(300)
        for vector in sharedKeyReferenceVectors {
            let sts = try SharedKeyStringToSign.build(method: vector.method, headers: vector.headers,
                                                      account: AuthFixtures.account, rawPath: vector.rawPath,
                                                      rawQuery: vector.rawQuery)
            #expect(sts == vector.stringToSign)
            #expect(key.sign(sts) == vector.signature)
            let signed = vector.headers + [("Authorization", "SharedKey medstoretest:\(vector.signature)")]
            let identity = try AuthFixtures.authenticate(request(
                method: vector.method, rawPath: vector.rawPath, rawQuery: vector.rawQuery, headers: signed,
                operation: vector.operation, container: vector.container, blob: vector.blob, now: now))
            guard case .sharedKey = identity else {
                Issue.record("expected Shared Key identity")
                continue
            }
        }
    }

    @Test("requests signed by azure-storage-blob 12.31.1 authenticate, string-to-sign byte for byte")
    func sdkSignedRequests() throws {
        for record in sdkRecords {
            let sts = try SharedKeyStringToSign.build(method: record.method, headers: record.headers,
                                                      account: AuthFixtures.account, rawPath: record.rawPath,
                                                      rawQuery: record.rawQuery)
            #expect(sts == record.stringToSign)
            let identity = try AuthFixtures.authenticate(request(
                method: record.method, rawPath: record.rawPath, rawQuery: record.rawQuery, headers: record.headers,
                operation: record.operation, container: record.container, blob: record.blob,
                now: sdkDate.addingTimeInterval(60)))
            #expect(identity.mayOverwriteBlobs)
            #expect(identity.fingerprint == nil)
        }
    }

    @Test("a request changed after signing fails with AuthenticationFailed")
    func tampering() throws {
        let record = sdkRecords[1]
        let now = sdkDate.addingTimeInterval(60)
        func attempt(headers: [(String, String)]? = nil, rawPath: String? = nil, rawQuery: String? = nil,
                     method: String? = nil) -> MedStoreError? {
            AuthFixtures.failure(request(
                method: method ?? record.method, rawPath: rawPath ?? record.rawPath, rawQuery: rawQuery ?? record.rawQuery,
                headers: headers ?? record.headers, operation: record.operation, container: record.container,
                blob: record.blob, now: now))
        }
        #expect(attempt() == nil, "the untouched request passes")
        let changedMeta = record.headers.map { $0.0 == "x-ms-meta-ab" ? ($0.0, "4") : $0 }
        let addedMeta = record.headers + [("x-ms-meta-extra", "1")]
        let changedType = record.headers.map { $0.0 == "Content-Type" ? ($0.0, "text/html") : $0 }
        let changedLength = record.headers.map { $0.0 == "Content-Length" ? ($0.0, "6") : $0 }
        for failure in [
            attempt(headers: changedMeta), attempt(headers: addedMeta), attempt(headers: changedType),
            attempt(headers: changedLength), attempt(rawPath: "/medstoretest/patient-records/scans/other.txt"),
            attempt(rawQuery: "comp=metadata"), attempt(method: "POST"),
        ] {
            #expect(failure?.code == .authenticationFailed)
            #expect(failure?.message.hasPrefix("The MAC signature found in the HTTP request") == true)
        }
    }

    @Test("request date: 14 minutes either way passes, 16 minutes old or ahead fails")
    func dateWindow() throws {
        let key = try AuthFixtures.primary()
        let now = AuthFixtures.now
        for minutes in [-14.0, 0, 14] {
            let signed = try signedPutBlob(date: now.addingTimeInterval(minutes * 60), key: key, now: now)
            #expect(AuthFixtures.failure(signed) == nil, "\(minutes) minutes")
        }
        let old = try signedPutBlob(date: now.addingTimeInterval(-16 * 60), key: key, now: now)
        let oldError = AuthFixtures.failure(old)
        #expect(oldError?.code == .authenticationFailed)
        #expect(oldError?.message == "Request date header too old: 'Thu, 01 Jan 2026 11:44:00 GMT'")
        let ahead = try signedPutBlob(date: now.addingTimeInterval(16 * 60), key: key, now: now)
        let aheadError = AuthFixtures.failure(ahead)
        #expect(aheadError?.code == .authenticationFailed)
        #expect(aheadError?.message == "Request date header not valid yet: 'Thu, 01 Jan 2026 12:16:00 GMT'")
    }

    @Test("the Date header is used when there is no x-ms-date; a missing or malformed date fails")
    func dateHeaders() throws {
        let key = try AuthFixtures.primary()
        let now = AuthFixtures.now
        let rawPath = AuthFixtures.rawPath(container: AuthFixtures.container, blob: nil)
        func signed(_ headers: [(String, String)]) throws -> AuthRequest {
            let sts = try SharedKeyStringToSign.build(method: "GET", headers: headers, account: AuthFixtures.account,
                                                      rawPath: rawPath, rawQuery: "restype=container&comp=list")
            return request(method: "GET", rawPath: rawPath, rawQuery: "restype=container&comp=list",
                           headers: headers + [("Authorization", "SharedKey medstoretest:\(key.sign(sts))")],
                           operation: .listBlobs, container: AuthFixtures.container, blob: nil, now: now)
        }
        let withDate: [(String, String)] = [("Date", RFC1123Date.format(now)), ("x-ms-version", "2026-10-06")]
        let sts = try SharedKeyStringToSign.build(method: "GET", headers: withDate, account: AuthFixtures.account,
                                                  rawPath: rawPath, rawQuery: "")
        #expect(sts.split(separator: "\n", omittingEmptySubsequences: false)[6] == "Thu, 01 Jan 2026 12:00:00 GMT")
        #expect(AuthFixtures.failure(try signed(withDate)) == nil)
        let missing = AuthFixtures.failure(try signed([("x-ms-version", "2026-10-06")]))
        #expect(missing?.code == .authenticationFailed)
        let malformed = AuthFixtures.failure(try signed([("x-ms-date", "2026-01-01T12:00:00Z"), ("x-ms-version", "2026-10-06")]))
        #expect(malformed?.code == .authenticationFailed)
        #expect(malformed?.message == "The Date header in the request is incorrect.")
    }

    @Test("wrong key fails; the secondary key passes; a regenerated key fails")
    func keys() throws {
        let now = AuthFixtures.now
        let other = try AccountKey.generate()
        let wrong = try signedPutBlob(date: now, key: other, now: now)
        #expect(AuthFixtures.failure(wrong)?.code == .authenticationFailed)

        let bySecondary = try signedPutBlob(date: now, key: try AuthFixtures.secondary(), now: now)
        #expect(AuthFixtures.failure(bySecondary) == nil)

        let byPrimary = try signedPutBlob(date: now, key: try AuthFixtures.primary(), now: now)
        let afterRegenerate: [KeyName: AccountKey] = [.primary: try AccountKey.generate(), .secondary: try AuthFixtures.secondary()]
        let error = AuthFixtures.failure(byPrimary, keys: afterRegenerate)
        #expect(error?.code == .authenticationFailed)
        #expect(AuthFixtures.failure(bySecondary, keys: afterRegenerate) == nil, "the other key keeps working")
    }

    @Test("malformed or foreign Authorization headers fail with AuthenticationFailed", arguments: [
        "SharedKey medstoretest",
        "SharedKey other:AAAA",
        "SharedKeyLite medstoretest:AAAA",
        "Bearer eyJhbGciOi",
        "SharedKey medstoretest:not base64!",
        "sharedkey medstoretest:AAAA",
        "",
    ])
    func malformedAuthorization(value: String) throws {
        let now = AuthFixtures.now
        let headers = [("x-ms-date", RFC1123Date.format(now)), ("x-ms-version", "2026-10-06"), ("Authorization", value)]
        let error = AuthFixtures.failure(request(
            method: "GET", rawPath: "/medstoretest/patient-records", rawQuery: "restype=container&comp=list",
            headers: headers, operation: .listBlobs, container: AuthFixtures.container, blob: nil, now: now))
        #expect(error?.code == .authenticationFailed)
    }

    @Test("a Shared Key header together with SAS parameters is refused")
    func sharedKeyAndSAS() throws {
        let now = AuthFixtures.now
        let token = try AuthFixtures.token(AuthFixtures.parameters("r", .blob))
        var signed = try signedPutBlob(date: now, key: try AuthFixtures.primary(), now: now)
        #expect(AuthFixtures.failure(signed) == nil)
        signed.rawQuery = token
        let error = AuthFixtures.failure(signed)
        #expect(error?.code == .authenticationFailed)
        #expect(error?.message.contains("not both") == true)
    }

    @Test("x-ms values with runs of whitespace verify signed as sent or signed unfolded")
    func whitespaceUnfolding() throws {
        let key = try AuthFixtures.primary()
        let now = AuthFixtures.now
        let meta = [("x-ms-meta-note", "annual  report\tdraft")]
        let asSent = try signedPutBlob(date: now, key: key, extraHeaders: meta, now: now)
        #expect(AuthFixtures.failure(asSent) == nil)
        let base: [(String, String)] = [("Content-Length", "5"), ("x-ms-blob-type", "BlockBlob"),
                                        ("x-ms-date", RFC1123Date.format(now)), ("x-ms-version", "2026-10-06")]
        let unfoldedSigning = try signedPutBlob(date: now, key: key, extraHeaders: meta,
                                                signedHeaders: base + [("x-ms-meta-note", "annual report draft")], now: now)
        #expect(AuthFixtures.failure(unfoldedSigning) == nil)
        let otherValue = try signedPutBlob(date: now, key: key, extraHeaders: meta,
                                           signedHeaders: base + [("x-ms-meta-note", "annual report final")], now: now)
        #expect(AuthFixtures.failure(otherValue)?.code == .authenticationFailed)
    }

    @Test("Content-Length 0 is signed empty from 2015-02-21 on and as 0 before")
    func contentLengthZero() throws {
        func line4(_ version: String) throws -> Substring {
            let sts = try SharedKeyStringToSign.build(method: "PUT", headers: [("Content-Length", "0"), ("x-ms-version", version)],
                                                      account: "a", rawPath: "/c", rawQuery: "")
            return sts.split(separator: "\n", omittingEmptySubsequences: false)[3]
        }
        #expect(try line4("2026-10-06") == "")
        #expect(try line4("2015-02-21") == "")
        #expect(try line4("2014-02-14") == "0")
    }

    @Test("query parameters: names lowercased and sorted, values decoded, repeated names comma-joined")
    func canonicalQuery() throws {
        let resource = try SharedKeyStringToSign.canonicalizedResource(
            account: "acct", rawPath: "/acct/c", rawQuery: "Comp=list&include=snapshots&include=metadata&prefix=a%2Bb+c&timeout=30")
        #expect(resource == "/acct/acct/c\ncomp:list\ninclude:metadata,snapshots\nprefix:a+b+c\ntimeout:30")
        #expect(throws: MedStoreError.self) {
            try SharedKeyStringToSign.canonicalizedResource(account: "acct", rawPath: "/acct/c", rawQuery: "prefix=%zz")
        }
    }

    @Test("failure messages and logs never carry the signature")
    func noSignatureInMessagesOrLogs() throws {
        let sink = LogCapture()
        let now = AuthFixtures.now
        let signed = try signedPutBlob(date: now, key: try AccountKey.generate(), now: now)
        let signature = String(signed.headers.last!.1.split(separator: ":").last!)
        do {
            _ = try AuthFixtures.authenticate(signed, logger: sink.logger)
            Issue.record("a wrong key must fail")
        } catch {
            #expect(error.code == .authenticationFailed)
            #expect(!error.message.contains(signature))
        }
        #expect(sink.lines.count == 1)
        #expect(sink.lines.allSatisfy { !$0.contains(signature) && $0.contains("code=AuthenticationFailed") })
    }
}
