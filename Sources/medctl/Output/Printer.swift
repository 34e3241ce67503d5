import Glibc
import Foundation
import MedStoreProtocol

/// Prints a command's result: human text by default, or, with `--json`, exactly one JSON
/// document with the protocol's field names (sorted keys, pretty printed, slashes unescaped).
/// Messages that only help a person are left out in JSON mode so stdout stays one document.
struct Printer: Sendable {
    /// Whether `--json` was given.
    let json: Bool

    /// Prints `value` as JSON, or the text `human` builds.
    func emit<Value: Encodable>(_ value: Value, human: () -> String) throws(MedStoreError) {
        if json {
            Printer.standardOutput(try Printer.jsonText(value))
        } else {
            Printer.standardOutput(human())
        }
    }

    /// `value` as the JSON medctl prints.
    static func jsonText<Value: Encodable>(_ value: Value) throws(MedStoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw MedStoreError(.internal, "cannot write the result as JSON: \(error)")
        }
    }

    /// Writes `text` and a newline (unless it already ends in one) to stdout.
    static func standardOutput(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// Writes `text` and a newline (unless it already ends in one) to stderr.
    static func standardError(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes every byte straight to `fd` (no stdio buffer, so nothing is lost at `exit`).
    private static func write(_ text: String, to fd: Int32) {
        let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
