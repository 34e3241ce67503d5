import MedStoreCore
import MedStoreProtocol
import Testing

private func ip(_ text: String) throws -> IPAddress {
    try IPAddress.parse(text)
}

@Suite("IP addresses, CIDR networks and SAS IP ranges")
struct IPParsingTests {
    @Test("parses and prints addresses canonically",
          arguments: [
              ("192.0.2.1", "192.0.2.1", IPAddress.Family.v4),
              ("0.0.0.0", "0.0.0.0", .v4),
              ("255.255.255.255", "255.255.255.255", .v4),
              ("2001:DB8:0:0:0:0:0:1", "2001:db8::1", .v6),
              ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", .v6),
              ("::", "::", .v6),
              ("::1", "::1", .v6),
              ("::ffff:1.2.3.4", "::ffff:1.2.3.4", .v6),
          ])
    func parsesAddresses(text: String, canonical: String, family: IPAddress.Family) throws {
        let address = try ip(text)
        #expect(address.description == canonical)
        #expect(address.family == family)
        #expect(address.bytes.count == (family == .v4 ? 4 : 16))
    }

    @Test("address bytes and IPv4 values")
    func addressBytes() throws {
        let address = try ip("192.0.2.1")
        #expect(address.bytes == [192, 0, 2, 1])
        #expect(address.ipv4Value == 0xC000_0201)
        #expect(try ip("::1").ipv4Value == nil)
        #expect(try ip("::ffff:1.2.3.4").unmappedIPv4 == ip("1.2.3.4"))
        #expect(try ip("::1.2.3.4").unmappedIPv4 == ip("::1.2.3.4"))
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [10, 0, 0, 1])?.description == "10.0.0.1")
    }

    @Test("rejects malformed addresses",
          arguments: ["", "1.2.3", "1.2.3.256", "01.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\u{0}", "1.2.3.4\u{0}junk",
                      "fe80::1%eth0", "[::1]", "1.2.3.4.5", "::1::2", "abc", "10.1", "0x7f.0.0.1", "1.2.3.-4",
                      "12345::", String(repeating: "1", count: 100)])
    func rejectsAddresses(text: String) {
        #expect(IPAddress(text) == nil)
        let error = #expect(throws: MedStoreError.self) { try IPAddress.parse(text) }
        #expect(error?.code == .invalidIPRule)
    }

    @Test("parses CIDR networks",
          arguments: [
              ("10.0.0.0/8", "10.0.0.0/8", 8),
              ("192.0.2.7", "192.0.2.7/32", 32),
              ("192.0.2.7/32", "192.0.2.7/32", 32),
              ("0.0.0.0/0", "0.0.0.0/0", 0),
              ("203.0.113.0/24", "203.0.113.0/24", 24),
              ("2001:DB8::/32", "2001:db8::/32", 32),
              ("::1", "::1/128", 128),
              ("::/0", "::/0", 0),
          ])
    func parsesCIDR(text: String, canonical: String, prefix: Int) throws {
        let cidr = try CIDR.parse(text)
        #expect(cidr.description == canonical)
        #expect(cidr.prefixLength == prefix)
        #expect(cidr.isSingleAddress == (prefix == cidr.network.bytes.count * 8))
        #expect(try CIDR.parse(canonical) == cidr)
    }

    @Test("rejects host bits with a suggestion")
    func hostBits() {
        let v4 = #expect(throws: MedStoreError.self) { try CIDR.parse("10.1.2.3/8") }
        #expect(v4?.code == .invalidIPRule)
        #expect(v4?.message.contains("did you mean 10.0.0.0/8?") == true)
        let v4b = #expect(throws: MedStoreError.self) { try CIDR.parse("192.168.1.130/25") }
        #expect(v4b?.message.contains("did you mean 192.168.1.128/25?") == true)
        let v6 = #expect(throws: MedStoreError.self) { try CIDR.parse("2001:db8::1/32") }
        #expect(v6?.message.contains("did you mean 2001:db8::/32?") == true)
    }

    @Test("rejects malformed CIDR",
          arguments: ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/ 8", "10.0.0.0/8/9",
                      "10.0.0.0/8 ", "/8", "::/129", "10.0.0/8", "10.0.0.0/+8", "10.0.0.0/0008", "10.0.0.0/８"])
    func rejectsCIDR(text: String) {
        let error = #expect(throws: MedStoreError.self) { try CIDR.parse(text) }
        #expect(error?.code == .invalidIPRule)
    }

    @Test("CIDR membership")
    func cidrContains() throws {
        let net = try CIDR.parse("10.0.0.0/8")
        #expect(net.contains(try ip("10.0.0.0")))
        #expect(net.contains(try ip("10.255.255.255")))
        #expect(!net.contains(try ip("11.0.0.0")))
        #expect(!net.contains(try ip("9.255.255.255")))
        #expect(net.contains(try ip("::ffff:10.1.1.1")))
        #expect(!net.contains(try ip("::a01:101")))
        let half = try CIDR.parse("192.168.1.0/25")
        #expect(half.contains(try ip("192.168.1.127")))
        #expect(!half.contains(try ip("192.168.1.128")))
        let host = try CIDR.parse("203.0.113.7")
        #expect(host.contains(try ip("203.0.113.7")))
        #expect(!host.contains(try ip("203.0.113.8")))
        let everything = try CIDR.parse("0.0.0.0/0")
        #expect(everything.contains(try ip("255.255.255.255")))
        #expect(!everything.contains(try ip("::1")))
        let v6 = try CIDR.parse("2001:db8::/32")
        #expect(v6.contains(try ip("2001:db8:ffff::1")))
        #expect(!v6.contains(try ip("2001:db9::")))
        #expect(!v6.contains(try ip("10.0.0.1")))
        #expect(try CIDR.parse("::/0").contains(try ip("2001:db8::1")))
        #expect(throws: MedStoreError.self) { try CIDR(network: try ip("10.0.0.0"), prefixLength: 33) }
        #expect(try CIDR(network: try ip("10.0.0.0"), prefixLength: 8) == CIDR.parse("10.0.0.0/8"))
    }

    @Test("SAS IP: single address and inclusive range")
    func sasRanges() throws {
        let single = try SASIPRange.parse("168.1.5.65")
        #expect(single.text == "168.1.5.65")
        #expect(single.low == single.high)
        #expect(single.contains(try ip("168.1.5.65")))
        #expect(!single.contains(try ip("168.1.5.66")))
        #expect(single.contains(try ip("::ffff:168.1.5.65")))

        let range = try SASIPRange.parse("10.0.0.1-10.0.0.255")
        #expect(range.description == "10.0.0.1-10.0.0.255")
        #expect(range.low == (try ip("10.0.0.1")))
        #expect(range.high == (try ip("10.0.0.255")))
        #expect(range.contains(try ip("10.0.0.1")))
        #expect(range.contains(try ip("10.0.0.128")))
        #expect(range.contains(try ip("10.0.0.255")))
        #expect(!range.contains(try ip("10.0.0.0")))
        #expect(!range.contains(try ip("10.0.1.0")))
        #expect(!range.contains(try ip("::1")))

        let wide = try SASIPRange.parse("1.255.255.255-2.0.0.1")
        #expect(wide.contains(try ip("2.0.0.0")))
        #expect(try SASIPRange.parse("1.2.3.4-1.2.3.4").contains(try ip("1.2.3.4")))
    }

    @Test("SAS IP: rejects IPv6, reversed ranges and other forms",
          arguments: ["10.0.0.9-10.0.0.1", "::1", "1.2.3.4-::1", "1.2.3.4-", "-1.2.3.4", "1.2.3.4 - 1.2.3.5",
                      "1.2.3.0/24", "", "1.2.3.4-1.2.3.5-1.2.3.6", "01.2.3.4"])
    func rejectsSASRanges(text: String) {
        let error = #expect(throws: MedStoreError.self) { try SASIPRange.parse(text) }
        #expect(error?.code == .invalidIPRule)
    }
}
