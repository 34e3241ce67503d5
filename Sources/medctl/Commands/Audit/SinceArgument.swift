import Glibc

/// `--since` of `medctl audit list`: a time passed to the daemon as typed (RFC 3339 or
/// `YYYY-MM-DD`; it validates them), or a duration ago (`-2h`, `-30m`, also without the minus),
/// which is turned into an RFC 3339 UTC time here. Pure given `now`.
enum SinceArgument {
    /// The `since` to send for `text`, with `now` in seconds since the epoch.
    static func resolve(_ text: String, now: Int64) throws(UsageError) -> String {
        let duration = text.hasPrefix("-") ? String(text.dropFirst()) : text
        guard let first = duration.first, first.isNumber, !duration.contains(where: { $0 == ":" || $0 == "-" }) else {
            return text
        }
        let seconds = try DurationParser.seconds(duration)
        return format(now - Int64(seconds))
    }

    /// `YYYY-MM-DDThh:mm:ssZ` for `seconds` since the epoch.
    static func format(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
