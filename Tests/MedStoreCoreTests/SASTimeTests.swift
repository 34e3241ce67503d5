import Foundation
import MedStoreCore
import MedStoreProtocol
import Testing

/// Seconds since the epoch of 2026-12-01T00:00:00Z.
private let december1st2026: TimeInterval = 1_796_083_200

@Suite("SAS times and durations")
struct SASTimeTests {
    @Test("formats like the SDK: UTC, whole seconds, truncated",
          arguments: [
              (0.0, "1970-01-01T00:00:00Z"),
              (1_767_270_615.999_9, "2026-01-01T12:30:15Z"),
              (1_767_225_600, "2026-01-01T00:00:00Z"),
              (1_709_251_199, "2024-02-29T23:59:59Z"),
              (951_782_400, "2000-02-29T00:00:00Z"),
              (-1, "1969-12-31T23:59:59Z"),
              (-0.5, "1969-12-31T23:59:59Z"),
              (253_402_300_799, "9999-12-31T23:59:59Z"),
              (1e15, "9999-12-31T23:59:59Z"),
              (-1e15, "0001-01-01T00:00:00Z"),
          ])
    func format(seconds: TimeInterval, text: String) {
        #expect(SASTime.format(Date(timeIntervalSince1970: seconds)) == text)
    }

    static let userTimeCases: [(String, TimeInterval)] = [
        ("2026-12-01T10:15:00Z", december1st2026 + 36_900),
        ("2026-12-01t10:15:00z", december1st2026 + 36_900),
        ("2026-12-01 10:15:00Z", december1st2026 + 36_900),
        ("2026-12-01T10:15:00+01:00", december1st2026 + 33_300),
        ("2026-12-01T10:15:00-05:30", december1st2026 + 36_900 + 19_800),
        ("2026-12-01T00:30:00+01:00", december1st2026 - 1_800),
        ("2026-12-01T10:15:00.987654Z", december1st2026 + 36_900),
        ("2026-12-01T10:15:00.5+01:00", december1st2026 + 33_300),
        ("2026-12-01", december1st2026),
        ("2024-02-29", 1_709_164_800),
        ("2000-02-29", 951_782_400),
        ("1970-01-01T00:00:00Z", 0),
        ("2026-12-31T23:59:59Z", 1_798_761_599),
    ]

    @Test("parses user times", arguments: userTimeCases)
    func parsesUserTimes(text: String, seconds: TimeInterval) throws {
        #expect(try SASTime.parseUserTime(text).timeIntervalSince1970 == seconds)
    }

    @Test("rejects bad user times with .invalidTime and the accepted forms",
          arguments: [
              "", "tomorrow", " 2026-12-01", "2026-12-01 ", "26-12-01", "2026-12-1", "2026/12/01",
              "2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-12-00", "0000-01-01",
              "2026-12-01T24:00:00Z", "2026-12-01T10:60:00Z", "2026-12-01T10:15:60Z",
              "2026-12-01T10:15:00", "2026-12-01T10:15Z", "2026-12-01T10Z", "2026-12-01T",
              "2026-12-01T10:15:00+1:00", "2026-12-01T10:15:00+24:00", "2026-12-01T10:15:00+01:60",
              "2026-12-01T10:15:00+0100", "2026-12-01T10:15:00.Z", "2026-12-01T10:15:00Zjunk", "2026-12-01X",
              "２０２６-12-01",
          ])
    func rejectsUserTimes(text: String) {
        let error = #expect(throws: MedStoreError.self) { try SASTime.parseUserTime(text) }
        #expect(error?.code == .invalidTime)
        #expect(error?.message.contains("2026-12-01T10:15:00Z") == true)
        #expect(error?.message.contains("2026-12-01T10:15:00+01:00") == true)
    }

    @Test("user-time error messages name the problem")
    func userTimeMessages() {
        let noOffset = #expect(throws: MedStoreError.self) { try SASTime.parseUserTime("2026-12-01T10:15:00") }
        #expect(noOffset?.message.contains("needs 'Z' or a UTC offset") == true)
        let badHour = #expect(throws: MedStoreError.self) { try SASTime.parseUserTime("2026-12-01T25:00:00Z") }
        #expect(badHour?.message.contains("hour 00-23") == true)
    }

