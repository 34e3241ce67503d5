import Testing
@testable import MedStoreServer

/// The in-memory connection parser (head reader + body decoder without a socket) that the fuzz
/// harness drives: same requests whatever the delivery sizes, and the connection's ways to end.
@Suite("HTTP stream parser")
struct HTTPStreamParserTests {
    private let pipelined = Array((
        "\r\nGET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"
            + "PUT /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n"
            + "PUT /c HTTP/1.0\r\nContent-Length: 4\r\n\r\nwxyz"
            + "GET /never HTTP/1.1\r\n\r\n"
    ).utf8)

    @Test("pipelined requests parse the same at once and byte by byte into a growing buffer",
          arguments: [(Int.max, 16 * 1024, 64 * 1024), (1, 1, 1), (7, 16, 5), (3, 2, 20_000)])
    func deliveries(_ receive: Int, _ capacity: Int, _ bodyRead: Int) {
        let outcome = HTTPStreamParser.parse(pipelined, receiveSize: receive, bufferCapacity: capacity, bodyReadSize: bodyRead)
        #expect(outcome.requests.map(\.target) == ["/a?x=1", "/b", "/c"])
        #expect(outcome.requests.map(\.rawQuery) == ["x=1", "", ""])
        #expect(outcome.requests.map { String(decoding: $0.body, as: UTF8.self) } == ["", "abcde", "wxyz"])
        #expect(outcome.requests[1].isChunked && outcome.requests[2].declaredLength == 4)
        // HTTP/1.0 without keep-alive ends the connection before the fourth request.
        #expect(outcome.end == .closeRequested)
        #expect(outcome.unreceivedBytes <= "GET /never HTTP/1.1\r\n\r\n".utf8.count)
    }

    @Test("a stream cut inside a head ends quietly with the bytes left over")
    func cutInHead() {
        let outcome = HTTPStreamParser.parse(Array("GET / HTTP/1.1\r\n\r\nGET /b HTT".utf8), receiveSize: 4, bufferCapacity: 3)
        #expect(outcome.requests.count == 1)
        #expect(outcome.end == .streamEnded(unparsedBytes: 10))
        #expect(outcome.unreceivedBytes == 0)
    }

    @Test("refusals and broken bodies end the stream")
    func refusals() {
        let folded = HTTPStreamParser.parse(Array("GET / HTTP/1.1\r\nA: 1\r\n b\r\n\r\n".utf8))
        #expect(folded.end == .refused(status: 400, code: "InvalidInput"))
        let tooLong = HTTPStreamParser.parse(Array(("GET /" + String(repeating: "a", count: 300) + " HTTP/1.1\r\n\r\n").utf8),
                                             limits: HTTPLimits(maxRequestLineBytes: 256))
        #expect(tooLong.end == .refused(status: 414, code: "InvalidUri"))
        let badChunk = HTTPStreamParser.parse(Array("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8))
        guard case .bodyFailed(let message) = badChunk.end else {
            Issue.record("expected a body failure, got \(badChunk.end)")
            return
        }
        #expect(message.contains("hexadecimal size"))
        #expect(badChunk.requests.isEmpty)
    }
}
