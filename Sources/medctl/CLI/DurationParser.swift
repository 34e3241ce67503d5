/// Parses token lifetimes written like `90s`, `15m`, `1h`, `7d`, `1h30m`, `1d12h`.
///
/// A duration is one or more `<digits><unit>` parts with units `d`, `h`, `m`, `s`, each unit at
/// most once and from largest to smallest. The total must be positive and at most 365 days
/// (the longest a token may live). Pure.
enum DurationParser {
    /// The longest duration accepted: 365 days, in seconds.
    static let maximumSeconds: UInt64 = 365 * 86_400

    /// Units in the order they must appear, with their length in seconds.
    static let units: [(letter: Character, seconds: UInt64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// The number of seconds `text` stands for.
    static func seconds(_ text: String) throws(UsageError) -> UInt64 {
        func invalid(_ why: String) -> UsageError {
            UsageError("invalid duration '\(text)': \(why) (examples: 90s, 15m, 1h, 7d, 1h30m)")
        }
        guard !text.isEmpty else { throw invalid("it is empty") }
        var total: UInt64 = 0
        var digits = ""
        var nextUnit = 0
        for character in text {
            if ("0"..."9").contains(character) {
                digits.append(character)
                continue
            }
            guard let unitIndex = units.firstIndex(where: { $0.letter == character }) else {
                throw invalid("'\(character)' is not a unit; use d, h, m or s")
            }
            guard !digits.isEmpty else { throw invalid("a number must come before '\(character)'") }
            guard unitIndex >= nextUnit else { throw invalid("write units once each, largest first") }
            guard let count = UInt64(digits) else { throw invalid("it is longer than 365 days") }
            let (part, overflowPart) = count.multipliedReportingOverflow(by: units[unitIndex].seconds)
            let (sum, overflowSum) = total.addingReportingOverflow(part)
            guard !overflowPart, !overflowSum else { throw invalid("it is longer than 365 days") }
            total = sum
            digits = ""
            nextUnit = unitIndex + 1
        }
        guard digits.isEmpty else { throw invalid("'\(digits)' needs a unit, e.g. \(digits)s") }
        guard total > 0 else { throw invalid("it must be longer than zero") }
        guard total <= maximumSeconds else { throw invalid("it is longer than 365 days") }
        return total
    }
}
