import Foundation
import MedStoreProtocol

/// Verifies `Authorization: SharedKey <account>:<signature>` against the account keys and checks
/// the request date (`x-ms-date`, else `Date`) is within 15 minutes of the server clock.
enum SharedKeyVerifier {
    /// How far the request date may be from the server clock, either way.
    static let maximumClockSkew: TimeInterval = 15 * 60

    /// Returns the key that verified the request.
    ///
    /// Order: header shape, account, date present and parseable, signature (each current key,
    /// constant-time compare), then the date window, so only a holder of a key learns about
    /// clock problems.
    ///
    /// - Throws: `.authenticationFailed` with Azure's detail texts where known.
    static func verify(_ request: AuthRequest, authorization: String, keys: [KeyName: AccountKey],
                       accountName: String) throws(MedStoreError) -> KeyName {
        let scheme = "SharedKey "
        guard authorization.hasPrefix(scheme) else {
            if authorization.hasPrefix("SharedKeyLite ") {
                throw AuthErrors.authenticationFailed("SharedKeyLite is not supported; sign requests with SharedKey.")
            }
            throw AuthErrors.authenticationFailed(
                "The Authorization header must be 'SharedKey <account>:<signature>'; other schemes are not supported.")
        }
        let credentials = authorization.dropFirst(scheme.count)
        guard let colon = credentials.firstIndex(of: ":") else {
            throw AuthErrors.authenticationFailed("The Authorization header must be 'SharedKey <account>:<signature>'.")
        }
        let account = credentials[..<colon]
        let presented = String(credentials[credentials.index(after: colon)...])
        guard account == accountName else {
            throw AuthErrors.authenticationFailed("The account in the Authorization header is not the account of the request.")
        }
        guard let dateText = request.header("x-ms-date") ?? request.header("Date") else {
            throw AuthErrors.authenticationFailed("The request needs an x-ms-date or Date header.")
        }
        guard let date = RFC1123Date.parse(SharedKeyStringToSign.trimmed(dateText)) else {
            throw AuthErrors.authenticationFailed("The Date header in the request is incorrect.")
        }

        let stringToSign = try SharedKeyStringToSign.build(
            method: request.method, headers: request.headers, account: accountName,
            rawPath: request.rawPath, rawQuery: request.rawQuery)
        var candidates = [stringToSign]
        let foldable = request.headers.contains { name, value in
            name.lowercased().hasPrefix("x-ms-") && SharedKeyStringToSign.unfold(value) != value
        }
        if foldable {
            // The documented rule (runs of whitespace become one space); the SDK signs values as sent.
            candidates.append(try SharedKeyStringToSign.build(
                method: request.method, headers: request.headers, account: accountName,
                rawPath: request.rawPath, rawQuery: request.rawQuery, unfoldingWhitespace: true))
        }

        var matched: KeyName?
        if let signature = Crypto.base64Decode(presented), signature.count == Crypto.sha256Length {
            search: for name in KeyName.allCases {
                guard let key = keys[name] else { continue }
                for candidate in candidates where Crypto.constantTimeEquals(key.signature(for: candidate), signature) {
                    matched = name
                    break search
                }
            }
        }
        guard let keyName = matched else {
            let resource = (try? SharedKeyStringToSign.canonicalizedResource(
                account: accountName, rawPath: request.rawPath, rawQuery: "")) ?? ""
            throw AuthErrors.authenticationFailed(
                "The MAC signature found in the HTTP request is not the same as any computed signature. "
                    + "Canonicalized resource path used was '\(resource)'.")
        }

        let skew = date.timeIntervalSince(request.now)
        if skew < -maximumClockSkew {
            throw AuthErrors.authenticationFailed("Request date header too old: '\(RFC1123Date.format(date))'")
        }
        if skew > maximumClockSkew {
            throw AuthErrors.authenticationFailed("Request date header not valid yet: '\(RFC1123Date.format(date))'")
        }
        return keyName
    }
}
