import MedStoreProtocol

/// The signed fields of an Azure service SAS (account-key signed, `sr=c` or `sr=b`), exactly as
/// they appear (percent-decoded) in the token.
///
/// This type signs and serialises faithfully, like azure-storage-blob 12.31.1's
/// `generate_container_sas`/`generate_blob_sas`: it does not reorder or validate permission
/// letters, times or IP ranges. Validate user input first with ``SASPermissions``, ``SASTime``
/// and ``SASIPRange``. `nil` and `""` mean the same thing: the field is absent (an empty line in
/// the string-to-sign, no parameter in the token).
public struct ServiceSASParameters: Sendable, Equatable {
    /// The `sv` the SDK signs with, and so medstore's default.
    public static let defaultVersion = "2026-10-06"

    /// `sp`: permission letters as signed (empty when a stored policy supplies them).
    public var permissions: String
    /// `st`: start time exactly as in the token, or `nil`.
    public var start: String?
    /// `se`: expiry time exactly as in the token (empty when a stored policy supplies it).
    public var expiry: String
    /// `si`: stored access policy identifier.
    public var identifier: String?
    /// `sip`: a single IPv4 address or an inclusive range `a.b.c.d-e.f.g.h`, as signed.
    public var ip: String?
    /// `spr`: `https` or `https,http`.
    public var protocols: String?
    /// `sv`: signed version; selects the string-to-sign layout.
    public var version: String
    /// `sr`: container or blob.
    public var resource: SASResource
    /// Signed snapshot time (string-to-sign only; the SDK never puts it in the token).
    public var snapshotTime: String?
    /// `ses`: encryption scope (sv ≥ 2020-12-06).
    public var encryptionScope: String?
    /// `rscc`: `Cache-Control` override.
    public var cacheControl: String?
    /// `rscd`: `Content-Disposition` override.
    public var contentDisposition: String?
    /// `rsce`: `Content-Encoding` override.
    public var contentEncoding: String?
    /// `rscl`: `Content-Language` override.
    public var contentLanguage: String?
    /// `rsct`: `Content-Type` override.
    public var contentType: String?

    /// Creates a parameter set; only `permissions`, `expiry` and `resource` are needed for an
    /// ad-hoc SAS.
    public init(
        permissions: String,
        start: String? = nil,
        expiry: String,
        identifier: String? = nil,
        ip: String? = nil,
        protocols: String? = nil,
        version: String = ServiceSASParameters.defaultVersion,
        resource: SASResource,
        snapshotTime: String? = nil,
        encryptionScope: String? = nil,
        cacheControl: String? = nil,
        contentDisposition: String? = nil,
        contentEncoding: String? = nil,
        contentLanguage: String? = nil,
        contentType: String? = nil
    ) {
        self.permissions = permissions
        self.start = start
        self.expiry = expiry
        self.identifier = identifier
        self.ip = ip
        self.protocols = protocols
        self.version = version
        self.resource = resource
        self.snapshotTime = snapshotTime
        self.encryptionScope = encryptionScope
        self.cacheControl = cacheControl
        self.contentDisposition = contentDisposition
        self.contentEncoding = contentEncoding
        self.contentLanguage = contentLanguage
        self.contentType = contentType
    }

    /// The string-to-sign layouts of the service SAS (reference §1.4).
    public enum Layout: Sendable, Equatable {
        /// sv ≥ 2020-12-06: 16 lines (with `ses`).
        case v2020_12_06
        /// 2018-11-09 ≤ sv < 2020-12-06: 15 lines (with `sr` and snapshot time, no `ses`).
        case v2018_11_09
        /// 2015-04-05 ≤ sv < 2018-11-09: 13 lines (no `sr`, snapshot time or `ses`).
        case v2015_04_05
    }

    /// The layout `version` selects.
    ///
    /// - Throws: `.invalidArgument` if `version` is not a `YYYY-MM-DD` date or is older than 2015-04-05.
    public static func layout(forVersion version: String) throws(MedStoreError) -> Layout {
        let bytes = Array(version.utf8)
        let shapeOK = bytes.count == 10 && bytes.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        guard shapeOK else {
            throw MedStoreError(.invalidArgument, "signed version (sv) must be a date like \(defaultVersion), got '\(version.prefix(32))'")
        }
        // Same-shape ISO dates compare correctly as strings.
        if version >= "2020-12-06" { return .v2020_12_06 }
        if version >= "2018-11-09" { return .v2018_11_09 }
        if version >= "2015-04-05" { return .v2015_04_05 }
        throw MedStoreError(.invalidArgument, "signed version (sv) \(version) is not supported; use 2015-04-05 or later (default \(defaultVersion))")
    }

