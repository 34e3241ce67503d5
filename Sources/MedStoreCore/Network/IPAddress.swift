#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MedStoreProtocol

/// An IPv4 or IPv6 address, parsed with `inet_pton` and printed with `inet_ntop`.
///
/// Parsing is the C library's strict form: dotted-quad IPv4 only (no leading zeros, no
/// shorthand like `10.1`), IPv6 without zone ids or brackets, no surrounding whitespace.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// Address family.
    public enum Family: Sendable, Hashable {
        /// IPv4, 4 bytes.
        case v4
        /// IPv6, 16 bytes.
        case v6
    }

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// `.v4` for 4 bytes, `.v6` for 16.
    public var family: Family { bytes.count == 4 ? .v4 : .v6 }

    /// Wraps 4 (IPv4) or 16 (IPv6) bytes in network order; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses an IPv4 (`192.0.2.1`) or IPv6 (`2001:db8::1`) address; `nil` if it is neither.
    public init?(_ text: String) {
        // Longer than any textual address, or an embedded NUL that C would silently cut at.
        guard !text.isEmpty, text.utf8.count <= 45, !text.utf8.contains(0) else { return nil }
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        }
    }

    /// Parses an address like ``init(_:)``.
    ///
    /// - Throws: `.invalidIPRule` if `text` is not an IPv4 or IPv6 address.
    public static func parse(_ text: String) throws(MedStoreError) -> IPAddress {
        guard let address = IPAddress(text) else {
            throw MedStoreError(.invalidIPRule, "'\(text.prefix(64))' is not an IPv4 address (like 203.0.113.7) or an IPv6 address (like 2001:db8::7)")
        }
        return address
    }

    /// The canonical text from `inet_ntop` (IPv6 lowercase with the longest zero run as `::`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { source in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, source.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        precondition(ok, "inet_ntop failed for a valid address")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// For an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, what a dual-stack socket reports for an
    /// IPv4 peer) the plain IPv4 address; otherwise the address itself.
    public var unmappedIPv4: IPAddress {
        guard bytes.count == 16,
              bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return self }
        return IPAddress(validBytes: Array(bytes[12..<16]))
    }

    /// The IPv4 address as a 32-bit number (host order), or `nil` for IPv6.
    public var ipv4Value: UInt32? {
        guard bytes.count == 4 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private init(validBytes: [UInt8]) {
        bytes = validBytes
    }
}
