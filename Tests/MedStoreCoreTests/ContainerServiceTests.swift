import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Containers")
struct ContainerServiceTests {
    @Test func createShowDelete() throws {
        let f = try ServiceFixture()
        expectCode(.accountNotFound) { () throws(MedStoreError) in try f.service.createContainer(name: "early") }
        _ = try f.service.createAccount(name: "acct")
        let created = try f.service.createContainer(name: "patient-records")
        #expect(created.createdAt == "2026-05-28T20:26:40Z")
        #expect(try f.service.showContainer(name: "patient-records") == created)
        expectCode(.containerAlreadyExists) { () throws(MedStoreError) in try f.service.createContainer(name: "patient-records") }
        #expect(try f.service.deleteContainer(name: "patient-records") == created)
        expectCode(.containerNotFound) { () throws(MedStoreError) in try f.service.showContainer(name: "patient-records") }
        expectCode(.containerNotFound) { () throws(MedStoreError) in try f.service.deleteContainer(name: "patient-records") }
    }

    @Test(arguments: ["ab", String(repeating: "a", count: 64), "Upper", "-lead", "trail-", "dou--ble", "under_score", "dot.ted", "sp ace", ""])
    func invalidNamesAreRefusedBeforeAnyLookup(name: String) throws {
        let f = try ServiceFixture()
        _ = try f.service.createAccount(name: "acct")
        expectCode(.invalidContainerName) { () throws(MedStoreError) in try f.service.createContainer(name: name) }
        expectCode(.invalidContainerName) { () throws(MedStoreError) in try f.service.showContainer(name: name) }
    }

    @Test(arguments: ["abc", String(repeating: "a", count: 63), "a-b-c", "0123", "x1-y2"])
    func validNamesAreAccepted(name: String) throws {
        let f = try ServiceFixture()
        _ = try f.service.createAccount(name: "acct")
        #expect(try f.service.createContainer(name: name).name == name)
    }

    @Test func listingPagesInNameOrderWithPrefix() throws {
        let f = try ServiceFixture()
        _ = try f.service.createAccount(name: "acct")
        let names = (0..<2503).map { String(format: "c%05d", $0) } + ["logs-a", "logs-b", "other"]
        try f.service.db.transaction { () throws(MedStoreError) in
            for name in names.shuffled() {
                try f.service.db.query("INSERT INTO containers (name, created_at) VALUES (?, 0)", [.text(name)])
            }
        }
        var seen: [String] = []
        var marker: String?
        var pages = 0
        repeat {
            let page = try f.service.listContainers(prefix: nil, marker: marker, limit: 1000)
            seen += page.containers.map(\.name)
            marker = page.nextMarker
            pages += 1
        } while marker != nil
        #expect(pages == 3)
        #expect(seen == names.sorted())
        let logs = try f.service.listContainers(prefix: "logs-", marker: nil, limit: nil)
        #expect(logs.containers.map(\.name) == ["logs-a", "logs-b"])
        #expect(logs.nextMarker == nil)
        let exact = try f.service.listContainers(prefix: nil, marker: nil, limit: 2506)
        #expect(exact.containers.count == 2506 && exact.nextMarker == nil)
        expectCode(.invalidArgument) { () throws(MedStoreError) in try f.service.listContainers(prefix: nil, marker: nil, limit: 0) }
        expectCode(.invalidArgument) { () throws(MedStoreError) in try f.service.listContainers(prefix: nil, marker: nil, limit: 5001) }
    }
}
