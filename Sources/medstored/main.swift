import CMedStoreShims
import Dispatch
import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreServer

// medstored: parse options, start the daemon, stop cleanly on SIGTERM/SIGINT.
_ = medstore_disable_core_dumps()
signal(SIGPIPE, SIG_IGN)
// Everything the daemon creates (database, blob files) is private to its user; the control
// socket gets its mode explicitly.
umask(0o077)

let action: DaemonOptions.Action
do {
    action = try DaemonOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("medstored: \(error.message)\n\n\(DaemonOptions.usage)\n".utf8))
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
case .run(let parsed):
    options = parsed
}

let logger = Logger(level: options.logLevel)
let daemon: Daemon
do {
    daemon = try Daemon(options: options, logger: logger)
} catch {
    logger.error("medstored cannot start", [("error", error.message)])
    exit(error.code == .failedPrecondition ? 78 : 1)
}

SignalHandlers.install(for: daemon)
daemon.start()
dispatchMain()
