/// An in-memory ``HTTPTransport``: receives come from a fixed byte array (at most
/// `maxReceive` bytes per call, to exercise partial reads), sends are collected.
final class MemoryTransport: HTTPTransport {
    let fd: Int32 = -1
    private let input: [UInt8]
    private var offset = 0
    private let maxReceive: Int
    private(set) var sent: [UInt8] = []

    init(_ input: [UInt8], maxReceive: Int = .max) {
        self.input = input
        self.maxReceive = max(1, maxReceive)
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        let count = min(buffer.count, input.count - offset, maxReceive)
        guard count > 0 else { return 0 }
        input.withUnsafeBytes { raw in
            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(TransportError) {
        sent.append(contentsOf: bytes)
    }

    var hasBufferedInput: Bool { offset < input.count }

    /// Bytes not yet received.
    var unreceivedCount: Int { input.count - offset }

    func finish() {}
}
