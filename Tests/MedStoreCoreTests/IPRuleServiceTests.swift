import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Allowed IPs")
struct IPRuleServiceTests {
    @Test func allowListRemove() throws {
        let f = try ServiceFixture()
        _ = try f.service.createAccount(name: "acct")
        let single = try f.service.allowIP(address: "203.0.113.7", note: "vpn gateway")
        #expect(single.network == "203.0.113.7/32" && single.note == "vpn gateway")
        let v6 = try f.service.allowIP(address: "2001:db8::/32", note: nil)
        #expect(v6.network == "2001:db8::/32")
        let range = try f.service.allowIP(address: "198.51.100.0/24", note: nil)
        expectCode(.ipRuleAlreadyExists) { () throws(MedStoreError) in try f.service.allowIP(address: "203.0.113.7/32", note: nil) }
        expectCode(.invalidIPRule) { () throws(MedStoreError) in try f.service.allowIP(address: "300.1.1.1", note: nil) }
        expectCode(.invalidIPRule) { () throws(MedStoreError) in try f.service.allowIP(address: "10.0.0.1/8", note: nil) }
        expectCode(.invalidIPRule) { () throws(MedStoreError) in try f.service.allowIP(address: "10.0.0.0/33", note: nil) }
        let listed = try f.service.listIPRules()
        #expect(listed.rules.map(\.network) == ["203.0.113.7/32", "2001:db8::/32", "198.51.100.0/24"])
        #expect(listed.clusterNetworks == ["127.0.0.0/8", "::1/128"])
        #expect(try f.service.removeIP(rule: "\(v6.id)") == v6)
        #expect(try f.service.removeIP(rule: "203.0.113.7") == single)
        #expect(try f.service.removeIP(rule: "198.51.100.0/24") == range)
        expectCode(.ipRuleNotFound) { () throws(MedStoreError) in try f.service.removeIP(rule: "198.51.100.0/24") }
        expectCode(.ipRuleNotFound) { () throws(MedStoreError) in try f.service.removeIP(rule: "99") }
        #expect(try f.service.listIPRules().rules.isEmpty)
    }
}
