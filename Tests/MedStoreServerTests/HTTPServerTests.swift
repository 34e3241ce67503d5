import Foundation
import MedStoreCore
import MedStoreProtocol
import Testing
@testable import MedStoreServer

/// The HTTP server over real loopback sockets, driven by a raw client that writes exact bytes.
@Suite("HTTP server")
struct HTTPServerTests {
    // MARK: - Keep-alive, headers, HEAD, pipelining

    @Test func keepAliveServesTwoRequestsOnOneConnectionWithStandardHeaders() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try client.readResponse()
        try client.send("GET /echo HTTP/1.1\r\nHost: t\r\nx-ms-version: 2019-12-12\r\nx-ms-client-request-id: abc-1\r\n\r\n")
        let second = try client.readResponse()
        #expect(first.status == 200 && first.text == "hello")
        #expect(first.headers["Content-Length"] == "5")
        #expect(first.headers["Content-Type"] == "text/plain")
        #expect(first.headers["Server"] == "medstored")
        #expect(first.headers["x-ms-version"] == "2026-10-06")
        #expect(first.headers["Connection"] == nil)
        let date = try #require(first.headers["Date"])
        let parsed = try #require(RFC1123Date.parse(date))
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
        let id1 = try #require(first.headers["x-ms-request-id"])
        let id2 = try #require(second.headers["x-ms-request-id"])
        #expect(UUID(uuidString: id1) != nil && id1 == id1.lowercased() && id1 != id2)
        // The id handed to the handler is the one sent back.
        #expect(second.text.contains("id=\(id2)\n"))
        #expect(second.headers["x-ms-version"] == "2019-12-12")
        #expect(second.headers["x-ms-client-request-id"] == "abc-1")
    }

    @Test func connectionCloseAndHTTP10AreHonoured() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let closing = try server.client()
        try closing.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let closed = try closing.readResponse()
        #expect(closed.headers["Connection"] == "close")
        #expect(closing.closesWithin(seconds: 5))

        let old = try server.client()
        try old.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse().headers["Connection"] == "close")
        #expect(old.closesWithin(seconds: 5))

        let oldKept = try server.client()
        try oldKept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try oldKept.readResponse().headers["Connection"] == "keep-alive")
        try oldKept.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try oldKept.readResponse().text.contains("version=HTTP/1.0\n"))
    }

    @Test func headCarriesHeadersButNoBody() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("HEAD /stream?mib=2 HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try client.readResponse(bodyless: true)
        #expect(head.status == 200)
        #expect(head.headers["Content-Length"] == String(2 << 20))
        // Had the server sent a body, these bytes would be read as the next response's head.
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let next = try client.readResponse()
        #expect(next.status == 200 && next.text == "hello")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        let upload = "PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz"
        try client.send("GET /hello HTTP/1.1\r\n\r\n" + upload + "GET /echo?n=3 HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
        #expect(try client.readResponse().text.hasPrefix("len=3 sha=\(Crypto.hex(Crypto.sha256(Array("xyz".utf8))))"))
        #expect(try client.readResponse().text.contains("query=n=3\n"))
    }

    @Test func requestPartsReachTheHandlerUntouched() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /echo?comp=list&sig=a%2Fb&e= HTTP/1.1\r\nHost: t\r\nX-Custom-Case: v1\r\nx-custom-case:  v2 \r\n\r\n")
        let echo = try client.readResponse().text
        #expect(echo.contains("target=/echo?comp=list&sig=a%2Fb&e=\npath=/echo\nquery=comp=list&sig=a%2Fb&e=\n"))
        #expect(echo.contains("h:X-Custom-Case=v1\nh:x-custom-case=v2\n"))
        #expect(echo.contains("tls=false\n"))
    }

    // MARK: - Bodies

    @Test func expectContinueGets100BeforeTheBodyIsSent() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("hello")
        let final = try client.readResponse()
        #expect(final.status == 201 && final.text.hasPrefix("len=5 "))
        // Still usable afterwards.
        try client.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func expectContinueRejectedWithoutReadingClosesWithout100() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("PUT /ignore-body HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        let final = try client.readResponse()
        #expect(final.status == 200)
        #expect(final.headers["Connection"] == "close")
        #expect(client.closesWithin(seconds: 5))
    }

    @Test func chunkedUploadIsDecodedAndTheConnectionStaysInSync() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        let payload = Array("The quick brown fox jumps over the lazy dog".utf8)
        let body = "5;ext=1\r\nThe q\r\n19\r\nuick brown fox jumps over\r\n0000d\r\n the lazy dog\r\n0\r\nX-Trailer: t\r\n\r\n"
        try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        // Dribble the body in small pieces.
        var rest = Array(body.utf8)
        while !rest.isEmpty {
            let piece = Array(rest.prefix(7))
            rest.removeFirst(piece.count)
            try client.send(piece)
            usleep(1000)
        }
        let response = try client.readResponse()
        #expect(response.status == 201)
        #expect(response.text == "len=\(payload.count) sha=\(Crypto.hex(Crypto.sha256(payload))) declared=nil chunked=true")
        try client.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func malformedChunkedBodyMakesReadThrowAndCloses() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(response.headers["x-test-error-code"] == "invalidArgument")
        #expect(response.headers["Connection"] == "close")
        #expect(client.closesWithin(seconds: 5))
    }

    @Test func uploadTruncatedByHangUpMakesReadThrow() throws {
        let outcome = Shared<String?>(nil)
        let server = try TestHTTPServer { request in
            var scratch = [UInt8](repeating: 0, count: 4096)
            do throws(MedStoreError) {
                while try scratch.withUnsafeMutableBytes({ raw in Result { () throws(MedStoreError) in try request.body.read(into: raw) } }).get() > 0 {}
                outcome.value = "complete"
            } catch {
                outcome.value = "\(error.code.rawValue) read=\(request.body.bytesRead)"
            }
            return HTTPResponse(status: 200)
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789")
        usleep(100_000)
        client.shutdownWrite()
        let response = try client.readResponse()
        #expect(response.headers["Connection"] == "close")
        #expect(client.closesWithin(seconds: 5))
        try waitUntil { outcome.value != nil }
        #expect(outcome.value == "invalidArgument read=10")
    }

    @Test func unreadSmallBodyIsDrainedButLargeOneClosesTheConnection() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        let small = [UInt8](repeating: 0x41, count: 100_000)
        try client.send(Array("PUT /ignore-body HTTP/1.1\r\nHost: t\r\nContent-Length: \(small.count)\r\n\r\n".utf8) + small)
        let first = try client.readResponse()
        #expect(first.headers["Connection"] == nil)
        try client.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().text == "hello")

        let big = try server.client()
        try big.send("PUT /ignore-body HTTP/1.1\r\nHost: t\r\nContent-Length: \(3 << 20)\r\n\r\n")
        try big.send([UInt8](repeating: 0x42, count: 64 * 1024))
        let response = try big.readResponse()
        #expect(response.status == 200 && response.headers["Connection"] == "close")
        #expect(big.closesWithin(seconds: 5))
    }

    @Test func streamedResponseOf64MiBArrivesIntact() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /stream?mib=64 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.body.count == 64 << 20)
        var expected: [UInt8] = []
        expected.reserveCapacity(64 << 20)
        for index in 0..<64 { expected += TestHandler.streamChunk(index) }
        #expect(Crypto.sha256(response.body) == Crypto.sha256(expected))
        try client.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func streamShorterThanDeclaredClosesTheConnection() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /short-stream HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(throws: RawClientError.self) { try client.readResponse() }
        #expect(server.logs.lines.contains { $0.contains("response body shorter than its Content-Length") })
    }

    @Test func handlerContentLengthAndInjectedLinesCannotBreakFraming() throws {
        let server = try TestHTTPServer { _ in
            HTTPResponse(status: 200, headers: ["Content-Length": "999", "X-Evil": "a\r\nInjected: yes", "Transfer-Encoding": "chunked"],
                         body: .bytes(Array("four".utf8)))
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n")
        let first = try client.readResponse()
        #expect(first.text == "four" && first.headers["Content-Length"] == "4")
        #expect(first.headers["Injected"] == nil && first.headers["Transfer-Encoding"] == nil)
        #expect(try client.readResponse().text == "four")
    }

    // MARK: - Refused requests

    @Test func badRequestLineGets400WithAzureErrorBodyAndServerKeepsServing() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        for line in ["GARBAGE\r\n\r\n", "GET /a\r\n\r\n", "GET /a HTTP/1.1 extra\r\n\r\n", "GET a HTTP/1.1\r\n\r\n",
                     "GET /a http/1.1\r\n\r\n", "G(T /a HTTP/1.1\r\n\r\n", "GET /a\u{1} HTTP/1.1\r\n\r\n"] {
            let client = try server.client()
            try client.send(line)
            let response = try client.readResponse()
            #expect(response.status == 400, "\(line.debugDescription)")
            let code = try #require(response.headers["x-ms-error-code"])
            #expect(code == "InvalidInput" || code == "InvalidUri")
            #expect(response.headers["Content-Type"] == "application/xml")
            #expect(response.text.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>\(code)</Code><Message>"))
            #expect(response.text.contains("RequestId:\(response.headers["x-ms-request-id"] ?? "?")\n"))
            #expect(response.headers["Date"] != nil && response.headers["x-ms-version"] == "2026-10-06")
            #expect(client.closesWithin(seconds: 5))
        }
        let fresh = try server.client()
        try fresh.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try fresh.readResponse().text == "hello")
    }

    @Test func http2VersionGets505() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /hello HTTP/2.0\r\n\r\n")
        #expect(try client.readResponse().status == 505)
    }

    @Test func overlongRequestLineGets414() throws {
        let server = try TestHTTPServer(limits: HTTPLimits(maxRequestLineBytes: 1024))
        defer { server.stop() }
        let atLimit = try server.client()
        let path = "/echo?" + String(repeating: "a", count: 1024 - "GET /echo? HTTP/1.1".count)
        try atLimit.send("GET \(path) HTTP/1.1\r\n\r\n")
        #expect(try atLimit.readResponse().status == 200)
        let client = try server.client()
        try client.send("GET /\(String(repeating: "a", count: 5000))?sig=SECRETSIG HTTP/1.1\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 414 && response.headers["x-ms-error-code"] == "InvalidUri")
        #expect(client.closesWithin(seconds: 5))
        #expect(!server.logs.lines.joined().contains("SECRETSIG"))
        let fresh = try server.client()
        try fresh.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try fresh.readResponse().text == "hello")
    }

    @Test func hugeOrTooManyHeadersGet431() throws {
        let server = try TestHTTPServer(limits: HTTPLimits(maxHeaderBytes: 8192, maxHeaderCount: 20))
        defer { server.stop() }
        let huge = try server.client()
        try huge.send("GET /hello HTTP/1.1\r\nX-Big: \(String(repeating: "b", count: 70_000))\r\n\r\n")
        let first = try huge.readResponse()
        #expect(first.status == 431)
        #expect(huge.closesWithin(seconds: 5))

        let many = try server.client()
        let fields = (0..<21).map { "X-F\($0): v\r\n" }.joined()
        try many.send("GET /hello HTTP/1.1\r\n\(fields)\r\n")
        #expect(try many.readResponse().status == 431)

        let fine = try server.client()
        let twenty = (0..<20).map { "X-F\($0): v\r\n" }.joined()
        try fine.send("GET /hello HTTP/1.1\r\n\(twenty)\r\n")
        #expect(try fine.readResponse().status == 200)
    }

    @Test func bogusContentLengthGets400() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let cases = ["Content-Length: abc\r\n", "Content-Length: -1\r\n", "Content-Length: +5\r\n", "Content-Length: 5, 6\r\n",
                     "Content-Length: 5\r\nContent-Length: 6\r\n", "Content-Length: 1e3\r\n", "Content-Length: \r\n",
                     "Content-Length: 99999999999999999999\r\n"]
        for header in cases {
            let client = try server.client()
            try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\n\(header)\r\nhello")
            let response = try client.readResponse()
            #expect(response.status == 400, "\(header.debugDescription)")
            #expect(response.headers["x-ms-error-code"] == "InvalidHeaderValue")
            #expect(response.text.contains("<HeaderName>Content-Length</HeaderName>"))
            #expect(client.closesWithin(seconds: 5))
        }
        // Equal duplicates are one length (RFC 9112 §6.3).
        let same = try server.client()
        try same.send("PUT /upload HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try same.readResponse().status == 201)
    }

    @Test func contentLengthWithTransferEncodingGets400() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        for extra in ["Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n",
                      "Transfer-Encoding: identity\r\n"] {
            let client = try server.client()
            try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\n\(extra)\r\n5\r\nhello\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400 && response.headers["x-ms-error-code"] == "InvalidHeaderValue")
            #expect(client.closesWithin(seconds: 5))
        }
        let fresh = try server.client()
        try fresh.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try fresh.readResponse().text == "hello")
    }

    // MARK: - Timeouts

    @Test func slowClientGets408AndIsClosed() throws {
        let server = try TestHTTPServer(limits: HTTPLimits(readTimeoutSeconds: 1))
        defer { server.stop() }
        let client = try server.client()
        let started = Date()
        try client.send("GET /hello HT")
        let response = try client.readResponse()
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == 408)
        #expect(elapsed > 0.8 && elapsed < 5)
        #expect(client.closesWithin(seconds: 5))
    }

    @Test func trickledHeadIsCutAtTheReadTimeout() throws {
        let server = try TestHTTPServer(limits: HTTPLimits(readTimeoutSeconds: 1))
        defer { server.stop() }
        let client = try server.client()
        let started = Date()
        // One byte every 300 ms makes progress each time, but the whole head must arrive in 1 s.
        var status = 0
        for byte in Array("GET /hello HTTP/1.1\r\nX-Slow: yes\r\n".utf8) {
            if (try? client.send([byte])) == nil { break }
            usleep(300_000)
            if Date().timeIntervalSince(started) > 2.5 { break }
        }
        status = (try? client.readResponse().status) ?? 0
        #expect(status == 408)
        #expect(Date().timeIntervalSince(started) < 6)
    }

    @Test func stalledBodyMakesReadThrow() throws {
        let outcome = Shared<MedStoreError?>(nil)
        let server = try TestHTTPServer(limits: HTTPLimits(readTimeoutSeconds: 1)) { request in
            do throws(MedStoreError) {
                _ = try request.body.readAll(limit: 1000)
            } catch {
                outcome.value = error
            }
            return HTTPResponse(status: 400)
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("PUT /x HTTP/1.1\r\nContent-Length: 50\r\n\r\n0123")
        let response = try client.readResponse()
        #expect(response.status == 400 && response.headers["Connection"] == "close")
        #expect(outcome.value?.code == .invalidArgument)
        #expect(outcome.value?.message.contains("4 of 50 bytes") == true)
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let server = try TestHTTPServer(limits: HTTPLimits(idleTimeoutSeconds: 1))
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /hello HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let started = Date()
        #expect(client.closesWithin(seconds: 5))
        #expect(Date().timeIntervalSince(started) > 0.7)
        #expect(server.server.activeConnections == 0)
    }

    // MARK: - Addresses and concurrency

    @Test func peerAddressIsReportedForIPv4IPv6AndDualStack() throws {
        let v4 = try TestHTTPServer()
        defer { v4.stop() }
        let c4 = try v4.client()
        try c4.send("GET /echo HTTP/1.1\r\n\r\n")
        #expect(try c4.readResponse().text.contains("peer=127.0.0.1\n"))

        let v6 = try TestHTTPServer(listen: "[::1]:0")
        defer { v6.stop() }
        let c6 = try v6.client()
        try c6.send("GET /echo HTTP/1.1\r\n\r\n")
        #expect(try c6.readResponse().text.contains("peer=::1\n"))

        // A dual-stack listener sees IPv4 peers as ::ffff:127.0.0.1; handlers get plain IPv4.
        let dual = try TestHTTPServer(listen: "[::]:0")
        defer { dual.stop() }
        let cd = try dual.client(host: "127.0.0.1")
        try cd.send("GET /echo HTTP/1.1\r\n\r\n")
        #expect(try cd.readResponse().text.contains("peer=127.0.0.1\n"))
    }

    @Test func threeHundredConcurrentConnectionsAreEachServed() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        var clients: [RawHTTPClient] = []
        for _ in 0..<300 { clients.append(try server.client()) }
        for (index, client) in clients.enumerated() { try client.send("GET /echo?i=\(index) HTTP/1.1\r\n\r\n") }
        for (index, client) in clients.enumerated() {
            let response = try client.readResponse()
            #expect(response.status == 200 && response.text.contains("query=i=\(index)\n"))
        }
        #expect(server.server.activeConnections == 300)
    }

    @Test func connectionsBeyondTheLimitGet503ServerBusy() throws {
        let server = try TestHTTPServer(limits: HTTPLimits(maxConnections: 2))
        defer { server.stop() }
        let a = try server.client()
        let b = try server.client()
        try a.send("GET /hello HTTP/1.1\r\n\r\n")
        try b.send("GET /hello HTTP/1.1\r\n\r\n")
        _ = try a.readResponse()
        _ = try b.readResponse()
        let c = try server.client()
        let refused = try c.readResponse()
        #expect(refused.status == 503 && refused.headers["x-ms-error-code"] == "ServerBusy")
        #expect(c.closesWithin(seconds: 5))
    }

    @Test func stopLetsInFlightRequestsFinishAndClosesIdleConnections() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let server = try TestHTTPServer { request in
            if request.rawPath == "/slow" {
                entered.signal()
                release.wait()
            }
            return HTTPResponse(status: 200, body: .bytes(Array("done".utf8)))
        }
        let idle = try server.client()
        try idle.send("GET /x HTTP/1.1\r\n\r\n")
        _ = try idle.readResponse()
        let busy = try server.client()
        try busy.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 5) == .success)

        let stopped = Shared<Bool?>(nil)
        let stopper = Thread { stopped.value = server.server.stop(drainTimeout: 10) }
        stopper.start()
        #expect(idle.closesWithin(seconds: 3))
        #expect(stopped.value == nil)
        // New connections are refused once stopping.
        usleep(200_000)
        #expect(throws: RawClientError.self) { _ = try RawHTTPClient(port: server.port) }
        release.signal()
        let response = try busy.readResponse()
        #expect(response.text == "done" && response.headers["Connection"] == "close")
        try waitUntil { stopped.value != nil }
        #expect(stopped.value == true)
    }

    @Test func stopReportsRequestsThatOutliveTheDrainTimeout() throws {
        let release = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let server = try TestHTTPServer { _ in
            entered.signal()
            release.wait()
            return HTTPResponse(status: 200)
        }
        defer { release.signal() }
        let busy = try server.client()
        try busy.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 5) == .success)
        let started = Date()
        #expect(server.server.stop(drainTimeout: 0.5) == false)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func listenAddressesAreParsedStrictly() throws {
        #expect(try HTTPListener.parse("127.0.0.1:10000").port == 10000)
        #expect(try HTTPListener.parse("[::1]:0").address.description == "::1")
        #expect(try HTTPListener.parse("0.0.0.0:80").address.description == "0.0.0.0")
        #expect(try HTTPListener.parse("localhost:1").address.description == "127.0.0.1")
        for bad in ["127.0.0.1", "::1:80", "[::1]80", "example.com:80", "127.0.0.1:70000", "127.0.0.1:-1", "127.0.0.1:8a", ":80"] {
            #expect(throws: MedStoreError.self, "\(bad)") { try HTTPListener.parse(bad) }
        }
        #expect(throws: MedStoreError.self) {
            _ = try HTTPServer(listen: "203.0.113.9:0", tls: nil, handler: HTTPClosureHandler { _ in HTTPResponse(status: 200) },
                               logger: Logger(level: .error) { _ in })
        }
    }
}

/// Polls `condition` for up to `seconds`.
func waitUntil(seconds: Double = 5, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { throw RawClientError.timedOut }
        usleep(10_000)
    }
}
