import Foundation
import MedStoreClient
import MedStoreCore
import MedStoreProtocol
import MedStoreServer
import MedStoreTestSupport
import Testing

/// sd_notify as systemd sees it: a real NOTIFY_SOCKET datagram listener and an in-process daemon.
@Suite(.serialized) struct SystemdNotifyTests {
    private func makeDaemon(_ directory: TemporaryDirectory, notify: NotifySocketListener,
                            watchdogUSec: String? = nil, configure: (inout DaemonOptions) -> Void = { _ in },
                            reload: (@Sendable () throws(MedStoreError) -> DaemonOptions)? = nil) throws -> Daemon {
        var options = DaemonOptions(stateDirectory: directory.file("state"), socketPath: directory.file("s.sock"))
        options.blobListen = "127.0.0.1:0"
        options.drainTimeoutSeconds = 2
        configure(&options)
        var environment = ["NOTIFY_SOCKET": notify.address]
        if let watchdogUSec { environment["WATCHDOG_USEC"] = watchdogUSec }
        let logger = Logger(level: .error)
        return try Daemon(options: options, logger: logger,
                          notifier: SystemdNotifier(environment: environment, logger: logger),
                          statusInterval: 0.2, reloadSource: reload)
    }

    @Test(arguments: [false, true]) func readyOnlyOnceServingThenStatusWatchdogAndStopping(abstract: Bool) async throws {
        let directory = TemporaryDirectory(prefix: "msn")
        defer { withExtendedLifetime(directory) {} }
        let notify = try NotifySocketListener(directory: directory.path, abstract: abstract)
        defer { notify.close() }
        let daemon = try makeDaemon(directory, notify: notify, watchdogUSec: "200000")
        // Bound and migrated, but not started: systemd must not hear READY yet.
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(notify.received.isEmpty)
        daemon.start()
        let ready = try #require(notify.waitFor { $0.contains("READY=1") })
        // The moment READY=1 arrived, the control socket answers.
        let client = try await MedStoreClient.connect(socketPath: daemon.options.socketPath, clientName: "notify-test")
        _ = try await client.status()
        client.close()
        #expect(ready.contains("STATUS=Serving: no account, 0 containers"))
        #expect(notify.waitFor { $0.hasPrefix("STATUS=Serving") && !$0.contains(" 0 control") } != nil)
        #expect(notify.waitFor { $0 == "WATCHDOG=1" } != nil)
        #expect(notify.received.filter { $0 == "WATCHDOG=1" }.count >= 1)
        daemon.stop()
        let messages = notify.received
        let stoppingIndex = try #require(messages.firstIndex { $0.contains("STOPPING=1") })
        let readyIndex = try #require(messages.firstIndex { $0.contains("READY=1") })
        #expect(readyIndex < stoppingIndex)
    }

    @Test func noWatchdogWhenItIsMeantForAnotherProcess() throws {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000",
                                                     "WATCHDOG_PID": "1"], pid: 4242, logger: Logger(level: .error))
        #expect(notifier.watchdogInterval == nil)
        let ours = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000",
                                                 "WATCHDOG_PID": "4242"], pid: 4242, logger: Logger(level: .error))
        #expect(ours.watchdogInterval == 1)
        #expect(!SystemdNotifier(environment: [:], logger: Logger(level: .error)).isEnabled)
    }

    @Test func reloadSendsReloadingThenReadyAndChangesClusterNetworks() async throws {
        let directory = TemporaryDirectory(prefix: "msr")
        defer { withExtendedLifetime(directory) {} }
        let notify = try NotifySocketListener(directory: directory.path)
        defer { notify.close() }
        let daemon = try makeDaemon(directory, notify: notify, reload: { () throws(MedStoreError) -> DaemonOptions in
            var fresh = DaemonOptions(stateDirectory: directory.file("state"), socketPath: directory.file("s.sock"))
            fresh.blobListen = "127.0.0.1:0"
            fresh.clusterNetworks = ["10.1.0.0/16"]
            fresh.logLevel = .debug
            return fresh
        })
        daemon.start()
        defer { daemon.stop() }
        _ = notify.waitFor { $0.contains("READY=1") }
        #expect(daemon.reload())
        let reloading = try #require(notify.waitFor { $0.contains("RELOADING=1") })
        #expect(reloading.contains("MONOTONIC_USEC="))
        // READY=1 follows RELOADING=1 (wait for it: the datagram may still be on its way).
        var readyAgain = false
        let deadline = Date().addingTimeInterval(10)
        while !readyAgain && Date() < deadline {
            let messages = notify.received
            if let index = messages.firstIndex(of: reloading) {
                readyAgain = messages[(index + 1)...].contains { $0.contains("READY=1") }
            }
            if !readyAgain { usleep(10_000) }
        }
        #expect(readyAgain)
        #expect(daemon.service.configuration.clusterNetworks == ["10.1.0.0/16"])
        #expect(daemon.options.logLevel == .debug)
    }
}
