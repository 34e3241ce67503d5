import Foundation
import MedStoreProtocol

/// Times and durations for SAS tokens, parsed and formatted by hand (no `DateFormatter`, no
/// locale, no time zone database): every field is range-checked, including the day against the
/// month's length in leap and common years.
public enum SASTime {
    /// The longest duration ``parseDuration(_:)`` accepts: 365 days, in seconds.
    public static let maximumDurationSeconds = 365 * 86_400

    /// The forms ``parseUserTime(_:)`` accepts, for help texts and error messages.
    public static let userTimeForms =
        "2026-12-01T10:15:00Z, 2026-12-01T10:15:00+01:00 (RFC 3339, fractional seconds are dropped) or 2026-12-01 (midnight UTC)"

    /// The forms ``parseDuration(_:)`` accepts, for help texts and error messages.
    public static let durationForms =
        "a positive duration of at most 365d made of <number><unit> parts in the order d, h, m, s, e.g. 90s, 15m, 1h, 7d, 1h30m, 1d12h"

    /// The forms ``parseSignedTime(_:)`` accepts (Azure's `st`/`se` formats).
    public static let signedTimeForms =
        "YYYY-MM-DD, YYYY-MM-DDThh:mmZ, YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss.fffffffZ (UTC)"

    // MARK: - Formatting

    /// Formats `date` as `YYYY-MM-DDThh:mm:ssZ` in UTC with whole seconds, like the Azure SDK
    /// (`strftime("%Y-%m-%dT%H:%M:%SZ")`: sub-second parts are truncated, not rounded).
    /// Dates outside 0001-01-01…9999-12-31 are clamped to that range.
    public static func format(_ date: Date) -> String {
        let earliest: TimeInterval = -62_135_596_800, latest: TimeInterval = 253_402_300_799
        let raw = date.timeIntervalSince1970
        let interval = raw.isNaN ? 0 : min(max(raw.rounded(.down), earliest), latest)
        let total = Int64(interval)
        let (days, secondOfDay) = floorDivide(total, 86_400)
        let (year, month, day) = civil(fromDays: days)
        let hour = secondOfDay / 3600, minute = secondOfDay % 3600 / 60, second = secondOfDay % 60
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + "Z"
    }

    // MARK: - Parsing

    /// Parses a time a person typed: RFC 3339 with `Z` or an offset (`2026-12-01T10:15:00Z`,
    /// `2026-12-01T10:15:00+01:00`, `t`/`z` and a space separator also accepted, fractional
    /// seconds dropped) or a date alone (`2026-12-01`, midnight UTC).
    ///
    /// - Throws: `.invalidTime` with a message showing the accepted forms.
    public static func parseUserTime(_ text: String) throws(MedStoreError) -> Date {
        var scanner = Scanner(text)
        guard let date = scanner.date() else { throw userTimeError(text, "") }
        if scanner.atEnd { return epochDate(date: date, seconds: 0, fraction: 0) }
        guard scanner.take(["T", "t", " "]) else { throw userTimeError(text, "") }
        guard let time = scanner.time(secondsRequired: true) else {
            throw userTimeError(text, "the time of day must be hh:mm:ss with hour 00-23, minute 00-59 and second 00-59; ")
        }
        _ = scanner.fraction(maxDigits: nil)
        let offsetSeconds: Int64
        if scanner.take(["Z", "z"]) {
            offsetSeconds = 0
        } else if let sign = scanner.takeSign() {
            guard let hours = scanner.digits(2), hours <= 23, scanner.take([":"]),
                  let minutes = scanner.digits(2), minutes <= 59 else {
                throw userTimeError(text, "the UTC offset must be +hh:mm or -hh:mm; ")
            }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        } else if scanner.atEnd {
            throw userTimeError(text, "a time of day needs 'Z' or a UTC offset such as +01:00; ")
        } else {
            throw userTimeError(text, "")
        }
        guard scanner.atEnd else { throw userTimeError(text, "") }
        return epochDate(date: date, seconds: time.seconds - offsetSeconds, fraction: 0)
    }

