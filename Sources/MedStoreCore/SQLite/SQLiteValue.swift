/// A value bound to or read from SQLite.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLiteValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    /// Text literal.
    public init(stringLiteral value: String) { self = .text(value) }
    /// Integer literal.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// `nil` literal.
    public init(nilLiteral: ()) { self = .null }
}

/// One result row, by column index.
public struct SQLiteRow: Sendable {
    /// Column values in select order.
    public var values: [SQLiteValue]

    /// Integer at `index` (0 for null).
    public func int(_ index: Int) -> Int64 {
        switch values[index] {
        case .integer(let v): return v
        case .real(let v): return Int64(v)
        default: return 0
        }
    }

    /// Integer at `index`, or nil when it is null (or not an integer).
    public func optionalInt(_ index: Int) -> Int64? {
        if case .integer(let v) = values[index] { return v }
        return nil
    }

    /// Text at `index`, or nil.
    public func text(_ index: Int) -> String? {
        if case .text(let v) = values[index] { return v }
        return nil
    }

    /// Blob at `index`, or nil.
    public func blob(_ index: Int) -> [UInt8]? {
        if case .blob(let v) = values[index] { return v }
        return nil
    }
}
