import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Blob conditions")
struct BlobConditionTests {
    /// A blob modified at `f.now`, then the clock moved 100 s on.
    private func fixture() throws -> (BlobFixture, BlobProperties) {
        let f = try BlobFixture()
        let put = try f.put("c", [1, 2, 3])
        f.advance(100)
        return (f, put)
    }

    private func read(_ f: BlobFixture, _ c: AccessConditions) throws(MedStoreError) -> BlobProperties {
        try f.blobs.properties(container: "records", name: "c", conditions: c, forRead: true)
    }

    private func write(_ f: BlobFixture, _ c: AccessConditions) throws(MedStoreError) -> BlobProperties {
        try f.blobs.setMetadata(container: "records", name: "c", metadata: [], conditions: c)
    }

    @Test func ifMatch() throws {
        let (f, put) = try fixture()
        let other = "\"0x8D0000000000001\""
        #expect(try read(f, AccessConditions(ifMatch: put.etag)) == put)
        #expect(try read(f, AccessConditions(ifMatch: "*")) == put)
        #expect(try read(f, AccessConditions(ifMatch: "\(other), \(put.etag)")) == put)
        #expect(try read(f, AccessConditions(ifMatch: String(put.etag.dropFirst().dropLast()))) == put)  // unquoted
        expectCode(.conditionNotMet) { () throws(MedStoreError) in try read(f, AccessConditions(ifMatch: other)) }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in try write(f, AccessConditions(ifMatch: other)) }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in try f.read("c", conditions: AccessConditions(ifMatch: other)) }
        let changed = try write(f, AccessConditions(ifMatch: put.etag))
        expectCode(.conditionNotMet) { () throws(MedStoreError) in try write(f, AccessConditions(ifMatch: put.etag)) }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in
            try f.blobs.deleteBlob(container: "records", name: "c", conditions: AccessConditions(ifMatch: put.etag))
        }
        try f.blobs.deleteBlob(container: "records", name: "c", conditions: AccessConditions(ifMatch: changed.etag))
        // If-Match on a blob that does not exist: a read is 404, a create is 412.
        expectCode(.blobNotFound) { () throws(MedStoreError) in try read(f, AccessConditions(ifMatch: "*")) }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in try f.put("c", [1], conditions: AccessConditions(ifMatch: "*")) }
        #expect(f.dataFiles().count == 1)  // the deleted blob's bytes, kept for backups; refused writes left none
    }

    @Test func ifNoneMatch() throws {
        let (f, put) = try fixture()
        let other = "\"0x8D0000000000001\""
        #expect(try read(f, AccessConditions(ifNoneMatch: other)) == put)
        expectCode(.notModified) { () throws(MedStoreError) in try read(f, AccessConditions(ifNoneMatch: put.etag)) }
        expectCode(.notModified) { () throws(MedStoreError) in try f.read("c", conditions: AccessConditions(ifNoneMatch: "*")) }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in try write(f, AccessConditions(ifNoneMatch: put.etag)) }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in
            try f.blobs.properties(container: "records", name: "c", conditions: AccessConditions(ifNoneMatch: put.etag), forRead: false)
        }
        // Put with If-None-Match: * (the SDK's overwrite=False): 409 when it exists, fine when it does not.
        expectCode(.blobAlreadyExists) { () throws(MedStoreError) in try f.put("c", [9], conditions: AccessConditions(ifNoneMatch: "*")) }
        #expect(try f.put("fresh", [9], conditions: AccessConditions(ifNoneMatch: "*")).size == 1)
        #expect(try write(f, AccessConditions(ifNoneMatch: other)).etag != put.etag)
    }

    @Test func ifModifiedSince() throws {
        let (f, put) = try fixture()
        let before = put.lastModified.addingTimeInterval(-1)
        #expect(try read(f, AccessConditions(ifModifiedSince: before)) == put)
        expectCode(.notModified) { () throws(MedStoreError) in try read(f, AccessConditions(ifModifiedSince: put.lastModified)) }
        expectCode(.notModified) { () throws(MedStoreError) in
            try read(f, AccessConditions(ifModifiedSince: put.lastModified.addingTimeInterval(0.9)))  // second resolution
        }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in try write(f, AccessConditions(ifModifiedSince: f.now)) }
        #expect(try write(f, AccessConditions(ifModifiedSince: before)).lastModified == f.now)
    }

    @Test func ifUnmodifiedSince() throws {
        let (f, put) = try fixture()
        #expect(try read(f, AccessConditions(ifUnmodifiedSince: put.lastModified)) == put)
        expectCode(.conditionNotMet) { () throws(MedStoreError) in
            try read(f, AccessConditions(ifUnmodifiedSince: put.lastModified.addingTimeInterval(-1)))
        }
        expectCode(.conditionNotMet) { () throws(MedStoreError) in
            try f.put("c", [5], conditions: AccessConditions(ifUnmodifiedSince: put.lastModified.addingTimeInterval(-1)))
        }
        #expect(try f.put("c", [5], conditions: AccessConditions(ifUnmodifiedSince: f.now)).size == 1)
        #expect(try f.read("c") == [5])
        #expect(f.dataFiles().count == 2)  // the old bytes stay for backups; the refused put left none
    }

    @Test func everyWriteGetsANewETagEvenWithinOneMicrosecondOrWhenTheClockStepsBack() throws {
        let f = try BlobFixture()
        var etags = Set<String>()
        for i in 0..<20 { etags.insert(try f.put("same", [UInt8(i)]).etag) }  // the clock does not move
        #expect(etags.count == 20)
        let before = try f.put("x", [1])
        f.advance(-3600)
        let after = try f.put("x", [2])
        #expect(after.etag > before.etag && after.versionID > before.versionID)
        #expect(after.lastModified >= before.lastModified)
        try f.restart()
        #expect(try f.put("x", [3]).etag > after.etag)
    }
}