    /// Parses an `st`/`se` value as it appears (percent-decoded) in a SAS token, in the forms Azure
    /// accepts: `YYYY-MM-DD`, `YYYY-MM-DDThh:mmZ`, `YYYY-MM-DDThh:mm:ssZ`, or with 1–7 fractional
    /// second digits. Always UTC. The fraction is kept.
    ///
    /// - Throws: `.invalidTime`.
    public static func parseSignedTime(_ text: String) throws(MedStoreError) -> Date {
        var scanner = Scanner(text)
        guard let date = scanner.date() else { throw signedTimeError(text) }
        if scanner.atEnd { return epochDate(date: date, seconds: 0, fraction: 0) }
        guard scanner.take(["T"]), let time = scanner.time(secondsRequired: false) else {
            throw signedTimeError(text)
        }
        var fraction = 0.0
        if time.hasSeconds, let f = scanner.fraction(maxDigits: 7) {
            fraction = f
        }
        guard scanner.take(["Z"]), scanner.atEnd else { throw signedTimeError(text) }
        return epochDate(date: date, seconds: time.seconds, fraction: fraction)
    }

    /// Parses a duration such as `90s`, `15m`, `1h`, `7d`, `1h30m` or `1d12h` into seconds.
    /// Units are `d`, `h`, `m`, `s`, each used at most once and in that order; the total must be
    /// positive and at most 365 days.
    ///
    /// - Throws: `.invalidTime` with a message showing the accepted forms.
    public static func parseDuration(_ text: String) throws(MedStoreError) -> Int {
        let bytes = Array(text.utf8)
        let units: [(UInt8, Int64)] = [
            (UInt8(ascii: "d"), 86_400), (UInt8(ascii: "h"), 3600), (UInt8(ascii: "m"), 60), (UInt8(ascii: "s"), 1),
        ]
        var index = 0
        var nextUnit = 0
        var total: Int64 = 0
        guard !bytes.isEmpty else { throw durationError(text, "the duration is empty; ") }
        while index < bytes.count {
            var value: Int64 = 0
            var digitCount = 0
            while index < bytes.count, let digit = digitValue(bytes[index]) {
                guard digitCount < 9 else { throw durationError(text, "a number is too large; ") }
                value = value * 10 + Int64(digit)
                digitCount += 1
                index += 1
            }
            guard digitCount > 0 else { throw durationError(text, "") }
            guard index < bytes.count else {
                throw durationError(text, "the number \(value) has no unit (d, h, m or s); ")
            }
            guard let unitIndex = units.firstIndex(where: { $0.0 == bytes[index] }) else {
                throw durationError(text, "")
            }
            guard unitIndex >= nextUnit else {
                throw durationError(text, "units must appear once each, in the order d, h, m, s; ")
            }
            nextUnit = unitIndex + 1
            total += value * units[unitIndex].1
            index += 1
        }
        guard total > 0 else { throw durationError(text, "the duration must be positive; ") }
        guard total <= Int64(maximumDurationSeconds) else {
            throw durationError(text, "the duration must be at most 365d; ")
        }
        return Int(total)
    }

    /// Parses a time a person typed where "from now" makes sense (`--start`, `--expiry`):
    /// anything ``parseUserTime(_:)`` accepts, the word `now`, or a duration such as `1h` or
    /// `7d` (``parseDuration(_:)``) counted from `now`. Text with a `-` after its first character
    /// is read as a time, anything else as `now` or a duration.
    ///
    /// - Throws: `.invalidTime` with a message showing the accepted forms.
    public static func parseUserTime(_ text: String, now: Date) throws(MedStoreError) -> Date {
        if text.dropFirst().contains("-") {
            return try parseUserTime(text)
        }
        if text == "now" { return now }
        do throws(MedStoreError) {
            return now.addingTimeInterval(TimeInterval(try parseDuration(text)))
        } catch {
            throw MedStoreError(.invalidTime, "\(error.message); or give 'now' or a time: \(userTimeForms)")
        }
    }

