/// Facts about one key; never its bytes.
public struct KeyInfo: Codable, Sendable, Equatable {
    /// Which key.
    public var name: KeyName
    /// When its bytes were made or imported (RFC 3339 UTC).
    public var createdAt: String
    /// Seconds since `createdAt`.
    public var ageSeconds: UInt64
    /// Creates key info.
    public init(name: KeyName, createdAt: String, ageSeconds: UInt64) {
        self.name = name
        self.createdAt = createdAt
        self.ageSeconds = ageSeconds
    }
}

/// Both keys' facts and which one signs tokens.
public struct KeysInfo: Codable, Sendable, Equatable {
    /// The key new tokens are signed with.
    public var keyForTokens: KeyName
    /// Primary first, then secondary.
    public var keys: [KeyInfo]
    /// Creates keys info.
    public init(keyForTokens: KeyName, keys: [KeyInfo]) {
        self.keyForTokens = keyForTokens
        self.keys = keys
    }
}

/// `keys.show`.
public enum KeysShow: RPCMethod {
    public static let name = "keys.show"
    public typealias Params = Empty
    public typealias Result = KeysInfo
}

/// `keys.switch`: changes the key that signs new tokens.
public enum KeysSwitch: RPCMethod {
    public static let name = "keys.switch"

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The key to sign with from now on; the other one when absent.
        public var key: KeyName?
        /// Creates parameters.
        public init(key: KeyName? = nil) { self.key = key }
    }
    public typealias Result = KeysInfo
}

/// `keys.regenerate`: replaces a key's bytes; tokens signed with the old bytes stop verifying.
public enum KeysRegenerate: RPCMethod {
    public static let name = "keys.regenerate"

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The key to replace.
        public var key: KeyName
        /// Needed to replace the key that currently signs tokens.
        public var force: Bool?
        /// Only report what regenerating would do; change nothing (since 1.2).
        public var dryRun: Bool?
        /// Creates parameters.
        public init(key: KeyName, force: Bool? = nil, dryRun: Bool? = nil) {
            self.key = key
            self.force = force
            self.dryRun = dryRun
        }
    }

    /// The keys' facts (as ``KeysInfo``) and the tokens the regeneration invalidates.
    public struct Result: Codable, Sendable, Equatable {
        /// The key new tokens are signed with.
        public var keyForTokens: KeyName
        /// Primary first, then secondary (unchanged after a dry run).
        public var keys: [KeyInfo]
        /// True when nothing was changed (since 1.2).
        public var dryRun: Bool?
        /// The unexpired, unrevoked recorded tokens signed with the key's old bytes, by caller:
        /// after a dry run, the ones it would invalidate (since 1.2).
        public var invalidatedTokens: TokenImpact?
        /// Creates a result.
        public init(keys: KeysInfo, dryRun: Bool? = nil, invalidatedTokens: TokenImpact? = nil) {
            self.keyForTokens = keys.keyForTokens
            self.keys = keys.keys
            self.dryRun = dryRun
            self.invalidatedTokens = invalidatedTokens
        }

        /// The keys' facts alone.
        public var keysInfo: KeysInfo { KeysInfo(keyForTokens: keyForTokens, keys: keys) }
    }
}
