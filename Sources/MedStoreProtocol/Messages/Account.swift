/// Which of the two account keys.
public enum KeyName: String, Codable, Sendable, CaseIterable {
    case primary
    case secondary

    /// The other key.
    public var other: KeyName { self == .primary ? .secondary : .primary }
}

/// The storage account as a cluster sees it. Never carries key material.
public struct AccountInfo: Codable, Sendable, Equatable {
    /// The account name (3–24 lowercase letters and digits).
    public var name: String
    /// When the account was created or imported (RFC 3339 UTC).
    public var createdAt: String
    /// Whether the keys were imported rather than generated here.
    public var imported: Bool
    /// The key new tokens are signed with.
    public var keyForTokens: KeyName
    /// Base URL put in SAS URLs (account already substituted).
    public var blobEndpoint: String
    /// Number of containers.
    public var containerCount: UInt64
    /// Number of allowed-IP rules.
    public var allowedIPCount: UInt64
    /// Networks always allowed (CIDR text).
    public var clusterNetworks: [String]

    /// Creates account info.
    public init(name: String, createdAt: String, imported: Bool, keyForTokens: KeyName, blobEndpoint: String,
                containerCount: UInt64, allowedIPCount: UInt64, clusterNetworks: [String]) {
        self.name = name
        self.createdAt = createdAt
        self.imported = imported
        self.keyForTokens = keyForTokens
        self.blobEndpoint = blobEndpoint
        self.containerCount = containerCount
        self.allowedIPCount = allowedIPCount
        self.clusterNetworks = clusterNetworks
    }
}

/// `account.create`: creates the cluster's one account with two fresh 512-bit keys.
public enum AccountCreate: RPCMethod {
    public static let name = "account.create"

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// Account name; a random valid name when absent.
        public var name: String?
        /// Creates parameters.
        public init(name: String? = nil) { self.name = name }
    }
    public typealias Result = AccountInfo
}

/// `account.import`: adopts an existing account's name and base64 keys. Keys only go in.
public enum AccountImport: RPCMethod {
    public static let name = "account.import"

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// The account name.
        public var name: String
        /// Base64 of the 64-byte primary key.
        public var primaryKey: String
        /// Base64 of the 64-byte secondary key.
        public var secondaryKey: String
        /// Creates parameters.
        public init(name: String, primaryKey: String, secondaryKey: String) {
            self.name = name
            self.primaryKey = primaryKey
            self.secondaryKey = secondaryKey
        }
    }
    public typealias Result = AccountInfo
}

/// `account.show`: the account, without keys.
public enum AccountShow: RPCMethod {
    public static let name = "account.show"
    public typealias Params = Empty
    public typealias Result = AccountInfo
}

/// `account.delete`: deletes the account and everything tied to it.
public enum AccountDelete: RPCMethod {
    public static let name = "account.delete"

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// Must equal the account name.
        public var confirmName: String
        /// Creates parameters.
        public init(confirmName: String) { self.confirmName = confirmName }
    }

    /// What was deleted.
    public struct Result: Codable, Sendable, Equatable {
        /// The deleted account's name.
        public var name: String
        /// How many containers went with it.
        public var containersDeleted: UInt64
        /// Creates a result.
        public init(name: String, containersDeleted: UInt64) {
            self.name = name
            self.containersDeleted = containersDeleted
        }
    }
}
