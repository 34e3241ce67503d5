/// The order Azure Storage sorts `x-ms-*` header names in for the Shared Key string-to-sign.
///
/// The service sorts with a culture-aware collation, not by bytes; azure-storage-blob emulates it
/// (`_storage_header_sort`) and signs in that order, so a verifier must sort the same way or
/// SDK requests with e.g. `x-ms-meta-a_b` and `x-ms-meta-a1` fail. The collation has two levels:
///
/// 1. Primary: compare the characters that carry a primary weight, skipping the rest. Case is
///    ignored. Order: `! # $ % & * . ^ _ \` | ~ +`, then digits, then letters. `'` and `-` (and
///    all other ASCII punctuation, space and control characters) have no primary weight.
/// 2. If equal, secondary: only `'` (lighter) and `-` carry weight; at the first position where
///    the strings differ, the one that skipped more weightless characters sorts first, so
///    `x-ms-blobtype` < `x-ms-blob-type` and `ab-` < `a-b`.
///
/// Characters outside ASCII (never valid in a header name) sort after all ASCII, by code point.
enum AzureHeaderCollation {
    private static let primaryOrder = Array("!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz".unicodeScalars)

    /// Primary weights for ASCII: 0 = none, otherwise 2 + rank (1 is the end-of-string sentinel).
    private static let primaryWeights: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 128)
        for (rank, scalar) in primaryOrder.enumerated() {
            table[Int(scalar.value)] = UInt32(rank) + 2
            if let upper = Character(scalar).uppercased().unicodeScalars.first, upper.value < 128, upper != scalar {
                table[Int(upper.value)] = UInt32(rank) + 2
            }
        }
        return table
    }()

    private static func primaryWeight(_ scalar: Unicode.Scalar) -> UInt32 {
        scalar.value < 128 ? primaryWeights[Int(scalar.value)] : 0x1_0000 + scalar.value
    }

    private static func secondaryWeight(_ scalar: Unicode.Scalar) -> UInt32 {
        switch scalar {
        case "'": return 2
        case "-": return 3
        default: return 0
        }
    }

    /// Whether `lhs` sorts before `rhs`.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        compare(Array(lhs.unicodeScalars), Array(rhs.unicodeScalars)) < 0
    }

    /// Sorts names with the collation (stable for equal names).
    static func sorted(_ names: [String]) -> [String] {
        names.enumerated().sorted { a, b in
            let order = compare(Array(a.element.unicodeScalars), Array(b.element.unicodeScalars))
            return order != 0 ? order < 0 : a.offset < b.offset
        }.map(\.element)
    }

    /// -1, 0 or 1.
    private static func compare(_ lhs: [Unicode.Scalar], _ rhs: [Unicode.Scalar]) -> Int {
        // Level 1: primary weights, skipping weightless characters.
        if let order = walk(lhs, rhs, weight: primaryWeight, skipsMustAgree: false) { return order }
        // Level 2: secondary weights; the first divergence in skipped characters decides.
        return walk(lhs, rhs, weight: secondaryWeight, skipsMustAgree: true) ?? 0
    }

    /// Walks both names by `weight` (0 = skip the character, 1 = past the end): the order at the
    /// first differing weight, or nil when both end together. With `skipsMustAgree`, the side
    /// that skipped fewer characters first sorts first.
    private static func walk(_ lhs: [Unicode.Scalar], _ rhs: [Unicode.Scalar], weight: (Unicode.Scalar) -> UInt32,
                             skipsMustAgree: Bool) -> Int? {
        var i = 0, j = 0
        while true {
            if skipsMustAgree && i != j { return i > j ? -1 : 1 }
            let w1: UInt32 = i < lhs.count ? weight(lhs[i]) : 1
            let w2: UInt32 = j < rhs.count ? weight(rhs[j]) : 1
            if w1 == 1 && w2 == 1 { return nil }
            if w1 == w2 {
                i += 1
                j += 1
            } else if w1 == 0 {
                i += 1
            } else if w2 == 0 {
                j += 1
            } else {
                return w1 < w2 ? -1 : 1
            }
        }
    }
}
