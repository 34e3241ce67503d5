import Testing
@testable import MedStoreProtocol

/// Parses a hex string such as "1903e8" into bytes.
private func hex(_ string: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = string.startIndex
    while index < string.endIndex {
        let next = string.index(index, offsetBy: 2)
        bytes.append(UInt8(string[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// One RFC 8949 Appendix A example.
struct CBORAppendixAVector: Sendable, CustomStringConvertible {
    let hex: String
    let value: CBORValue
    var description: String { hex }
}

/// Appendix A examples whose encoding is also our (preferred, 8-byte-double) encoding.
private let roundTripVectors: [CBORAppendixAVector] = [
    .init(hex: "00", value: 0),
    .init(hex: "01", value: 1),
    .init(hex: "0a", value: 10),
    .init(hex: "17", value: 23),
    .init(hex: "1818", value: 24),
    .init(hex: "1819", value: 25),
    .init(hex: "1864", value: 100),
    .init(hex: "1903e8", value: 1000),
    .init(hex: "1a000f4240", value: 1_000_000),
    .init(hex: "1b000000e8d4a51000", value: 1_000_000_000_000),
    .init(hex: "1bffffffffffffffff", value: .unsigned(18_446_744_073_709_551_615)),
    .init(hex: "c249010000000000000000", value: .tagged(2, .bytes([1, 0, 0, 0, 0, 0, 0, 0, 0]))),
    .init(hex: "3bffffffffffffffff", value: .negative(UInt64.max)),
    .init(hex: "20", value: -1),
    .init(hex: "29", value: -10),
    .init(hex: "3863", value: -100),
    .init(hex: "3903e7", value: -1000),
    .init(hex: "fb3ff199999999999a", value: 1.1),
    .init(hex: "fb7e37e43c8800759c", value: 1.0e300),
    .init(hex: "fbc010666666666666", value: -4.1),
    .init(hex: "f4", value: false),
    .init(hex: "f5", value: true),
    .init(hex: "f6", value: .null),
    .init(hex: "f7", value: .undefined),
    .init(hex: "c074323031332d30332d32315432303a30343a30305a", value: .tagged(0, "2013-03-21T20:04:00Z")),
    .init(hex: "c11a514b67b0", value: .tagged(1, 1_363_896_240)),
    .init(hex: "c1fb41d452d9ec200000", value: .tagged(1, 1_363_896_240.5)),
    .init(hex: "d74401020304", value: .tagged(23, .bytes([1, 2, 3, 4]))),
    .init(hex: "d818456449455446", value: .tagged(24, .bytes(hex("6449455446")))),
    .init(hex: "d82076687474703a2f2f7777772e6578616d706c652e636f6d", value: .tagged(32, "http://www.example.com")),
    .init(hex: "40", value: .bytes([])),
    .init(hex: "4401020304", value: .bytes([1, 2, 3, 4])),
    .init(hex: "60", value: ""),
    .init(hex: "6161", value: "a"),
    .init(hex: "6449455446", value: "IETF"),
    .init(hex: "62225c", value: "\"\\"),
    .init(hex: "62c3bc", value: "\u{00fc}"),
    .init(hex: "63e6b0b4", value: "\u{6c34}"),
    .init(hex: "64f0908591", value: "\u{10151}"),
    .init(hex: "80", value: []),
    .init(hex: "83010203", value: [1, 2, 3]),
    .init(hex: "8301820203820405", value: [1, [2, 3], [4, 5]]),
    .init(
        hex: "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
        value: .array((1...25).map { CBORValue($0) })),
    .init(hex: "a0", value: [:]),
    .init(hex: "a201020304", value: [1: 2, 3: 4]),
    .init(hex: "a26161016162820203", value: ["a": 1, "b": [2, 3]]),
    .init(hex: "826161a161626163", value: ["a", ["b": "c"]]),
    .init(hex: "a56161614161626142616361436164614461656145", value: ["a": "A", "b": "B", "c": "C", "d": "D", "e": "E"]),
]

/// Appendix A float examples in half or single precision: we decode them but re-encode as 8 bytes.
private let decodeOnlyVectors: [CBORAppendixAVector] = [
    .init(hex: "f90000", value: 0.0),
    .init(hex: "f93c00", value: 1.0),
    .init(hex: "f93e00", value: 1.5),
    .init(hex: "f97bff", value: 65504.0),
    .init(hex: "fa47c35000", value: 100000.0),
    .init(hex: "fa7f7fffff", value: 3.4028234663852886e+38),
    .init(hex: "f90001", value: 5.960464477539063e-8),
    .init(hex: "f90400", value: 0.00006103515625),
    .init(hex: "f9c400", value: -4.0),
    .init(hex: "f97c00", value: .double(.infinity)),
    .init(hex: "f9fc00", value: .double(-.infinity)),
    .init(hex: "f97e00", value: .double(.nan)),
    .init(hex: "fa7f800000", value: .double(.infinity)),
    .init(hex: "fa7fc00000", value: .double(.nan)),
    .init(hex: "faff800000", value: .double(-.infinity)),
    .init(hex: "fb7ff0000000000000", value: .double(.infinity)),
    .init(hex: "fb7ff8000000000000", value: .double(.nan)),
    .init(hex: "fbfff0000000000000", value: .double(-.infinity)),
]

@Suite struct CBORSerializationTests {
    @Test(arguments: roundTripVectors)
    func encodesAndDecodesAppendixAVector(_ vector: CBORAppendixAVector) throws {
        #expect(CBORSerialization.encode(vector.value) == hex(vector.hex))
        #expect(try CBORSerialization.decode(hex(vector.hex)) == vector.value)
    }

    @Test(arguments: decodeOnlyVectors)
    func decodesAppendixAFloat(_ vector: CBORAppendixAVector) throws {
        let decoded = try CBORSerialization.decode(hex(vector.hex))
        #expect(decoded == vector.value)
        let again = try CBORSerialization.decode(CBORSerialization.encode(decoded))
        #expect(again == vector.value)
    }

    @Test func decodesNegativeZeroHalfWithItsSign() throws {
        let value = try CBORSerialization.decode(hex("f98000"))
        let d = try #require(value.doubleValue)
        #expect(d == 0 && d.sign == .minus)
    }

    @Test func decodesNegativeFloatVectors() throws {
        #expect(try CBORSerialization.decode(hex("fbc010666666666666")) == .double(-4.1))
        #expect(try CBORSerialization.decode(hex("f9c400")) == .double(-4.0))
    }

    @Test func decodesFromASliceWithNonZeroStartIndex() throws {
        let bytes = hex("ff83010203ff")
        #expect(try CBORSerialization.decode(bytes[1..<5]) == [1, 2, 3])
    }

    @Test func acceptsNonPreferredHeads() throws {
        #expect(try CBORSerialization.decode(hex("1800")) == 0)
        #expect(try CBORSerialization.decode(hex("1b0000000000000001")) == 1)
    }

    @Test func writesShortestHeadsAtBoundaries() {
        #expect(CBORSerialization.encode(.unsigned(255)) == hex("18ff"))
        #expect(CBORSerialization.encode(.unsigned(256)) == hex("190100"))
        #expect(CBORSerialization.encode(.unsigned(65535)) == hex("19ffff"))
        #expect(CBORSerialization.encode(.unsigned(65536)) == hex("1a00010000"))
        #expect(CBORSerialization.encode(.unsigned(0xffff_ffff)) == hex("1affffffff"))
        #expect(CBORSerialization.encode(.unsigned(0x1_0000_0000)) == hex("1b0000000100000000"))
        #expect(CBORSerialization.encode(.negative(23)) == hex("37"))
        #expect(CBORSerialization.encode(.negative(24)) == hex("3818"))
    }

    @Test func keepsMapOrderAndAllowsNonTextKeys() throws {
        let value: CBORValue = ["z": 1, "a": 2, 7: "seven"]
        let decoded = try CBORSerialization.decode(CBORSerialization.encode(value))
        #expect(decoded == value)
        #expect(decoded.mapEntries?.map(\.key) == ["z", "a", 7])
    }

    @Test func convenienceAccessors() {
        let value: CBORValue = ["name": "x", "size": 5, "neg": -3, "big": .unsigned(.max)]
        #expect(value["name"]?.textValue == "x")
        #expect(value["size"]?.uint64Value == 5)
        #expect(value["neg"]?.int64Value == -3)
        #expect(value["neg"]?.uint64Value == nil)
        #expect(value["big"]?.int64Value == nil)
        #expect(value["missing"] == nil)
        #expect(CBORValue(Int.min) == .negative(UInt64(Int64.max)))
        #expect(CBORValue(Int64.min).int64Value == Int64.min)
        #expect(CBORValue.null.isNull && CBORValue.undefined.isNull)
        #expect(CBORValue.text("a")["a"] == nil)
    }
}
