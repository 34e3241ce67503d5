import Foundation

/// Finds and parses an HTTP/1.x request head (RFC 9112): request line, header fields, blank
/// line. Strict where leniency enables request smuggling (whitespace before `:`, line folding,
/// conflicting `Content-Length`, `Content-Length` with `Transfer-Encoding`); lines may end in
/// CRLF or a bare LF.
enum HTTPHeadParser {
    /// Progress of looking for the end of a head.
    enum Scan: Equatable {
        /// The head is incomplete; call again with more bytes, passing `resumeAt`.
        case needMore(resumeAt: Int)
        /// The head occupies the first `length` bytes (blank line included).
        case complete(length: Int)
    }

    /// Looks for the blank line ending the head in `bytes` (which starts at the request line),
    /// enforcing the request-line and header-section limits on what has arrived so far.
    static func scan(_ bytes: UnsafeRawBufferPointer, resumeAt: Int, limits: HTTPLimits) throws(HTTPProtocolError) -> Scan {
        let count = bytes.count
        guard let requestLineEnd = indexOfLF(bytes, from: 0) else {
            if count > limits.maxRequestLineBytes + 1 { throw .uriTooLong(limit: limits.maxRequestLineBytes) }
            return .needMore(resumeAt: 0)
        }
        let lineLength = requestLineEnd > 0 && bytes[requestLineEnd - 1] == 0x0D ? requestLineEnd - 1 : requestLineEnd
        if lineLength > limits.maxRequestLineBytes { throw .uriTooLong(limit: limits.maxRequestLineBytes) }
        let sectionStart = requestLineEnd + 1
        var lf = max(resumeAt, requestLineEnd)
        while true {
            // `lf` ends a line; is the next line empty?
            let next = lf + 1
            if next < count && bytes[next] == 0x0A { return try checked(next + 1 - sectionStart, .complete(length: next + 1), limits) }
            if next + 1 < count && bytes[next] == 0x0D && bytes[next + 1] == 0x0A {
                return try checked(next + 2 - sectionStart, .complete(length: next + 2), limits)
            }
            if next >= count || (next + 1 >= count && bytes[next] == 0x0D) {
                return try checked(count - sectionStart, .needMore(resumeAt: lf), limits)
            }
            guard let following = indexOfLF(bytes, from: next) else {
                return try checked(count - sectionStart, .needMore(resumeAt: lf), limits)
            }
            lf = following
        }
    }

    private static func checked(_ sectionBytes: Int, _ result: Scan, _ limits: HTTPLimits) throws(HTTPProtocolError) -> Scan {
        // The blank line's own CRLF does not count against the limit.
        if sectionBytes > limits.maxHeaderBytes + 2 {
            throw .headersTooLarge("The request headers are larger than \(limits.maxHeaderBytes) bytes.")
        }
        return result
    }

    /// Parses a complete head (as found by `scan`).
    static func parse(_ head: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPProtocolError) -> HTTPRequestHead {
        var lines: [UnsafeRawBufferPointer] = []
        var lineStart = 0
        while let lf = indexOfLF(head, from: lineStart) {
            var lineEnd = lf
            if lineEnd > lineStart && head[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            lines.append(UnsafeRawBufferPointer(rebasing: head[lineStart..<lineEnd]))
            lineStart = lf + 1
        }
        guard let requestLine = lines.first, lines.count >= 2, lines.last!.isEmpty else {
            throw .badRequest("The request head is incomplete.")
        }
        let fieldLines = lines[1..<(lines.count - 1)]
        if fieldLines.count > limits.maxHeaderCount {
            throw .headersTooLarge("The request has \(fieldLines.count) header fields; at most \(limits.maxHeaderCount) are accepted.")
        }
        let (method, target, minor) = try parseRequestLine(requestLine)
        var headers = HTTPHeaders()
        for line in fieldLines {
            let (name, value) = try parseField(line)
            headers.add(name, value)
        }
        return try interpret(method: method, target: target, minorVersion: minor, headers: headers)
    }

    /// Splits `method SP target SP HTTP/1.x` and validates each part.
    static func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(HTTPProtocolError) -> (String, String, Int) {
        guard let firstSpace = line.firstIndex(of: 0x20),
              let secondSpace = line[(firstSpace + 1)...].firstIndex(of: 0x20) else {
            throw .badRequest("The request line is not 'METHOD target HTTP/1.1'.")
        }
        let method = line[..<firstSpace]
        let target = line[(firstSpace + 1)..<secondSpace]
        let version = line[(secondSpace + 1)...]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else {
            throw .badRequest("The request method is not a valid HTTP token.")
        }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidURI("The request target is empty or contains spaces, control characters or non-ASCII bytes.")
        }
        let targetString = String(decoding: target, as: UTF8.self)
        let isOrigin = target.first == UInt8(ascii: "/")
        let isAsterisk = target.count == 1 && target.first == UInt8(ascii: "*")
        let isAbsolute = targetString.lowercased().hasPrefix("http://") || targetString.lowercased().hasPrefix("https://")
        guard isOrigin || isAsterisk || isAbsolute else {
            throw .invalidURI("The request target must be a path starting with '/'.")
        }
        let versionBytes = Array(version)
        guard versionBytes.count == 8, versionBytes.starts(with: Array("HTTP/".utf8)),
              isDigit(versionBytes[5]), versionBytes[6] == UInt8(ascii: "."), isDigit(versionBytes[7]) else {
            throw .badRequest("The request line does not end in an HTTP version like HTTP/1.1.")
        }
        guard versionBytes[5] == UInt8(ascii: "1") else {
            throw HTTPProtocolError(status: 505, code: "UnsupportedHttpVersion",
                                    message: "Only HTTP/1.0 and HTTP/1.1 are supported.")
        }
        let minor = Int(versionBytes[7] - UInt8(ascii: "0"))
        let methodString = String(decoding: method, as: UTF8.self)
        if isAsterisk && methodString != "OPTIONS" {
            throw .invalidURI("The request target '*' is only valid with OPTIONS.")
        }
        return (methodString, targetString, min(minor, 1))
    }

