import Foundation

/// RFC 1123 dates as HTTP and Azure write them (`Thu, 01 Jan 2026 00:00:00 GMT`), parsed strictly
/// and formatted by hand (UTC, no locale).
public enum RFC1123Date {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats `date` in whole seconds (fractions truncated).
    public static func format(_ date: Date) -> String {
        let raw = date.timeIntervalSince1970
        let total = Int64(raw.isFinite ? raw.rounded(.down) : 0)
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - days * 86_400
        let (year, month, day) = SASTime.civil(fromDays: days)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        return "\(weekday), \(pad(day, 2)) \(months[Int(month) - 1]) \(pad(year, 4)) "
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2)) GMT"
    }

    /// Parses `Www, DD Mmm YYYY hh:mm:ss GMT`; the weekday must be the right one. `nil` otherwise.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29 else { return nil }
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard string(3..<5) == ", ", bytes[7] == UInt8(ascii: " "), bytes[11] == UInt8(ascii: " "),
              bytes[16] == UInt8(ascii: " "), bytes[19] == UInt8(ascii: ":"), bytes[22] == UInt8(ascii: ":"),
              string(25..<29) == " GMT",
              let weekday = weekdays.firstIndex(of: string(0..<3)),
              let day = number(5..<7), let monthIndex = months.firstIndex(of: string(8..<11)),
              let year = number(12..<16), let hour = number(17..<19), let minute = number(20..<22),
              let second = number(23..<25),
              year >= 1, hour <= 23, minute <= 59, second <= 59 else { return nil }
        let month = Int64(monthIndex + 1)
        guard day >= 1, day <= SASTime.daysInMonth(year: year, month: month) else { return nil }
        let days = SASTime.days(fromCivil: SASTime.CivilDate(year: year, month: month, day: day))
        guard ((days % 7) + 7) % 7 == Int64(weekday) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
