import MedStoreCore
import MedStoreTestSupport
import Testing

/// The structured log line format: `<priority>message key=value ...`, one line per event
/// whatever the values hold (they may come from requests).
@Suite("Logger")
struct LoggerTests {
    private func line(_ value: String) -> String {
        let capture = LogCapture()
        capture.logger.info("event", [("blob", value)])
        return capture.lines.first ?? ""
    }

    @Test("plain values stay bare; spaces, quotes and '=' are quoted and escaped")
    func quoting() {
        #expect(line("scans/a.dcm") == "<6>event blob=scans/a.dcm\n")
        #expect(line("a\\b") == "<6>event blob=a\\b\n")
        #expect(line("") == "<6>event blob=\"\"\n")
        #expect(line("a b=\"c\\") == "<6>event blob=\"a b=\\\"c\\\\\"\n")
    }

    // Found by `make fuzz` (sas target): a container name with a CR went into the line raw.
    @Test("control characters never reach the line raw, so a value cannot forge a line",
          arguments: ["patient\rGET", "a\r\nb", "a\nb", "tab\there", "esc\u{1b}[2J", "nul\u{0}", "del\u{7f}", "nel\u{85}", "ls\u{2028}ps\u{2029}"])
    func controlCharacters(_ value: String) {
        let written = line(value)
        #expect(written.hasSuffix("\n"))
        #expect(!written.dropLast().unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 },
                "\(written.debugDescription)")
    }

    @Test("escapes are readable")
    func escapes() {
        #expect(line("a\r\nb") == "<6>event blob=\"a\\r\\nb\"\n")
        #expect(line("t\tx") == "<6>event blob=\"t\\tx\"\n")
        #expect(line("e\u{1b}x") == "<6>event blob=\"e\\u{1b}x\"\n")
    }
}
