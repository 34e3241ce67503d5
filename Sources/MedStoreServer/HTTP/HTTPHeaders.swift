/// An ordered HTTP header list. Names compare case-insensitively (ASCII), but every field keeps
/// the case and position it was received or added with, because Shared Key signing and
/// faithful echoing need the original form.
public struct HTTPHeaders: Sendable, ExpressibleByDictionaryLiteral {
    private var fields: [(name: String, value: String)]

    /// An empty list.
    public init() {
        fields = []
    }

    /// A list holding `pairs` in order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// A list from a literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of `name`, or `nil` when absent.
    public subscript(_ name: String) -> String? {
        for field in fields where HTTPHeaders.namesEqual(field.name, name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { HTTPHeaders.namesEqual($0.name, name) }.map(\.value)
    }

    /// Whether `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// Every field in order, with the case it was received or added with.
    public var all: [(name: String, value: String)] { fields }

    /// Number of fields.
    public var count: Int { fields.count }

    /// Appends a field (keeps any existing fields of the same name).
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` by one field with `value`, at the position of the first
    /// one (or at the end when absent).
    public mutating func set(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { HTTPHeaders.namesEqual($0.name, name) }) {
            fields[index] = (name: fields[index].name, value: value)
            var next = index + 1
            while next < fields.count {
                if HTTPHeaders.namesEqual(fields[next].name, name) { fields.remove(at: next) } else { next += 1 }
            }
        } else {
            fields.append((name: name, value: value))
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// ASCII case-insensitive comparison of two header names, without allocating.
    static func namesEqual(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y && asciiLower(x) != asciiLower(y) { return false }
            default: return false
            }
        }
    }

    @inline(__always)
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}
