import MedStoreServer

/// `http`: the bytes a client sends on one data-plane connection, through ``HTTPStreamParser``
/// (the connection's head reader and body decoder without the socket), with small limits so
/// that the limit checks are within reach of short inputs.
///
/// Invariants: the same bytes give the same requests and the same ending whether they arrive at
/// once into a roomy buffer, byte by byte into a 1-byte buffer that must grow, or in other piece,
/// buffer and body-read sizes (reads of 16 KiB and more bypass the buffer); a stream that ends
/// quietly was received to its last byte; each request keeps the parser's promises (token
/// method and header names, a printable ASCII target, a body that matches its framing); and each
/// request written out again parses to the same request.
enum HTTPHarness {
    static let limits = HTTPLimits(maxRequestLineBytes: 256, maxHeaderBytes: 1024, maxHeaderCount: 16)

    /// (receive size, starting buffer capacity, body read size) for the comparison runs.
    static let deliveries = [(1, 1, 1), (7, 16, 5), (64, 64, 16 * 1024 + 3)]

    static func run(_ input: [UInt8]) throws(FuzzFinding) -> Set<FuzzMilestone> {
        let whole = HTTPStreamParser.parse(input, limits: limits)
        for (receive, capacity, bodyRead) in deliveries {
            let other = HTTPStreamParser.parse(input, limits: limits, receiveSize: receive, bufferCapacity: capacity, bodyReadSize: bodyRead)
            guard other == whole else {
                throw FuzzFinding(.http, "received \(receive) byte(s) at a time into a \(capacity)-byte buffer: "
                                  + "\(describe(other)); at once: \(describe(whole))")
            }
        }
        if case .streamEnded = whole.end, whole.unreceivedBytes != 0 {
            throw FuzzFinding(.http, "the stream ended quietly with \(whole.unreceivedBytes) byte(s) never received")
        }
        var reached: Set<FuzzMilestone> = []
        for request in whole.requests {
            reached.insert(.httpRequestParsed)
            if !request.body.isEmpty { reached.insert(.httpBodyRead) }
            try checkPromises(request)
            try checkRewritten(request)
        }
        return reached
    }

    private static func checkPromises(_ request: HTTPStreamParser.Request) throws(FuzzFinding) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw FuzzFinding(.http, "method \(request.method.debugDescription) is not an HTTP token")
        }
        guard !request.target.isEmpty, request.target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw FuzzFinding(.http, "target \(request.target.debugDescription) is not printable ASCII")
        }
        guard request.rawPath.hasPrefix("/") || request.target == "*" else {
            throw FuzzFinding(.http, "target \(request.target.debugDescription) gave path \(request.rawPath.debugDescription)")
        }
        guard request.version == "HTTP/1.1" || request.version == "HTTP/1.0" else {
            throw FuzzFinding(.http, "version \(request.version.debugDescription)")
        }
        for field in request.headers.all {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(isTokenByte) else {
                throw FuzzFinding(.http, "header name \(field.name.debugDescription) is not an HTTP token")
            }
            guard !field.value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw FuzzFinding(.http, "header \(field.name) has a line break or NUL in its value")
            }
        }
        if request.isChunked && (request.declaredLength != nil || request.headers.contains("Content-Length")) {
            throw FuzzFinding(.http, "a chunked request also has a Content-Length")
        }
        if let length = request.declaredLength, Int64(request.body.count) != length {
            throw FuzzFinding(.http, "Content-Length \(length) but \(request.body.count) body bytes")
        }
        if !request.isChunked && request.declaredLength == nil && !request.body.isEmpty {
            throw FuzzFinding(.http, "\(request.body.count) body bytes without Content-Length or chunked framing")
        }
    }

    /// Writes the request out again (head, then the body in its own framing) and parses it
    /// with the default limits.
    private static func checkRewritten(_ request: HTTPStreamParser.Request) throws(FuzzFinding) {
        var wire = Array("\(request.method) \(request.target) \(request.version)\r\n".utf8)
        for field in request.headers.all { wire += Array("\(field.name): \(field.value)\r\n".utf8) }
        wire += Array("\r\n".utf8)
        if request.isChunked {
            if !request.body.isEmpty {
                wire += Array("\(String(request.body.count, radix: 16))\r\n".utf8) + request.body + Array("\r\n".utf8)
            }
            wire += Array("0\r\n\r\n".utf8)
        } else {
            wire += request.body
        }
        let again = HTTPStreamParser.parse(wire)
        guard again.requests == [request] else {
            throw FuzzFinding(.http, "the request written out again parses as \(describe(again))")
        }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    private static func describe(_ outcome: HTTPStreamParser.Outcome) -> String {
        let requests = outcome.requests.map { "\($0.method) \($0.target) (\($0.headers.count) headers, \($0.body.count) body bytes)" }
        return "[\(requests.joined(separator: ", "))] then \(outcome.end)"
    }
}
