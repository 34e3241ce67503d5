import Foundation

/// Times as Azure writes them inside error messages. (HTTP `Date` headers use `RFC1123Date`.)
enum HTTPServerDate {
    /// `date` as Azure writes it in error messages: `2026-01-01T00:00:00.1234567Z`.
    static func iso8601Ticks(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ticks = min(9_999_999, Int(((interval - interval.rounded(.down)) * 10_000_000).rounded(.down)))
        let fraction = String(ticks)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))."
            + String(repeating: "0", count: 7 - fraction.count) + fraction + "Z"
    }

    private static func two(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
