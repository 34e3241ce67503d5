import Foundation
import MedStoreCore

/// `/proc/<pid>` held open as a directory. Files read through it belong to the process that was
/// there when it was opened: once that process is gone, reads fail (`ESRCH`) even if the pid is
/// reused, and the start time (field 22 of `stat`) tells a recycled pid apart as a second check.
/// This is SPIRE's PID-reuse defence.
public final class ProcessHandle: ProcessBinding, @unchecked Sendable {
    /// The pid the handle was opened for.
    public let pid: Int32
    /// The start time read when the handle was opened (clock ticks since boot).
    public let startTime: UInt64
    private let fd: Int32

    /// Opens `/proc/<pid>` and records the start time; nil when the process is already gone.
    public init?(pid: Int32, procRoot: String = "/proc") {
        let fd = open("\(procRoot)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard let start = ProcessHandle.startTime(dirFD: fd) else {
            close(fd)
            return nil
        }
        self.pid = pid
        self.fd = fd
        self.startTime = start
    }

    deinit { close(fd) }

    /// Whether the process is still alive and its start time is the one recorded.
    public func isSameProcess() -> Bool {
        ProcessHandle.startTime(dirFD: fd) == startTime
    }

    /// A file under the process's directory, e.g. `status`; nil when unreadable or gone.
    func read(_ name: String) -> String? {
        let file = openat(fd, name, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = Glibc.read(file, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// The target of a symbolic link under the process's directory, e.g. `exe`.
    func readLink(_ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(fd, name, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Field 22 of `stat` read through `dirFD`; nil when the process is gone.
    static func startTime(dirFD: Int32) -> UInt64? {
        let file = openat(dirFD, "stat", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = Glibc.read(file, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return ProcFields.startTime(stat: String(decoding: buffer[0..<n], as: UTF8.self))
    }
}
