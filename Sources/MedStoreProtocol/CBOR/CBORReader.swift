extension CBORSerialization {
    /// Decodes exactly one data item from `bytes`, enforcing `limits`.
    ///
    /// Safe on hostile input: lengths are checked against the limits and the remaining input before
    /// anything is allocated, nesting is capped, and bytes after the item are rejected.
    public static func decode(_ bytes: ArraySlice<UInt8>, limits: CBORLimits = .default) throws(CBORError) -> CBORValue {
        var reader = CBORReader(bytes: bytes, limits: limits)
        let value = try reader.readItem(depth: 0)
        if reader.remaining > 0 { throw .trailingBytes(reader.remaining) }
        return value
    }

    /// Decodes exactly one data item from `bytes`, enforcing `limits`.
    public static func decode(_ bytes: [UInt8], limits: CBORLimits = .default) throws(CBORError) -> CBORValue {
        try decode(bytes[...], limits: limits)
    }
}

/// A cursor over CBOR input that decodes data items recursively with bounded depth.
struct CBORReader {
    private let bytes: ArraySlice<UInt8>
    private let limits: CBORLimits
    private var position: Int
    private var itemCount = 0

    /// Creates a reader positioned at the start of `bytes`.
    init(bytes: ArraySlice<UInt8>, limits: CBORLimits) {
        self.bytes = bytes
        self.limits = limits
        self.position = bytes.startIndex
    }

    /// Number of input bytes not yet consumed.
    var remaining: Int { bytes.endIndex - position }

    /// Decodes one data item; `depth` is the number of enclosing arrays, maps and tags.
    mutating func readItem(depth: Int) throws(CBORError) -> CBORValue {
        itemCount += 1
        guard itemCount <= limits.maxTotalItems else { throw .tooManyItems }
        let initial = try readByte()
        let major = initial >> 5
        let info = initial & 0x1f
        if major == 7 { return try readSimpleOrFloat(info) }
        let argument = try readArgument(info)
        switch major {
        case 0:
            return .unsigned(argument)
        case 1:
            return .negative(argument)
        case 2:
            return .bytes(try readString(length: argument))
        case 3:
            let raw = try readString(length: argument)
            guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8 }
            return .text(text)
        case 4:
            guard depth < limits.maxDepth else { throw .depthExceeded }
            let count = try checkedCount(argument, minimumBytesPerItem: 1)
            var elements: [CBORValue] = []
            elements.reserveCapacity(min(count, 1024))
            for _ in 0..<count { elements.append(try readItem(depth: depth + 1)) }
            return .array(elements)
        case 5:
            guard depth < limits.maxDepth else { throw .depthExceeded }
            return .map(try readMapEntries(count: try checkedCount(argument, minimumBytesPerItem: 2), depth: depth))
        default:  // 6: tag
            guard depth < limits.maxDepth else { throw .depthExceeded }
            return .tagged(argument, try readItem(depth: depth + 1))
        }
    }

    private mutating func readMapEntries(count: Int, depth: Int) throws(CBORError) -> [CBORMapEntry] {
        var entries: [CBORMapEntry] = []
        entries.reserveCapacity(min(count, 1024))
        var seenTextKeys = Set<String>()
        for _ in 0..<count {
            let key = try readItem(depth: depth + 1)
            if case .text(let k) = key, !seenTextKeys.insert(k).inserted { throw .duplicateMapKey }
            let value = try readItem(depth: depth + 1)
            entries.append(CBORMapEntry(key: key, value: value))
        }
        return entries
    }

    /// Validates a declared collection size against the limits and the remaining input.
    private func checkedCount(_ declared: UInt64, minimumBytesPerItem: UInt64) throws(CBORError) -> Int {
        guard declared <= UInt64(clamping: limits.maxCollectionCount) else {
            throw .collectionTooLarge(Int(clamping: declared))
        }
        guard declared <= UInt64(remaining) / minimumBytesPerItem else { throw .truncated }
        return Int(declared)
    }

    /// Reads a string body after validating its declared length.
    private mutating func readString(length: UInt64) throws(CBORError) -> [UInt8] {
        guard length <= UInt64(clamping: limits.maxStringLength) else {
            throw .stringTooLong(Int(clamping: length))
        }
        guard length <= UInt64(remaining) else { throw .truncated }
        let end = position + Int(length)
        let result = Array(bytes[position..<end])
        position = end
        return result
    }

    /// Decodes major type 7: simple values and floats.
    private mutating func readSimpleOrFloat(_ info: UInt8) throws(CBORError) -> CBORValue {
        switch info {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 24: throw .invalidSimpleValue(try readByte())
        case 25: return .double(Self.halfToDouble(UInt16(try readBigEndian(byteCount: 2))))
        case 26: return .double(Double(Float(bitPattern: UInt32(try readBigEndian(byteCount: 4)))))
        case 27: return .double(Double(bitPattern: try readBigEndian(byteCount: 8)))
        case 28...30: throw .reservedAdditionalInfo(info)
        case 31: throw .indefiniteLengthNotSupported
        default: throw .invalidSimpleValue(info)
        }
    }

    /// Reads the argument that follows an initial byte with additional information `info`.
    private mutating func readArgument(_ info: UInt8) throws(CBORError) -> UInt64 {
        switch info {
        case 0..<24: return UInt64(info)
        case 24: return try readBigEndian(byteCount: 1)
        case 25: return try readBigEndian(byteCount: 2)
        case 26: return try readBigEndian(byteCount: 4)
        case 27: return try readBigEndian(byteCount: 8)
        case 28...30: throw .reservedAdditionalInfo(info)
        default: throw .indefiniteLengthNotSupported
        }
    }

    private mutating func readByte() throws(CBORError) -> UInt8 {
        guard position < bytes.endIndex else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func readBigEndian(byteCount: Int) throws(CBORError) -> UInt64 {
        guard remaining >= byteCount else { throw .truncated }
        var value: UInt64 = 0
        for _ in 0..<byteCount {
            value = (value << 8) | UInt64(bytes[position])
            position += 1
        }
        return value
    }

    /// Converts an IEEE 754 half-precision bit pattern to a `Double`.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: FloatingPointSign = bits & 0x8000 != 0 ? .minus : .plus
        let exponent = Int((bits >> 10) & 0x1f)
        let mantissa = Double(bits & 0x3ff)
        switch exponent {
        case 0:
            return Double(sign: sign, exponent: -24, significand: mantissa)
        case 31:
            return mantissa == 0 ? (sign == .minus ? -.infinity : .infinity) : .nan
        default:
            return Double(sign: sign, exponent: exponent - 25, significand: mantissa + 1024)
        }
    }
}
