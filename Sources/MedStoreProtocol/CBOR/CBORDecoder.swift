import Foundation

/// Decodes `Decodable` values from `CBORValue` trees.
///
/// Unknown map keys are ignored. A missing key throws `DecodingError.keyNotFound`, a value of the
/// wrong kind `DecodingError.typeMismatch` (or `valueNotFound` for null), and an integer that does
/// not fit the target type `DecodingError.dataCorrupted`; `describeDecodingError(_:)` turns these
/// into short messages.
public struct CBORDecoder: Sendable {
    /// Values made available to `init(from:)` implementations through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates a decoder.
    public init() {}

    /// Decodes a value of `type` from `value`.
    public func decode<T: Decodable>(_ type: T.Type, from value: CBORValue) throws -> T {
        try CBORDecoderImpl(value: value, codingPath: [], sendableUserInfo: userInfo).decode(type)
    }

    /// Decodes CBOR bytes (throwing `CBORError` when malformed) and then a value of `type` from them.
    public func decode<T: Decodable>(
        _ type: T.Type, fromBytes bytes: [UInt8], limits: CBORLimits = .default
    ) throws -> T {
        try decode(type, from: try CBORSerialization.decode(bytes, limits: limits))
    }
}

/// The `Decoder` handed to `init(from:)`; reads one value.
struct CBORDecoderImpl: Decoder, SingleValueDecodingContainer {
    let value: CBORValue
    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    /// A decoder for a child value one level down.
    func child(_ value: CBORValue, key: any CodingKey) -> CBORDecoderImpl {
        CBORDecoderImpl(value: value, codingPath: codingPath + [key], sendableUserInfo: sendableUserInfo)
    }

    /// The error for finding this value where `expected` was required.
    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        let context = DecodingError.Context(
            codingPath: codingPath, debugDescription: "expected \(expected), found \(value.typeName)")
        return value.isNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let entries) = value else { throw mismatch([String: Any].self, expected: "map") }
        return KeyedDecodingContainer(CBORKeyedDecodingContainer<Key>(decoder: self, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self, expected: "array") }
        return CBORUnkeyedDecodingContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value.isNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(type, expected: "boolean") }
        return b
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .text(let s) = value else { throw mismatch(type, expected: "text") }
        return s
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .double(let d): return d
        case .unsigned(let u): return Double(u)
        case .negative(let n): return -1 - Double(n)
        default: throw mismatch(type, expected: "number")
        }
    }

    func decode(_ type: Float.Type) throws -> Float {
        let d = try decode(Double.self)
        let f = Float(d)
        if d.isFinite && !f.isFinite { throw outOfRange(type) }
        return f
    }

    func decode(_ type: Int.Type) throws -> Int { try decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Data.self {
            guard case .bytes(let b) = value else { throw mismatch(type, expected: "byte string") }
            if let data = Data(b) as? T { return data }
        }
        return try T(from: self)
    }

    private func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        switch value {
        case .unsigned(let u):
            if let result = T(exactly: u) { return result }
        case .negative(let n):
            if T.isSigned, let m = T(exactly: n) { return ~m }
        default:
            throw mismatch(type, expected: T.isSigned ? "integer" : "unsigned integer")
        }
        throw outOfRange(type)
    }

    private func outOfRange(_ type: Any.Type) -> DecodingError {
        let shown: String
        switch value {
        case .unsigned(let u): shown = "\(u)"
        case .negative(let n): shown = n == .max ? "-18446744073709551616" : "-\(n + 1)"
        case .double(let d): shown = "\(d)"
        default: shown = value.typeName
        }
        return .dataCorrupted(.init(codingPath: codingPath, debugDescription: "value \(shown) is out of range for \(type)"))
    }
}

/// Keyed container over a map; text keys (and integer keys, as decimal strings) are looked up by name.
struct CBORKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: CBORDecoderImpl
    private var values: [String: CBORValue] = [:]
    private var orderedKeys: [String] = []

    init(decoder: CBORDecoderImpl, entries: [CBORMapEntry]) {
        self.decoder = decoder
        for entry in entries {
            let name: String
            switch entry.key {
            case .text(let s): name = s
            case .unsigned(let u): name = "\(u)"
            case .negative(let n) where n < .max: name = "-\(n + 1)"
            default: continue
            }
            if values[name] == nil {
                values[name] = entry.value
                orderedKeys.append(name)
            }
        }
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { orderedKeys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

    private func child(_ key: any CodingKey) throws -> CBORDecoderImpl {
        guard let value = values[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no value for key '\(key.stringValue)'"))
        }
        return decoder.child(value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = CBORCodingKey(stringValue: "super")
        return decoder.child(values[key.stringValue] ?? .null, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(values[key.stringValue] ?? .null, key: key)
    }
}

/// Unkeyed container over an array; advances only when an element decodes successfully.
struct CBORUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: CBORDecoderImpl
    let elements: [CBORValue]
    private(set) var currentIndex = 0

    init(decoder: CBORDecoderImpl, elements: [CBORValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private func current(_ type: Any.Type) throws -> CBORDecoderImpl {
        let key = CBORCodingKey(index: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: codingPath + [key], debugDescription: "array has only \(elements.count) element(s)"))
        }
        return decoder.child(elements[currentIndex], key: key)
    }

    private mutating func next<T>(_ decode: (CBORDecoderImpl) throws -> T) throws -> T {
        let result = try decode(try current(T.self))
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(Never.self).decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try $0.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try $0.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try $0.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next { try $0.decode(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next { $0 } }
}
