import Foundation

/// Encodes `Encodable` values into `CBORValue` trees.
///
/// Keyed containers become maps with text keys in encode order; `Data` becomes a byte string;
/// integers become `.unsigned`/`.negative`; floating-point numbers become `.double`.
public struct CBOREncoder: Sendable {
    /// Values made available to `encode(to:)` implementations through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates an encoder.
    public init() {}

    /// Encodes `value` into a CBOR value tree.
    public func encode<T: Encodable>(_ value: T) throws -> CBORValue {
        let box = CBOREncodingBox()
        try CBOREncodingBox.encode(value, into: box, codingPath: [], userInfo: userInfo)
        guard !box.isEmpty else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return box.finalValue
    }

    /// Encodes `value` straight to CBOR bytes.
    public func encodeToBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        CBORSerialization.encode(try encode(value))
    }
}

/// A mutable node of the tree being encoded; containers append child nodes to it.
final class CBOREncodingBox {
    private enum Kind { case empty, value, array, map }
    private var kind = Kind.empty
    private var value = CBORValue.null
    private var children: [CBOREncodingBox] = []
    private var keys: [String] = []
    private var keyIndex: [String: Int] = [:]

    /// True when nothing has been encoded into this node.
    var isEmpty: Bool { kind == .empty }

    /// The finished value; an empty node becomes an empty map.
    var finalValue: CBORValue {
        switch kind {
        case .empty: return .map([])
        case .value: return value
        case .array: return .array(children.map(\.finalValue))
        case .map:
            return .map(zip(keys, children).map { CBORMapEntry(key: .text($0.0), value: $0.1.finalValue) })
        }
    }

    /// Stores a finished value in this node.
    func set(_ newValue: CBORValue) {
        reset(to: .value)
        value = newValue
    }

    /// Makes this node a map, keeping its entries if it already is one.
    func becomeMap() { if kind != .map { reset(to: .map) } }

    /// Makes this node an array, keeping its elements if it already is one.
    func becomeArray() { if kind != .array { reset(to: .array) } }

    /// Number of elements or entries so far.
    var childCount: Int { children.count }

    /// Adds (or replaces) the entry for `key` and returns its fresh node.
    func child(forKey key: String) -> CBOREncodingBox {
        let box = CBOREncodingBox()
        if let i = keyIndex[key] {
            children[i] = box
        } else {
            keyIndex[key] = children.count
            keys.append(key)
            children.append(box)
        }
        return box
    }

    /// Appends a fresh element node.
    func appendChild() -> CBOREncodingBox {
        let box = CBOREncodingBox()
        children.append(box)
        return box
    }

    private func reset(to newKind: Kind) {
        kind = newKind
        value = .null
        children = []
        keys = []
        keyIndex = [:]
    }

    /// Encodes `value` into `box`, special-casing `Data` as a byte string.
    static func encode<T: Encodable>(
        _ value: T, into box: CBOREncodingBox, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]
    ) throws {
        if let data = value as? Data {
            box.set(.bytes([UInt8](data)))
            return
        }
        try value.encode(to: CBOREncoderImpl(box: box, codingPath: codingPath, sendableUserInfo: userInfo))
    }
}

/// The `Encoder` handed to `encode(to:)`; writes into one box.
struct CBOREncoderImpl: Encoder, SingleValueEncodingContainer {
    let box: CBOREncodingBox
    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.becomeMap()
        return KeyedEncodingContainer(
            CBORKeyedEncodingContainer<Key>(box: box, codingPath: codingPath, userInfo: sendableUserInfo))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.becomeArray()
        return CBORUnkeyedEncodingContainer(box: box, codingPath: codingPath, userInfo: sendableUserInfo)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    mutating func encodeNil() throws { box.set(.null) }
    mutating func encode(_ value: Bool) throws { box.set(.bool(value)) }
    mutating func encode(_ value: String) throws { box.set(.text(value)) }
    mutating func encode(_ value: Double) throws { box.set(.double(value)) }
    mutating func encode(_ value: Float) throws { box.set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: Int8) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: Int16) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: Int32) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: Int64) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: UInt) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: UInt8) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: UInt16) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: UInt32) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode(_ value: UInt64) throws { box.set(CBOREncoderImpl.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try CBOREncodingBox.encode(value, into: box, codingPath: codingPath, userInfo: sendableUserInfo)
    }

    /// The CBOR integer for `value` (at most 64 bits wide).
    static func integer<T: FixedWidthInteger>(_ value: T) -> CBORValue {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(~value))
    }
}

/// Keyed container that adds text-keyed entries to a map box in encode order.
struct CBORKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: CBOREncodingBox
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: any Sendable]

    private func encoder(for key: any CodingKey) -> CBOREncoderImpl {
        CBOREncoderImpl(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key], sendableUserInfo: userInfo)
    }

    mutating func encodeNil(forKey key: Key) throws { encoder(for: key).box.set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { var e = encoder(for: key); try e.encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        var e = encoder(for: key)
        try e.encode(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        encoder(for: key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder(for: key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder(for: CBORCodingKey(stringValue: "super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder(for: key) }
}

/// Unkeyed container that appends elements to an array box.
struct CBORUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let box: CBOREncodingBox
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: any Sendable]
    var count: Int { box.childCount }

    private func nextEncoder() -> CBOREncoderImpl {
        let key = CBORCodingKey(index: box.childCount)
        return CBOREncoderImpl(box: box.appendChild(), codingPath: codingPath + [key], sendableUserInfo: userInfo)
    }

    mutating func encodeNil() throws { nextEncoder().box.set(.null) }
    mutating func encode(_ value: Bool) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: String) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: Double) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: Float) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: Int) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: Int8) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: Int16) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: Int32) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: Int64) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: UInt) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: UInt8) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: UInt16) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: UInt32) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode(_ value: UInt64) throws { var e = nextEncoder(); try e.encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { var e = nextEncoder(); try e.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        nextEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { nextEncoder().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { nextEncoder() }
}

/// A coding key for array indices and synthesized names such as "super".
struct CBORCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }

    /// A key for the element at `index` of an array.
    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }
}