    /// `/blob/<account>/<container>` or `/blob/<account>/<container>/<blob>`, with the raw
    /// (not percent-encoded) names.
    public func canonicalizedResource(account: String, container: String, blob: String?) -> String {
        var resource = "/blob/" + account + "/" + container
        if let blob { resource += "/" + blob }
        return resource
    }

    /// The exact string the signature covers: the fields of the layout for ``version`` joined by
    /// `\n`, absent fields empty, no trailing newline.
    ///
    /// - Throws: `.invalidArgument` for an unsupported version, a field the version cannot sign
    ///   (`ses` before 2020-12-06, a snapshot time before 2018-11-09), a blob name missing for
    ///   `sr=b` or given for `sr=c`, or a line break in any field.
    public func stringToSign(account: String, container: String, blob: String?) throws(MedStoreError) -> String {
        let layout = try Self.layout(forVersion: version)
        switch resource {
        case .blob:
            guard let blob, !blob.isEmpty else {
                throw MedStoreError(.invalidArgument, "a blob SAS (sr=b) needs a blob name")
            }
        case .container:
            guard blob == nil else {
                throw MedStoreError(.invalidArgument, "a container SAS (sr=c) must not name a blob")
            }
        }
        let scope = encryptionScope ?? ""
        let snapshot = snapshotTime ?? ""
        if layout != .v2020_12_06 && !scope.isEmpty {
            throw MedStoreError(.invalidArgument, "an encryption scope (ses) needs signed version 2020-12-06 or later")
        }
        if layout == .v2015_04_05 && !snapshot.isEmpty {
            throw MedStoreError(.invalidArgument, "a snapshot time needs signed version 2018-11-09 or later")
        }
        var fields = [
            permissions, start ?? "", expiry,
            canonicalizedResource(account: account, container: container, blob: blob),
            identifier ?? "", ip ?? "", protocols ?? "", version,
        ]
        switch layout {
        case .v2020_12_06: fields += [resource.rawValue, snapshot, scope]
        case .v2018_11_09: fields += [resource.rawValue, snapshot]
        case .v2015_04_05: break
        }
        fields += [cacheControl ?? "", contentDisposition ?? "", contentEncoding ?? "", contentLanguage ?? "", contentType ?? ""]
        if fields.contains(where: { $0.contains(where: \.isNewline) }) {
            throw MedStoreError(.invalidArgument, "SAS fields and resource names must not contain line breaks")
        }
        return fields.joined(separator: "\n")
    }

    /// The base64 signature (`sig`, not percent-encoded) of these parameters for the resource.
    ///
    /// - Throws: as ``stringToSign(account:container:blob:)``.
    public func signature(account: String, container: String, blob: String?, key: AccountKey) throws(MedStoreError) -> String {
        key.sign(try stringToSign(account: account, container: container, blob: blob))
    }

    /// Checks a presented signature (the percent-decoded `sig` value) in constant time.
    /// A `signature` that is not canonical base64 of 32 bytes never matches.
    ///
    /// - Throws: as ``stringToSign(account:container:blob:)``.
    public func signatureMatches(_ signature: String, account: String, container: String, blob: String?, key: AccountKey) throws(MedStoreError) -> Bool {
        let expected = key.signature(for: try stringToSign(account: account, container: container, blob: blob))
        guard let presented = Crypto.base64Decode(signature) else { return false }
        return Crypto.constantTimeEquals(expected, presented)
    }