    // MARK: - Errors

    private static func userTimeError(_ text: String, _ detail: String) -> MedStoreError {
        MedStoreError(.invalidTime, "invalid time \(shown(text)): \(detail)accepted forms: \(userTimeForms)")
    }

    private static func signedTimeError(_ text: String) -> MedStoreError {
        MedStoreError(.invalidTime, "invalid SAS time \(shown(text)): accepted forms: \(signedTimeForms)")
    }

    private static func durationError(_ text: String, _ detail: String) -> MedStoreError {
        MedStoreError(.invalidTime, "invalid duration \(shown(text)): \(detail)expected \(durationForms)")
    }

    /// Quotes user input for a message, cut to a sane length.
    private static func shown(_ text: String) -> String {
        let cut = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return "'" + cut + "'"
    }

    // MARK: - Calendar arithmetic (proleptic Gregorian, UTC)

    struct CivilDate {
        var year: Int64
        var month: Int64
        var day: Int64
    }

    struct TimeOfDay {
        var seconds: Int64
        var hasSeconds: Bool
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    static func days(fromCivil date: CivilDate) -> Int64 {
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func epochDate(date: CivilDate, seconds: Int64, fraction: Double) -> Date {
        let whole = days(fromCivil: date) * 86_400 + seconds
        return Date(timeIntervalSince1970: TimeInterval(whole) + fraction)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// A cursor over the ASCII bytes of the input.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ text: String) {
            bytes = Array(text.utf8)
        }

        var atEnd: Bool { index == bytes.count }

        /// Consumes exactly `count` ASCII digits.
        mutating func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<count {
                guard let digit = SASTime.digitValue(bytes[index + offset]) else { return nil }
                value = value * 10 + Int64(digit)
            }
            index += count
            return value
        }

        /// Consumes one of `characters` if it is next.
        mutating func take(_ characters: [Character]) -> Bool {
            guard index < bytes.count else { return false }
            for character in characters where character.asciiValue == bytes[index] {
                index += 1
                return true
            }
            return false
        }

        mutating func takeSign() -> Int64? {
            if take(["+"]) { return 1 }
            if take(["-"]) { return -1 }
            return nil
        }

        /// `YYYY-MM-DD` with year 0001–9999, month 01–12 and a day that exists in that month.
        mutating func date() -> CivilDate? {
            guard let year = digits(4), year >= 1, take(["-"]),
                  let month = digits(2), (1...12).contains(month), take(["-"]),
                  let day = digits(2), day >= 1, day <= SASTime.daysInMonth(year: year, month: month)
            else { return nil }
            return CivilDate(year: year, month: month, day: day)
        }

        /// `hh:mm` or `hh:mm:ss` (hour 00–23, minute and second 00–59) as seconds of the day.
        mutating func time(secondsRequired: Bool) -> TimeOfDay? {
            guard let hour = digits(2), hour <= 23, take([":"]),
                  let minute = digits(2), minute <= 59 else { return nil }
            var total = hour * 3600 + minute * 60
            if take([":"]) {
                guard let second = digits(2), second <= 59 else { return nil }
                total += second
                return TimeOfDay(seconds: total, hasSeconds: true)
            }
            return secondsRequired ? nil : TimeOfDay(seconds: total, hasSeconds: false)
        }

        /// `.` followed by one or more digits (at most `maxDigits` when given); the value in seconds.
        /// Returns `nil` and consumes nothing when no `.` is next; a `.` without digits, or too
        /// many digits, is left for the caller to reject.
        mutating func fraction(maxDigits: Int?) -> Double? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return nil }
            var end = index + 1
            var value = 0.0
            var scale = 1.0
            while end < bytes.count, let digit = SASTime.digitValue(bytes[end]) {
                scale /= 10
                value += Double(digit) * scale
                end += 1
            }
            let count = end - index - 1
            guard count > 0, maxDigits.map({ count <= $0 }) ?? true else { return nil }
            index = end
            return value
        }
    }
}
