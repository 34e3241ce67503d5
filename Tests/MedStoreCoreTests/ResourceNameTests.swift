import MedStoreCore
import MedStoreProtocol
import Testing

@Suite("Resource names")
struct ResourceNameTests {
    @Test("valid account names", arguments: ["abc", "a1b2c3", "medstoretest", "000", String(repeating: "z", count: 24)])
    func validAccounts(name: String) throws {
        try ResourceNames.validateAccountName(name)
    }

    @Test("invalid account names",
          arguments: [
              ("", "3 to 24"), ("ab", "3 to 24"), (String(repeating: "a", count: 25), "3 to 24"),
              ("Abc", "use lowercase"), ("ab-c", "'-'"), ("ab_c", "'_'"), ("abç", "U+00E7"), ("ab c", "U+0020"),
          ])
    func invalidAccounts(name: String, messagePart: String) {
        let error = #expect(throws: MedStoreError.self) { try ResourceNames.validateAccountName(name) }
        #expect(error?.code == .invalidAccountName)
        #expect(error?.message.contains(messagePart) == true, "\(error?.message ?? "")")
    }

    @Test("valid container names",
          arguments: ["abc", "a-b-c-1", "1ab", "ab1", "patient-records", String(repeating: "x", count: 63), "a-1"])
    func validContainers(name: String) throws {
        try ResourceNames.validateContainerName(name)
    }

    @Test("invalid container names say which rule broke",
          arguments: [
              ("ab", "3 to 63 characters"), ("", "3 to 63 characters"), (String(repeating: "x", count: 64), "3 to 63 characters"),
              ("-abc", "must start with a letter or digit"), ("abc-", "must end with a letter or digit"),
              ("a--b", "consecutive hyphens"), ("aBc", "use lowercase"), ("a_b", "'_'"), ("$root", "'$'"),
              ("ab c", "U+0020"), ("abé", "U+00E9"), ("ab.c", "'.'"), ("---", "must start"),
          ])
    func invalidContainers(name: String, messagePart: String) {
        let error = #expect(throws: MedStoreError.self) { try ResourceNames.validateContainerName(name) }
        #expect(error?.code == .invalidContainerName)
        #expect(error?.message.contains(messagePart) == true, "\(error?.message ?? "")")
    }

    static let validBlobCases: [String] = [
        "a", "a b/ü.txt", "scans/2026/img-001.dcm", "plus+sign&amp=1", "tilde~and'quote", "ünïcødé/ファイル.bin",
        String(repeating: "x", count: 1024), String(repeating: "😀", count: 512),
        Array(repeating: "d", count: 254).joined(separator: "/"), "trailing.", "dir/", "\u{A0}nbsp", "\u{F900}",
        scalar(0xFDCF), scalar(0xFDF0), scalar(0xFFFD),
    ]

    @Test("valid blob names", arguments: validBlobCases)
    func validBlobs(name: String) throws {
        try ResourceNames.validateBlobName(name)
    }

    /// A one-scalar string built at run time (Swift rejects some of these code points in literals).
    static func scalar(_ value: UInt32) -> String {
        String(Character(Unicode.Scalar(value)!))
    }

    static let invalidBlobCases: [(String, String)] = [
        ("", "must not be empty"),
        (String(repeating: "x", count: 1025), "at most 1024"),
        (String(repeating: "😀", count: 513), "at most 1024"),
        (Array(repeating: "d", count: 255).joined(separator: "/"), "at most 254 path segments"),
        (String(repeating: "/", count: 254), "at most 254 path segments"),
        ("a" + scalar(0x00) + "b", "control characters"),
        ("a\nb", "control characters"),
        ("a" + scalar(0x1F), "control characters"),
        ("a" + scalar(0x7F), "control characters"),
        ("a" + scalar(0x81), "control characters"),
        ("a" + scalar(0x9F), "control characters"),
        (scalar(0xE000), "private-use"),
        (scalar(0xF8FF), "private-use"),
        (scalar(0xFDD0), "noncharacters"),
        (scalar(0xFDEF), "noncharacters"),
        (scalar(0xFFFE), "noncharacters"),
        (scalar(0xFFFF), "noncharacters"),
        (scalar(0x1FFFF), "noncharacters"),
        (scalar(0x10FFFF), "noncharacters"),
    ]

    @Test("invalid blob names", arguments: invalidBlobCases)
    func invalidBlobs(name: String, messagePart: String) {
        let error = #expect(throws: MedStoreError.self) { try ResourceNames.validateBlobName(name) }
        #expect(error?.code == .invalidBlobName)
        #expect(error?.message.contains(messagePart) == true, "\(error?.message ?? "")")
    }

    @Test("random account names are valid, 16 characters, prefixed and distinct")
    func randomAccountNames() throws {
        var seen = Set<String>()
        var counts = [Character: Int]()
        for _ in 0..<200 {
            let name = try ResourceNames.randomAccountName()
            #expect(name.hasPrefix("med"))
            #expect(name.count == 16)
            try ResourceNames.validateAccountName(name)
            seen.insert(name)
            for character in name.dropFirst(3) { counts[character, default: 0] += 1 }
        }
        #expect(seen.count == 200)
        // 2,600 draws over 36 symbols: every symbol shows up (expected ~72 each).
        #expect(counts.count == 36)
        #expect(counts.values.allSatisfy { $0 > 20 })
    }
}
