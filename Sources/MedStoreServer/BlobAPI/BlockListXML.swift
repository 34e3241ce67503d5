import Foundation
import MedStoreCore
import MedStoreProtocol

/// Reads a Put Block List body: `<BlockList><Latest>id</Latest><Committed>id</Committed>...`.
/// A tiny strict reader for this one flat shape: anything else is `invalidXmlDocument`.
enum BlockListXML {
    /// The entries in document order.
    static func parse(_ bytes: [UInt8]) throws(MedStoreError) -> [BlobStore.BlockListEntry] {
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw MedStoreError(.invalidXmlDocument, "the block list is not UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var scanner = Substring(text)
        skipSpace(&scanner)
        if scanner.hasPrefix("<?xml") {
            guard let end = scanner.range(of: "?>") else { throw bad("unterminated XML declaration") }
            scanner = scanner[end.upperBound...]
            skipSpace(&scanner)
        }
        guard scanner.hasPrefix("<BlockList>") else { throw bad("the body must be a <BlockList> element") }
        scanner = scanner.dropFirst("<BlockList>".count)
        var entries: [BlobStore.BlockListEntry] = []
        while true {
            skipSpace(&scanner)
            if scanner.hasPrefix("</BlockList>") {
                scanner = scanner.dropFirst("</BlockList>".count)
                skipSpace(&scanner)
                guard scanner.isEmpty else { throw bad("content after </BlockList>") }
                return entries
            }
            var matched = false
            for tag in ["Latest", "Committed", "Uncommitted"] where scanner.hasPrefix("<\(tag)>") {
                scanner = scanner.dropFirst(tag.count + 2)
                guard let end = scanner.range(of: "</\(tag)>") else { throw bad("unterminated <\(tag)>") }
                let id = unescape(String(scanner[..<end.lowerBound])).trimmingCharacters(in: .whitespaces)
                scanner = scanner[end.upperBound...]
                switch tag {
                case "Latest": entries.append(.latest(id))
                case "Committed": entries.append(.committed(id))
                default: entries.append(.uncommitted(id))
                }
                matched = true
            }
            guard matched else { throw bad("unexpected content in <BlockList>") }
            guard entries.count <= 50_000 else {
                throw MedStoreError(.invalidBlockList, "a block list may name at most 50,000 blocks")
            }
        }
    }

    private static func skipSpace(_ s: inout Substring) {
        while let c = s.first, c == " " || c == "\n" || c == "\r" || c == "\t" { s.removeFirst() }
    }

    private static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func bad(_ why: String) -> MedStoreError {
        MedStoreError(.invalidXmlDocument, "XML specified is not syntactically valid: \(why)")
    }
}