    /// Splits `name: value`; rejects whitespace before the colon, folded lines and control bytes.
    static func parseField(_ line: UnsafeRawBufferPointer) throws(HTTPProtocolError) -> (String, String) {
        if let first = line.first, first == 0x20 || first == 0x09 {
            throw .badRequest("Folded header lines (starting with whitespace) are not accepted.")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw .badRequest("A header line has no 'name:' part.")
        }
        let name = line[..<colon]
        guard name.allSatisfy(isTokenByte) else {
            throw .badRequest("A header name contains characters that are not allowed (whitespace before ':' included).")
        }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd && (line[valueStart] == 0x20 || line[valueStart] == 0x09) { valueStart += 1 }
        while valueEnd > valueStart && (line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09) { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        let nameString = String(decoding: name, as: UTF8.self)
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
            throw .invalidHeader(nameString, "The value of header '\(nameString)' contains control characters.")
        }
        return (nameString, String(decoding: value, as: UTF8.self))
    }

    /// Derives the body framing and connection handling from the headers.
    static func interpret(method: String, target: String, minorVersion: Int, headers: HTTPHeaders) throws(HTTPProtocolError) -> HTTPRequestHead {
        let lengths = headers.values("Content-Length")
        let encodings = headers.values("Transfer-Encoding")
        var framing = HTTPBodyFraming.none
        if !encodings.isEmpty {
            guard lengths.isEmpty else {
                throw .invalidHeader("Transfer-Encoding", "A request may not carry both Content-Length and Transfer-Encoding.")
            }
            let codings = encodings.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard codings == ["chunked"] else {
                throw .invalidHeader("Transfer-Encoding", "Only 'Transfer-Encoding: chunked' is supported.")
            }
            framing = .chunked
        } else if !lengths.isEmpty {
            framing = .length(try contentLength(lengths))
        }
        let connection = headers.values("Connection").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let keepAlive = minorVersion >= 1 ? !connection.contains("close") : connection.contains("keep-alive")
        var expectContinue = false
        if let expect = headers["Expect"] {
            guard expect.lowercased() == "100-continue" else {
                throw HTTPProtocolError(status: 417, code: "InvalidHeaderValue",
                                        message: "Only 'Expect: 100-continue' is supported.", details: [("HeaderName", "Expect")])
            }
            expectContinue = minorVersion >= 1
        }
        return HTTPRequestHead(method: method, target: target, minorVersion: minorVersion, headers: headers,
                               framing: framing, keepAlive: keepAlive, expectContinue: expectContinue)
    }

    /// One non-negative decimal length from every `Content-Length` value (a list of equal values
    /// is accepted, as RFC 9112 allows); anything else is refused.
    static func contentLength(_ values: [String]) throws(HTTPProtocolError) -> Int64 {
        var result: Int64?
        for value in values {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = part.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(isDigit), let number = Int64(text) else {
                    throw .invalidHeader("Content-Length", "Content-Length must be a non-negative decimal number.")
                }
                if let previous = result, previous != number {
                    throw .invalidHeader("Content-Length", "The request carries conflicting Content-Length values.")
                }
                result = number
            }
        }
        guard let result else { throw .invalidHeader("Content-Length", "Content-Length is empty.") }
        return result
    }

    static func indexOfLF(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + from, 0x0A, bytes.count - from) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): return true
        default: return false
        }
    }
}
