import Foundation
import MedStoreCore
import MedStoreProtocol
import Testing
@testable import MedStoreServer

/// The request-head parser, body decoding over in-memory transports, and the small value types.
@Suite("HTTP parsing")
struct HTTPParsingTests {
    private let limits = HTTPLimits()

    private func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPProtocolError) -> HTTPRequestHead {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPProtocolError) in try HTTPHeadParser.parse(raw, limits: limits) }
        }.get()
    }

    private func scan(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPProtocolError) -> HTTPHeadParser.Scan {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPProtocolError) in try HTTPHeadParser.scan(raw, resumeAt: 0, limits: limits) }
        }.get()
    }

    private func status(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error.status
        }
    }

    // MARK: - Head

    @Test func requestLineAndHeadersKeepOrderAndCase() throws {
        let head = try parse("PUT /acct/c/a%20b?comp=block&sig=x%2By HTTP/1.1\r\nHost: h\r\nx-ms-Meta-A:  one \r\nX-MS-META-A: two\r\nEmpty:\r\n\r\n")
        #expect(head.method == "PUT")
        #expect(head.target == "/acct/c/a%20b?comp=block&sig=x%2By")
        #expect(head.minorVersion == 1 && head.keepAlive && !head.expectContinue && head.framing == .none)
        #expect(head.headers.all.map(\.name) == ["Host", "x-ms-Meta-A", "X-MS-META-A", "Empty"])
        #expect(head.headers.values("x-ms-meta-a") == ["one", "two"])
        #expect(head.headers["EMPTY"] == "")
    }

    @Test func bareLFLineEndingsAreAccepted() throws {
        #expect(try scan("GET / HTTP/1.1\nHost: x\n\nrest") == .complete(length: 24))
        let head = try parse("GET / HTTP/1.1\nHost: x\n\n")
        #expect(head.headers["host"] == "x")
    }

    @Test func scanWaitsForTheBlankLine() throws {
        #expect(try scan("GET / HTTP/1.1\r\nHost: x\r\n") == .needMore(resumeAt: 24))
        #expect(try scan("GET / HTTP/1.1\r\nHost: x\r\n\r") == .needMore(resumeAt: 24))
        #expect(try scan("GET / HT") == .needMore(resumeAt: 0))
        #expect(try scan("GET / HTTP/1.1\r\n\r\nGET") == .complete(length: 18))
    }

    @Test func scanEnforcesLineAndSectionLimits() {
        let small = HTTPLimits(maxRequestLineBytes: 20, maxHeaderBytes: 30)
        #expect(throws: Never.self) { try scan("GET /\(String(repeating: "a", count: 6)) HTTP/1.1\r\n\r\n", limits: small) }
        let e1 = #expect(throws: HTTPProtocolError.self) { try scan("GET /\(String(repeating: "a", count: 7)) HTTP/1.1\r\n\r\n", limits: small) }
        #expect(e1?.status == 414)
        // No line end yet, but already longer than any allowed request line.
        let e2 = #expect(throws: HTTPProtocolError.self) { try scan(String(repeating: "a", count: 30), limits: small) }
        #expect(e2?.status == 414)
        #expect(throws: Never.self) { try scan("GET / HTTP/1.1\r\nA: \(String(repeating: "b", count: 25))\r\n\r\n", limits: small) }
        let e3 = #expect(throws: HTTPProtocolError.self) { try scan("GET / HTTP/1.1\r\nA: \(String(repeating: "b", count: 27))\r\n\r\n", limits: small) }
        #expect(e3?.status == 431)
        let e4 = #expect(throws: HTTPProtocolError.self) { try scan("GET / HTTP/1.1\r\nA: \(String(repeating: "b", count: 40))", limits: small) }
        #expect(e4?.status == 431)
    }

    @Test func malformedRequestLinesAreRefused() {
        #expect(status("GET /a HTTP/1.1 x\r\n\r\n") == 400)
        #expect(status("GET  /a HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET /a HTTP/1.10\r\n\r\n") == 400)
        #expect(status("GET /a HTTPS/1.1\r\n\r\n") == 400)
        #expect(status("GET /a HTTP/3.0\r\n\r\n") == 505)
        #expect(status("GET a HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET * HTTP/1.1\r\n\r\n") == 400)
        #expect(status("OPTIONS * HTTP/1.1\r\n\r\n") == nil)
        #expect(status("GET /caf\u{e9} HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET /a\rb HTTP/1.1\r\n\r\n") == 400)
        #expect(status("G@T /a HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET /a HTTP/1.0\r\n\r\n") == nil)
    }

    @Test func malformedHeaderFieldsAreRefused() {
        #expect(status("GET / HTTP/1.1\r\nHost : x\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nNoColon\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\n: empty-name\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nX: tab\tinside and caf\u{e9}\r\n\r\n") == nil)
        let many = (0..<101).map { "H\($0): v\r\n" }.joined()
        #expect(status("GET / HTTP/1.1\r\n\(many)\r\n") == 431)
    }

    @Test func bodyFramingRules() throws {
        #expect(try parse("PUT / HTTP/1.1\r\nContent-Length: 42\r\n\r\n").framing == .length(42))
        #expect(try parse("PUT / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").framing == .length(0))
        #expect(try parse("PUT / HTTP/1.1\r\nContent-Length: 7, 7\r\ncontent-length: 7\r\n\r\n").framing == .length(7))
        #expect(try parse("PUT / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n").framing == .chunked)
        #expect(try parse("PUT / HTTP/1.1\r\n\r\n").framing == .none)
        for bad in ["Content-Length: 7, 8", "Content-Length: x", "Content-Length: -0", "Content-Length: 0x10", "Content-Length: 1 2",
                    "Content-Length: 1234567890123456789", "Transfer-Encoding: chunked, chunked", "Transfer-Encoding: gzip",
                    "Transfer-Encoding: chunked\r\nContent-Length: 3"] {
            #expect(status("PUT / HTTP/1.1\r\n\(bad)\r\n\r\n") == 400, "\(bad)")
        }
        #expect(try HTTPHeadParser.contentLength(["123456789012345678"]) == 123_456_789_012_345_678)
    }

    @Test func connectionAndExpectHeaders() throws {
        #expect(try parse("GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\n").keepAlive == false)
        #expect(try parse("GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n").keepAlive == true)
        #expect(try parse("GET / HTTP/1.0\r\n\r\n").keepAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive == true)
        #expect(try parse("PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").expectContinue == true)
        #expect(try parse("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").expectContinue == false)
        #expect(status("PUT / HTTP/1.1\r\nExpect: something-else\r\n\r\n") == 417)
    }

    @Test func targetSplitsIntoRawPathAndQuery() {
        #expect(HTTPRequest.splitTarget("/a%2Fb/c?x=1&y=%3F?z") == ("/a%2Fb/c", "x=1&y=%3F?z"))
        #expect(HTTPRequest.splitTarget("/a") == ("/a", ""))
        #expect(HTTPRequest.splitTarget("/a?") == ("/a", ""))
        #expect(HTTPRequest.splitTarget("http://h:1/acct/c?comp=list") == ("/acct/c", "comp=list"))
        #expect(HTTPRequest.splitTarget("https://h") == ("/", ""))
        #expect(HTTPRequest.splitTarget("http://h?q=1") == ("/", "q=1"))
    }

    // MARK: - Bodies over an in-memory transport

    private func body(_ framing: HTTPBodyFraming, _ wire: String, maxReceive: Int = .max) -> (HTTPRequestBody, HTTPInputBuffer) {
        let input = HTTPInputBuffer(transport: MemoryTransport(Array(wire.utf8), maxReceive: maxReceive))
        return (HTTPRequestBody(framing: framing, input: input, limits: HTTPLimits(), beforeFirstRead: nil), input)
    }

    private func readEverything(_ body: HTTPRequestBody, bufferSize: Int = 3) throws(MedStoreError) -> String {
        var out: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: bufferSize)
        while true {
            let n = try scratch.withUnsafeMutableBytes { raw in Result { () throws(MedStoreError) in try body.read(into: raw) } }.get()
            if n == 0 { return String(decoding: out, as: UTF8.self) }
            out += scratch[0..<n]
        }
    }

    private func rest(_ input: HTTPInputBuffer) -> String {
        var out: [UInt8] = []
        while true {
            if input.available == 0, (try? input.fill(maxCapacity: 1 << 16)) ?? 0 == 0 { break }
            out += input.bytes
            input.consume(input.available)
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func chunkedBodyDecodesByteByByteAndStopsAtItsEnd() throws {
        let wire = "4;name=value\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT REQUEST"
        for maxReceive in [1, 2, 7, 1000] {
            let (decoded, input) = body(.chunked, wire, maxReceive: maxReceive)
            #expect(try readEverything(decoded) == "Wikipedia in\r\n\r\nchunks.")
            #expect(decoded.isComplete && decoded.declaredLength == nil && decoded.isChunked)
            #expect(rest(input) == "NEXT REQUEST")
        }
    }

    @Test func lengthBodyNeverReadsPastItsEnd() throws {
        let (decoded, input) = body(.length(5), "helloGET / HTTP/1.1", maxReceive: 2)
        #expect(try readEverything(decoded, bufferSize: 64 * 1024) == "hello")
        #expect(decoded.bytesRead == 5 && decoded.declaredLength == 5)
        #expect(rest(input) == "GET / HTTP/1.1")
    }

    @Test func malformedOrTruncatedChunkedBodiesThrow() {
        for wire in ["zz\r\nabc\r\n0\r\n\r\n", "3\r\nabcX\r\n0\r\n\r\n", "3 x\r\nabc\r\n0\r\n\r\n", "1000000000000000\r\n",
                     "5\r\nab", "3\r\nabc\r\n", "", "\(String(repeating: "0", count: 5000))1\r\na\r\n0\r\n\r\n"] {
            let (decoded, _) = body(.chunked, wire)
            do {
                _ = try readEverything(decoded)
                Issue.record("expected a failure for \(wire.prefix(30).debugDescription)")
            } catch {
                #expect(error.code == .invalidArgument)
            }
            // Once failed, it stays failed.
            #expect(throws: MedStoreError.self) { _ = try readEverything(decoded) }
        }
    }

    @Test func truncatedLengthBodyThrowsWithCounts() {
        let (decoded, _) = body(.length(10), "abc")
        do {
            _ = try readEverything(decoded)
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("3 of 10 bytes"))
        }
    }

    @Test func readAllEnforcesItsLimit() throws {
        let (declared, _) = body(.length(100), String(repeating: "a", count: 100))
        let e5 = #expect(throws: MedStoreError.self) { try declared.readAll(limit: 99) }
        #expect(e5?.code == .requestBodyTooLarge)
        #expect(declared.bytesRead == 0)
        let (chunked, _) = body(.chunked, "64\r\n\(String(repeating: "b", count: 100))\r\n0\r\n\r\n")
        let e6 = #expect(throws: MedStoreError.self) { try chunked.readAll(limit: 99) }
        #expect(e6?.code == .requestBodyTooLarge)
        let (fits, _) = body(.chunked, "3\r\nabc\r\n0\r\n\r\n")
        #expect(try fits.readAll(limit: 3) == Array("abc".utf8))
        #expect(try HTTPRequestBody(bytes: Array("xyz".utf8)).readAll(limit: 10) == Array("xyz".utf8))
        #expect(try HTTPRequestBody(bytes: []).readAll(limit: 0) == [])
    }

    @Test func bodyCannotBeReadAfterTheHandlerReturns() {
        let (decoded, _) = body(.length(3), "abc")
        decoded.detach()
        let e7 = #expect(throws: MedStoreError.self) { try decoded.readAll(limit: 10) }
        #expect(e7?.code == .internal)
        // The server can still drain it to keep the connection.
        #expect(decoded.discardRemainder(limit: 10))
    }

    @Test func continueIsSentOnceOnFirstRead() throws {
        let transport = MemoryTransport(Array("abcdef".utf8))
        let input = HTTPInputBuffer(transport: transport)
        let sent = Shared(0)
        let decoded = HTTPRequestBody(framing: .length(6), input: input, limits: HTTPLimits(),
                                      beforeFirstRead: { () throws(TransportError) in sent.value += 1 })
        #expect(decoded.isWaitingForContinue && sent.value == 0)
        #expect(try readEverything(decoded, bufferSize: 2) == "abcdef")
        #expect(sent.value == 1 && !decoded.isWaitingForContinue)
        let empty = HTTPRequestBody(framing: .length(0), input: input, limits: HTTPLimits(),
                                    beforeFirstRead: { () throws(TransportError) in sent.value += 1 })
        #expect(!empty.isWaitingForContinue)
    }

    // MARK: - Value types

    @Test func headersCompareNamesCaseInsensitively() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Ms-Meta-K": "1"]
        headers.add("x-ms-meta-k", "2")
        #expect(headers["content-type"] == "a" && headers["X-MS-META-K"] == "1")
        #expect(headers.values("X-MS-meta-k") == ["1", "2"])
        headers.set("X-MS-META-K", "3")
        #expect(headers.values("x-ms-meta-k") == ["3"])
        #expect(headers.all.map(\.name) == ["Content-Type", "X-Ms-Meta-K"])
        headers.set("New", "n")
        headers.remove("content-TYPE")
        #expect(headers.all.map(\.name) == ["X-Ms-Meta-K", "New"] && headers.count == 2)
        #expect(!HTTPHeaders.namesEqual("abc", "abcd") && HTTPHeaders.namesEqual("ABC", "abc") && !HTTPHeaders.namesEqual("a[", "a{"))
    }

    @Test func requestIDsAreLowercaseVersion4UUIDs() {
        let ids = (0..<1000).map { _ in HTTPRequestID.make() }
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(50) {
            let uuid = UUID(uuidString: id)
            #expect(uuid != nil && id == id.lowercased() && id.count == 36)
            let bytes = withUnsafeBytes(of: uuid!.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 4 && bytes[8] >> 6 == 2)
        }
    }

    @Test func datesFormatAndParseIMFFixdate() {
        let date = Date(timeIntervalSince1970: 784_111_777)
        #expect(RFC1123Date.format(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(RFC1123Date.parse("Sun, 06 Nov 1994 08:49:37 GMT") == date)
        #expect(RFC1123Date.parse("Mon, 06 Nov 1994 08:49:37 GMT") == nil)
        #expect(RFC1123Date.parse("Sat, 31 Feb 2026 00:00:00 GMT") == nil)
        #expect(RFC1123Date.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPServerDate.iso8601Ticks(Date(timeIntervalSince1970: 1_767_225_600.5)) == "2026-01-01T00:00:00.5000000Z")
    }

    @Test func azureErrorBodyEscapesAndAddsDetails() {
        let xml = String(decoding: AzureErrorBody.xml(code: "InvalidHeaderValue", message: "bad <x> & \"y\"", requestID: "rid",
                                                      time: Date(timeIntervalSince1970: 0), details: [("HeaderName", "A&B"), ("bad name", "z")]),
                         as: UTF8.self)
        #expect(xml == "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>InvalidHeaderValue</Code><Message>bad &lt;x&gt; &amp; &quot;y&quot;\nRequestId:rid\nTime:1970-01-01T00:00:00.0000000Z</Message><HeaderName>A&amp;B</HeaderName></Error>")
    }

    @Test func azureErrorResponsesFollowTheErrorVocabulary() {
        let notFound = AzureErrorBody.response(for: MedStoreError(.blobNotFound, "The specified blob does not exist."), requestID: "r")
        #expect(notFound.status == 404 && notFound.headers["x-ms-error-code"] == "BlobNotFound")
        #expect(notFound.headers["Content-Type"] == "application/xml")
        let secret = AzureErrorBody.response(for: MedStoreError(.internal, "sqlite said: disk I/O error at /var/lib"), requestID: "r")
        guard case .bytes(let bytes) = secret.body else { Issue.record("expected bytes"); return }
        #expect(secret.status == 500 && !String(decoding: bytes, as: UTF8.self).contains("sqlite"))
        let notModified = AzureErrorBody.response(for: MedStoreError(.notModified, "unchanged"), requestID: "r")
        #expect(notModified.status == 304 && notModified.body.length == 0)
    }

    @Test func responsePreparationSetsFramingAndServerHeaders() throws {
        let request = try parse("HEAD /b HTTP/1.1\r\nx-ms-version: 2021-08-06\r\n\r\n")
        var response = HTTPResponse(status: 200, headers: ["Content-Length": "12345", "Date": "bogus"], body: .empty)
        let head = HTTPResponsePreparation.prepare(response, request: request, requestID: "id-1", keepAlive: true,
                                                   now: Date(timeIntervalSince1970: 0))
        let text = String(decoding: head.head, as: UTF8.self)
        #expect(!head.sendsBody && head.bodyLength == 0)
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Length: 12345\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nx-ms-request-id: id-1\r\nx-ms-version: 2021-08-06\r\nServer: medstored\r\n\r\n")

        let get = try parse("GET /b HTTP/1.1\r\n\r\n")
        response.body = .bytes([1, 2, 3])
        let full = HTTPResponsePreparation.prepare(response, request: get, requestID: "id-2", keepAlive: false)
        let fullText = String(decoding: full.head, as: UTF8.self)
        #expect(full.sendsBody && full.bodyLength == 3)
        #expect(fullText.contains("Content-Length: 3\r\n") && !fullText.contains("12345") && fullText.contains("Connection: close\r\n"))

        let noContent = HTTPResponsePreparation.prepare(HTTPResponse(status: 204, body: .bytes([1])), request: get,
                                                        requestID: "id-3", keepAlive: true)
        #expect(!noContent.sendsBody && !String(decoding: noContent.head, as: UTF8.self).contains("Content-Length"))
        #expect(HTTPResponsePreparation.handlerWantsClose(HTTPResponse(status: 200, headers: ["connection": "Close"])))
    }
}
