import CMedStoreShims
import MedStoreProtocol

/// A storage-account key: 64 random bytes (512 bits), shown to users as standard base64 like an
/// Azure account key, and used as the HMAC-SHA256 key for SAS and Shared Key signatures.
///
/// The bytes live in one page-aligned heap buffer, locked in memory where the system allows
/// (`mlock`) and wiped (`OPENSSL_cleanse`) when the last copy of the key goes away. The key never prints: `description`, `debugDescription`, `dump` and string
/// interpolation all show `AccountKey(<redacted>)`. Raw access goes only through the explicitly
/// named ``withUnsafeRawKeyBytes(_:)``, ``rawBytesForStorage`` and ``base64ForExport()``.
public struct AccountKey: Sendable {
    /// Length of every account key in bytes.
    public static let byteCount = 64

    /// Owns the key bytes: written once while the key is made, wiped and freed when released.
    private let storage: SecretBuffer

    private init(validated bytes: UnsafeRawBufferPointer) {
        storage = SecretBuffer(count: bytes.count)
        storage.bytes.copyMemory(from: bytes)
    }

    /// Makes a key whose 64 bytes `fill` writes straight into the key's own locked buffer (used
    /// to decrypt a sealed key without a plaintext copy). If `fill` throws, the buffer is wiped.
    init<Failure: Error>(filling fill: (UnsafeMutableRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        let buffer = SecretBuffer(count: Self.byteCount)
        do {
            try fill(buffer.bytes)
        } catch {
            buffer.wipe()
            throw error
        }
        storage = buffer
    }

    /// Makes a new key from OpenSSL's CSPRNG.
    ///
    /// - Throws: `.internal` if the random number generator fails.
    public static func generate() throws(MedStoreError) -> AccountKey {
        var bytes = try Crypto.randomBytes(byteCount)
        defer { Crypto.cleanse(&bytes) }
        return bytes.withUnsafeBytes { AccountKey(validated: $0) }
    }

    /// Parses a key given as standard, padded base64 of exactly 64 bytes (the form Azure shows,
    /// 88 characters ending in `==`). Leading and trailing whitespace and newlines are ignored.
    ///
    /// - Throws: `.invalidKey`; the message never repeats the input.
    public init(base64 text: String) throws(MedStoreError) {
        let trimmed = Self.trimmingWhitespace(text)
        guard !trimmed.isEmpty else {
            throw MedStoreError(.invalidKey, "the account key is empty; expected the base64 encoding of 64 bytes (88 characters ending in '==')")
        }
        guard var bytes = Crypto.base64Decode(trimmed) else {
            throw MedStoreError(.invalidKey, "the account key is not valid standard base64; expected the base64 encoding of 64 bytes (88 characters from A-Z a-z 0-9 + / ending in '==')")
        }
        defer { Crypto.cleanse(&bytes) }
        guard bytes.count == Self.byteCount else {
            throw MedStoreError(.invalidKey, "the account key decodes to \(bytes.count) bytes; it must be exactly \(Self.byteCount) bytes (88 base64 characters)")
        }
        self = bytes.withUnsafeBytes { AccountKey(validated: $0) }
    }

    /// Wraps 64 raw key bytes (for example read back from the database). The caller keeps
    /// ownership of `rawBytes` and should wipe it with ``Crypto/cleanse(_:)`` afterwards.
    ///
    /// - Throws: `.invalidKey` if `rawBytes` is not exactly 64 bytes long.
    public init(rawBytes: [UInt8]) throws(MedStoreError) {
        guard rawBytes.count == Self.byteCount else {
            throw MedStoreError(.invalidKey, "an account key must be exactly \(Self.byteCount) bytes, not \(rawBytes.count)")
        }
        self = rawBytes.withUnsafeBytes { AccountKey(validated: $0) }
    }

    /// The raw HMAC-SHA256 of the UTF-8 bytes of `message` under this key (32 bytes).
    public func signature(for message: String) -> [UInt8] {
        var messageBytes = Array(message.utf8)
        defer { Crypto.cleanse(&messageBytes) }
        return messageBytes.withUnsafeBytes { m in
            Crypto.hmacSHA256(key: UnsafeRawBufferPointer(storage.bytes), message: m)
        }
    }

    /// Azure's `sign_string`: base64 of HMAC-SHA256(key, UTF-8(message)).
    public func sign(_ message: String) -> String {
        Crypto.base64Encode(signature(for: message))
    }

    /// Calls `body` with the 64 raw key bytes. The pointer is valid only during the call; do not
    /// copy the bytes anywhere that outlives it unless they are wiped afterwards.
    public func withUnsafeRawKeyBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(storage.bytes))
    }

    /// A copy of the 64 raw key bytes. The state database never holds them: it stores only
    /// ``KeySealer`` output. Wipe the array with ``Crypto/cleanse(_:)`` when done.
    public var rawBytesForStorage: [UInt8] {
        Array(UnsafeRawBufferPointer(storage.bytes))
    }

    /// The key as standard base64 (88 characters), for the one place a user is shown or handed
    /// the key (for example a connection string). Never log the result.
    public func base64ForExport() -> String {
        Crypto.base64Encode(UnsafeRawBufferPointer(storage.bytes))
    }

    private static func trimmingWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}

extension AccountKey: Equatable {
    /// Constant-time comparison of the key bytes.
    public static func == (lhs: AccountKey, rhs: AccountKey) -> Bool {
        lhs.withUnsafeRawKeyBytes { a in
            rhs.withUnsafeRawKeyBytes { b in
                Crypto.constantTimeEquals(a, b)
            }
        }
    }
}

extension AccountKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `AccountKey(<redacted>)`.
    public var description: String { "AccountKey(<redacted>)" }
    /// Always `AccountKey(<redacted>)`.
    public var debugDescription: String { "AccountKey(<redacted>)" }
    /// A mirror with no children, so `dump` and reflection show nothing of the key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
