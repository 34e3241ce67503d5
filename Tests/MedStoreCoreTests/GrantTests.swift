import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// A process binding whose answer the test decides.
private struct FixedBinding: ProcessBinding {
    let same: Bool
    func isSameProcess() -> Bool { same }
}

private func info(id: UInt64 = 3, kind: GrantKind = .user, subject: String = "1001", containers: String = "ward-*",
                  permissions: String = "rl", maxTTL: UInt64 = 3600, ipRange: String? = nil,
                  httpsOnly: Bool = false) -> GrantInfo {
    GrantInfo(id: id, kind: kind, subject: subject, subjectName: nil, containers: containers, permissions: permissions,
              maxTTLSeconds: maxTTL, ipRange: ipRange, httpsOnly: httpsOnly, createdAt: "2026-12-04T00:00:00Z")
}

private let now = Date(timeIntervalSince1970: 1_780_000_000)

private func denial(_ grants: [Grant], container: String = "ward-a", blob: String? = nil,
                    _ options: TokenOptions) -> String? {
    do {
        _ = try TokenGrantCheck.options(grants: grants, container: container, blob: blob, options: options, now: now)
        return nil
    } catch {
        #expect(error.code == .permissionDenied, "\(error.message)")
        return error.message
    }
}

@Suite("Roles, method policy and grants")
struct GrantTests {
    @Test func methodTableGivesEveryMethodARole() {
        let reader = ["status", "account.show", "keys.show", "container.list", "container.show", "ip.list", "token.list",
                      "backup.show", "backup.deleted"]
        for method in MethodRegistry.names {
            let role = MethodPolicy.requiredRole(for: method)
            if method == "hello" {
                #expect(role == .stranger)
            } else if reader.contains(method) {
                #expect(role == .reader, "\(method)")
            } else if ["token.container", "token.blob"].contains(method) {
                #expect(role == .issuer, "\(method)")
            } else {
                #expect(role == .admin, "\(method)")
            }
        }
        #expect(MethodPolicy.requiredRole(for: "no.such.method") == .admin)
    }

    @Test func denialsNameTheRoleNeeded() {
        #expect(MethodPolicy.denial(method: "status", role: .reader, uid: 5) == nil)
        #expect(MethodPolicy.denial(method: "token.blob", role: .issuer, uid: 5) == nil)
        #expect(MethodPolicy.denial(method: "keys.switch", role: .admin, uid: 0) == nil)
        let denied = MethodPolicy.denial(method: "token.container", role: .reader, uid: 5)
        #expect(denied?.code == .permissionDenied)
        #expect(denied?.message == "token.container needs the issuer role; uid 5 is reader")
        #expect(MethodPolicy.denial(method: "status", role: .stranger, uid: 9)?.message.contains("no role") == true)
    }

    @Test func rootIsAdminAndStrangersStayStrangers() {
        let access = AccessControl(adminGroup: "medstore-no-such-group-x", readerGroup: "medstore-no-such-group-y")
        #expect(access.baseRole(of: CallerIdentity(uid: 0, gid: 0, pid: 1)) == .admin)
        #expect(access.baseRole(of: CallerIdentity(uid: 4242, gid: 4242, pid: 1)) == .stranger)
        // Group 0 exists everywhere (root): membership through supplementary groups counts.
        let byGroup = AccessControl(adminGroup: "0", readerGroup: nil)
        #expect(byGroup.baseRole(of: CallerIdentity(uid: 4242, gid: 4242, pid: 1, groups: [0])) == .admin)
        let readers = AccessControl(adminGroup: nil, readerGroup: "0")
        #expect(readers.baseRole(of: CallerIdentity(uid: 4242, gid: 0, pid: 1)) == .reader)
        #expect(AccessControl.role(base: .stranger, matchingGrants: []) == .stranger)
        #expect(AccessControl.role(base: .reader, matchingGrants: [try! Grant(info())]) == .issuer)
        #expect(AccessControl.role(base: .admin, matchingGrants: [try! Grant(info())]) == .admin)
    }

