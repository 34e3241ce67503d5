/// Parsers for the `/proc/<pid>` files that describe a caller. Pure.
enum ProcFields {
    /// Field 22 (`starttime`) of `/proc/<pid>/stat`. The command name (field 2) is in
    /// parentheses and may hold spaces and parentheses itself, so fields count from the last `)`.
    static func startTime(stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // rest[0] is field 3 (state); field 22 is rest[19].
        guard rest.count > 19 else { return nil }
        return UInt64(rest[19].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The supplementary groups from the `Groups:` line of `/proc/<pid>/status`.
    static func groups(status: String) -> [UInt32] {
        for line in status.split(separator: "\n") where line.hasPrefix("Groups:") {
            return line.dropFirst("Groups:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
        }
        return []
    }

    /// The systemd service of a process: the last `*.service` component of its cgroup path
    /// (`0::/system.slice/backup.service` → `backup.service`).
    static func unit(cgroup: String) -> String? {
        for line in cgroup.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "0" else { continue }
            return parts[2].split(separator: "/").last(where: { $0.hasSuffix(".service") }).map(String.init)
        }
        return nil
    }
}
