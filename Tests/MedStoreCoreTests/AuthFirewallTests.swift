import MedStoreTestSupport
import Foundation
@testable import MedStoreCore
import MedStoreProtocol
import Testing

private func cidr(_ text: String) -> CIDR {
    try! CIDR.parse(text)
}

@Suite("Account firewall")
struct AuthFirewallTests {
    private let firewall = AccountFirewall(
        clusterNetworks: [cidr("10.0.0.0/8"), cidr("fd00:1::/64")],
        rules: [cidr("203.0.113.7"), cidr("198.51.100.0/30"), cidr("2001:db8::/32")])

    @Test("IPv4: cluster networks and rules allow, everything else is denied", arguments: [
        ("10.1.2.3", true), ("10.255.255.255", true), ("11.0.0.1", false),
        ("203.0.113.7", true), ("203.0.113.8", false),
        ("198.51.100.3", true), ("198.51.100.4", false),
        ("127.0.0.1", false), ("0.0.0.0", false),
    ])
    func ipv4(address: String, allowed: Bool) {
        #expect(firewall.allows(AuthFixtures.ip(address)) == allowed)
    }

    @Test("IPv6: cluster networks and rules allow; IPv4-mapped peers are judged as IPv4", arguments: [
        ("fd00:1::5", true), ("fd00:2::5", false), ("2001:db8:ffff::1", true), ("2001:db9::1", false),
        ("::1", false), ("::ffff:10.9.9.9", true), ("::ffff:203.0.113.7", true), ("::ffff:127.0.0.1", false),
    ])
    func ipv6(address: String, allowed: Bool) {
        #expect(firewall.allows(AuthFixtures.ip(address)) == allowed)
    }

    @Test("no networks and no rules deny everyone")
    func empty() {
        let closed = AccountFirewall(clusterNetworks: [], rules: [])
        for address in ["127.0.0.1", "10.0.0.1", "::1", "2001:db8::1"] {
            #expect(!closed.allows(AuthFixtures.ip(address)))
        }
    }

    @Test("a denied peer gets 403 AuthorizationFailure before any credential is looked at")
    func deniedBeforeCredentials() throws {
        let token = try AuthFixtures.token(AuthFixtures.parameters("r", .blob))
        let valid = AuthFixtures.request(.getBlob, query: token, peer: "203.0.113.7")
        #expect(AuthFixtures.failure(valid, firewall: firewall) == nil, "an allowed peer with a valid token passes")

        let sink = LogCapture()
        let cases: [AuthRequest] = [
            AuthFixtures.request(.getBlob, query: token, peer: "192.0.2.1"),  // valid token
            AuthFixtures.request(.getBlob, query: "sv=garbage&sig=%%%", peer: "192.0.2.1"),  // malformed SAS
            AuthFixtures.request(.getBlob, query: "", headers: [("Authorization", "SharedKey x:y")], peer: "192.0.2.1"),
            AuthFixtures.request(.getBlob, query: "", peer: "2001:db9::1"),  // no credentials
        ]
        for request in cases {
            do {
                _ = try AuthFixtures.authenticate(request, firewall: firewall, logger: sink.logger)
                Issue.record("a peer outside the firewall must be refused")
            } catch {
                #expect(error.code == .authorizationFailure)
                #expect(error.code.httpStatus == 403)
                #expect(error.message == "This request is not authorized to perform this operation.")
            }
        }
        #expect(sink.lines.count == cases.count)
        #expect(sink.lines.allSatisfy { $0.contains("code=AuthorizationFailure") && $0.contains("token=-") })
    }

    @Test("rule changes apply to the next request: the firewall is a plain value")
    func ruleChange() throws {
        let token = try AuthFixtures.token(AuthFixtures.parameters("r", .blob))
        let request = AuthFixtures.request(.getBlob, query: token, peer: "192.0.2.10")
        var current = AccountFirewall(clusterNetworks: [cidr("10.0.0.0/8")], rules: [])
        #expect(AuthFixtures.failure(request, firewall: current)?.code == .authorizationFailure)
        current.rules.append(cidr("192.0.2.8/30"))
        #expect(AuthFixtures.failure(request, firewall: current) == nil)
        current.rules.removeAll()
        #expect(AuthFixtures.failure(request, firewall: current)?.code == .authorizationFailure)
    }
}