    @Test func grantsMatchByUserGroupUnitAndExe() throws {
        var caller = CallerIdentity(uid: 1001, gid: 1001, pid: 77, groups: [2000], executable: "/usr/bin/backup",
                                    unit: "backup.service", binding: FixedBinding(same: true))
        #expect(try Grant(info(kind: .user, subject: "1001")).matches(caller))
        #expect(try !Grant(info(kind: .user, subject: "1002")).matches(caller))
        #expect(try Grant(info(kind: .group, subject: "2000")).matches(caller))
        #expect(try Grant(info(kind: .group, subject: "1001")).matches(caller), "the primary group counts")
        #expect(try !Grant(info(kind: .group, subject: "3000")).matches(caller))
        #expect(try Grant(info(kind: .unit, subject: "backup.service")).matches(caller))
        #expect(try !Grant(info(kind: .unit, subject: "other.service")).matches(caller))
        #expect(try Grant(info(kind: .exe, subject: "/usr/bin/backup")).matches(caller))
        // A recycled pid (different start time, or the process gone) loses unit and exe grants.
        caller.binding = FixedBinding(same: false)
        #expect(try !Grant(info(kind: .unit, subject: "backup.service")).matches(caller))
        #expect(try !Grant(info(kind: .exe, subject: "/usr/bin/backup")).matches(caller))
        #expect(try Grant(info(kind: .user, subject: "1001")).matches(caller), "uid comes from the socket itself")
        caller.binding = nil
        #expect(try !Grant(info(kind: .exe, subject: "/usr/bin/backup")).matches(caller))
    }

    @Test func containerPatterns() throws {
        #expect(ContainerPattern.matches("ward-a", "ward-a"))
        #expect(!ContainerPattern.matches("ward-a", "ward-ab"))
        #expect(ContainerPattern.matches("ward-*", "ward-a"))
        #expect(ContainerPattern.matches("ward-*", "ward-"))
        #expect(!ContainerPattern.matches("ward-*", "lab-a"))
        #expect(ContainerPattern.matches("*", "anything"))
        #expect(ContainerPattern.matches("*-scans-*", "ct-scans-2026"))
        #expect(!ContainerPattern.matches("*-scans-*", "ct-scan-2026"))
        expectCode(.invalidArgument) { () throws(MedStoreError) in try ContainerPattern.validate("Ward?") }
        expectCode(.invalidArgument) { () throws(MedStoreError) in try ContainerPattern.validate("") }
    }

    @Test func tokensWithinTheGrantPass() throws {
        let grant = try Grant(info())
        #expect(denial([grant], TokenOptions(permissions: "lr", ttlSeconds: 3600)) == nil)
        #expect(denial([grant], TokenOptions(permissions: "r", expiry: "1h")) == nil)
        #expect(denial([grant], blob: "x.dcm", TokenOptions(permissions: "r", ttlSeconds: 60)) == nil)
        let https = try Grant(info(httpsOnly: true))
        let signed = try TokenGrantCheck.options(grants: [https], container: "ward-a", blob: nil,
                                                 options: TokenOptions(permissions: "r", ttlSeconds: 60), now: now)
        #expect(signed.httpsOnly == true, "an HTTPS-only grant forces spr=https")
    }

