import Testing
@testable import MedStoreProtocol

/// A tiny deterministic PRNG (SplitMix64) so the fuzz loop is reproducible.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Decodes `bytes` and returns the error, or nil if decoding succeeded.
private func decodeError(_ bytes: [UInt8], limits: CBORLimits = .default) -> CBORError? {
    do {
        _ = try CBORSerialization.decode(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Decodes a slice and returns the error, or nil if decoding succeeded.
private func decodeError(_ bytes: ArraySlice<UInt8>) -> CBORError? {
    do {
        _ = try CBORSerialization.decode(bytes)
        return nil
    } catch {
        return error
    }
}

/// A valid encoding exercising every major type, used for truncation and mutation tests.
private let sampleValue: CBORValue = [
    "id": 1000,
    "neg": -500,
    "blob": .bytes([1, 2, 3, 4, 5]),
    "list": [1, [2, 3], "four", 4.5, true, .null, .undefined],
    "tag": .tagged(1, 1_363_896_240),
    "big": .unsigned(.max),
    "nested": ["a": ["b": ["c": "deep"]]],
]

@Suite struct CBORHostileInputTests {
    @Test func hugeByteStringIsRejectedWithoutAllocating() {
        let bytes: [UInt8] = [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(decodeError(bytes) == .stringTooLong(Int.max))
        // With the limit at Int.max, a length that passes it is still checked against the input.
        let unlimited = CBORLimits(maxStringLength: .max)
        #expect(decodeError(bytes, limits: unlimited) == .stringTooLong(Int.max))
        #expect(decodeError([0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], limits: unlimited) == .truncated)
    }

    @Test func hugeTextStringIsRejected() {
        #expect(decodeError([0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) == .stringTooLong(Int.max))
        #expect(decodeError([0x7a, 0x00, 0x10, 0x00, 0x01] + [UInt8](repeating: 0x61, count: 10)) == .stringTooLong(0x10_0001))
        #expect(decodeError([0x65, 0x61, 0x61]) == .truncated)
    }

    @Test func hugeArrayAndMapAreRejectedWithoutAllocating() {
        let hugeArray: [UInt8] = [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(decodeError(hugeArray) == .collectionTooLarge(Int.max))
        let hugeMap: [UInt8] = [0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(decodeError(hugeMap) == .collectionTooLarge(Int.max))
        let unlimited = CBORLimits(maxCollectionCount: .max)
        #expect(decodeError(hugeArray, limits: unlimited) == .collectionTooLarge(Int.max))
        #expect(decodeError([0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], limits: unlimited) == .truncated)
        #expect(decodeError(hugeMap, limits: unlimited) == .truncated)
        // Within the count limit, but more items than the remaining bytes could hold.
        #expect(decodeError([0x99, 0x01, 0x00, 0x01, 0x02]) == .truncated)
        #expect(decodeError([0xa2, 0x01, 0x02, 0x03]) == .truncated)
        #expect(decodeError([0x83, 0x01, 0x02], limits: CBORLimits(maxCollectionCount: 2)) == .collectionTooLarge(3))
    }

    @Test func depthIsCapped() {
        let twenty = [UInt8](repeating: 0x81, count: 20) + [0x00]
        #expect(decodeError(twenty) == .depthExceeded)
        let sixteen = [UInt8](repeating: 0x81, count: 16) + [0x00]
        #expect(decodeError(sixteen) == nil)
        let seventeen = [UInt8](repeating: 0x81, count: 17) + [0x00]
        #expect(decodeError(seventeen) == .depthExceeded)
        let nestedMaps = [UInt8](repeating: 0xa1, count: 1)
            + Array([[UInt8]](repeating: [0x61, 0x6b, 0xa1], count: 20).joined()) + [0x00, 0x00]
        #expect(decodeError(nestedMaps) == .depthExceeded)
        let tags = [UInt8](repeating: 0xc1, count: 100_000) + [0x00]
        #expect(decodeError(tags) == .depthExceeded)
        #expect(decodeError([0x81, 0x00], limits: CBORLimits(maxDepth: 0)) == .depthExceeded)
        #expect(decodeError([0x00], limits: CBORLimits(maxDepth: 0)) == nil)
    }

    @Test func trailingBytesAreRejected() {
        #expect(decodeError([0x01, 0x02]) == .trailingBytes(1))
        #expect(decodeError([0x80, 0x00, 0x00, 0x00]) == .trailingBytes(3))
    }

    @Test func indefiniteLengthsAreRejected() {
        #expect(decodeError([0x5f, 0x41, 0x01, 0xff]) == .indefiniteLengthNotSupported)
        #expect(decodeError([0x7f, 0x61, 0x61, 0xff]) == .indefiniteLengthNotSupported)
        #expect(decodeError([0x9f, 0x01, 0xff]) == .indefiniteLengthNotSupported)
        #expect(decodeError([0xbf, 0x61, 0x61, 0x01, 0xff]) == .indefiniteLengthNotSupported)
        #expect(decodeError([0xff]) == .indefiniteLengthNotSupported)
        #expect(decodeError([0x1f]) == .indefiniteLengthNotSupported)
    }

    @Test(arguments: [UInt8(28), 29, 30])
    func reservedAdditionalInfoIsRejected(_ info: UInt8) {
        for major: UInt8 in 0...7 {
            #expect(decodeError([major << 5 | info]) == .reservedAdditionalInfo(info))
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(decodeError([0x62, 0xc3, 0x28]) == .invalidUTF8)
        #expect(decodeError([0x61, 0xff]) == .invalidUTF8)
        #expect(decodeError([0x63, 0xed, 0xa0, 0x80]) == .invalidUTF8)  // UTF-16 surrogate
        #expect(decodeError([0x62, 0xc0, 0xaf]) == .invalidUTF8)  // overlong "/"
        #expect(decodeError([0x62, 0xc3, 0x28]) == .invalidUTF8)
    }

    @Test func tooManyItemsIsRejected() {
        let bytes: [UInt8] = [0x85, 0x01, 0x02, 0x03, 0x04, 0x05]
        #expect(decodeError(bytes, limits: CBORLimits(maxTotalItems: 5)) == .tooManyItems)
        #expect(decodeError(bytes, limits: CBORLimits(maxTotalItems: 6)) == nil)
    }

    @Test func unsupportedSimpleValuesAreRejected() {
        #expect(decodeError([0xe0]) == .invalidSimpleValue(0))
        #expect(decodeError([0xf0]) == .invalidSimpleValue(16))
        #expect(decodeError([0xf3]) == .invalidSimpleValue(19))
        #expect(decodeError([0xf8, 0xff]) == .invalidSimpleValue(255))
        #expect(decodeError([0xf8, 0x14]) == .invalidSimpleValue(20))
        #expect(decodeError([0xf8]) == .truncated)
    }

    @Test func duplicateTextKeysAreRejected() {
        #expect(decodeError([0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]) == .duplicateMapKey)
        #expect(decodeError([0xa2, 0x01, 0x01, 0x01, 0x02]) == nil)  // only text keys are checked
        #expect(decodeError([0xa2, 0x61, 0x61, 0x01, 0x61, 0x62, 0x02]) == nil)
    }

    @Test func negativeLimitsDoNotTrap() {
        let limits = CBORLimits(maxDepth: -1, maxCollectionCount: -1, maxStringLength: -1, maxTotalItems: -1)
        #expect(decodeError([0x01], limits: limits) == .tooManyItems)
        let noTotal = CBORLimits(maxDepth: -1, maxCollectionCount: -1, maxStringLength: -1)
        #expect(decodeError([0x41, 0x00], limits: noTotal) == .stringTooLong(1))
        #expect(decodeError([0x81, 0x00], limits: noTotal) == .depthExceeded)
    }

    @Test func everyPrefixOfAValidEncodingIsTruncated() throws {
        let bytes = CBORSerialization.encode(sampleValue)
        #expect(try CBORSerialization.decode(bytes) == sampleValue)
        for length in 0..<bytes.count {
            #expect(decodeError(Array(bytes[..<length])) == .truncated, "prefix of length \(length)")
            #expect(decodeError(bytes[..<length]) == .truncated, "slice prefix of length \(length)")
        }
    }

    @Test func errorsHaveDescriptions() {
        let errors: [CBORError] = [
            .truncated, .trailingBytes(2), .depthExceeded, .collectionTooLarge(5), .stringTooLong(7), .invalidUTF8,
            .indefiniteLengthNotSupported, .reservedAdditionalInfo(28), .tooManyItems, .invalidSimpleValue(16),
            .duplicateMapKey,
        ]
        #expect(Set(errors.map(\.description)).count == errors.count)
        #expect(CBORError.trailingBytes(2).description.contains("2"))
    }

    @Test func randomInputNeverCrashesAndRoundTrips() throws {
        var rng = SplitMix64(state: 0x6d65_6473_746f_7265)
        var decodedCount = 0
        let seed = CBORSerialization.encode(sampleValue)
        for iteration in 0..<40_000 {
            let bytes: [UInt8]
            if iteration < 20_000 {
                // Purely random bytes, lengths 0-64.
                let length = Int(rng.next() % 65)
                bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                // Mutations of a valid encoding reach deeper into the decoder.
                var mutated = seed
                for _ in 0...(rng.next() % 4) {
                    let at = Int(rng.next() % UInt64(mutated.count))
                    mutated[at] = UInt8(truncatingIfNeeded: rng.next())
                }
                bytes = Array(mutated[..<Int(rng.next() % UInt64(mutated.count + 1))])
            }
            let value: CBORValue
            do {
                value = try CBORSerialization.decode(bytes)
            } catch {
                continue  // typed throws: necessarily a CBORError
            }
            decodedCount += 1
            let reencoded = CBORSerialization.encode(value)
            let again = try CBORSerialization.decode(reencoded)
            #expect(again == value, "bytes \(bytes)")
            #expect(CBORSerialization.encode(again) == reencoded, "bytes \(bytes)")
        }
        #expect(decodedCount > 100)
    }
}
