import MedStoreCore
import MedStoreProtocol
import Testing

@Suite("Crypto primitives")
struct CryptoTests {
    @Test("HMAC-SHA256: RFC 4231 test cases 1 and 2, and empty key and message")
    func hmac() {
        let case1 = Crypto.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        #expect(Crypto.hex(case1) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let case2 = Crypto.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Crypto.hex(case2) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Crypto.hex(Crypto.hmacSHA256(key: [], message: []))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("SHA-256 of \"abc\" and of nothing")
    func sha256() {
        #expect(Crypto.hex(Crypto.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Crypto.hex(Crypto.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Crypto.hex(Crypto.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("constant-time comparison")
    func constantTimeEquals() {
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([0, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!Crypto.constantTimeEquals([], [0]))
        #expect(Crypto.constantTimeEquals([], []))
    }

    @Test("random bytes have the asked length and differ between calls")
    func randomBytes() throws {
        #expect(try Crypto.randomBytes(0).isEmpty)
        let a = try Crypto.randomBytes(32)
        let b = try Crypto.randomBytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        let error = #expect(throws: MedStoreError.self) { try Crypto.randomBytes(-1) }
        #expect(error?.code == .internal)
    }

    @Test("cleanse zeroes the buffer and keeps its length")
    func cleanse() {
        var secret: [UInt8] = [1, 2, 3, 4, 5]
        Crypto.cleanse(&secret)
        #expect(secret == [0, 0, 0, 0, 0])
        var empty: [UInt8] = []
        Crypto.cleanse(&empty)
        #expect(empty.isEmpty)
    }

    @Test("hex round trip")
    func hex() {
        #expect(Crypto.hex([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Crypto.hex([]) == "")
        #expect(Crypto.bytes(fromHex: "000FA5ff") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Crypto.bytes(fromHex: "abc") == nil)
        #expect(Crypto.bytes(fromHex: "zz") == nil)
    }

    @Test("base64: RFC 4648 vectors, strict decoding")
    func base64() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Crypto.base64Encode(Array(plain.utf8)) == encoded)
            #expect(Crypto.base64Decode(encoded) == Array(plain.utf8))
        }
        #expect(Crypto.base64Encode([0xfb, 0xff]) == "+/8=")
        #expect(Crypto.base64Decode("+/8=") == [0xfb, 0xff])
        for bad in ["Zg=", "Zg", "Zh==", "Zm9=", "Zm9v\n", " Zm9v", "Zm=v", "Z===", "====", "Zm9v====", "Zm-_", "Zg==Zg=="] {
            #expect(Crypto.base64Decode(bad) == nil, "\(bad)")
        }
    }
}

@Suite("AccountKey")
struct AccountKeyTests {
    static let referenceBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="

    @Test("base64 round trip, whitespace trimmed, raw bytes")
    func roundTrip() throws {
        let key = try AccountKey(base64: Self.referenceBase64)
        #expect(key.base64ForExport() == Self.referenceBase64)
        #expect(key.rawBytesForStorage == (0..<64).map { UInt8($0) })
        #expect(key.withUnsafeRawKeyBytes { $0.count } == 64)
        let padded = try AccountKey(base64: "  \(Self.referenceBase64)\n")
        #expect(padded == key)
        let fromRaw = try AccountKey(rawBytes: (0..<64).map { UInt8($0) })
        #expect(fromRaw == key)
        let generated = try AccountKey.generate()
        #expect(generated.rawBytesForStorage.count == 64)
        #expect(generated != key)
        #expect(try AccountKey(base64: generated.base64ForExport()) == generated)
    }

    @Test("signing is base64 HMAC-SHA256 of the UTF-8 message")
    func sign() throws {
        let key = try AccountKey(base64: Self.referenceBase64)
        #expect(key.sign("Grüße") == "j2aRIafBmsYXhUYuQXR3iFTrDFpkUSsuU81JKrnl3BU=")
        #expect(Crypto.base64Encode(key.signature(for: "Grüße")) == "j2aRIafBmsYXhUYuQXR3iFTrDFpkUSsuU81JKrnl3BU=")
    }

    @Test("rejects keys of the wrong length and garbage, without echoing the input",
          arguments: [
              Crypto.base64Encode([UInt8](repeating: 7, count: 63)),
              Crypto.base64Encode([UInt8](repeating: 7, count: 65)),
              Crypto.base64Encode([UInt8](repeating: 7, count: 32)),
              "not a key!",
              "",
              "   \n",
              String(repeating: "*", count: 88),
              String(AccountKeyTests.referenceBase64.dropLast(2)),
              AccountKeyTests.referenceBase64 + "AAAA",
              AccountKeyTests.referenceBase64.replacingFirst("A", with: " "),
          ])
    func rejects(input: String) {
        let error = #expect(throws: MedStoreError.self) { try AccountKey(base64: input) }
        #expect(error?.code == .invalidKey)
        let trimmed = input.trimmed(of: [" ", "\n"])
        if trimmed.count >= 4 {
            #expect(error?.message.contains(trimmed) == false)
            #expect(error?.message.contains(String(trimmed.prefix(8))) == false)
        }
    }

    @Test("rejects raw keys that are not 64 bytes", arguments: [0, 63, 65, 128])
    func rejectsRaw(count: Int) {
        let error = #expect(throws: MedStoreError.self) { try AccountKey(rawBytes: [UInt8](repeating: 1, count: count)) }
        #expect(error?.code == .invalidKey)
    }

    @Test("description, debugDescription, interpolation, dump and reflection never show the key")
    func redaction() throws {
        let key = try AccountKey(base64: Self.referenceBase64)
        let fragments = [Self.referenceBase64, String(Self.referenceBase64.prefix(12)), "0, 1, 2, 3", "0x00"]
        var dumped = ""
        dump(key, to: &dumped)
        var dumpedInArray = ""
        dump([key], to: &dumpedInArray)
        let renderings = [String(describing: key), String(reflecting: key), "\(key)", dumped, dumpedInArray,
                          String(describing: [key]), String(describing: Optional(key))]
        for rendering in renderings {
            for fragment in fragments {
                #expect(!rendering.contains(fragment), "\(rendering)")
            }
        }
        #expect(String(describing: key) == "AccountKey(<redacted>)")
        #expect(String(reflecting: key) == "AccountKey(<redacted>)")
        #expect("\(key)" == "AccountKey(<redacted>)")
        #expect(dumped.contains("AccountKey(<redacted>)"))
        #expect(Mirror(reflecting: key).children.isEmpty)
    }
}

private extension String {
    func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }

    func trimmed(of set: Set<Character>) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
