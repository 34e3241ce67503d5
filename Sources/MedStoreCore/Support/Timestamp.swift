import Foundation

/// RFC 3339 UTC text for times the daemon reports (`2026-12-04T19:25:11Z`).
public enum Timestamp {
    /// Formats whole seconds since the Unix epoch.
    public static func format(unixSeconds: Int64) -> String {
        var t = time_t(unixSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Formats a date, dropping fractions of a second.
    public static func format(_ date: Date) -> String {
        format(unixSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
    }
}
