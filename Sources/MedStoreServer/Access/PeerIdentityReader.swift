import CMedStoreShims
import Foundation
import MedStoreCore

/// Reads who is on the other end of an accepted Unix socket: uid, gid and pid from the kernel
/// (`SO_PEERCRED`), then groups, executable and systemd unit from `/proc/<pid>` held open.
enum PeerIdentityReader {
    /// The caller's identity; nil when the kernel gives no credentials.
    static func identity(of fd: Int32) -> CallerIdentity? {
        var cred = medstore_peer_cred()
        guard medstore_get_peer_cred(fd, &cred) == 0 else { return nil }
        var identity = CallerIdentity(uid: cred.uid, gid: cred.gid, pid: cred.pid)
        guard cred.pid > 0, let handle = ProcessHandle(pid: cred.pid) else { return identity }
        let groups = handle.read("status").map(ProcFields.groups(status:)) ?? []
        let executable = handle.readLink("exe")
        let unit = handle.read("cgroup").flatMap(ProcFields.unit(cgroup:))
        // Attributes read from a process that has gone (or a recycled pid) are not trusted.
        guard handle.isSameProcess() else { return identity }
        identity.groups = groups
        identity.executable = executable
        identity.unit = unit
        identity.startTime = handle.startTime
        identity.binding = handle
        return identity
    }
}
