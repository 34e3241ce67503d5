import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

/// Byte-wise (UTF-8) order, the order the engine lists in.
func utf8Sorted(_ names: [String]) -> [String] {
    names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}

@Suite("Blob listing")
struct BlobListingTests {
    /// 6,000+ blob names over a small tree, inserted as versions through the engine's own journal
    /// code in one transaction (staging 6,000 files would only test fsync).
    static let names: [String] = {
        var names: [String] = []
        for d in 0..<6 {
            for s in 0..<10 {
                for i in 0..<100 { names.append("dir\(d)/sub\(s)/file\(String(format: "%03d", i)).txt") }
            }
        }
        names += (0..<30).map { "top\($0).bin" }
        names += ["dir0/loose.txt", "dir5/sub9", "dirx", "é/accent", "e/plain", "z"]
        return names
    }()

    private func fixture() throws -> BlobFixture {
        let f = try BlobFixture()
        try f.service.store.locked { () throws(MedStoreError) in
            try f.service.db.transaction { () throws(MedStoreError) in
                let content = try f.blobs.insertContent(size: 0, md5: nil, blockCount: 0)
                for name in BlobListingTests.names.shuffled() {
                    _ = try f.blobs.appendVersion(container: "records", name: name, head: nil, time: try f.blobs.nextCommitTime(),
                                                  contentID: content, content: .init(), metadata: [("n", name)])
                }
            }
        }
        return f
    }

    private func all(_ f: BlobFixture, prefix: String?, delimiter: String?, pageSize: Int) throws -> (blobs: [String], prefixes: [String], pages: Int) {
        var blobs: [String] = []
        var prefixes: [String] = []
        var marker: String?
        var pages = 0
        repeat {
            let page = try f.blobs.listBlobs(container: "records", prefix: prefix, delimiter: delimiter, marker: marker, maxResults: pageSize)
            #expect(page.blobs.count + page.prefixes.count <= pageSize)
            if page.nextMarker != nil { #expect(page.blobs.count + page.prefixes.count == pageSize) }
            blobs += page.blobs.map(\.name)
            prefixes += page.prefixes
            marker = page.nextMarker
            pages += 1
        } while marker != nil && pages < 10_000
        return (blobs, prefixes, pages)
    }

    @Test func flatPagesConcatenateToTheSortedList() throws {
        let f = try fixture()
        let expected = utf8Sorted(BlobListingTests.names)
        #expect(expected.count == 6036)
        let listed = try all(f, prefix: nil, delimiter: nil, pageSize: 1000)
        #expect(listed.pages == 7 && listed.prefixes.isEmpty)
        #expect(listed.blobs == expected)
        let one = try f.blobs.listBlobs(container: "records", prefix: nil, delimiter: nil, marker: nil, maxResults: 5000)
        #expect(one.blobs.count == 5000 && one.nextMarker == expected[5000])
        #expect(one.blobs.first?.metadata.first?.1 == expected[0])
        let odd = try all(f, prefix: "dir3/", delimiter: nil, pageSize: 77)
        #expect(odd.blobs == expected.filter { $0.hasPrefix("dir3/") } && odd.pages == 13)
    }

    @Test func delimiterFoldsIntoPrefixes() throws {
        let f = try fixture()
        let top = try f.blobs.listBlobs(container: "records", prefix: nil, delimiter: "/", marker: nil, maxResults: 5000)
        #expect(top.prefixes == ["dir0/", "dir1/", "dir2/", "dir3/", "dir4/", "dir5/", "e/", "é/"])
        #expect(top.blobs.map(\.name) == utf8Sorted((0..<30).map { "top\($0).bin" } + ["dirx", "z"]))
        #expect(top.nextMarker == nil)
        let dir5 = try f.blobs.listBlobs(container: "records", prefix: "dir5/", delimiter: "/", marker: nil, maxResults: 5000)
        #expect(dir5.prefixes == (0..<10).map { "dir5/sub\($0)/" })
        #expect(dir5.blobs.map(\.name) == ["dir5/sub9"])
        let dir0 = try f.blobs.listBlobs(container: "records", prefix: "dir0/", delimiter: "/", marker: nil, maxResults: 5000)
        #expect(dir0.blobs.map(\.name) == ["dir0/loose.txt"] && dir0.prefixes.count == 10)
        let leaf = try f.blobs.listBlobs(container: "records", prefix: "dir2/sub3/", delimiter: "/", marker: nil, maxResults: 5000)
        #expect(leaf.prefixes.isEmpty && leaf.blobs.count == 100)
        let multi = try f.blobs.listBlobs(container: "records", prefix: "dir1/", delimiter: "/file0", marker: nil, maxResults: 5000)
        #expect(multi.prefixes == (0..<10).map { "dir1/sub\($0)/file0" } && multi.blobs.isEmpty)
    }

    @Test func smallPagesWithDelimiterMatchOneBigPage() throws {
        let f = try fixture()
        for prefix in [nil, "dir5/", "d"] as [String?] {
            let whole = try f.blobs.listBlobs(container: "records", prefix: prefix, delimiter: "/", marker: nil, maxResults: 5000)
            for size in [1, 2, 7] {
                let paged = try all(f, prefix: prefix, delimiter: "/", pageSize: size)
                #expect(paged.blobs == whole.blobs.map(\.name), "prefix \(prefix ?? "-") page \(size)")
                #expect(paged.prefixes == whole.prefixes, "prefix \(prefix ?? "-") page \(size)")
                #expect(paged.pages == (whole.blobs.count + whole.prefixes.count + size - 1) / size)
            }
        }
    }

    @Test func deletedBlobsAreNotListedAndBadArgumentsAreRefused() throws {
        let f = try BlobFixture()
        try f.put("a", [1])
        try f.put("b", [2])
        try f.put("c", [3])
        try f.blobs.deleteBlob(container: "records", name: "b", conditions: .none)
        try f.putBlock("d", blockID(1), [4])  // uncommitted only: not a blob yet
        let page = try f.blobs.listBlobs(container: "records", prefix: nil, delimiter: nil, marker: nil, maxResults: 10)
        #expect(page.blobs.map(\.name) == ["a", "c"] && page.blobs.map(\.size) == [1, 1])
        #expect(try f.blobs.listBlobs(container: "records", prefix: nil, delimiter: nil, marker: "b", maxResults: 10).blobs.map(\.name) == ["c"])
        #expect(try f.blobs.listBlobs(container: "records", prefix: "zz", delimiter: nil, marker: nil, maxResults: 10).blobs.isEmpty)
        for bad in [0, -1, 5001] {
            expectCode(.outOfRangeInput) { () throws(MedStoreError) in
                try f.blobs.listBlobs(container: "records", prefix: nil, delimiter: nil, marker: nil, maxResults: bad)
            }
        }
        expectCode(.containerNotFound) { () throws(MedStoreError) in
            try f.blobs.listBlobs(container: "nothere", prefix: nil, delimiter: nil, marker: nil, maxResults: 10)
        }
    }
}
