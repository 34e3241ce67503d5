/// Takes the next request head out of a connection's input buffer as its bytes arrive: empty
/// lines before the request line are skipped (RFC 9112 §2.2), the search for the blank line
/// resumes where it stopped, and a complete head is parsed and consumed from the buffer.
///
/// No socket and no clock: ``HTTPConnection`` fills the buffer from the socket and keeps the
/// deadline; ``HTTPStreamParser`` fills it from memory for tests and the fuzz harness.
struct HTTPHeadReader {
    let limits: HTTPLimits
    private var resumeAt = 0
    /// Whether any byte of this request (empty lines before it included) has been seen.
    private(set) var sawBytes = false

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// How far the input buffer may grow while a head arrives.
    var maxBufferCapacity: Int { limits.maxRequestLineBytes + limits.maxHeaderBytes + 8 }

    /// Looks at the bytes waiting in `input`: returns the parsed head (and consumes it) when it
    /// is complete, `nil` when more bytes are needed.
    /// - Throws: the protocol error to answer before closing (bad syntax, a limit exceeded).
    mutating func next(from input: HTTPInputBuffer) throws(HTTPProtocolError) -> HTTPRequestHead? {
        if resumeAt == 0 {
            while input.available > 0, let first = input.bytes.first, first == 0x0D || first == 0x0A {
                input.consume(1)
                sawBytes = true
            }
        }
        guard input.available > 0 else { return nil }
        sawBytes = true
        switch try HTTPHeadParser.scan(input.bytes, resumeAt: resumeAt, limits: limits) {
        case .complete(let length):
            let head = try HTTPHeadParser.parse(UnsafeRawBufferPointer(rebasing: input.bytes[0..<length]), limits: limits)
            input.consume(length)
            return head
        case .needMore(let resume):
            resumeAt = resume
            return nil
        }
    }
}
