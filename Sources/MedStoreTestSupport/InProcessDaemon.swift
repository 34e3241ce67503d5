import Foundation
import MedStoreClient
import MedStoreCore
import MedStoreProtocol
import MedStoreServer

/// A real daemon (database, socket, server threads) running inside the test process on a fresh
/// temporary state directory and a short socket path.
public final class InProcessDaemon: @unchecked Sendable {
    /// The temporary directory holding state and socket.
    public let directory: TemporaryDirectory
    /// The running daemon.
    public let daemon: Daemon
    /// The control socket.
    public var socketPath: String { daemon.options.socketPath }
    /// The state directory.
    public var stateDirectory: String { daemon.options.stateDirectory }

    /// Starts a daemon; `configure` may change options before start. Pass the `directory` of a
    /// stopped daemon to restart on its state (same state directory and socket path).
    public init(directory: TemporaryDirectory? = nil, configure: (inout DaemonOptions) -> Void = { _ in }) throws {
        self.directory = directory ?? TemporaryDirectory(prefix: "msd")
        var options = DaemonOptions(stateDirectory: self.directory.file("state"), socketPath: self.directory.file("s.sock"))
        options.blobListen = "127.0.0.1:0"
        options.drainTimeoutSeconds = 5
        configure(&options)
        daemon = try Daemon(options: options, logger: Logger(level: .error))
        daemon.start()
    }

    /// The blob listener's port.
    public var blobPort: Int { daemon.blobServer.boundPort }

    /// A connected client.
    public func client() async throws(MedStoreError) -> MedStoreClient {
        try await MedStoreClient.connect(socketPath: socketPath, clientName: "tests")
    }

    /// Stops the daemon (drain, close database).
    public func stop() {
        daemon.stop()
    }
}
