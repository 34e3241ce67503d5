/// Formats a number of seconds the way durations are typed: `3m12s`, `2d4h`, `0s`. Only
/// non-zero parts are written, so the text is exact. Pure.
enum HumanDuration {
    /// `seconds` as `1d2h3m4s`, leaving out zero parts.
    static func format(_ seconds: UInt64) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var text = ""
        for (letter, size) in DurationParser.units {
            let count = rest / size
            rest %= size
            if count > 0 { text += "\(count)\(letter)" }
        }
        return text
    }
}
