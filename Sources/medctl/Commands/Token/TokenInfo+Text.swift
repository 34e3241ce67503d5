import MedStoreProtocol

extension TokenInfo {
    /// `container` for a container token, `container/blob` for a blob token.
    var resourceText: String {
        blob.map { "\(container)/\($0)" } ?? container
    }

    /// The state as the table shows it: `active`, `expired`, `revoked`, `key-regenerated`.
    var stateText: String {
        switch state {
        case .active: return "active"
        case .expired: return "expired"
        case .revoked: return "revoked"
        case .keyRegenerated: return "key-regenerated"
        }
    }

    /// The fingerprint's first 16 hex digits: what the access log prints as `token=`.
    var shortFingerprint: String { String(fingerprint.prefix(16)) }

    /// Why revoking it changed nothing, for a token that is not active.
    var alreadyDeadText: String {
        switch state {
        case .active: return "Token \(id) is active."
        case .revoked: return "Token \(id) was already revoked at \(revokedAt ?? "an earlier time"); nothing changed."
        case .expired: return "Token \(id) expired at \(expiry); the blob API already refuses it; nothing changed."
        case .keyRegenerated:
            return "Token \(id) no longer works: the \(signedWith.rawValue) key that signed it was regenerated at \(keyRegeneratedAt ?? "an earlier time"); nothing changed."
        }
    }
}
