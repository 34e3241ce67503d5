/// Converts between `CBORValue` and its RFC 8949 byte encoding.
public enum CBORSerialization {
    /// Encodes `value` with preferred (shortest) heads and definite lengths.
    ///
    /// Map entries are written in the order given; doubles are always written as 8-byte floats.
    public static func encode(_ value: CBORValue) -> [UInt8] {
        var writer = CBORWriter()
        writer.write(value)
        return writer.bytes
    }
}

/// Appends the encoding of data items to a byte buffer.
struct CBORWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Appends the encoding of `value`.
    mutating func write(_ value: CBORValue) {
        switch value {
        case .unsigned(let u):
            writeHead(major: 0, argument: u)
        case .negative(let n):
            writeHead(major: 1, argument: n)
        case .bytes(let b):
            writeHead(major: 2, argument: UInt64(b.count))
            bytes.append(contentsOf: b)
        case .text(let s):
            let utf8 = Array(s.utf8)
            writeHead(major: 3, argument: UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        case .array(let elements):
            writeHead(major: 4, argument: UInt64(elements.count))
            for element in elements { write(element) }
        case .map(let entries):
            writeHead(major: 5, argument: UInt64(entries.count))
            for entry in entries {
                write(entry.key)
                write(entry.value)
            }
        case .tagged(let tag, let content):
            writeHead(major: 6, argument: tag)
            write(content)
        case .bool(let b):
            bytes.append(b ? 0xf5 : 0xf4)
        case .null:
            bytes.append(0xf6)
        case .undefined:
            bytes.append(0xf7)
        case .double(let d):
            bytes.append(0xfb)
            appendBigEndian(d.bitPattern, byteCount: 8)
        }
    }

    /// Appends an initial byte and argument in the shortest form.
    private mutating func writeHead(major: UInt8, argument: UInt64) {
        let m = major << 5
        switch argument {
        case 0..<24:
            bytes.append(m | UInt8(argument))
        case 24...0xff:
            bytes.append(m | 24)
            appendBigEndian(argument, byteCount: 1)
        case 0x100...0xffff:
            bytes.append(m | 25)
            appendBigEndian(argument, byteCount: 2)
        case 0x1_0000...0xffff_ffff:
            bytes.append(m | 26)
            appendBigEndian(argument, byteCount: 4)
        default:
            bytes.append(m | 27)
            appendBigEndian(argument, byteCount: 8)
        }
    }

    /// Appends the low `byteCount` bytes of `value`, most significant first.
    private mutating func appendBigEndian(_ value: UInt64, byteCount: Int) {
        for i in stride(from: byteCount - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (UInt64(i) * 8)))
        }
    }
}
