/// Request ids: random (version 4) UUIDs in lowercase, like Azure's `x-ms-request-id`. Built
/// by hand from the system generator because Foundation's `UUID().uuidString` opens
/// `/dev/urandom` and formats with `printf` on every call on Linux.
enum HTTPRequestID {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A new id, e.g. `3f1c9a52-7b0e-4c6d-9a1f-0e2b4c6d8f10`.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: generator.next() as UInt64) { for i in 0..<8 { bytes[i] = $0[i] } }
        withUnsafeBytes(of: generator.next() as UInt64) { for i in 0..<8 { bytes[8 + i] = $0[i] } }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