    @Test("parses Azure st/se forms",
          arguments: [
              ("2026-01-01", 1_767_225_600.0),
              ("2026-01-01T10:15Z", 1_767_262_500.0),
              ("2026-01-01T10:15:30Z", 1_767_262_530.0),
              ("2026-01-01T10:15:30.5Z", 1_767_262_530.5),
              ("2026-01-01T10:15:30.1234567Z", 1_767_262_530.123_456_7),
          ])
    func parsesSignedTimes(text: String, seconds: TimeInterval) throws {
        let parsed = try SASTime.parseSignedTime(text).timeIntervalSince1970
        #expect(abs(parsed - seconds) < 0.000_001)
    }

    @Test("rejects other st/se forms",
          arguments: [
              "", "2026-01-01T10:15:30.12345678Z", "2026-01-01t10:15Z", "2026-01-01T10:15:30+00:00",
              "2026-01-01T10Z", "2026-01-01T10:15.5Z", "2026-01-01T10:15:30", "2026-02-30", "2026-01-01T10:15:30.Z",
              "2026-01-01 10:15:30Z",
          ])
    func rejectsSignedTimes(text: String) {
        let error = #expect(throws: MedStoreError.self) { try SASTime.parseSignedTime(text) }
        #expect(error?.code == .invalidTime)
        #expect(error?.message.contains("YYYY-MM-DDThh:mm:ssZ") == true)
    }

    @Test("formatted times parse back as signed times")
    func formatParseRoundTrip() throws {
        for seconds in stride(from: 0.0, to: 4_102_444_800, by: 12_345_678.9) {
            let text = SASTime.format(Date(timeIntervalSince1970: seconds))
            #expect(try SASTime.parseSignedTime(text).timeIntervalSince1970 == seconds.rounded(.down))
            #expect(try SASTime.parseUserTime(text).timeIntervalSince1970 == seconds.rounded(.down))
        }
    }

    @Test("parses durations",
          arguments: [
              ("90s", 90), ("15m", 900), ("1h", 3_600), ("7d", 604_800), ("1h30m", 5_400), ("1d12h", 129_600),
              ("1d1s", 86_401), ("2h0m", 7_200), ("365d", 31_536_000), ("364d24h", 31_536_000), ("1d2h3m4s", 93_784),
              ("0090s", 90),
          ])
    func parsesDurations(text: String, seconds: Int) throws {
        #expect(try SASTime.parseDuration(text) == seconds)
    }

    @Test("rejects bad durations",
          arguments: [
              "", "0s", "0h0m", "366d", "364d24h1s", "31536001s", "1x", "h", "1", "1h1h", "30m1h", "-1h", "+1h",
              "1.5h", "1 h", " 1h", "1H", "9999999999s", "1h30", "1w",
          ])
    func rejectsDurations(text: String) {
        let error = #expect(throws: MedStoreError.self) { try SASTime.parseDuration(text) }
        #expect(error?.code == .invalidTime)
        #expect(error?.message.contains("1h30m") == true)
    }

    @Test("user time relative to now: time, 'now' or duration")
    func userTimeRelativeToNow() throws {
        let now = Date(timeIntervalSince1970: december1st2026)
        #expect(try SASTime.parseUserTime("1h", now: now).timeIntervalSince1970 == december1st2026 + 3_600)
        #expect(try SASTime.parseUserTime("1d12h", now: now).timeIntervalSince1970 == december1st2026 + 129_600)
        #expect(try SASTime.parseUserTime("now", now: now) == now)
        #expect(try SASTime.parseUserTime("2026-12-02", now: now).timeIntervalSince1970 == december1st2026 + 86_400)
        #expect(try SASTime.parseUserTime("2026-12-01T10:15:00+01:00", now: now).timeIntervalSince1970 == december1st2026 + 33_300)
        for bad in ["soon", "", "Now", "-1h", "0s", "366d"] {
            let error = #expect(throws: MedStoreError.self) { try SASTime.parseUserTime(bad, now: now) }
            #expect(error?.code == .invalidTime)
            #expect(error?.message.contains("2026-12-01T10:15:00Z") == true, "\(error?.message ?? "")")
        }
        let badDate = #expect(throws: MedStoreError.self) { try SASTime.parseUserTime("2026-02-30", now: now) }
        #expect(badDate?.code == .invalidTime)
    }
}
