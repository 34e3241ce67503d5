import CMedStoreShims
import COpenSSL
import MedStoreProtocol

/// Thin, allocation-honest wrappers around the few OpenSSL primitives medstore needs:
/// the CSPRNG, HMAC-SHA256, SHA-256, constant-time comparison and buffer wiping,
/// plus hex and strict base64 helpers that work on byte arrays (so secrets never pass
/// through `Data`/`String` copies that cannot be wiped).
public enum Crypto {
    /// Length in bytes of a SHA-256 digest (and so of an HMAC-SHA256 tag).
    public static let sha256Length = 32

    /// Returns `count` bytes from OpenSSL's CSPRNG (`RAND_bytes`).
    ///
    /// - Throws: `.internal` if the generator is not seeded or fails; never returns weak bytes.
    public static func randomBytes(_ count: Int) throws(MedStoreError) -> [UInt8] {
        guard count >= 0, count <= Int(Int32.max) else {
            throw MedStoreError(.internal, "invalid random byte count \(count)")
        }
        if count == 0 { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBufferPointer { buf in
            RAND_bytes(buf.baseAddress, Int32(count))
        }
        guard rc == 1 else {
            throw MedStoreError(.internal, "the system random number generator failed")
        }
        return out
    }

    /// HMAC-SHA256 of `message` keyed with `key` (RFC 2104), 32 bytes.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                hmacSHA256(key: k, message: m)
            }
        }
    }

    /// HMAC-SHA256 over raw buffers; used by `AccountKey` so the key is never copied.
    static func hmacSHA256(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        // OpenSSL wants non-NULL pointers even for zero lengths; a one-byte stand-in covers that.
        var empty: UInt8 = 0
        let result: UnsafeMutablePointer<UInt8>? = withUnsafeMutablePointer(to: &empty) { emptyPointer in
            let keyPointer = UnsafeRawPointer(key.baseAddress) ?? UnsafeRawPointer(emptyPointer)
            let messagePointer = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
                ?? UnsafePointer(emptyPointer)
            return out.withUnsafeMutableBufferPointer { o in
                HMAC(EVP_sha256(), keyPointer, Int32(key.count), messagePointer, message.count,
                     o.baseAddress, &outLength)
            }
        }
        precondition(result != nil && Int(outLength) == sha256Length, "HMAC-SHA256 failed inside OpenSSL")
        out.removeLast(out.count - Int(outLength))
        return out
    }

    /// SHA-256 digest of `bytes`, 32 bytes.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        digest(bytes, EVP_sha256(), expectedLength: sha256Length)
    }

    /// MD5 digest of `bytes`, 16 bytes (Azure's `Content-MD5`; not for security).
    public static func md5(_ bytes: [UInt8]) -> [UInt8] {
        digest(bytes, EVP_md5(), expectedLength: 16)
    }

    private static func digest(_ bytes: [UInt8], _ md: OpaquePointer?, expectedLength: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outLength: UInt32 = 0
        var empty: UInt8 = 0
        let rc = withUnsafeMutablePointer(to: &empty) { emptyPointer in
            bytes.withUnsafeBytes { b in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_Digest(b.baseAddress ?? UnsafeRawPointer(emptyPointer), b.count, o.baseAddress, &outLength, md, nil)
                }
            }
        }
        precondition(rc == 1 && Int(outLength) == expectedLength, "digest failed inside OpenSSL")
        out.removeLast(out.count - Int(outLength))
        return out
    }

    /// SHA-256 of the UTF-8 bytes of `string`.
    public static func sha256(_ string: String) -> [UInt8] {
        sha256(Array(string.utf8))
    }

    /// Compares two byte strings in time that depends only on their length (`CRYPTO_memcmp`).
    /// Returns `false` when the lengths differ (the length itself is not secret).
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                constantTimeEquals(pa, pb)
            }
        }
    }

    /// The same constant-time comparison over raw buffers, so secrets need not be copied.
    public static func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return CRYPTO_memcmp(pa, pb, a.count) == 0
    }

    /// Overwrites the array's bytes with zeros in a way the optimiser cannot drop
    /// (`OPENSSL_cleanse`). The array keeps its length.
    ///
    /// Only this array's buffer is wiped: if it shared storage with another array (copy-on-write),
    /// Swift copies it first and the other copy is untouched, so keep secrets in one owner.
    public static func cleanse(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            medstore_cleanse(base, buffer.count)
        }
    }

    // MARK: - Hex

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hexadecimal text of `bytes` (two digits per byte).
    public static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hexadecimal text (either case, even length, nothing else); `nil` if malformed.
    public static func bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    // MARK: - Base64 (RFC 4648 §4, standard alphabet, padded)

    private static let base64Alphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard, padded base64 of `bytes` (what Azure uses for keys and signatures).
    public static func base64Encode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { base64Encode($0) }
    }

    static func base64Encode(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(base64Alphabet[Int(n >> 18 & 63)])
            out.append(base64Alphabet[Int(n >> 12 & 63)])
            out.append(base64Alphabet[Int(n >> 6 & 63)])
            out.append(base64Alphabet[Int(n & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out.append(base64Alphabet[Int(n >> 18 & 63)])
            out.append(base64Alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(base64Alphabet[Int(n >> 18 & 63)])
            out.append(base64Alphabet[Int(n >> 12 & 63)])
            out.append(base64Alphabet[Int(n >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
        let text = String(decoding: out, as: UTF8.self)
        cleanse(&out)
        return text
    }

    /// Strictly decodes standard, padded base64: length a multiple of 4, only the standard
    /// alphabet, `=` only as final padding, and unused padding bits zero (so every byte string
    /// has exactly one accepted spelling). No whitespace is skipped. Returns `nil` if malformed.
    public static func base64Decode(_ text: String) -> [UInt8]? {
        var input = Array(text.utf8)
        defer { cleanse(&input) }
        return input.withUnsafeBytes { base64Decode(ascii: $0) }
    }

    /// The same strict decoding over ASCII bytes, so secret text need not become a `String`.
    static func base64Decode(ascii input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        if input.isEmpty { return [] }
        var padding = 0
        if input[input.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if input[input.count - 2] == UInt8(ascii: "=") { padding += 1 }
        var out = [UInt8]()
        out.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            var n: UInt32 = 0
            let isLast = index + 4 == input.count
            let symbols = isLast ? 4 - padding : 4
            for offset in 0..<4 {
                n <<= 6
                if offset < symbols {
                    guard let value = base64Value(input[index + offset]) else {
                        cleanse(&out)
                        return nil
                    }
                    n |= UInt32(value)
                }
            }
            out.append(UInt8(n >> 16 & 0xff))
            if symbols >= 3 { out.append(UInt8(n >> 8 & 0xff)) }
            if symbols == 4 { out.append(UInt8(n & 0xff)) }
            // Non-canonical encodings (non-zero bits under the padding) are rejected.
            if symbols == 2 && n & 0xffff != 0 || symbols == 3 && n & 0xff != 0 {
                cleanse(&out)
                return nil
            }
            index += 4
        }
        return out
    }

    private static func base64Value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
