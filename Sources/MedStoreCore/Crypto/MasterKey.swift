import MedStoreProtocol

/// The key that seals the account keys at rest (AES-256-GCM, see ``KeySealer``): 32 random bytes
/// that live outside the database, in a file only the daemon's user may read.
///
/// A master key file holds either exactly 32 raw bytes or their standard base64 (44 characters,
/// optionally followed by one newline). ``load(fromFile:)`` refuses a file that group or others
/// may access or that another user owns; ``loadOrCreate(atPath:)`` makes a fresh 0600 file on
/// first start. Like ``AccountKey`` the bytes sit in one locked, wiped-on-release buffer and never
/// print: `description`, `debugDescription` and `dump` show `MasterKey(<redacted>)`.
public struct MasterKey: Sendable {
    /// Length of a master key in bytes (AES-256).
    public static let byteCount = 32
    /// Length of the base64 spelling of a master key.
    public static let base64Length = 44

    private let storage: SecretBuffer

    private init(copying bytes: UnsafeRawBufferPointer) {
        storage = SecretBuffer(count: Self.byteCount)
        storage.bytes.copyMemory(from: bytes)
    }

    /// A fresh key from OpenSSL's CSPRNG, held only in memory (tests; ``MasterKeyFile`` writes
    /// one to disk for the daemon).
    ///
    /// - Throws: `.internal` if the random number generator fails.
    public static func generate() throws(MedStoreError) -> MasterKey {
        var bytes = try Crypto.randomBytes(byteCount)
        defer { Crypto.cleanse(&bytes) }
        return bytes.withUnsafeBytes { MasterKey(copying: $0) }
    }

    /// Wraps 32 raw key bytes. The caller keeps `rawBytes` and should wipe it afterwards.
    ///
    /// - Throws: `.invalidArgument` if `rawBytes` is not exactly 32 bytes long.
    public init(rawBytes: [UInt8]) throws(MedStoreError) {
        guard rawBytes.count == Self.byteCount else {
            throw MedStoreError(.invalidArgument, "a master key must be exactly \(Self.byteCount) bytes, not \(rawBytes.count)")
        }
        self = rawBytes.withUnsafeBytes { MasterKey(copying: $0) }
    }

    /// Parses the contents of a master key file: 32 raw bytes, or 44 characters of standard
    /// base64 with an optional trailing newline. `path` only names the file in errors; the
    /// message never repeats the contents.
    static func parse(fileContents contents: UnsafeRawBufferPointer, path: String) throws(MedStoreError) -> MasterKey {
        if contents.count == byteCount {
            return MasterKey(copying: contents)
        }
        var text = contents
        if text.count == base64Length + 1, text[base64Length] == UInt8(ascii: "\n") {
            text = UnsafeRawBufferPointer(rebasing: contents[0..<base64Length])
        }
        guard text.count == base64Length else {
            throw MedStoreError(.failedPrecondition,
                                "master key file \(path) holds \(contents.count) bytes; it must hold exactly \(byteCount) raw bytes or \(base64Length) characters of base64 (optionally followed by a newline)")
        }
        guard var decoded = Crypto.base64Decode(ascii: text) else {
            throw MedStoreError(.failedPrecondition,
                                "master key file \(path) is \(base64Length) bytes long but not valid standard base64; it must hold exactly \(byteCount) raw bytes or their base64")
        }
        defer { Crypto.cleanse(&decoded) }
        guard decoded.count == byteCount else {
            throw MedStoreError(.failedPrecondition,
                                "master key file \(path) decodes to \(decoded.count) bytes; a master key is exactly \(byteCount) bytes")
        }
        return decoded.withUnsafeBytes { MasterKey(copying: $0) }
    }

    /// Calls `body` with the 32 raw key bytes; the pointer is valid only during the call.
    func withUnsafeKeyBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(storage.bytes))
    }
}

extension MasterKey {
    /// Reads the master key from `path`. The file must be a regular file owned by the daemon's
    /// effective uid with no permission bits for group or others.
    ///
    /// - Throws: `.failedPrecondition` naming the file and what is wrong with it (missing, wrong
    ///   owner, too open, wrong length); never its contents.
    public static func load(fromFile path: String) throws(MedStoreError) -> MasterKey {
        try MasterKeyFile.read(path) { (contents) throws(MedStoreError) -> MasterKey in
            try parse(fileContents: contents, path: path)
        }
    }

    /// Reads the master key from `path`, or, when no file is there, generates one and writes it
    /// as 32 raw bytes with mode 0600 (created exclusively, fsynced, then linked into place and
    /// the directory fsynced). `created` tells which happened.
    public static func loadOrCreate(atPath path: String) throws(MedStoreError) -> (key: MasterKey, created: Bool) {
        if MasterKeyFile.exists(path) {
            return (try load(fromFile: path), false)
        }
        let key = try generate()
        let created = try key.withUnsafeKeyBytes { (bytes) throws(MedStoreError) -> Bool in
            try MasterKeyFile.createExclusively(path, contents: bytes)
        }
        // Another process may have won the race to create it: use whatever is there now.
        return created ? (key, true) : (try load(fromFile: path), false)
    }
}

extension MasterKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `MasterKey(<redacted>)`.
    public var description: String { "MasterKey(<redacted>)" }
    /// Always `MasterKey(<redacted>)`.
    public var debugDescription: String { "MasterKey(<redacted>)" }
    /// A mirror with no children, so `dump` and reflection show nothing of the key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
