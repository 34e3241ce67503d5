import Foundation
import MedStoreProtocol

/// Severity, with the syslog priority journald reads from a `<N>` line prefix.
public enum LogLevel: Int, Sendable, CaseIterable {
    case error = 3
    case warning = 4
    case notice = 5
    case info = 6
    case debug = 7

    /// Parses `error`, `warning`, `notice`, `info` or `debug`.
    public init?(name: String) {
        switch name.lowercased() {
        case "error": self = .error
        case "warning", "warn": self = .warning
        case "notice": self = .notice
        case "info": self = .info
        case "debug": self = .debug
        default: return nil
        }
    }
}

/// Structured logger: a constant message then `key=value` fields, one line per event, on stderr
/// with a journald priority prefix. Components receive a logger; they never make their own.
/// Never pass key material, tokens or signatures as a field.
public struct Logger: Sendable {
    /// Lowest level written (when no ``LogLevelSwitch`` is attached).
    public var level: LogLevel
    private let sink: @Sendable (String) -> Void
    /// When set, its level wins over ``level``: lets a reload change every copy at once.
    private var levelSwitch: LogLevelSwitch?

    /// The level in force right now.
    public var effectiveLevel: LogLevel { levelSwitch?.level ?? level }

    /// This logger (same sink) following `levelSwitch` for its level from now on.
    public func following(_ levelSwitch: LogLevelSwitch) -> Logger {
        var copy = self
        copy.levelSwitch = levelSwitch
        return copy
    }

    /// A logger writing to stderr.
    public init(level: LogLevel = .info) {
        self.level = level
        self.sink = { line in
            let data = Array(line.utf8)
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(2, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue }; return }
                    offset += n
                }
            }
        }
    }

    /// A logger writing lines to `sink` (for tests).
    public init(level: LogLevel, sink: @escaping @Sendable (String) -> Void) {
        self.level = level
        self.sink = sink
    }

    /// Writes one event when `level` is enabled.
    public func log(_ level: LogLevel, _ message: StaticString, _ fields: [(String, String)] = []) {
        guard level.rawValue <= effectiveLevel.rawValue else { return }
        var line = "<\(level.rawValue)>\(message)"
        for (key, value) in fields {
            line += " \(key)=\(Logger.quote(SecretShape.redact(value)))"
        }
        sink(line + "\n")
    }

    /// Error-level event.
    public func error(_ message: StaticString, _ fields: [(String, String)] = []) { log(.error, message, fields) }
    /// Warning-level event.
    public func warning(_ message: StaticString, _ fields: [(String, String)] = []) { log(.warning, message, fields) }
    /// Notice-level event.
    public func notice(_ message: StaticString, _ fields: [(String, String)] = []) { log(.notice, message, fields) }
    /// Info-level event.
    public func info(_ message: StaticString, _ fields: [(String, String)] = []) { log(.info, message, fields) }
    /// Debug-level event.
    public func debug(_ message: StaticString, _ fields: [(String, String)] = []) { log(.debug, message, fields) }

    /// A field value as written after `key=`: bare when it is plain, else in double quotes with
    /// `\` and `"` escaped and every control character written as an escape (`\n`, `\r`, `\t`,
    /// `\u{1b}`), so a value taken from a request (a blob name with `%0D%0A` in it, say) can
    /// neither end the line nor forge another one. Works on Unicode scalars: CR LF is one
    /// `Character`, which a character-level replacement of `"\n"` would miss.
    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || isControl(scalar)
        }
        guard needsQuotes else { return value }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": quoted.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": quoted.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": quoted.append(contentsOf: "\\n".unicodeScalars)
            case "\r": quoted.append(contentsOf: "\\r".unicodeScalars)
            case "\t": quoted.append(contentsOf: "\\t".unicodeScalars)
            case _ where isControl(scalar):
                quoted.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            default: quoted.append(scalar)
            }
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}

/// A log level shared by every copy of a ``Logger`` that follows it; thread-safe, so `SIGHUP`
/// can change the daemon's level while other threads log.
public final class LogLevelSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var current: LogLevel

    /// A switch starting at `level`.
    public init(_ level: LogLevel) { current = level }

    /// The level now in force.
    public var level: LogLevel {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