    @Test func eachLimitIsNamed() throws {
        let grant = try Grant(info())
        #expect(denial([grant], TokenOptions(permissions: "r", ttlSeconds: 7200))
                == "grant 3 allows at most 1h; asked for 2h")
        #expect(denial([grant], TokenOptions(permissions: "r", expiry: "1h1s")) == "grant 3 allows at most 1h; asked for 1h1s")
        // A future start counts from now: the token must not outlive now + max TTL.
        #expect(denial([grant], TokenOptions(permissions: "r", start: "2h", ttlSeconds: 600))
                == "grant 3 allows at most 1h; asked for 2h10m")
        // A backdated start counts from the start.
        #expect(denial([grant], TokenOptions(permissions: "r", start: "2026-05-28T19:30:00Z", ttlSeconds: 3601))
                == "grant 3 allows at most 1h; asked for 1h1s")
        #expect(denial([grant], TokenOptions(permissions: "r", start: "2026-05-28T19:30:00Z", ttlSeconds: 3600)) == nil)
        #expect(denial([grant], TokenOptions(permissions: "rwl", ttlSeconds: 60))
                == "grant 3 allows permissions 'rl'; asked for 'rwl' ('w' not granted)")
        #expect(denial([grant], container: "lab-a", TokenOptions(permissions: "r", ttlSeconds: 60))
                == "grant 3 covers containers 'ward-*'; asked for 'lab-a'")
        let fenced = try Grant(info(ipRange: "10.0.0.0-10.0.0.255"))
        #expect(denial([fenced], TokenOptions(permissions: "r", ttlSeconds: 60))
                == "grant 3 requires an IP range inside 10.0.0.0-10.0.0.255; asked for none (give ip)")
        #expect(denial([fenced], TokenOptions(permissions: "r", ttlSeconds: 60, ip: "10.0.0.200-10.0.1.1"))
                == "grant 3 requires an IP range inside 10.0.0.0-10.0.0.255; asked for 10.0.0.200-10.0.1.1")
        #expect(denial([fenced], TokenOptions(permissions: "r", ttlSeconds: 60, ip: "10.0.0.7")) == nil)
        #expect(denial([], TokenOptions(permissions: "r", ttlSeconds: 60)) != nil)
    }

    @Test func anyGrantMayAllowAndTheCoveringOneExplains() throws {
        let narrow = try Grant(info(id: 1, containers: "lab-*", permissions: "rwl", maxTTL: 86_400))
        let wide = try Grant(info(id: 2, containers: "ward-*", permissions: "r", maxTTL: 600))
        #expect(denial([narrow, wide], TokenOptions(permissions: "r", ttlSeconds: 600)) == nil)
        #expect(denial([narrow, wide], container: "lab-x", TokenOptions(permissions: "rw", ttlSeconds: 3600)) == nil)
        #expect(denial([narrow, wide], TokenOptions(permissions: "r", ttlSeconds: 601))
                == "grant 2 allows at most 10m; asked for 10m1s")
    }

    @Test func grantsAreStoredListedAndRemoved() throws {
        let f = try ServiceFixture()
        let added = try f.service.addGrant(.init(kind: .user, subject: "root", containers: "ward-*", permissions: "lr",
                                                 maxTTLSeconds: 3600, ipRange: "10.0.0.1-10.0.0.9", httpsOnly: true))
        #expect(added.subject == "0" && added.subjectName == "root" && added.permissions == "rl")
        #expect(added.ipRange == "10.0.0.1-10.0.0.9" && added.httpsOnly)
        let exe = try f.service.addGrant(.init(kind: .exe, subject: "/usr/bin/env", containers: "*", permissions: "r",
                                               maxTTLSeconds: 60))
        #expect(try f.service.listGrants().grants == [added, exe])
        expectCode(.invalidArgument) { () throws(MedStoreError) in
            try f.service.addGrant(.init(kind: .user, subject: "no-such-user-medstore", containers: "*", permissions: "r", maxTTLSeconds: 60))
        }
        expectCode(.invalidArgument) { () throws(MedStoreError) in
            try f.service.addGrant(.init(kind: .unit, subject: "backup", containers: "*", permissions: "r", maxTTLSeconds: 60))
        }
        expectCode(.invalidArgument) { () throws(MedStoreError) in
            try f.service.addGrant(.init(kind: .exe, subject: "bin/x", containers: "*", permissions: "r", maxTTLSeconds: 60))
        }
        expectCode(.invalidPermissions) { () throws(MedStoreError) in
            try f.service.addGrant(.init(kind: .user, subject: "0", containers: "*", permissions: "q", maxTTLSeconds: 60))
        }
        expectCode(.invalidArgument) { () throws(MedStoreError) in
            try f.service.addGrant(.init(kind: .user, subject: "0", containers: "*", permissions: "r", maxTTLSeconds: 0))
        }
        expectCode(.invalidIPRule) { () throws(MedStoreError) in
            try f.service.addGrant(.init(kind: .user, subject: "0", containers: "*", permissions: "r", maxTTLSeconds: 60, ipRange: "10.0.0.9-10.0.0.1"))
        }
        let root = CallerIdentity(uid: 0, gid: 0, pid: 1)
        #expect(try f.service.grants(for: root).map(\.info.id) == [added.id])
        #expect(try f.service.removeGrant(id: added.id) == added)
        expectCode(.notFound) { () throws(MedStoreError) in try f.service.removeGrant(id: added.id) }
        #expect(try f.service.grants(for: root).isEmpty)
    }
}