    /// The query parameters of the token with their raw (not yet encoded) values, in the SDK's
    /// emission order `st, se, sp, sip, spr, sv, si, sr, rscc, rscd, rsce, rscl, rsct, ses, sig`,
    /// leaving out empty ones.
    public func queryItems(signature: String) -> [(name: String, value: String)] {
        let all: [(String, String?)] = [
            ("st", start), ("se", expiry), ("sp", permissions), ("sip", ip), ("spr", protocols),
            ("sv", version), ("si", identifier), ("sr", resource.rawValue),
            ("rscc", cacheControl), ("rscd", contentDisposition), ("rsce", contentEncoding),
            ("rscl", contentLanguage), ("rsct", contentType), ("ses", encryptionScope), ("sig", signature),
        ]
        return all.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return (name, value)
        }
    }

    /// The SAS token (query string without `?`) byte-identical to the SDK's: parameters in
    /// ``queryItems(signature:)`` order, each value encoded like Python's
    /// `urllib.parse.quote(value, safe='/')`.
    ///
    /// - Throws: as ``stringToSign(account:container:blob:)``.
    public func token(account: String, container: String, blob: String?, key: AccountKey) throws(MedStoreError) -> String {
        try signedToken(account: account, container: container, blob: blob, key: key).token
    }

    /// The token as ``token(account:container:blob:key:)`` makes it, with its base64 signature
    /// (for the token's fingerprint; never store or log the signature itself).
    ///
    /// - Throws: as ``stringToSign(account:container:blob:)``.
    public func signedToken(account: String, container: String, blob: String?,
                            key: AccountKey) throws(MedStoreError) -> (token: String, signature: String) {
        let sig = try signature(account: account, container: container, blob: blob, key: key)
        let token = queryItems(signature: sig)
            .map { "\($0.name)=\(PercentEncoding.quote($0.value))" }
            .joined(separator: "&")
        return (token, sig)
    }

    // MARK: - Parsing (data plane)

    /// Query parameter names this parser reads.
    static let serviceSASNames: Set<String> = [
        "sv", "sr", "sp", "st", "se", "sip", "spr", "si", "ses", "rscc", "rscd", "rsce", "rscl", "rsct", "sig",
    ]

    /// Parameters that belong to account SAS or user delegation SAS, which medstore does not accept.
    static let unsupportedSASNames: Set<String> = [
        "ss", "srt", "skoid", "sktid", "skt", "ske", "sks", "skv", "saoid", "suoid", "scid",
        "skdutid", "sduoid", "srh", "srq", "sdd",
    ]

    /// Parses a request's query string (a leading `?` is ignored) as a service SAS.
    ///
    /// Each value is plain percent-decoded (`+` stays `+`); parameters that are not SAS
    /// parameters (`restype`, `comp`, `prefix`, …) are ignored; an empty value counts as absent.
    ///
    /// - Returns: `nil` when the query holds no SAS parameter at all (not a SAS request);
    ///   otherwise the parameters and the decoded signature.
    /// - Throws: `.invalidArgument` for a malformed SAS: a repeated SAS parameter, a bad
    ///   percent-escape, an account or user delegation SAS, `sr` other than `b`/`c`, or a
    ///   missing `sig`, `sv`, `sr`, or (without `si`) `sp`/`se`.
    public static func parse(query: String) throws(MedStoreError) -> (parameters: ServiceSASParameters, signature: String)? {
        var values: [String: String] = [:]
        var sawSASName = false
        let body = query.hasPrefix("?") ? query.dropFirst() : Substring(query)
        for piece in body.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let rawValue: Substring
            if let equals = piece.firstIndex(of: "=") {
                name = piece[..<equals]
                rawValue = piece[piece.index(after: equals)...]
            } else {
                name = piece
                rawValue = ""
            }
            let key = String(name)
            if unsupportedSASNames.contains(key) {
                throw MedStoreError(.invalidArgument, "account SAS and user delegation SAS are not supported (found '\(key)'); use a service SAS")
            }
            guard serviceSASNames.contains(key) else { continue }
            sawSASName = true
            guard values[key] == nil else {
                throw MedStoreError(.invalidArgument, "SAS parameter '\(key)' appears more than once")
            }
            guard let value = PercentEncoding.decode(String(rawValue)) else {
                throw MedStoreError(.invalidArgument, "SAS parameter '\(key)' is not validly percent-encoded UTF-8")
            }
            values[key] = value
        }
        guard sawSASName else { return nil }
        func present(_ key: String) -> String? {
            guard let value = values[key], !value.isEmpty else { return nil }
            return value
        }
        guard let signature = present("sig") else {
            throw MedStoreError(.invalidArgument, "sig is mandatory. Cannot be empty")
        }
        guard let version = present("sv") else {
            throw MedStoreError(.invalidArgument, "sv is mandatory. Cannot be empty")
        }
        guard let resourceText = present("sr") else {
            throw MedStoreError(.invalidArgument, "sr is mandatory. Cannot be empty")
        }
        guard let resource = SASResource(rawValue: resourceText) else {
            throw MedStoreError(.invalidArgument, "signed resource sr='\(resourceText.prefix(8))' is not supported; use sr=c (container) or sr=b (blob)")
        }
        let identifier = present("si")
        let permissions = present("sp")
        let expiry = present("se")
        if identifier == nil {
            guard permissions != nil else { throw MedStoreError(.invalidArgument, "sp is mandatory. Cannot be empty") }
            guard expiry != nil else { throw MedStoreError(.invalidArgument, "se is mandatory. Cannot be empty") }
        }
        let parameters = ServiceSASParameters(
            permissions: permissions ?? "",
            start: present("st"),
            expiry: expiry ?? "",
            identifier: identifier,
            ip: present("sip"),
            protocols: present("spr"),
            version: version,
            resource: resource,
            encryptionScope: present("ses"),
            cacheControl: present("rscc"),
            contentDisposition: present("rscd"),
            contentEncoding: present("rsce"),
            contentLanguage: present("rscl"),
            contentType: present("rsct")
        )
        return (parameters, signature)
    }
}
