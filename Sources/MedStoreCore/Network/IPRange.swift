import MedStoreProtocol

/// An IPv4 or IPv6 network in CIDR notation, e.g. `203.0.113.0/24` or `2001:db8::/32`.
/// A bare address means a single host (`/32` or `/128`). Host bits must be zero, so every
/// network has exactly one spelling.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits zero).
    public let network: IPAddress
    /// The prefix length: 0–32 for IPv4, 0–128 for IPv6.
    public let prefixLength: Int

    /// Creates a network, checking the prefix length and that no host bits are set.
    ///
    /// - Throws: `.invalidIPRule`.
    public init(network: IPAddress, prefixLength: Int) throws(MedStoreError) {
        let maximum = network.bytes.count * 8
        guard (0...maximum).contains(prefixLength) else {
            throw MedStoreError(.invalidIPRule, "prefix length /\(prefixLength) is out of range for \(network) (0 to \(maximum))")
        }
        let masked = Self.mask(network.bytes, prefixLength: prefixLength)
        guard masked == network.bytes else {
            let suggestion = IPAddress(bytes: masked).map { "\($0)/\(prefixLength)" } ?? ""
            throw MedStoreError(.invalidIPRule, "\(network)/\(prefixLength) has host bits set; did you mean \(suggestion)?")
        }
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Parses `address/prefix` or a single address (as /32 or /128).
    ///
    /// - Throws: `.invalidIPRule` for a malformed address or prefix, or host bits set (the message
    ///   suggests the network meant, e.g. "did you mean 10.0.0.0/8?").
    public static func parse(_ text: String) throws(MedStoreError) -> CIDR {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = try IPAddress.parse(String(parts[0]))
        guard parts.count == 2 else {
            return try CIDR(network: address, prefixLength: address.bytes.count * 8)
        }
        let prefixText = parts[1]
        let maximum = address.bytes.count * 8
        guard !prefixText.isEmpty, prefixText.count <= 3,
              prefixText.allSatisfy({ $0.isASCII && $0.isNumber }),
              prefixText == "0" || !prefixText.hasPrefix("0"),
              let prefix = Int(prefixText), prefix <= maximum else {
            throw MedStoreError(.invalidIPRule, "'\(text.prefix(64))' has an invalid prefix length; expected /0 to /\(maximum)")
        }
        return try CIDR(network: address, prefixLength: prefix)
    }

    /// Whether `address` lies in this network. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`)
    /// are compared as IPv4; an IPv4 address is never in an IPv6 network and vice versa.
    public func contains(_ address: IPAddress) -> Bool {
        let candidate = address.unmappedIPv4
        guard candidate.bytes.count == network.bytes.count else { return false }
        return Self.mask(candidate.bytes, prefixLength: prefixLength) == network.bytes
    }

    /// Whether the network is a single host (/32 or /128).
    public var isSingleAddress: Bool { prefixLength == network.bytes.count * 8 }

    /// Canonical text, always with the prefix: `10.0.0.0/8`, `192.0.2.7/32`, `2001:db8::/32`.
    public var description: String { "\(network)/\(prefixLength)" }

    private static func mask(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bitsKept = min(max(prefixLength - index * 8, 0), 8)
            return bitsKept == 0 ? 0 : byte & UInt8(truncatingIfNeeded: 0xff << (8 - bitsKept))
        }
    }
}

/// The `sip` field of a SAS: one IPv4 address or an inclusive range `low-high`, IPv4 only as
/// in Azure.
public struct SASIPRange: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the range.
    public let low: IPAddress
    /// The last address of the range (equal to `low` for a single address).
    public let high: IPAddress
    /// The text exactly as given (and signed).
    public let text: String

    /// Parses `203.0.113.7` or `203.0.113.7-203.0.113.9`.
    ///
    /// - Throws: `.invalidIPRule` for anything else, an IPv6 address, or `low` greater than `high`.
    public static func parse(_ text: String) throws(MedStoreError) -> SASIPRange {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let low = try ipv4(String(parts[0]), in: text)
        let high = parts.count == 2 ? try ipv4(String(parts[1]), in: text) : low
        guard let lowValue = low.ipv4Value, let highValue = high.ipv4Value, lowValue <= highValue else {
            throw MedStoreError(.invalidIPRule, "SAS IP range '\(text)' starts after it ends; write the lower address first")
        }
        return SASIPRange(low: low, high: high, text: text)
    }

    private init(low: IPAddress, high: IPAddress, text: String) {
        self.low = low
        self.high = high
        self.text = text
    }

    private static func ipv4(_ part: String, in text: String) throws(MedStoreError) -> IPAddress {
        guard let address = IPAddress(part), address.family == .v4 else {
            throw MedStoreError(.invalidIPRule, "SAS IP '\(text.prefix(96))' must be one IPv4 address (203.0.113.7) or an inclusive IPv4 range (203.0.113.7-203.0.113.9); IPv6 is not supported")
        }
        return address
    }

    /// Whether `address` is in the range (IPv4-mapped IPv6 addresses count as IPv4; other
    /// IPv6 addresses never match).
    public func contains(_ address: IPAddress) -> Bool {
        guard let value = address.unmappedIPv4.ipv4Value,
              let lowValue = low.ipv4Value, let highValue = high.ipv4Value else { return false }
        return lowValue <= value && value <= highValue
    }

    /// The text as signed.
    public var description: String { text }
}
