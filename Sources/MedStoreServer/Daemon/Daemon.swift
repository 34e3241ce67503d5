import CMedStoreShims
import Foundation
import MedStoreCore
import MedStoreProtocol

/// The daemon's lifecycle: state directory, migrations, then the socket; stop drains and closes.
public final class Daemon: @unchecked Sendable {
    /// The release version.
    public static let version = "0.1.0"

    /// Settings in force.
    public let options: DaemonOptions
    /// The account service (owns the database).
    public let service: AccountService
    /// The control server.
    public let control: ControlServer
    private let logger: Logger

    /// Prepares the state directory, opens and migrates the database, then binds the socket.
    public init(options: DaemonOptions, logger: Logger) throws(MedStoreError) {
        self.options = options
        self.logger = logger
        try Daemon.prepareStateDirectory(options.stateDirectory)
        let configuration = ServiceConfiguration(blobEndpointTemplate: options.effectiveBlobEndpoint,
                                                 clusterNetworks: options.clusterNetworks,
                                                 daemonVersion: Daemon.version)
        self.service = try AccountService(stateDirectory: options.stateDirectory, configuration: configuration)
        do {
            self.control = try ControlServer(socketPath: options.socketPath, mode: options.socketMode,
                                             service: service, startedAt: Date(), logger: logger)
        } catch {
            service.close()
            throw error
        }
    }

    /// Starts serving.
    public func start() {
        control.start()
        logger.notice("medstored ready", [("version", Daemon.version), ("socket", options.socketPath),
                                          ("state_dir", options.stateDirectory),
                                          ("blob_endpoint", options.effectiveBlobEndpoint)])
    }

    /// Stops accepting, drains in-flight requests, closes the database.
    public func stop() {
        logger.notice("medstored stopping", [("drain_timeout", "\(options.drainTimeoutSeconds)")])
        let drained = control.stop(drainTimeout: options.drainTimeoutSeconds)
        service.close()
        logger.notice("medstored stopped", [("drained", drained ? "yes" : "no"),
                                            ("requests_served", "\(control.requestsServed)")])
    }

    /// Creates the state directory with mode 0700, or checks an existing one is a directory.
    static func prepareStateDirectory(_ path: String) throws(MedStoreError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw MedStoreError(.failedPrecondition, "state directory \(path) exists and is not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw MedStoreError(.unavailable, "cannot create state directory \(path): \(error.localizedDescription)")
        }
    }
}
