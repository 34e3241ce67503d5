import Foundation
import MedStoreProtocol

/// The `medstored.conf` format: one `key = value` per line, keys as the flags without `--`
/// (`cluster-network` may repeat), blank lines and lines starting with `#` ignored, a ` #`
/// after a value starts a comment, a value may be wrapped in double quotes. Unknown keys and
/// bad values are refused with the line number.
public enum DaemonConfigFile {
    /// Where `medstored` looks when neither `--config` nor `MEDSTORE_CONFIG` names a file.
    public static let defaultPath = "/etc/medstore/medstored.conf"

    /// Reads `path`. A missing file is an error only when `required` (an explicitly named one).
    static func load(_ path: String, required: Bool) throws(MedStoreError) -> SettingAssignments? {
        if !required && !FileManager.default.fileExists(atPath: path) { return nil }
        // A plain read, which also takes character devices: `--config /dev/null` means "no settings".
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            throw MedStoreError(.invalidArgument, "cannot read config file \(path): \(String(cString: strerror(errno)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MedStoreError(.invalidArgument, "config file \(path) is not UTF-8 text")
        }
        return try parse(text, name: path)
    }

    /// Parses config text; `name` prefixes error messages (`name:LINE: …`).
    static func parse(_ text: String, name: String) throws(MedStoreError) -> SettingAssignments {
        var result = SettingAssignments()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(name):\(index + 1)"
            var line = String(rawLine)
            if let comment = line.range(of: " #") ?? line.range(of: "\t#") { line = String(line[..<comment.lowerBound]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw MedStoreError(.invalidArgument, "\(origin): expected 'key = value', got '\(line)'")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard let setting = DaemonSetting(rawValue: key) else {
                let known = DaemonSetting.allCases.map(\.key).joined(separator: ", ")
                throw MedStoreError(.invalidArgument, "\(origin): unknown key '\(key)' (known: \(known))")
            }
            result.entries.append((setting, value, origin))
        }
        // Check every value now, so a bad one is reported with its line even if a flag overrides it.
        var scratch = DaemonOptions(stateDirectory: "/", socketPath: "/")
        try result.apply(to: &scratch)
        return result
    }

    /// `options` as a config file that reproduces them (what `--check-config` prints).
    public static func render(_ options: DaemonOptions) -> String {
        var lines = ["# medstored effective configuration",
                     "# config file: \(options.configFile ?? "none")"]
        for setting in DaemonSetting.allCases {
            let values = setting.values(in: options)
            if values.isEmpty { lines.append("# \(setting.key) is not set") }
            for value in values {
                let needsQuotes = value.contains(" #") || value.hasPrefix("\"") || value != value.trimmingCharacters(in: .whitespaces)
                lines.append("\(setting.key) = \(needsQuotes ? "\"\(value)\"" : value)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
