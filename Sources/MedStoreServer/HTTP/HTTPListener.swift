import CMedStoreShims
import Foundation
import MedStoreCore
import MedStoreProtocol

/// A listening TCP socket (IPv4 or IPv6) for the HTTP server.
final class HTTPListener: @unchecked Sendable {
    private(set) var fd: Int32
    let port: Int

    /// Parses `HOST:PORT` (`127.0.0.1:10000`, `[::1]:10000`, `0.0.0.0:10000`, `[::]:10000`,
    /// `localhost:10000`); HOST must be a numeric address or `localhost`.
    static func parse(_ text: String) throws(MedStoreError) -> (address: IPAddress, port: Int) {
        let usage = "expected HOST:PORT such as 127.0.0.1:10000, 0.0.0.0:10000 or [::1]:10000"
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw MedStoreError(.invalidArgument, "listen address '\(text)': \(usage)")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw MedStoreError(.invalidArgument, "listen address '\(text)': \(usage) (put IPv6 addresses in brackets)")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port), portText.allSatisfy(\.isNumber) else {
            throw MedStoreError(.invalidArgument, "listen address '\(text)': the port must be a number from 0 to 65535")
        }
        let hostText = host == "localhost" ? "127.0.0.1" : String(host)
        guard let address = IPAddress(hostText) else {
            throw MedStoreError(.invalidArgument, "listen address '\(text)': '\(host)' is not an IPv4 or IPv6 address; \(usage)")
        }
        return (address, port)
    }

    /// Creates, binds and listens (`SO_REUSEADDR`, `SOCK_CLOEXEC`, backlog `SOMAXCONN`).
    init(listen text: String) throws(MedStoreError) {
        let (address, port) = try HTTPListener.parse(text)
        let isV6 = address.family == .v6
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MedStoreError(.unavailable, "socket() failed: \(String(cString: strerror(errno)))") }
        SocketOptions.setInt(fd, level: SOL_SOCKET, option: SO_REUSEADDR, value: 1)
        var rc: Int32
        if isV6 {
            // `[::]` also accepts IPv4 (peers then appear IPv4-mapped and are unmapped per request).
            let unspecified = address.bytes.allSatisfy { $0 == 0 }
            SocketOptions.setInt(fd, level: Int32(IPPROTO_IPV6), option: IPV6_V6ONLY, value: unspecified ? 0 : 1)
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &sa.sin6_addr) { raw in raw.copyBytes(from: address.bytes) }
            rc = withUnsafePointer(to: &sa) { ptr in
                ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &sa.sin_addr) { raw in raw.copyBytes(from: address.bytes) }
            rc = withUnsafePointer(to: &sa) { ptr in
                ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw MedStoreError(.unavailable, "cannot listen on \(text): \(reason)")
        }
        guard Glibc.listen(fd, SOMAXCONN) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw MedStoreError(.unavailable, "cannot listen on \(text): \(reason)")
        }
        self.fd = fd
        self.port = HTTPListener.localPort(fd) ?? port
    }

    /// Adopts an already listening TCP socket (socket activation).
    init(adoptingFD fd: Int32) {
        self.fd = fd
        self.port = HTTPListener.localPort(fd) ?? 0
    }

    /// Accepts one connection (`SOCK_CLOEXEC`); returns the fd, or -1 with errno set.
    func accept() -> Int32 {
        medstore_accept_cloexec(fd)
    }

    /// Wakes a thread blocked in `poll`/`accept` on the socket (it stays open).
    func wake() {
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Closes the socket; call once no thread uses it.
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// The peer of a connected socket, IPv4-mapped IPv6 unmapped; `nil` if unavailable.
    static func peerAddress(_ fd: Int32) -> IPAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return address(from: storage)?.unmappedIPv4
    }

    private static func address(from storage: sockaddr_storage) -> IPAddress? {
        var copy = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &copy) { raw in
                raw.baseAddress!.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sa in
                    withUnsafeBytes(of: sa.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
                }
            }
        case AF_INET6:
            return withUnsafeBytes(of: &copy) { raw in
                raw.baseAddress!.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sa in
                    withUnsafeBytes(of: sa.pointee.sin6_addr) { IPAddress(bytes: Array($0)) }
                }
            }
        default:
            return nil
        }
    }

    private static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        var copy = storage
        return withUnsafeBytes(of: &copy) { raw -> Int? in
            switch Int32(storage.ss_family) {
            case AF_INET: return Int(UInt16(bigEndian: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port))
            case AF_INET6: return Int(UInt16(bigEndian: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port))
            default: return nil
            }
        }
    }
}
