import Foundation
@testable import MedStoreCore
import MedStoreProtocol
import Testing

/// Shared inputs of the Auth* suites: the reference account and keys, and request builders.
enum AuthFixtures {
    static let account = "medstoretest"
    static let container = "patient-records"
    static let blob = "scans/a b+c.txt"
    /// The reference key (bytes 0x00…0x3f), used as the primary key.
    static let primaryBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
    /// Bytes 0x40…0x7f, used as the secondary key.
    static let secondaryBase64 = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+fw=="

    static func primary() throws(MedStoreError) -> AccountKey { try AccountKey(base64: primaryBase64) }
    static func secondary() throws(MedStoreError) -> AccountKey { try AccountKey(base64: secondaryBase64) }
    static func keys() throws(MedStoreError) -> [KeyName: AccountKey] { [.primary: try primary(), .secondary: try secondary()] }

    /// 2026-01-01T12:00:00Z: inside the window of the fixture tokens (2026-01-01 … 2026-01-02).
    static let now = Date(timeIntervalSince1970: 1_767_225_600 + 12 * 3600)

    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    /// Everything allowed: 0.0.0.0/0 and ::/0 as cluster networks.
    static func openFirewall() throws(MedStoreError) -> AccountFirewall {
        AccountFirewall(clusterNetworks: [try CIDR.parse("0.0.0.0/0"), try CIDR.parse("::/0")], rules: [])
    }

    static func rawPath(container: String?, blob: String?) -> String {
        var path = "/" + account
        if let container { path += "/" + container }
        if let blob { path += "/" + SASURL.encodeBlobName(blob) }
        return path
    }

    /// A request for `operation` on the fixture blob/container/service (by the operation's level).
    static func request(_ operation: BlobOperation, query: String, headers: [(String, String)] = [],
                        container: String? = AuthFixtures.container, blob: String? = AuthFixtures.blob,
                        method: String = "GET", blobExists: Bool? = nil, peer: String = "127.0.0.1",
                        tls: Bool = true, now: Date = AuthFixtures.now) -> AuthRequest {
        let level = operation.level
        let c = level >= .container ? container : nil
        let b = level == .blob ? blob : nil
        return AuthRequest(method: method, account: account, container: c, blob: b, operation: operation,
                           blobExists: blobExists, rawQuery: query, headers: headers,
                           rawPath: rawPath(container: c, blob: b), peer: ip(peer), isTLS: tls, now: now)
    }

    /// A fixture token signed with `key` (default primary) for the fixture container or blob.
    static func token(_ parameters: ServiceSASParameters, key: AccountKey? = nil,
                      container: String = AuthFixtures.container, blob: String? = AuthFixtures.blob) throws(MedStoreError) -> String {
        let signingKey: AccountKey
        if let key { signingKey = key } else { signingKey = try primary() }
        return try parameters.token(account: account, container: container,
                                    blob: parameters.resource == .blob ? blob : nil, key: signingKey)
    }

    static func parameters(_ permissions: String, _ resource: SASResource, version: String = ServiceSASParameters.defaultVersion,
                           start: String? = "2026-01-01T00:00:00Z", expiry: String = "2026-01-02T00:00:00Z",
                           ip: String? = nil, protocols: String? = nil) -> ServiceSASParameters {
        ServiceSASParameters(permissions: permissions, start: start, expiry: expiry, ip: ip, protocols: protocols,
                             version: version, resource: resource)
    }

    static func authenticate(_ request: AuthRequest, keys: [KeyName: AccountKey]? = nil,
                             firewall: AccountFirewall? = nil, logger: Logger = Logger(level: .error, sink: { _ in }))
        throws(MedStoreError) -> AuthIdentity {
        let authenticator = RequestAuthenticator(logger: logger)
        var currentKeys = keys ?? [:]
        if keys == nil { currentKeys = try Self.keys() }
        var currentFirewall = firewall ?? AccountFirewall(clusterNetworks: [], rules: [])
        if firewall == nil { currentFirewall = try openFirewall() }
        return try authenticator.authenticate(request, keys: currentKeys, accountName: account, firewall: currentFirewall)
    }

