import COpenSSL
import MedStoreProtocol

/// Seals account keys for the database with the ``MasterKey``: AES-256-GCM through OpenSSL's EVP
/// interface with a fresh 12-byte random nonce per seal and a 16-byte tag.
///
/// Sealed form: `version (1 byte) ‖ nonce (12) ‖ ciphertext (64) ‖ tag (16)`, 93 bytes. The
/// additional authenticated data is a fixed label followed by the key's slot name (`primary` or
/// `secondary`), so a sealed blob moved to the other slot fails to open. Opening never falls back:
/// any authentication failure is the error ``wrongMasterKey(database:)``.
public struct KeySealer: Sendable {
    /// The format version written as the first byte.
    public static let version: UInt8 = 1
    /// Length of the GCM nonce.
    public static let nonceLength = 12
    /// Length of the GCM tag.
    public static let tagLength = 16
    /// Length of a sealed account key.
    public static let sealedLength = 1 + nonceLength + AccountKey.byteCount + tagLength
    /// The label that starts the additional authenticated data.
    static let aadLabel = "medstore sealed account key v1:"

    private let masterKey: MasterKey
    /// The database the sealed keys belong to; named in errors.
    public let databasePath: String

    /// A sealer for the keys of the database at `databasePath` (used only in error messages).
    public init(masterKey: MasterKey, databasePath: String) {
        self.masterKey = masterKey
        self.databasePath = databasePath
    }

    /// The error for a sealed key that does not authenticate: wrong master key, or tampering.
    public static func wrongMasterKey(database: String) -> MedStoreError {
        MedStoreError(.failedPrecondition, "\(wrongMasterKeyPrefix)\(database): wrong --master-key-file?")
    }

    /// True if `error` is ``wrongMasterKey(database:)``.
    public static func isWrongMasterKey(_ error: MedStoreError) -> Bool {
        error.code == .failedPrecondition && error.message.hasPrefix(wrongMasterKeyPrefix)
    }

    private static let wrongMasterKeyPrefix = "the master key does not open the account keys in "

    /// Encrypts `key` for the slot `slot`.
    ///
    /// - Throws: `.internal` if the random number generator or OpenSSL fails.
    public func seal(_ key: AccountKey, slot: KeyName) throws(MedStoreError) -> [UInt8] {
        let nonce = try Crypto.randomBytes(Self.nonceLength)
        var out = [UInt8](repeating: 0, count: Self.sealedLength)
        out[0] = Self.version
        out.replaceSubrange(1...Self.nonceLength, with: nonce)
        let aad = Self.aad(for: slot)
        let ok = GCMContext.run { ctx in
            masterKey.withUnsafeKeyBytes { keyBytes in
                key.withUnsafeRawKeyBytes { plain in
                    out.withUnsafeMutableBytes { o in
                        let cipher = o.baseAddress! + 1 + Self.nonceLength
                        return ctx.initialise(encrypt: true, key: keyBytes, nonce: UnsafeRawBufferPointer(rebasing: o[1...Self.nonceLength]))
                            && ctx.authenticate(aad)
                            && ctx.update(plain, into: cipher)
                            && ctx.finish()
                            && ctx.tag(get: true, cipher + AccountKey.byteCount)
                    }
                }
            }
        }
        guard ok else { throw MedStoreError(.internal, "AES-256-GCM sealing failed inside OpenSSL") }
        return out
    }

    /// Decrypts and authenticates a sealed key read from slot `slot`.
    ///
    /// - Throws: ``wrongMasterKey(database:)`` when the tag does not verify (wrong master key,
    ///   tampered bytes, or a blob from the other slot); `.failedPrecondition` for an unknown
    ///   format version or length.
    public func open(_ sealed: [UInt8], slot: KeyName) throws(MedStoreError) -> AccountKey {
        guard sealed.count == Self.sealedLength else {
            throw MedStoreError(.failedPrecondition,
                                "the sealed \(slot.rawValue) account key in \(databasePath) is \(sealed.count) bytes, not \(Self.sealedLength); the database is damaged")
        }
        guard sealed[0] == Self.version else {
            throw MedStoreError(.failedPrecondition,
                                "the sealed \(slot.rawValue) account key in \(databasePath) has format version \(sealed[0]); this medstored knows version \(Self.version) (upgrade medstored)")
        }
        let aad = Self.aad(for: slot)
        var tag = Array(sealed[(Self.sealedLength - Self.tagLength)...])
        return try AccountKey { (plain) throws(MedStoreError) in
            let authentic = GCMContext.run { ctx in
                masterKey.withUnsafeKeyBytes { keyBytes in
                    sealed.withUnsafeBytes { s in
                        tag.withUnsafeMutableBytes { t in
                            let cipherStart = 1 + Self.nonceLength
                            let cipher = UnsafeRawBufferPointer(rebasing: s[cipherStart..<(cipherStart + AccountKey.byteCount)])
                            return ctx.initialise(encrypt: false, key: keyBytes, nonce: UnsafeRawBufferPointer(rebasing: s[1...Self.nonceLength]))
                                && ctx.authenticate(aad)
                                && ctx.update(cipher, into: plain.baseAddress!)
                                && ctx.tag(get: false, t.baseAddress!)
                                && ctx.finish()
                        }
                    }
                }
            }
            guard authentic else { throw Self.wrongMasterKey(database: databasePath) }
        }
    }

    static func aad(for slot: KeyName) -> [UInt8] {
        Array((aadLabel + slot.rawValue).utf8)
    }
}

/// One `EVP_CIPHER_CTX` for AES-256-GCM, freed (which wipes its key schedule) when `run` returns.
/// Each step returns whether OpenSSL succeeded; for decryption `finish` is false on a bad tag.
private struct GCMContext {
    let pointer: OpaquePointer

    /// Runs `body` with a fresh context; false if OpenSSL cannot allocate one.
    static func run(_ body: (GCMContext) -> Bool) -> Bool {
        guard let pointer = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(pointer) }
        return body(GCMContext(pointer: pointer))
    }

    func initialise(encrypt: Bool, key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer) -> Bool {
        precondition(key.count == MasterKey.byteCount && nonce.count == KeySealer.nonceLength)
        let keyPointer = key.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let noncePointer = nonce.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return EVP_CipherInit_ex(pointer, EVP_aes_256_gcm(), nil, keyPointer, noncePointer, encrypt ? 1 : 0) == 1
    }

    func authenticate(_ aad: [UInt8]) -> Bool {
        var length: Int32 = 0
        return aad.withUnsafeBufferPointer { a in
            EVP_CipherUpdate(pointer, nil, &length, a.baseAddress, Int32(a.count)) == 1
        }
    }

    func update(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) -> Bool {
        var length: Int32 = 0
        let rc = EVP_CipherUpdate(pointer, output.assumingMemoryBound(to: UInt8.self), &length,
                                  input.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(input.count))
        return rc == 1 && Int(length) == input.count
    }

    /// Finishes the operation (GCM writes no further bytes); decryption verifies the tag here.
    func finish() -> Bool {
        var spare = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        return spare.withUnsafeMutableBufferPointer { EVP_CipherFinal_ex(pointer, $0.baseAddress, &length) } == 1 && length == 0
    }

    /// Reads the tag into `buffer` after encrypting, or sets the expected tag before finishing a decryption.
    func tag(get: Bool, _ buffer: UnsafeMutableRawPointer) -> Bool {
        EVP_CIPHER_CTX_ctrl(pointer, get ? EVP_CTRL_GCM_GET_TAG : EVP_CTRL_GCM_SET_TAG, Int32(KeySealer.tagLength), buffer) == 1
    }
}
