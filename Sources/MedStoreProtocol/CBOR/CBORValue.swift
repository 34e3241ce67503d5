/// One CBOR (RFC 8949) data item.
///
/// Maps keep their entries in order, so encoding a value is deterministic. Two values are equal when
/// they have the same structure; doubles compare numerically, except that any NaN equals any NaN
/// (so a decoded value always equals itself after a round trip).
public indirect enum CBORValue: Sendable {
    /// An unsigned integer (major type 0).
    case unsigned(UInt64)
    /// A negative integer (major type 1) whose value is `-1 - n`.
    case negative(UInt64)
    /// A byte string (major type 2).
    case bytes([UInt8])
    /// A UTF-8 text string (major type 3).
    case text(String)
    /// An array (major type 4).
    case array([CBORValue])
    /// A map (major type 5) with its entries in order.
    case map([CBORMapEntry])
    /// A tagged item (major type 6): the tag number and the tagged content.
    case tagged(UInt64, CBORValue)
    /// The simple values `false` and `true`.
    case bool(Bool)
    /// The simple value `null`.
    case null
    /// The simple value `undefined`.
    case undefined
    /// A floating-point number; half, single and double precision all decode to this.
    case double(Double)
}

/// One key/value pair of a CBOR map.
public struct CBORMapEntry: Sendable, Equatable {
    /// The entry's key.
    public var key: CBORValue
    /// The entry's value.
    public var value: CBORValue

    /// Creates a map entry.
    public init(key: CBORValue, value: CBORValue) {
        self.key = key
        self.value = value
    }
}

extension CBORValue: Equatable {
    /// Structural equality; doubles compare numerically and all NaNs are equal to each other.
    public static func == (lhs: CBORValue, rhs: CBORValue) -> Bool {
        switch (lhs, rhs) {
        case let (.unsigned(a), .unsigned(b)): return a == b
        case let (.negative(a), .negative(b)): return a == b
        case let (.bytes(a), .bytes(b)): return a == b
        case let (.text(a), .text(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.map(a), .map(b)): return a == b
        case let (.tagged(t1, v1), .tagged(t2, v2)): return t1 == t2 && v1 == v2
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null), (.undefined, .undefined): return true
        case let (.double(a), .double(b)): return a == b || (a.isNaN && b.isNaN)
        default: return false
        }
    }
}

extension CBORValue {
    /// Creates an integer value: `.unsigned` when non-negative, `.negative` otherwise.
    public init(_ value: Int) {
        self.init(Int64(value))
    }

    /// Creates an integer value: `.unsigned` when non-negative, `.negative` otherwise.
    public init(_ value: Int64) {
        self = value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(~value))
    }

    /// Creates an unsigned integer value.
    public init(_ value: UInt64) {
        self = .unsigned(value)
    }

    /// Creates a text value.
    public init(_ value: String) {
        self = .text(value)
    }

    /// The value of the first entry whose key is the text `key`, when this is a map.
    public subscript(key: String) -> CBORValue? {
        guard case .map(let entries) = self else { return nil }
        for entry in entries {
            if case .text(let k) = entry.key, k == key { return entry.value }
        }
        return nil
    }

    /// The string, when this is `.text`.
    public var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The integer, when this is `.unsigned`.
    public var uint64Value: UInt64? {
        if case .unsigned(let u) = self { return u }
        return nil
    }

    /// The integer, when this is `.unsigned` or `.negative` and fits in an `Int64`.
    public var int64Value: Int64? {
        switch self {
        case .unsigned(let u): return Int64(exactly: u)
        case .negative(let n): return Int64(exactly: n).map { ~$0 }
        default: return nil
        }
    }

    /// The bytes, when this is `.bytes`.
    public var bytesValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The elements, when this is `.array`.
    public var arrayValue: [CBORValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The entries, when this is `.map`.
    public var mapEntries: [CBORMapEntry]? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// The Boolean, when this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number, when this is `.double`.
    public var doubleValue: Double? {
        if case .double(let d) = self { return d }
        return nil
    }

    /// True for `.null` and `.undefined`.
    public var isNull: Bool {
        switch self {
        case .null, .undefined: return true
        default: return false
        }
    }

    /// A short name of this value's kind, such as "text" or "unsigned integer", for error messages.
    public var typeName: String {
        switch self {
        case .unsigned: return "unsigned integer"
        case .negative: return "negative integer"
        case .bytes: return "byte string"
        case .text: return "text"
        case .array: return "array"
        case .map: return "map"
        case .tagged: return "tagged value"
        case .bool: return "boolean"
        case .null: return "null"
        case .undefined: return "undefined"
        case .double: return "floating-point number"
        }
    }
}

extension CBORValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// Creates an integer value from a literal.
    public init(integerLiteral value: Int64) { self.init(value) }
    /// Creates a `.double` from a literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// Creates a `.bool` from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates a `.text` from a literal.
    public init(stringLiteral value: String) { self = .text(value) }
    /// Creates an `.array` from a literal.
    public init(arrayLiteral elements: CBORValue...) { self = .array(elements) }
    /// Creates a `.map` from a literal, keeping the written order.
    public init(dictionaryLiteral elements: (CBORValue, CBORValue)...) {
        self = .map(elements.map { CBORMapEntry(key: $0.0, value: $0.1) })
    }
}
