import CMedStoreShims
import Dispatch
import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreServer

// medstored: parse options (flags, environment, config file), start the daemon (bound or
// socket-activated sockets), tell systemd when ready, stop cleanly on SIGTERM/SIGINT, reload on SIGHUP.
SignalHandlers.blockEarly()
_ = medstore_disable_core_dumps()
signal(SIGPIPE, SIG_IGN)
// Everything the daemon creates (database, blob files) is private to its user; the control
// socket gets its mode explicitly.
umask(0o077)

let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
let action: DaemonOptions.Action
do {
    action = try DaemonOptions.parse(arguments, environment: environment)
} catch {
    FileHandle.standardError.write(Data("medstored: \(error.message)\n\nrun medstored --help for the options\n".utf8))
    exit(64)
}

let options: DaemonOptions
switch action {
case .help:
    print(DaemonOptions.usage)
    exit(0)
case .version:
    print("medstored \(Daemon.version) (protocol \(ProtocolVersion.major).\(ProtocolVersion.minor))")
    exit(0)
case .checkConfig(let checked):
    print(DaemonConfigFile.render(checked), terminator: "")
    exit(0)
case .run(let parsed):
    options = parsed
}

let logger = Logger(level: options.logLevel)
let daemon: Daemon
do {
    let activation = try SocketActivation.from(environment: environment)
    SocketActivation.unsetEnvironment()
    let notifier = SystemdNotifier(environment: environment, logger: logger)
    daemon = try Daemon(options: options, logger: logger, activation: activation, notifier: notifier,
                        reloadSource: { () throws(MedStoreError) -> DaemonOptions in
        guard case .run(let fresh) = try DaemonOptions.parse(arguments, environment: environment) else {
            throw MedStoreError(.internal, "the command line no longer asks to run")
        }
        return fresh
    })
} catch {
    logger.error("medstored cannot start", [("error", error.message)])
    exit(error.code == .failedPrecondition ? 78 : 1)
}

SignalHandlers.install(for: daemon)
daemon.start()
// Park the main thread. (Not dispatchMain(): on Linux it waits in sigsuspend with an empty mask,
// which would let SIGTERM take its default action instead of reaching the signal thread.)
while true { pause() }
