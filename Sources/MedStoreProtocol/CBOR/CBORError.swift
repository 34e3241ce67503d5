/// Why a byte sequence could not be decoded as CBOR.
public enum CBORError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ended in the middle of a data item.
    case truncated
    /// The top-level item was followed by this many extra bytes.
    case trailingBytes(Int)
    /// Arrays, maps and tags were nested deeper than `CBORLimits.maxDepth`.
    case depthExceeded
    /// An array or map declared this many items, more than `CBORLimits.maxCollectionCount`
    /// (saturated at `Int.max`).
    case collectionTooLarge(Int)
    /// A string declared this many bytes, more than `CBORLimits.maxStringLength`
    /// (saturated at `Int.max`).
    case stringTooLong(Int)
    /// A text string was not valid UTF-8.
    case invalidUTF8
    /// The input used an indefinite-length item or a "break" (additional information 31).
    case indefiniteLengthNotSupported
    /// The input used a reserved additional-information value (28, 29 or 30).
    case reservedAdditionalInfo(UInt8)
    /// The input held more data items than `CBORLimits.maxTotalItems`.
    case tooManyItems
    /// The input used a simple value other than false, true, null or undefined.
    case invalidSimpleValue(UInt8)
    /// A map had the same text key twice.
    case duplicateMapKey

    /// A short explanation of the problem.
    public var description: String {
        switch self {
        case .truncated:
            return "CBOR input ends in the middle of a data item"
        case .trailingBytes(let n):
            return "CBOR input has \(n) unexpected byte(s) after the top-level item"
        case .depthExceeded:
            return "CBOR input nests arrays, maps or tags too deeply"
        case .collectionTooLarge(let n):
            return "CBOR array or map declares \(n) items, more than allowed"
        case .stringTooLong(let n):
            return "CBOR string declares \(n) bytes, more than allowed"
        case .invalidUTF8:
            return "CBOR text string is not valid UTF-8"
        case .indefiniteLengthNotSupported:
            return "CBOR indefinite-length items are not supported"
        case .reservedAdditionalInfo(let ai):
            return "CBOR input uses reserved additional information \(ai)"
        case .tooManyItems:
            return "CBOR input contains too many data items"
        case .invalidSimpleValue(let v):
            return "CBOR simple value \(v) is not supported"
        case .duplicateMapKey:
            return "CBOR map contains the same key twice"
        }
    }
}
