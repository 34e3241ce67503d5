import Foundation
import MedStoreProtocol

extension AccountService {
    /// Signs a service SAS for a container (`blob == nil`) or one blob with the key for tokens,
    /// and records it in the token registry (who asked, what it allows, its fingerprint; never
    /// the token). The token is returned once, only after its record is on disk.
    ///
    /// - Parameter caller: who asked (nil: a call from inside the daemon).
    public func issueToken(container: String, blob: String?, options: TokenOptions,
                           caller: CallerIdentity? = nil) throws(MedStoreError) -> IssuedToken {
        try ResourceNames.validateContainerName(container)
        if let blob { try ResourceNames.validateBlobName(blob) }
        let resource: SASResource = blob == nil ? .container : .blob
        let permissions = try SASPermissions.parse(options.permissions, for: resource)
        let nowDate = clock()
        let window = try TokenWindow(options: options, now: nowDate)
        let ip = try options.ip.map { (text) throws(MedStoreError) -> SASIPRange in try SASIPRange.parse(text) }
        let httpsOnly = options.httpsOnly == true
        let recordedCaller = TokenCaller(caller)

        let (issued, commit) = try locked { () throws(MedStoreError) -> (IssuedToken, UInt64) in
            let account = try requireAccount()
            _ = try requireContainer(container)
            guard let key = keyCache[account.keyForTokens] else {
                throw MedStoreError(.internal, "key for tokens is missing from the key cache")
            }
            var parameters = ServiceSASParameters(permissions: permissions.canonical, expiry: window.expiry, resource: resource)
            parameters.start = window.start
            parameters.ip = ip?.text
            parameters.protocols = httpsOnly ? "https" : nil
            let signed = try parameters.signedToken(account: account.name, container: container, blob: blob, key: key)
            let fingerprint = TokenFingerprint(signature: signed.signature)
            let id = try recordToken(IssuedTokenRecord(
                issuedAt: Int64(nowDate.timeIntervalSince1970.rounded(.down)), caller: recordedCaller,
                container: container, blob: blob, resource: resource, permissions: permissions.canonical,
                startsAt: window.startSeconds, expiresAt: window.expirySeconds, ipRange: ip?.text, httpsOnly: httpsOnly,
                signingKey: account.keyForTokens, fingerprint: fingerprint))
            let url = SASURL.url(endpoint: configuration.blobEndpoint(account: account.name),
                                 container: container, blob: blob, token: signed.token)
            let issued = IssuedToken(token: signed.token, url: url, resource: resource == .container ? "container" : "blob",
                                     permissions: permissions.canonical, start: window.start, expiry: window.expiry,
                                     signedWith: account.keyForTokens, version: parameters.version,
                                     id: UInt64(id), fingerprint: fingerprint.hex)
            return (issued, tokenRecordSync.noteCommit())
        }
        // The record is committed but not yet fsynced: sync outside the lock, sharing the fsync
        // with issuers that committed meanwhile. The token leaves only once its record is on disk.
        try tokenRecordSync.waitDurable(commit)
        return issued
    }

    /// Inserts `record` in a transaction of its own, committed without an fsync (see
    /// ``WALSyncer``); returns its id. Call with the lock held.
    private func recordToken(_ record: IssuedTokenRecord) throws(MedStoreError) -> Int64 {
        try db.transactionWithoutSync { () throws(MedStoreError) -> Int64 in
            let insert: SQLiteStatement
            if let prepared = insertTokenRecord {
                insert = prepared
            } else {
                insert = try db.prepare(IssuedTokenRecord.insertSQL)
                insertTokenRecord = insert
            }
            try insert.bind(record.bindings)
            _ = try insert.all()
            return db.lastInsertRowID
        }
    }
}

/// A token's validity window, checked and formatted as signed.
struct TokenWindow {
    var start: String?
    var expiry: String
    /// `start` and `expiry` as Unix seconds (the signed texts have whole seconds).
    var startSeconds: Int64?
    var expirySeconds: Int64

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
        self.startSeconds = startDate.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
        self.expirySeconds = Int64(expiryDate.timeIntervalSince1970.rounded(.down))
    }
}