    /// The error `authenticate` throws, or `nil` when it succeeds.
    static func failure(_ request: AuthRequest, keys: [KeyName: AccountKey]? = nil,
                        firewall: AccountFirewall? = nil) -> MedStoreError? {
        do {
            _ = try authenticate(request, keys: keys, firewall: firewall)
            return nil
        } catch {
            return error
        }
    }
}

@Suite("Auth basics: dates, fingerprints, header collation")
struct AuthBasicsTests {
    @Test("RFC 1123 dates format and parse, checked against Python's email.utils.formatdate")
    func rfc1123() {
        let cases: [(TimeInterval, String)] = [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (1_767_225_600, "Thu, 01 Jan 2026 00:00:00 GMT"),
            (1_798_761_599, "Thu, 31 Dec 2026 23:59:59 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        ]
        for (seconds, text) in cases {
            #expect(RFC1123Date.format(Date(timeIntervalSince1970: seconds)) == text)
            #expect(RFC1123Date.parse(text) == Date(timeIntervalSince1970: seconds))
        }
        #expect(RFC1123Date.format(Date(timeIntervalSince1970: 1_767_225_600.999)) == "Thu, 01 Jan 2026 00:00:00 GMT")
    }

    @Test("RFC 1123 parsing is strict", arguments: [
        "Fri, 01 Jan 2026 00:00:00 GMT",  // wrong weekday
        "Thu, 1 Jan 2026 00:00:00 GMT",
        "Thu, 01 Jan 2026 00:00:00 UTC",
        "Thu, 01 jan 2026 00:00:00 GMT",
        "Thu, 32 Jan 2026 00:00:00 GMT",
        "Sat, 29 Feb 2025 00:00:00 GMT",
        "Thu, 01 Jan 2026 24:00:00 GMT",
        "Thu, 01 Jan 2026 00:60:00 GMT",
        "2026-01-01T00:00:00Z",
        "",
    ])
    func rfc1123Strict(text: String) {
        #expect(RFC1123Date.parse(text) == nil)
    }

    @Test("a token fingerprint is 16 hex digits of SHA-256 of the signature bytes and never contains it")
    func fingerprint() {
        let signature = "ipJF8FuW1YUBybgIcd2gTxvOgKYTk2o906VTcgFgyOI="
        let value = RequestAuthenticator.fingerprint(ofSignature: signature)
        #expect(value == "cd0325e1d8a15fec")  // hashlib.sha256(base64.b64decode(sig)).hexdigest()[:16]
        #expect(RequestAuthenticator.fingerprint(ofSignature: "other") != value)
        #expect(!signature.contains(value))
        let query = "restype=container&comp=list&st=2026-01-01T00%3A00%3A00Z&sig=ipJF8FuW1YUBybgIcd2gTxvOgKYTk2o906VTcgFgyOI%3D&sp=rl"
        #expect(RequestAuthenticator.tokenFingerprint(rawQuery: query) == value)
        #expect(RequestAuthenticator.tokenFingerprint(rawQuery: "?" + query) == value)
        #expect(RequestAuthenticator.tokenFingerprint(rawQuery: "restype=container&comp=list") == nil)
        #expect(RequestAuthenticator.tokenFingerprint(rawQuery: "sig=") == nil)
    }

    @Test("one authentication costs well under a millisecond (SAS, Shared Key, firewall refusal)")
    func cost() throws {
        let keys = try AuthFixtures.keys()
        let firewall = try AuthFixtures.openFirewall()
        let closed = AccountFirewall(clusterNetworks: [], rules: [])
        let authenticator = RequestAuthenticator(logger: Logger(level: .error, sink: { _ in }))
        let sas = AuthFixtures.request(.getBlob, query: try AuthFixtures.token(AuthFixtures.parameters("r", .blob, ip: "127.0.0.1")))
        var headers: [(String, String)] = [("x-ms-date", RFC1123Date.format(AuthFixtures.now)), ("x-ms-version", "2026-10-06"),
                                           ("x-ms-range", "bytes=0-4095"), ("x-ms-client-request-id", "0b8e7c1e-0000-4000-8000-000000000000")]
        let rawPath = AuthFixtures.rawPath(container: AuthFixtures.container, blob: AuthFixtures.blob)
        let sts = try SharedKeyStringToSign.build(method: "GET", headers: headers, account: AuthFixtures.account, rawPath: rawPath, rawQuery: "")
        headers.append(("Authorization", "SharedKey \(AuthFixtures.account):\(try AuthFixtures.secondary().sign(sts))"))
        var sharedKey = AuthFixtures.request(.getBlob, query: "")
        sharedKey.headers = headers

        func microseconds(_ iterations: Int, _ body: () throws -> Void) rethrows -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<iterations { try body() }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return seconds / Double(iterations) * 1e6
        }
        let iterations = 2000
        let sasCost = try microseconds(iterations) { _ = try authenticator.authenticate(sas, keys: keys, accountName: AuthFixtures.account, firewall: firewall) }
        let sharedKeyCost = try microseconds(iterations) {
            _ = try authenticator.authenticate(sharedKey, keys: keys, accountName: AuthFixtures.account, firewall: firewall)
        }
        let refusalCost = microseconds(iterations) {
            _ = try? authenticator.authenticate(sas, keys: keys, accountName: AuthFixtures.account, firewall: closed)
        }
        print("auth cost per request: service SAS \(Int(sasCost)) µs, Shared Key (secondary key) \(Int(sharedKeyCost)) µs, firewall refusal \(Int(refusalCost)) µs")
        #expect(sasCost < 1000)
        #expect(sharedKeyCost < 1000)
        #expect(refusalCost < sasCost, "a refused peer costs less than a signature check")
    }

    @Test("x-ms-* headers sort like azure-storage-blob's _storage_header_sort (the service's collation)")
    func headerCollation() {
        // Produced by azure-storage-blob 12.31.1: _storage_header_sort over these names.
        let sdkOrder = [
            "x-ms-blob-content-type", "x-ms-blobtype", "x-ms-blob-type", "x-ms-date", "x-ms-meta-a", "x-ms-meta-a!b",
            "x-ms-meta-a#b", "x-ms-meta-a$b", "x-ms-meta-a%b", "x-ms-meta-a&b", "x-ms-meta-a*b", "x-ms-meta-a.b",
            "x-ms-meta-a^b", "x-ms-meta-a_b", "x-ms-meta-a`b", "x-ms-meta-a|b", "x-ms-meta-a~b", "x-ms-meta-a+b",
            "x-ms-meta-a1", "x-ms-meta-ab", "x-ms-meta-ab-", "x-ms-meta-a'b", "x-ms-meta-a-b", "x-ms-meta-a-b-",
            "x-ms-meta-a--b", "x-ms-meta-b", "x-ms-meta-z_", "x-ms-meta-z9", "x-ms-range", "x-ms-range-get-content-md5",
            "x-ms-version", "x-ms-version-id",
        ]
        let byteOrder = sdkOrder.sorted()
        #expect(byteOrder != sdkOrder, "the sample must tell the two orders apart")
        #expect(AzureHeaderCollation.sorted(byteOrder) == sdkOrder)
        #expect(AzureHeaderCollation.sorted(sdkOrder.reversed()) == sdkOrder)
        #expect(AzureHeaderCollation.precedes("x-ms-meta-a_b", "x-ms-meta-a1"))
        #expect(!AzureHeaderCollation.precedes("x-ms-meta-a1", "x-ms-meta-a_b"))
        #expect(AzureHeaderCollation.precedes("x-ms-meta-A", "x-ms-meta-b"), "case is ignored")
    }
}
