import Foundation
import Testing
@testable import MedStoreProtocol

private enum Color: String, Codable, Equatable {
    case red, green, blue
}

private struct Inner: Codable, Equatable {
    var name: String
    var note: String?
    var tags: [String]
}

private struct Outer: Codable, Equatable {
    var id: UInt64
    var delta: Int64
    var enabled: Bool
    var ratio: Double
    var small: Float
    var payload: Data
    var raw: [UInt8]
    var color: Color
    var counts: [String: Int]
    var inner: Inner
    var maybeInner: Inner?
    var list: [Inner]
    var matrix: [[Int]]
    var optionalCount: Int?
}

private struct Params: Codable, Equatable {
    var name: String
    var ttlSeconds: UInt32
}

private struct Request: Codable, Equatable {
    var method: String
    var params: Params
}

private struct Bytes8: Codable, Equatable {
    var value: UInt8
}

private struct Unsigned: Codable, Equatable {
    var value: UInt
}

/// A class hierarchy that uses superEncoder/superDecoder and nested containers explicitly.
private struct Manual: Codable, Equatable {
    var a: Int
    var b: [String]
    var c: Int

    enum CodingKeys: String, CodingKey { case a, nested, list }
    enum NestedKeys: String, CodingKey { case c }

    init(a: Int, b: [String], c: Int) {
        self.a = a
        self.b = b
        self.c = c
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        a = try Int(from: container.superDecoder(forKey: .a))
        var list = try container.nestedUnkeyedContainer(forKey: .list)
        var b: [String] = []
        while !list.isAtEnd { b.append(try list.decode(String.self)) }
        self.b = b
        c = try container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested).decode(Int.self, forKey: .c)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try a.encode(to: container.superEncoder(forKey: .a))
        var list = container.nestedUnkeyedContainer(forKey: .list)
        for s in b { try list.encode(s) }
        var nested = container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        try nested.encode(c, forKey: .c)
    }
}

private func sampleOuter(maybeInner: Inner?, optionalCount: Int?) -> Outer {
    Outer(
        id: .max, delta: .min, enabled: true, ratio: -2.5, small: 1.25, payload: Data([0, 1, 2, 255]),
        raw: [9, 8, 7], color: .green, counts: ["x": 1, "y": -2, "z": 300],
        inner: Inner(name: "n", note: nil, tags: ["a", "b"]), maybeInner: maybeInner,
        list: [Inner(name: "l1", note: "present", tags: []), Inner(name: "l2", note: nil, tags: ["t"])],
        matrix: [[1, 2], [], [3]], optionalCount: optionalCount)
}

@Suite struct CBORCodableTests {
    let encoder = CBOREncoder()
    let decoder = CBORDecoder()

    @Test(arguments: [false, true])
    func roundTripsNestedStructs(_ present: Bool) throws {
        let original = sampleOuter(
            maybeInner: present ? Inner(name: "m", note: "here", tags: ["q"]) : nil,
            optionalCount: present ? 0 : nil)
        let value = try encoder.encode(original)
        #expect(try decoder.decode(Outer.self, from: value) == original)
        let bytes = try encoder.encodeToBytes(original)
        #expect(try decoder.decode(Outer.self, fromBytes: bytes) == original)
        #expect(try CBORSerialization.decode(bytes) == value)
    }

    @Test func encodesToExpectedCBORShapes() throws {
        let value = try encoder.encode(sampleOuter(maybeInner: nil, optionalCount: nil))
        #expect(value["id"] == .unsigned(.max))
        #expect(value["delta"] == .negative(UInt64(Int64.max)))
        #expect(value["enabled"] == true)
        #expect(value["ratio"] == -2.5)
        #expect(value["small"] == 1.25)
        #expect(value["payload"] == .bytes([0, 1, 2, 255]))
        #expect(value["raw"] == [9, 8, 7])
        #expect(value["color"] == "green")
        #expect(value["counts"]?["z"] == 300)
        #expect(value["counts"]?["y"] == -2)
        #expect(value["inner"]?["note"] == nil)  // absent optionals are omitted
        #expect(value["maybeInner"] == nil)
        #expect(value["optionalCount"] == nil)
        let keys = value.mapEntries?.map(\.key)
        #expect(keys == ["id", "delta", "enabled", "ratio", "small", "payload", "raw", "color", "counts", "inner", "list", "matrix"])
    }

    @Test func encodeNilProducesNull() throws {
        let optionals: [Int?] = [1, nil]
        #expect(try encoder.encode(optionals) == [1, .null])
        #expect(try decoder.decode([Int?].self, from: [1, .null, .undefined]) == [1, nil, nil])
        #expect(try decoder.decode(Inner.self, from: ["name": "x", "note": .null, "tags": []]).note == nil)
    }

