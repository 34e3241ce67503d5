import CMedStoreShims
import Foundation
import MedStoreCore
import MedStoreProtocol

/// The daemon's lifecycle: state directory, migrations and orphan sweep, then the blob
/// listener and the control socket; stop drains both and closes the database.
public final class Daemon: @unchecked Sendable {
    /// The release version.
    public static let version = "0.1.0"

    /// Settings in force.
    public let options: DaemonOptions
    /// The account service (owns the database).
    public let service: AccountService
    /// The control server.
    public let control: ControlServer
    /// The blob data plane.
    public let blobServer: HTTPServer
    private let maintenance: MaintenanceTimer
    private let logger: Logger

    /// Prepares the state directory, loads the master key, opens and migrates the database
    /// (sealing or opening the account keys with the master key), removes orphaned blob files,
    /// then binds the blob listener and the control socket.
    public init(options: DaemonOptions, logger: Logger) throws(MedStoreError) {
        self.options = options
        self.logger = logger
        try Daemon.prepareStateDirectory(options.stateDirectory)
        let keySource = options.masterKeySource
        let masterKey = try Daemon.loadMasterKey(keySource, logger: logger)
        let slot = HandlerSlot()
        let tls = options.tlsCertificate.map { TLSConfiguration(certificatePath: $0, privateKeyPath: options.tlsKey ?? "") }
        self.blobServer = try HTTPServer(listen: options.blobListen, tls: tls, handler: slot, logger: logger)
        let configuration = ServiceConfiguration(
            blobEndpointTemplate: options.effectiveBlobEndpoint(boundPort: blobServer.boundPort),
            clusterNetworks: options.clusterNetworks, daemonVersion: Daemon.version)
        do {
            self.service = try AccountService(stateDirectory: options.stateDirectory, configuration: configuration,
                                              masterKey: masterKey.key, logger: logger)
        } catch {
            throw Daemon.explain(error, masterKeyCreated: masterKey.created, source: keySource)
        }
        _ = try service.blobs.sweepOrphans()
        slot.target = BlobAPIHandler(service: service, logger: logger)
        self.maintenance = MaintenanceTimer(blobs: service.blobs, interval: 3600, logger: logger)
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
        blobServer.start()
        control.start()
        maintenance.start()
        logger.notice("medstored ready", [("version", Daemon.version), ("socket", options.socketPath),
                                          ("state_dir", options.stateDirectory),
                                          ("blob_listen", options.blobListen), ("blob_port", "\(blobServer.boundPort)"),
                                          ("blob_endpoint", service.configuration.blobEndpointTemplate)])
    }

    /// Stops accepting, drains in-flight requests and transfers, closes the database.
    public func stop() {
        logger.notice("medstored stopping", [("drain_timeout", "\(options.drainTimeoutSeconds)")])
        maintenance.stop()
        let blobsDrained = blobServer.stop(drainTimeout: options.drainTimeoutSeconds)
        let controlDrained = control.stop(drainTimeout: options.drainTimeoutSeconds)
        service.close()
        logger.notice("medstored stopped", [("drained", blobsDrained && controlDrained ? "yes" : "no"),
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

/// Lets the blob listener bind before its handler exists (the handler needs the bound port).
final class HandlerSlot: HTTPHandler, @unchecked Sendable {
    var target: (any HTTPHandler)?

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard let target else {
            return AzureErrorBody.response(for: MedStoreError(.unavailable, "The server is starting."), requestID: request.requestID)
        }
        return target.handle(request)
    }
}
