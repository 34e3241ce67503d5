import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreServer
import MedStoreTestSupport

/// `sas`: a blob REST request line (see ``SASFuzzRequest``) through what the data plane does
/// before any handler runs: ``BlobPath``, ``QueryParameters``, ``OperationResolver``, the service
/// SAS parser and ``RequestAuthenticator`` (Shared Key too, when an `Authorization` line is
/// given), against a fixed account, two fixed keys, a fixed peer and a fixed clock.
///
/// Invariants:
/// - a parsed SAS written back as a token (``ServiceSASParameters/queryItems(signature:)``,
///   encoded as the SDK does) parses to the same parameters and signature, and the access-log
///   fingerprint of the raw query is the fingerprint of that signature;
/// - every log line the authenticator writes is one line (no CR or LF inside), and holds neither
///   an account key nor the token's signature;
/// - the token signed again with the primary key never fails with "Signature did not match",
///   verifies as signed with the primary key when it verifies at all, and if it verifies without
///   TLS it verifies with TLS; the same token with one character of its signature changed never
///   verifies.
enum SASHarness {
    static let accountName = "medstoretest"
    /// The keys of the first two vectors in `Tests/Fixtures/sas-vectors.json`, so the seeds
    /// made from those vectors verify with the signatures they carry.
    static let keys: [KeyName: AccountKey] = {
        do {
            return [
                .primary: try AccountKey(base64: "u30CWhU0xSwZ/YfVjzRfLY2kVeEFX6AT5Jf4Xy7ksPBglgJ3gI31ZjIAkEvkRMgpfwuStTMU/ATu2fX8Q5OWMA=="),
                .secondary: try AccountKey(base64: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="),
            ]
        } catch {
            fatalError("the sas harness keys are not valid: \(error)")
        }
    }()
    static let keyTexts = keys.values.map { $0.base64ForExport() }
    static let peer = IPAddress("10.0.191.1")!
    static let firewall: AccountFirewall = {
        do {
            return AccountFirewall(clusterNetworks: [try CIDR.parse("10.0.0.0/8")], rules: [])
        } catch {
            fatalError("the sas harness network is not valid: \(error)")
        }
    }()
    /// 2026-02-01T12:00:00Z: inside the windows of several vectors.
    static let now = Date(timeIntervalSince1970: 1_769_947_200)
    /// The names `ServiceSASParameters.parse(query:)` reads (Azure's service SAS fields).
    static let sasNames: Set<String> = [
        "sv", "sr", "sp", "st", "se", "sip", "spr", "si", "ses", "rscc", "rscd", "rsce", "rscl", "rsct", "sig",
    ]

    static func run(_ input: [UInt8]) throws(FuzzFinding) -> Set<FuzzMilestone> {
        let request = SASFuzzRequest(input)
        var reached: Set<FuzzMilestone> = []
        guard let parsed = try? ServiceSASParameters.parse(query: request.rawQuery) else {
            // No SAS, or a malformed one: only the authenticator's refusal is left to check.
            _ = try authenticate(request, isTLS: true, signature: nil)
            return reached
        }
        let (parameters, signature) = parsed
        reached.insert(.sasParsed)
        try checkTokenRoundTrip(parameters, signature, rawQuery: request.rawQuery)

        if case .success(let identity) = try authenticate(request, isTLS: true, signature: signature) {
            if case .serviceSAS = identity { reached.insert(.sasAuthenticated) }
        }
        if try checkResigned(request, parameters) { reached.insert(.sasAuthenticatedAfterResigning) }
        return reached
    }

    /// The token as the SDK writes it, read back.
    private static func checkTokenRoundTrip(_ parameters: ServiceSASParameters, _ signature: String,
                                            rawQuery: String) throws(FuzzFinding) {
        let token = tokenQuery(parameters, signature)
        let reparsed = try? ServiceSASParameters.parse(query: token)
        guard let reparsed, reparsed.parameters == parameters, reparsed.signature == signature else {
            throw FuzzFinding(.sas, "a parsed SAS written back as a token does not parse to the same fields")
        }
        guard RequestAuthenticator.tokenFingerprint(rawQuery: rawQuery) == RequestAuthenticator.fingerprint(ofSignature: signature) else {
            throw FuzzFinding(.sas, "the access-log fingerprint of the query is not the fingerprint of the signature the parser read")
        }
    }

    /// Signs the parsed fields again with the primary key (when the request names a container,
    /// as the verifier needs) and checks what verifying that token may and may not do.
    private static func checkResigned(_ request: SASFuzzRequest, _ parameters: ServiceSASParameters) throws(FuzzFinding) -> Bool {
        guard !request.headers.contains(where: { $0.0.lowercased() == "authorization" }),
              let path = try? BlobPath.parse(request.rawPath), let container = path.container,
              let key = keys[.primary],
              let signature = try? parameters.signature(
                account: accountName, container: container, blob: parameters.resource == .blob ? path.blob : nil, key: key)
        else { return false }
        var resigned = request
        resigned.rawQuery = replacingToken(in: request.rawQuery, with: tokenQuery(parameters, signature))
        let plain = try authenticate(resigned, isTLS: false, signature: signature)
        let tls = try authenticate(resigned, isTLS: true, signature: signature)
        for result in [plain, tls] {
            switch result {
            case .failure(let error) where error.message.hasPrefix("Signature did not match"):
                throw FuzzFinding(.sas, "a token signed with the current primary key failed: \(error.message)")
            case .success(.serviceSAS(let grant)) where grant.signedWith != .primary:
                throw FuzzFinding(.sas, "a token signed with the primary key verified as signed with the \(grant.signedWith.rawValue) key")
            case .success(.sharedKey):
                throw FuzzFinding(.sas, "a request without an Authorization header authenticated as Shared Key")
            default:
                break
            }
        }
        if case .success = plain, case .failure(let error) = tls {
            throw FuzzFinding(.sas, "a token that verifies over plain HTTP fails over TLS: \(error.message)")
        }
        guard case .success = tls else { return false }
        var tampered = resigned
        tampered.rawQuery = replacingToken(in: request.rawQuery, with: tokenQuery(parameters, flipped(signature)))
        if case .success = try authenticate(tampered, isTLS: true, signature: nil) {
            throw FuzzFinding(.sas, "a token whose signature was changed still verifies")
        }
        return true
    }

    /// Runs the data plane's front half (path, query, operation) and the authenticator, and checks
    /// the authenticator's log lines. A request refused before authentication fails with the
    /// front half's error.
    private static func authenticate(_ request: SASFuzzRequest, isTLS: Bool,
                                     signature: String?) throws(FuzzFinding) -> Result<AuthIdentity, MedStoreError> {
        let path: BlobPath
        let operation: BlobOperation
        do {
            path = try BlobPath.parse(request.rawPath)
            operation = try OperationResolver.resolve(method: request.method, path: path, query: try QueryParameters(request.rawQuery))
        } catch {
            return .failure(error)
        }
        let writes: Set<BlobOperation> = [.putBlob, .putBlock, .putBlockList]
        let authRequest = AuthRequest(
            method: request.method, account: path.account, container: path.container, blob: path.blob,
            operation: operation, blobExists: writes.contains(operation) && path.blob != nil ? false : nil,
            rawQuery: request.rawQuery, headers: request.headers, rawPath: request.rawPath,
            peer: peer, isTLS: isTLS, now: now)
        let log = LogCapture()
        let authenticator = RequestAuthenticator(logger: log.logger)
        let result = Result { () throws(MedStoreError) in
            try authenticator.authenticate(authRequest, keys: keys, accountName: accountName, firewall: firewall)
        }
        try checkLog(log.lines, request: request, signature: signature)
        return result
    }

    private static func checkLog(_ lines: [String], request: SASFuzzRequest, signature: String?) throws(FuzzFinding) {
        for line in lines {
            let breaks = line.unicodeScalars.filter { $0 == "\n" || $0 == "\r" }.count
            guard breaks == 1, line.hasSuffix("\n") else {
                throw FuzzFinding(.sas, "a log line holds \(breaks) line break(s): \(line.debugDescription)")
            }
            if keyTexts.contains(where: { line.contains($0) }) {
                throw FuzzFinding(.sas, "a log line holds an account key")
            }
            // A signature that also appears elsewhere in the request may be logged as, say, a
            // blob name; one that appears nowhere else must never be seen. Only base64 text is
            // looked for: it has no space, so it cannot span two logged fields.
            if let signature, looksLikeSignature(signature), line.contains(signature),
               !elsewhere(request, besides: signature).contains(signature) {
                throw FuzzFinding(.sas, "a log line holds the token's signature")
            }
        }
    }

    private static func looksLikeSignature(_ text: String) -> Bool {
        text.utf8.count >= 16 && text.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
        }
    }

