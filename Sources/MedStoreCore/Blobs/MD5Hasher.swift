import COpenSSL
import MedStoreProtocol

/// Incremental MD5 through OpenSSL's EVP interface (Azure's `Content-MD5`), counting the bytes it
/// has seen. One owner, one thread; the context is freed on deinit.
final class MD5Hasher {
    /// Length of an MD5 digest in bytes.
    static let digestLength = 16

    private let context: OpaquePointer
    /// Bytes hashed so far.
    private(set) var byteCount: Int64 = 0

    init() throws(MedStoreError) {
        guard let context = EVP_MD_CTX_new() else {
            throw MedStoreError(.internal, "OpenSSL could not allocate a digest context")
        }
        guard EVP_DigestInit_ex(context, EVP_md5(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw MedStoreError(.internal, "OpenSSL could not start an MD5 digest")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the digest.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let rc = EVP_DigestUpdate(context, base, bytes.count)
        precondition(rc == 1, "MD5 update failed inside OpenSSL")
        byteCount += Int64(bytes.count)
    }

    /// The digest of everything added (call once).
    func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let rc = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(rc == 1 && Int(length) == MD5Hasher.digestLength, "MD5 final failed inside OpenSSL")
        out.removeLast(out.count - Int(length))
        return out
    }

    /// MD5 of a byte array in one go.
    static func digest(_ bytes: [UInt8]) throws(MedStoreError) -> [UInt8] {
        let hasher = try MD5Hasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }
}
