import MedStoreTestSupport
import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreSocket
import Testing
@testable import MedStoreServer

// Shared helpers for the HTTP*Tests suites: a raw TCP client that writes exact bytes and parses
// responses itself, a server wrapper, and the test handler. The one test here checks the
// helpers' own response parser, so a broken helper cannot make the other suites pass vacuously.

@Suite("HTTP test helpers")
struct HTTPTestSupportTests {
    @Test func rawClientParsesLengthDelimitedAndInterimResponses() throws {
        let server = try TestHTTPServer { _ in HTTPResponse(status: 200, body: .bytes(Array("abc".utf8))) }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\nGET /y HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try client.readResponse()
        let second = try client.readResponse()
        #expect(first.status == 200 && first.text == "abc")
        #expect(second.status == 200 && second.text == "abc")
        #expect(first.headers["x-ms-request-id"] != second.headers["x-ms-request-id"])
    }
}

/// A response as the raw client parsed it.
struct RawResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum RawClientError: Error {
    case closed
    case timedOut
    case malformed(String)
    case connectFailed(Int32)
}

/// A blocking TCP client for tests: sends exactly the given bytes, parses responses by hand.
final class RawHTTPClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host` (an IPv4 or IPv6 literal) on `port`.
    init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 10) throws {
        let isV6 = host.contains(":")
        fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RawClientError.connectFailed(errno) }
        var rc: Int32
        if isV6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(port).bigEndian)
            _ = inet_pton(AF_INET6, host, &sa.sin6_addr)
            rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port).bigEndian)
            _ = inet_pton(AF_INET, host, &sa.sin_addr)
            rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw RawClientError.connectFailed(code)
        }
        SocketIO.setTimeout(fd, option: SO_RCVTIMEO, seconds: timeoutSeconds)
        SocketIO.setTimeout(fd, option: SO_SNDTIMEO, seconds: timeoutSeconds)
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws { try SocketIO.sendAll(fd, bytes) }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads one response (a 1xx too). `bodyless`: the request was HEAD.
    func readResponse(bodyless: Bool = false) throws -> RawResponse {
        var headEnd: Int?
        while headEnd == nil {
            if let index = find([13, 10, 13, 10]) { headEnd = index + 4 } else if try !fill() { throw RawClientError.closed }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd!)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw RawClientError.malformed(String(head.prefix(200)))
        }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw RawClientError.malformed(line) }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        if bodyless || status < 200 || status == 204 || status == 304 {
            return RawResponse(status: status, headers: headers, body: [])
        }
        guard let lengthText = headers["Content-Length"], let length = Int(lengthText) else {
            throw RawClientError.malformed("no Content-Length")
        }
        while buffer.count < length {
            if try !fill() { throw RawClientError.closed }
        }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// Reads `count` raw bytes (or fewer when the peer closes first).
    func readBytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            if try !fill() { break }
        }
        let result = Array(buffer.prefix(count))
        buffer.removeFirst(result.count)
        return result
    }

    /// Whether the server closes the connection within `seconds` (EOF or reset), sending nothing else.
    func closesWithin(seconds: Int) -> Bool {
        SocketIO.setTimeout(fd, option: SO_RCVTIMEO, seconds: seconds)
        defer { SocketIO.setTimeout(fd, option: SO_RCVTIMEO, seconds: 10) }
        var scratch = [UInt8](repeating: 0, count: 4096)
        let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return buffer.isEmpty }
        return n < 0 && errno == ECONNRESET
    }

    /// Whether bytes are already buffered by this client.
    var hasBufferedBytes: Bool { !buffer.isEmpty }

    private func fill() throws -> Bool {
        var scratch = [UInt8](repeating: 0, count: 256 * 1024)
        let n = scratch.withUnsafeMutableBytes { raw in SocketIO.retryingEINTR { recv(fd, raw.baseAddress, raw.count, 0) } }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw RawClientError.timedOut }
            if errno == ECONNRESET { return false }
            throw RawClientError.malformed("recv failed: errno \(errno)")
        }
        if n == 0 { return false }
        buffer.append(contentsOf: scratch[0..<n])
        return true
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] {
            if Array(buffer[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// A value shared between a handler and the test.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: Value

    init(_ value: Value) { storage = value }

    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return storage }
        set { lock.lock(); storage = newValue; lock.unlock() }
    }
}

/// An `HTTPServer` on an ephemeral loopback port.
final class TestHTTPServer: Sendable {
    let server: HTTPServer
    let logs = LogCapture()
    let host: String

    var port: Int { server.boundPort }

    init(listen: String = "127.0.0.1:0", tls: TLSConfiguration? = nil, limits: HTTPLimits = HTTPLimits(),
         handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse = TestHandler.respond) throws {
        server = try HTTPServer(listen: listen, tls: tls, handler: HTTPClosureHandler(handler), logger: logs.logger, limits: limits)
        if listen.hasPrefix("[::]") || listen.hasPrefix("0.0.0.0") {
            host = "127.0.0.1"
        } else if listen.hasPrefix("[") {
            host = String(listen.dropFirst().prefix { $0 != "]" })
        } else {
            host = String(listen.prefix { $0 != ":" })
        }
        server.start()
    }

    func client(host: String? = nil) throws -> RawHTTPClient {
        try RawHTTPClient(host: host ?? self.host, port: port)
    }

    func stop() {
        server.stop(drainTimeout: 5)
    }
}

/// The standard test handler.
enum TestHandler {
    /// A random 1 MiB block; streamed bodies are copies of it with the chunk number in the first
    /// 8 bytes, so lost, repeated or reordered chunks change the hash.
    static let block: [UInt8] = (try? Crypto.randomBytes(1 << 20)) ?? [UInt8](repeating: 7, count: 1 << 20)

    static func streamChunk(_ index: Int) -> [UInt8] {
        var chunk = block
        withUnsafeBytes(of: UInt64(index).bigEndian) { raw in
            for i in 0..<8 { chunk[i] = raw[i] }
        }
        return chunk
    }

    /// `GET /hello` → "hello"; `/echo` → the request's parts as text; `PUT /upload` → length and
    /// SHA-256 of the body; `/ignore-body` → 200 without reading; `GET /stream?mib=N` → N MiB of
    /// stream chunks; `GET /short-stream` → declares 1000 bytes, writes 500.
    @Sendable static func respond(_ request: HTTPRequest) -> HTTPResponse {
        switch request.rawPath {
        case "/hello":
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: .bytes(Array("hello".utf8)))
        case "/echo":
            var text = "method=\(request.method)\ntarget=\(request.target)\npath=\(request.rawPath)\nquery=\(request.rawQuery)\n"
            text += "version=\(request.version)\npeer=\(request.peer)\ntls=\(request.isTLS)\nid=\(request.requestID)\n"
            for (name, value) in request.headers.all { text += "h:\(name)=\(value)\n" }
            return HTTPResponse(status: 200, body: .bytes(Array(text.utf8)))
        case "/upload":
            var received: [UInt8] = []
            var scratch = [UInt8](repeating: 0, count: 64 * 1024)
            do throws(MedStoreError) {
                while true {
                    let n = try scratch.withUnsafeMutableBytes { raw in
                        Result { () throws(MedStoreError) in try request.body.read(into: raw) }
                    }.get()
                    if n == 0 { break }
                    received += scratch[0..<n]
                }
            } catch {
                var response = AzureErrorBody.response(for: error, requestID: request.requestID)
                response.headers.add("x-test-error-code", error.code.rawValue)
                return response
            }
            let declared = request.body.declaredLength.map { String($0) } ?? "nil"
            let text = "len=\(received.count) sha=\(Crypto.hex(Crypto.sha256(received))) declared=\(declared) chunked=\(request.body.isChunked)"
            return HTTPResponse(status: 201, body: .bytes(Array(text.utf8)))
        case "/ignore-body":
            return HTTPResponse(status: 200, body: .bytes(Array("ignored".utf8)))
        case "/stream":
            let mib = Int(request.rawQuery.split(separator: "=").last ?? "1") ?? 1
            return HTTPResponse(status: 200, body: .stream(length: Int64(mib) << 20) { writer in
                for index in 0..<mib { try writer.write(streamChunk(index)) }
            })
        case "/short-stream":
            return HTTPResponse(status: 200, body: .stream(length: 1000) { writer in
                try writer.write([UInt8](repeating: 1, count: 500))
            })
        default:
            return HTTPResponse(status: 404, body: .bytes(Array("no route".utf8)))
        }
    }
}
