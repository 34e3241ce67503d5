/// Checks that the process a connection came from is still the one recorded at accept (its
/// `/proc` entry still refers to it and its start time has not changed). Implemented by the server,
/// which holds the `/proc/<pid>` directory open.
public protocol ProcessBinding: Sendable {
    /// Whether the recorded process is still alive and is the same process (no PID reuse).
    func isSameProcess() -> Bool
}

/// Who is on the other end of a control connection, as the kernel reports it at accept
/// (`SO_PEERCRED`) plus what `/proc/<pid>` said about that process at the time.
public struct CallerIdentity: Sendable, CustomStringConvertible {
    /// Effective user id.
    public var uid: UInt32
    /// Effective group id.
    public var gid: UInt32
    /// Process id at connect time.
    public var pid: Int32
    /// Supplementary groups (from `/proc/<pid>/status`); empty when unreadable.
    public var groups: [UInt32]
    /// The executable (`/proc/<pid>/exe`), when readable.
    public var executable: String?
    /// The systemd service the process runs in (`.service` component of its cgroup), if any.
    public var unit: String?
    /// The process start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`).
    public var startTime: UInt64?
    /// Re-checks that `pid` still names the same process; nil when none was recorded.
    public var binding: (any ProcessBinding)?

    /// Creates an identity.
    public init(uid: UInt32, gid: UInt32, pid: Int32, groups: [UInt32] = [], executable: String? = nil,
                unit: String? = nil, startTime: UInt64? = nil, binding: (any ProcessBinding)? = nil) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.groups = groups
        self.executable = executable
        self.unit = unit
        self.startTime = startTime
        self.binding = binding
    }

    /// The primary and supplementary groups together.
    public var allGroups: Set<UInt32> { Set(groups).union([gid]) }

    /// Whether attributes tied to the process (executable, unit) may still be trusted: the process
    /// recorded at accept is alive and is the same one. False when nothing was recorded.
    public var processStillSame: Bool { binding?.isSameProcess() ?? false }

    /// `uid=… gid=… pid=…` plus exe and unit when known (for logs and messages).
    public var description: String {
        var parts = ["uid=\(uid)", "gid=\(gid)", "pid=\(pid)"]
        if let executable { parts.append("exe=\(executable)") }
        if let unit { parts.append("unit=\(unit)") }
        return parts.joined(separator: " ")
    }
}
