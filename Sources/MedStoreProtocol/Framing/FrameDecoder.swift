/// Splits a byte stream into frames. Bytes may arrive in any split: partial frames wait for more,
/// several frames in one read are all returned. The length is checked against the limit before
/// any buffer for the payload is reserved.
public struct FrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// Largest accepted payload.
    public let maxFrameBytes: UInt32

    /// Creates a decoder that refuses payloads over `maxFrameBytes`.
    public init(maxFrameBytes: UInt32 = ProtocolLimits.maxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes received but not yet returned as a frame.
    public var pendingByteCount: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete payload, or nil when more bytes are needed.
    /// - Throws: `MedStoreError(.protocolError)` for an empty or oversized frame; the stream is
    ///   unusable afterwards and the connection should be closed.
    public mutating func nextFrame() throws(MedStoreError) -> [UInt8]? {
        guard pendingByteCount >= 4 else { return nil }
        let length = UInt32(buffer[start]) << 24 | UInt32(buffer[start + 1]) << 16
            | UInt32(buffer[start + 2]) << 8 | UInt32(buffer[start + 3])
        if length == 0 {
            throw MedStoreError(.protocolError, "empty frame")
        }
        if length > maxFrameBytes {
            throw MedStoreError(.protocolError, "frame of \(length) bytes is over the limit of \(maxFrameBytes) bytes")
        }
        guard pendingByteCount >= 4 + Int(length) else { return nil }
        let payload = Array(buffer[(start + 4)..<(start + 4 + Int(length))])
        start += 4 + Int(length)
        if start > 65536 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return payload
    }
}
