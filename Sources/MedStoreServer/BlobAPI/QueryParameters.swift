import MedStoreCore
import MedStoreProtocol

/// A request's query parameters, percent-decoded (`+` stays `+`, as Azure reads it). The first
/// occurrence of a name wins.
package struct QueryParameters {
    private var values: [String: String] = [:]

    package init(_ rawQuery: String) throws(MedStoreError) {
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decode(String(parts[0])),
                  let value = PercentEncoding.decode(parts.count > 1 ? String(parts[1]) : "") else {
                throw MedStoreError(.invalidQueryParameterValue, "a query parameter has a bad percent-escape")
            }
            if values[name] == nil { values[name] = value }
        }
    }

    package subscript(_ name: String) -> String? { values[name] }

    /// `maxresults` as Azure reads it: absent means 5000, larger values are capped at 5000, and a
    /// value of 0 or less (or not a number) is refused.
    func maxResults() throws(MedStoreError) -> Int {
        min(try integer("maxresults", in: 1...Int.max) ?? 5000, 5000)
    }

    /// An optional integer parameter within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(MedStoreError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else {
            throw MedStoreError(.invalidQueryParameterValue, "the value of query parameter '\(name)' is not an integer")
        }
        guard range.contains(value) else {
            throw MedStoreError(.outOfRangeInput, "the value of query parameter '\(name)' must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }
}
