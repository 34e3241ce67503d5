/// Bytes received on a connection but not yet used: the parser looks at them in place, the body
/// reader takes them first and then reads the socket directly into the caller's buffer.
final class HTTPInputBuffer {
    let transport: any HTTPTransport
    private var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private var start = 0
    private var end = 0

    /// Receives below this size go through the buffer; larger ones straight into the caller's memory.
    static let directReadThreshold = 16 * 1024

    init(transport: any HTTPTransport, initialCapacity: Int = 16 * 1024) {
        self.transport = transport
        self.capacity = initialCapacity
        self.storage = UnsafeMutableRawPointer.allocate(byteCount: initialCapacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// Bytes waiting.
    var available: Int { end - start }

    /// The waiting bytes, valid until the next mutation.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + start, count: end - start)
    }

    /// Drops `count` waiting bytes.
    func consume(_ count: Int) {
        precondition(count <= available)
        start += count
        if start == end { start = 0; end = 0 }
    }

    /// Receives more bytes after the waiting ones, growing the buffer up to `maxCapacity`.
    /// Returns the count received; 0 means the peer ended the stream (or the buffer is full at
    /// `maxCapacity`, which callers rule out by checking `available` first).
    func fill(maxCapacity: Int) throws(TransportError) -> Int {
        if end == capacity {
            if start > 0 {
                let count = end - start
                (storage).copyMemory(from: storage + start, byteCount: count)
                start = 0
                end = count
            } else if capacity < maxCapacity {
                let newCapacity = min(maxCapacity, capacity * 2)
                let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                grown.copyMemory(from: storage, byteCount: end)
                storage.deallocate()
                storage = grown
                capacity = newCapacity
            } else {
                return 0
            }
        }
        let n = try transport.receive(into: UnsafeMutableRawBufferPointer(start: storage + end, count: capacity - end))
        end += n
        return n
    }

    /// Copies up to `limit` bytes into `buffer`: waiting bytes first; when none wait, one receive
    /// (direct into `buffer` when it is large). 0 means the peer ended the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer, limit: Int) throws(TransportError) -> Int {
        let wanted = min(buffer.count, limit)
        guard wanted > 0 else { return 0 }
        if available == 0 {
            if wanted >= HTTPInputBuffer.directReadThreshold {
                return try transport.receive(into: UnsafeMutableRawBufferPointer(start: buffer.baseAddress, count: wanted))
            }
            if try fill(maxCapacity: capacity) == 0 { return 0 }
        }
        let count = min(wanted, available)
        buffer.baseAddress!.copyMemory(from: storage + start, byteCount: count)
        consume(count)
        return count
    }

    /// Makes sure at least `count` bytes wait (fewer only when the peer ended the stream).
    func ensure(_ count: Int, maxCapacity: Int) throws(TransportError) -> Bool {
        while available < count {
            if try fill(maxCapacity: max(maxCapacity, count)) == 0 { return false }
        }
        return true
    }
}
