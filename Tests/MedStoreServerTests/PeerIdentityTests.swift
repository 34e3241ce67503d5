import Foundation
import Testing
@testable import MedStoreCore
@testable import MedStoreServer
import MedStoreProtocol
import MedStoreTestSupport

@Suite("Peer identity and PID reuse")
struct PeerIdentityTests {
    @Test func procFieldsParse() {
        let stat = "4242 (we ird) name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200"
        #expect(ProcFields.startTime(stat: stat) == 987654)
        #expect(ProcFields.startTime(stat: "garbage") == nil)
        #expect(ProcFields.groups(status: "Name:\tx\nGroups:\t4 24 1001 \nNSpid:\t1\n") == [4, 24, 1001])
        #expect(ProcFields.groups(status: "Groups:\n").isEmpty)
        #expect(ProcFields.unit(cgroup: "0::/system.slice/backup.service\n") == "backup.service")
        #expect(ProcFields.unit(cgroup: "0::/user.slice/user-0.slice/user@0.service/app.slice/x.scope\n") == "user@0.service")
        #expect(ProcFields.unit(cgroup: "0::/\n") == nil)
    }

    @Test func aLiveProcessStaysTheSame() throws {
        let handle = try #require(ProcessHandle(pid: getpid()))
        #expect(handle.isSameProcess())
        #expect(handle.readLink("exe")?.hasPrefix("/") == true)
    }

    /// A child records its identity, exits and is reaped; the handle on its `/proc` entry then
    /// refuses, even if the kernel hands its pid to a new process.
    @Test func aDeadProcessNeverPassesAsANewOne() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["30"]
        try child.run()
        let handle = try #require(ProcessHandle(pid: child.processIdentifier))
        #expect(handle.isSameProcess())
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(!handle.isSameProcess(), "the process is gone: its /proc entry no longer answers")
        let caller = CallerIdentity(uid: 0, gid: 0, pid: handle.pid, executable: "/bin/sleep",
                                    startTime: handle.startTime, binding: handle)
        let grant = try Grant(GrantInfo(id: 1, kind: .exe, subject: "/bin/sleep", subjectName: nil, containers: "*",
                                        permissions: "r", maxTTLSeconds: 60, ipRange: nil, httpsOnly: false,
                                        createdAt: "2026-12-04T00:00:00Z"))
        #expect(!grant.matches(caller), "an exe grant does not follow a dead (or recycled) pid")
    }

    /// The start-time comparison itself: a handle whose recorded start time differs from what
    /// `/proc/<pid>/stat` now says (as after PID reuse) is refused.
    @Test func aDifferentStartTimeIsRefused() throws {
        let proc = TemporaryDirectory(prefix: "msproc")
        let dir = proc.file("4242")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let line = { (start: Int) in "4242 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 \(start) 0 0\n" }
        try line(1000).write(toFile: dir + "/stat", atomically: false, encoding: .utf8)
        let handle = try #require(ProcessHandle(pid: 4242, procRoot: proc.path))
        #expect(handle.startTime == 1000 && handle.isSameProcess())
        try line(2000).write(toFile: dir + "/stat", atomically: false, encoding: .utf8)
        #expect(!handle.isSameProcess())
    }
}