    /// The request's text other than its `sig` value, raw and percent-decoded.
    private static func elsewhere(_ request: SASFuzzRequest, besides signature: String) -> String {
        var parts = [request.method, request.rawPath, PercentEncoding.decode(request.rawPath) ?? ""]
        for piece in request.rawQuery.split(separator: "&") where !piece.hasPrefix("sig=") {
            parts += [String(piece), PercentEncoding.decode(String(piece)) ?? ""]
        }
        parts += request.headers.flatMap { [$0.0, $0.1] }
        return parts.joined(separator: "\u{0}")
    }

    /// The SAS fields as the SDK writes them, values encoded like `urllib.parse.quote(v, safe='/')`.
    private static func tokenQuery(_ parameters: ServiceSASParameters, _ signature: String) -> String {
        parameters.queryItems(signature: signature)
            .map { "\($0.name)=\(PercentEncoding.quote($0.value))" }
            .joined(separator: "&")
    }

    /// `rawQuery` with its SAS fields replaced by `token`. The pieces are read as the SAS parser
    /// reads them (a leading `?` dropped), and the token goes first: a kept piece such as
    /// `?spr=https` must not come to stand at the start, where its `?` would be dropped and it
    /// would become a SAS field nobody signed.
    private static func replacingToken(in rawQuery: String, with token: String) -> String {
        let body = rawQuery.hasPrefix("?") ? rawQuery.dropFirst() : Substring(rawQuery)
        let others = body.split(separator: "&", omittingEmptySubsequences: true).filter { piece in
            let name = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return !sasNames.contains(String(name))
        }
        return ([token] + others.map(String.init)).joined(separator: "&")
    }

    /// `signature` with its first character replaced by a different base64 character.
    private static func flipped(_ signature: String) -> String {
        let replacement: Character = signature.first == "A" ? "B" : "A"
        return String(replacement) + signature.dropFirst()
    }
}
