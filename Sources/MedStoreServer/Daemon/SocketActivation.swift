import CMedStoreShims
import Foundation
import MedStoreProtocol

/// Listening sockets inherited from systemd (`sd_listen_fds(3)` without libsystemd): fds 3 …
/// 3+`LISTEN_FDS`−1, meant for us only when `LISTEN_PID` is our pid, named by `LISTEN_FDNAMES`
/// (colon-separated; systemd's default name is `unknown`).
///
/// The control socket is the fd named `control`, else the first one whose name is not `blob`
/// when none is named `control`; the blob listener is the fd named `blob`.
public struct SocketActivation: Sendable, Equatable {
    /// The inherited control socket (a listening `AF_UNIX` stream socket).
    public var control: Int32?
    /// The inherited blob listener (a listening TCP socket).
    public var blob: Int32?

    /// No inherited sockets.
    public static let none = SocketActivation(control: nil, blob: nil)

    /// First inherited descriptor, as in `SD_LISTEN_FDS_START`.
    public static let firstFD: Int32 = 3

    /// Reads the `LISTEN_*` variables. Refuses fds that are not listening stream sockets or a
    /// passed fd nothing would use, so a wrong `.socket` unit fails loudly at start. `firstFD`
    /// is 3 except in tests.
    public static func from(environment: [String: String], pid: pid_t = getpid(),
                            firstFD: Int32 = SocketActivation.firstFD) throws(MedStoreError) -> SocketActivation {
        guard let pidText = environment["LISTEN_PID"], let countText = environment["LISTEN_FDS"] else { return .none }
        guard pid_t(pidText) == pid else { return .none }
        guard let count = Int32(countText), count >= 0, count < 64 else {
            throw MedStoreError(.invalidArgument, "LISTEN_FDS must be a small number, got '\(countText)'")
        }
        let names = (environment["LISTEN_FDNAMES"] ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var result = SocketActivation.none
        var unnamed: [Int32] = []
        for index in 0..<count {
            let fd = firstFD + index
            let name = Int(index) < names.count ? names[Int(index)] : ""
            switch name {
            case "control": result.control = fd
            case "blob": result.blob = fd
            default: unnamed.append(fd)
            }
        }
        if result.control == nil, let first = unnamed.first {
            result.control = first
            unnamed.removeFirst()
        }
        if let extra = unnamed.first {
            throw MedStoreError(.invalidArgument,
                                "inherited socket fd \(extra) has no use: name it 'control' or 'blob' (FileDescriptorName=)")
        }
        if let fd = result.control { try check(fd, family: [AF_UNIX], role: "control") }
        if let fd = result.blob { try check(fd, family: [AF_INET, AF_INET6], role: "blob") }
        return result
    }

    /// Verifies `fd` is a listening stream socket of one of `family`, and marks it close-on-exec.
    static func check(_ fd: Int32, family: [Int32], role: String) throws(MedStoreError) {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        guard option(SO_TYPE) == Int32(SOCK_STREAM.rawValue), option(SO_ACCEPTCONN) == 1,
              let domain = option(SO_DOMAIN), family.contains(domain) else {
            throw MedStoreError(.invalidArgument,
                                "inherited fd \(fd) for the \(role) socket is not a listening \(role == "control" ? "Unix" : "TCP") stream socket")
        }
        _ = medstore_set_cloexec(fd)
    }

    /// Removes the `LISTEN_*` variables so nothing started later inherits them.
    public static func unsetEnvironment() {
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
    }
}