    @Test func topLevelPrimitives() throws {
        #expect(try encoder.encode(-1) == .negative(0))
        #expect(try encoder.encode("s") == "s")
        #expect(try decoder.decode(Int64.self, from: .negative(UInt64(Int64.max))) == .min)
        #expect(try decoder.decode(UInt64.self, from: .unsigned(.max)) == .max)
        #expect(try decoder.decode(Double.self, from: 3) == 3.0)
        #expect(try decoder.decode(Double.self, from: -3) == -3.0)
        #expect(try decoder.decode(Int8.self, from: -128) == -128)
        #expect(try decoder.decode(Data.self, from: .bytes([1, 2])) == Data([1, 2]))
        #expect(try decoder.decode([Int: String].self, from: try encoder.encode([1: "a", -2: "b"])) == [1: "a", -2: "b"])
    }

    @Test func manualContainersAndSuperEncoder() throws {
        let original = Manual(a: 7, b: ["x", "y"], c: -9)
        let value = try encoder.encode(original)
        #expect(value == ["a": 7, "list": ["x", "y"], "nested": ["c": -9]])
        #expect(try decoder.decode(Manual.self, from: value) == original)
    }

    @Test func unknownKeysAreIgnored() throws {
        let value: CBORValue = ["extra": [1, 2], "name": "n", "tags": ["t"], 5: "int key", "more": ["x": .null]]
        #expect(try decoder.decode(Inner.self, from: value) == Inner(name: "n", note: nil, tags: ["t"]))
    }

    @Test func missingKeyNamesTheField() throws {
        let value: CBORValue = ["method": "create", "params": ["ttlSeconds": 60]]
        do {
            _ = try decoder.decode(Request.self, from: value)
            Issue.record("expected an error")
        } catch let error as DecodingError {
            guard case .keyNotFound(let key, _) = error else {
                Issue.record("expected keyNotFound, got \(error)")
                return
            }
            #expect(key.stringValue == "name")
            #expect(error.medstoreFieldPath == "params.name")
            #expect(describeDecodingError(error) == "missing field 'params.name'")
        }
    }

    @Test func typeMismatchNamesFieldAndTypes() throws {
        let value: CBORValue = ["method": "create", "params": ["name": "n", "ttlSeconds": "soon"]]
        do {
            _ = try decoder.decode(Request.self, from: value)
            Issue.record("expected an error")
        } catch let error as DecodingError {
            guard case .typeMismatch = error else {
                Issue.record("expected typeMismatch, got \(error)")
                return
            }
            #expect(
                describeDecodingError(error)
                    == "field 'params.ttlSeconds' has the wrong type: expected unsigned integer, found text")
        }
        let listValue: CBORValue = ["name": "n", "tags": ["ok", 5]]
        #expect(
            describeError { try decoder.decode(Inner.self, from: listValue) }
                == "field 'tags[1]' has the wrong type: expected text, found unsigned integer")
        #expect(
            describeError { try decoder.decode(Request.self, from: ["method": "m", "params": [1]]) }
                == "field 'params' has the wrong type: expected map, found array")
        #expect(
            describeError { try decoder.decode(Inner.self, from: ["name": .null, "tags": []]) }
                == "field 'name' has no value: expected text, found null")
        #expect(
            describeError { try decoder.decode(Int.self, from: "x") }
                == "value has the wrong type: expected integer, found text")
        #expect(
            describeError { try decoder.decode(Color.self, from: "purple") } == "value is not one of the allowed values (got 'purple')")
    }

    @Test func outOfRangeIntegersAreRejected() throws {
        #expect(
            describeError { try decoder.decode(Bytes8.self, from: ["value": 300]) }
                == "field 'value' is invalid: value 300 is out of range for UInt8")
        #expect(
            describeError { try decoder.decode(Unsigned.self, from: ["value": -5]) }
                == "field 'value' is invalid: value -5 is out of range for UInt")
        #expect(
            describeError { try decoder.decode(Int64.self, from: .negative(.max)) }
                == "value is invalid: value -18446744073709551616 is out of range for Int64")
        #expect(
            describeError { try decoder.decode(Int.self, from: .unsigned(.max)) }
                == "value is invalid: value 18446744073709551615 is out of range for Int")
        #expect(describeError { try decoder.decode(Float.self, from: 1e300) }.contains("out of range for Float"))
        do {
            _ = try decoder.decode(Int8.self, from: 128)
            Issue.record("expected an error")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.isEmpty)
        }
    }

    @Test func malformedBytesAreDescribed() {
        #expect(
            describeError { try decoder.decode(Inner.self, fromBytes: [0x62, 0xc3, 0x28]) }
                == "malformed CBOR: CBOR text string is not valid UTF-8")
    }

    @Test func topLevelValueThatEncodesNothingThrows() {
        struct Nothing: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        #expect(throws: EncodingError.self) { try encoder.encode(Nothing()) }
    }

    /// Runs `body` and describes the error it throws.
    private func describeError<T>(_ body: () throws -> T) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return describeDecodingError(error)
        }
    }
}
