/// Builds frames: a 4-byte big-endian payload length followed by the payload.
public enum FrameEncoder {
    /// Returns `payload` behind its length prefix.
    /// - Throws: `MedStoreError(.resourceExhausted)` when the payload is over `ProtocolLimits.maxFrameBytes`.
    public static func frame(_ payload: [UInt8]) throws(MedStoreError) -> [UInt8] {
        guard payload.count <= Int(ProtocolLimits.maxFrameBytes) else {
            throw MedStoreError(.resourceExhausted,
                                "message of \(payload.count) bytes is over the frame limit of \(ProtocolLimits.maxFrameBytes) bytes")
        }
        let n = UInt32(payload.count)
        var out: [UInt8] = [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        out.reserveCapacity(4 + payload.count)
        out.append(contentsOf: payload)
        return out
    }
}
