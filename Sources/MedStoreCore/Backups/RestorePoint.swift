import Foundation
import MedStoreProtocol

/// A restore point: the TIME of `backup restore`, as RFC 3339 (`2026-12-01T10:15:00Z`; fractions
/// to the microsecond and offsets allowed) or relative to now (`-90s`, `-15m`, `-2h`, `-3d`), resolved to
/// journal microseconds.
public enum RestorePoint {
    /// Resolves `text` against `now`: a leading `-` takes a duration back from now (any duration
    /// ``SASTime/parseDuration(_:)`` accepts, e.g. `-2h`, `-3d`, `-1d12h`); anything else is an
    /// absolute time as ``SASTime/parseUserTime(_:)`` accepts it (RFC 3339, whole seconds).
    ///
    /// - Throws: `invalidArgument` naming the accepted forms.
    public static func resolve(_ text: String, now: Date) throws(MedStoreError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("-") {
            do {
                let seconds = try SASTime.parseDuration(String(trimmed.dropFirst()))
                return micros(now) - Int64(seconds) * 1_000_000
            } catch {
                throw MedStoreError(.invalidArgument, "restore time '\(text)': \(error.message)")
            }
        }
        do {
            let (whole, fraction) = splitFraction(trimmed)
            return micros(try SASTime.parseUserTime(whole)) + fraction
        } catch {
            throw MedStoreError(.invalidArgument,
                "restore time '\(text)' is neither RFC 3339 (\(SASTime.userTimeForms)) nor relative to now (-90s, -15m, -2h, -3d, -1d12h)")
        }
    }

    /// `2026-12-01T10:15:00.650123Z` → (`2026-12-01T10:15:00Z`, 650123): the fraction of a second
    /// to the microsecond (digits past the sixth are dropped), so a time copied from `backup show`
    /// means exactly that time.
    static func splitFraction(_ text: String) -> (String, Int64) {
        let scalars = Array(text.unicodeScalars)
        guard let t = scalars.firstIndex(of: "T"), let dot = scalars[t...].firstIndex(of: ".") else { return (text, 0) }
        var end = dot + 1
        while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
        let digits = String(String.UnicodeScalarView(scalars[(dot + 1)..<end]))
        guard !digits.isEmpty else { return (text, 0) }
        let micros = Int64(String((digits + "000000").prefix(6))) ?? 0
        let whole = String(String.UnicodeScalarView(scalars[..<dot])) + String(String.UnicodeScalarView(scalars[end...]))
        return (whole, micros)
    }

    /// Journal microseconds of a date.
    static func micros(_ date: Date) -> Int64 {
        BlobJournalClock.micros(date)
    }

    /// RFC 3339 text (UTC, with microseconds when not whole seconds) of journal microseconds.
    public static func format(_ micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let whole = Timestamp.format(unixSeconds: seconds)
        guard fraction != 0 else { return whole }
        return String(whole.dropLast()) + "." + String(format: "%06d", fraction) + "Z"
    }
}
