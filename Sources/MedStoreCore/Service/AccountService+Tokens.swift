import Foundation
import MedStoreProtocol

extension AccountService {
    /// Signs a service SAS for a container (`blob == nil`) or one blob with the key for tokens.
    /// The token is returned once and not stored.
    public func issueToken(container: String, blob: String?, options: TokenOptions) throws(MedStoreError) -> IssuedToken {
        try ResourceNames.validateContainerName(container)
        if let blob { try ResourceNames.validateBlobName(blob) }
        let resource: SASResource = blob == nil ? .container : .blob
        let permissions = try SASPermissions.parse(options.permissions, for: resource)
        let nowDate = clock()
        let window = try TokenWindow(options: options, now: nowDate)
        let ip = try options.ip.map { (text) throws(MedStoreError) -> SASIPRange in try SASIPRange.parse(text) }

        return try locked { () throws(MedStoreError) -> IssuedToken in
            let account = try requireAccount()
            _ = try requireContainer(container)
            guard let key = keyCache[account.keyForTokens] else {
                throw MedStoreError(.internal, "key for tokens is missing from the key cache")
            }
            var parameters = ServiceSASParameters(permissions: permissions.canonical, expiry: window.expiry, resource: resource)
            parameters.start = window.start
            parameters.ip = ip?.text
            parameters.protocols = options.httpsOnly == true ? "https" : nil
            let token = try parameters.token(account: account.name, container: container, blob: blob, key: key)
            let url = SASURL.url(endpoint: configuration.blobEndpoint(account: account.name),
                                 container: container, blob: blob, token: token)
            return IssuedToken(token: token, url: url, resource: resource == .container ? "container" : "blob",
                               permissions: permissions.canonical, start: window.start, expiry: window.expiry,
                               signedWith: account.keyForTokens, version: parameters.version)
        }
    }
}

/// A token's validity window, checked and formatted as signed.
struct TokenWindow {
    var start: String?
    var expiry: String

    /// Longest lifetime a token may have.
    static let maxLifetimeSeconds: TimeInterval = 365 * 24 * 3600

    init(options: TokenOptions, now: Date) throws(MedStoreError) {
        var startDate: Date?
        if let text = options.start {
            startDate = try SASTime.parseUserTime(text, now: now)
        }
        let expiryDate: Date
        switch (options.expiry, options.ttlSeconds) {
        case (let text?, nil):
            expiryDate = try SASTime.parseUserTime(text, now: now)
        case (nil, let ttl?):
            guard ttl > 0, TimeInterval(ttl) <= TokenWindow.maxLifetimeSeconds else {
                throw MedStoreError(.invalidTime, "ttlSeconds must be between 1 and \(Int(TokenWindow.maxLifetimeSeconds)), got \(ttl)")
            }
            expiryDate = (startDate ?? now).addingTimeInterval(TimeInterval(ttl))
        case (nil, nil):
            throw MedStoreError(.invalidTime, "a token needs an expiry: give expiry or ttlSeconds")
        case (_?, _?):
            throw MedStoreError(.invalidTime, "give expiry or ttlSeconds, not both")
        }
        let expiryText = SASTime.format(expiryDate)
        let startText = startDate.map { SASTime.format($0) }
        guard expiryDate > now else {
            throw MedStoreError(.invalidTime, "expiry \(expiryText) is not in the future (now is \(SASTime.format(now)))")
        }
        if let startDate, let startText, expiryDate <= startDate {
            throw MedStoreError(.invalidTime, "expiry \(expiryText) must be after start \(startText)")
        }
        guard expiryDate.timeIntervalSince(startDate ?? now) <= TokenWindow.maxLifetimeSeconds else {
            throw MedStoreError(.invalidTime, "a token may live at most 365 days")
        }
        self.start = startText
        self.expiry = expiryText
    }
}
