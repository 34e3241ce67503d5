import CMedStoreShims
import Foundation
import MedStoreCore
import MedStoreProtocol

/// The daemon's lifecycle: state directory, migrations and orphan sweep, then the blob
/// listener and the control socket (bound, or inherited through socket activation); start
/// tells systemd `READY=1`, reload re-reads the live settings, stop drains both and closes the
/// database.
public final class Daemon: @unchecked Sendable {
    /// The release version.
    public static let version = "0.1.0"
    /// Seconds between `STATUS=` refreshes sent to systemd.
    public static let statusInterval: TimeInterval = 5

    /// Settings in force (a reload changes the live ones: log level, cluster networks, drain timeout).
    public var options: DaemonOptions { stateLock.withLock { currentOptions } }
    private var currentOptions: DaemonOptions
    private let stateLock = NSLock()
    private let levelSwitch: LogLevelSwitch
    let notifier: SystemdNotifier
    private let heartbeat: SystemdHeartbeat
    private let blobRequests: HandlerSlot
    let reloadSource: (@Sendable () throws(MedStoreError) -> DaemonOptions)?
    /// The account service (owns the database).
    public let service: AccountService
    /// The control server.
    public let control: ControlServer
    /// The blob data plane.
    public let blobServer: HTTPServer
    private let maintenance: MaintenanceTimer
    /// Counters and histograms shared by the control socket and the blob API.
    public let metrics = Metrics()
    /// The Prometheus endpoint, when `--metrics-listen` is set.
    public private(set) var metricsServer: HTTPServer?
    let logger: Logger

    /// Prepares the state directory, loads the master key, opens and migrates the database
    /// (sealing or opening the account keys with the master key), removes orphaned blob files,
    /// then binds the blob listener and the control socket, or adopts the sockets in
    /// `activation`. `notifier` talks to systemd; `reloadSource` re-reads the options on SIGHUP.
    public init(options: DaemonOptions, logger baseLogger: Logger, activation: SocketActivation = .none,
                notifier: SystemdNotifier? = nil, statusInterval: TimeInterval = Daemon.statusInterval,
                reloadSource: (@Sendable () throws(MedStoreError) -> DaemonOptions)? = nil) throws(MedStoreError) {
        self.currentOptions = options
        self.levelSwitch = LogLevelSwitch(baseLogger.effectiveLevel)
        let logger = baseLogger.following(levelSwitch)
        self.logger = logger
        self.reloadSource = reloadSource
        let notifier = notifier ?? SystemdNotifier(environment: [:], logger: logger)
        self.notifier = notifier
        try Daemon.prepareStateDirectory(options.stateDirectory)
        let keySource = options.masterKeySource
        let masterKey = try Daemon.loadMasterKey(keySource, logger: logger)
        let slot = HandlerSlot()
        let tls = options.tlsCertificate.map { TLSConfiguration(certificatePath: $0, privateKeyPath: options.tlsKey ?? "") }
        self.blobRequests = slot
        self.blobServer = try HTTPServer(listen: options.blobListen, inheritedFD: activation.blob, tls: tls,
                                         handler: slot, logger: logger)
        let configuration = ServiceConfiguration(
            blobEndpointTemplate: options.effectiveBlobEndpoint(boundPort: blobServer.boundPort),
            clusterNetworks: options.clusterNetworks, daemonVersion: Daemon.version,
            backupRetentionDays: options.backupRetentionDays)
        do {
            self.service = try AccountService(stateDirectory: options.stateDirectory, configuration: configuration,
                                              masterKey: masterKey.key, logger: logger)
        } catch {
            throw Daemon.explain(error, masterKeyCreated: masterKey.created, source: keySource)
        }
        _ = try service.blobs.sweepOrphans()
        service.audit.observeCommits { [metrics] records, seconds, ok in
            metrics.add("medstore_audit_commits_total", [("result", ok ? "ok" : "failed")])
            if ok { metrics.add("medstore_audit_records_total", [], Double(records)) }
            metrics.observe("medstore_audit_commit_seconds", seconds: seconds)
        }
        slot.target = BlobAPIHandler(service: service, logger: logger, metrics: metrics)
        self.maintenance = MaintenanceTimer(blobs: service.blobs, interval: 3600, logger: logger, metrics: metrics)
        do {
            self.control = try ControlServer(socketPath: options.socketPath, mode: options.socketMode,
                                             inheritedFD: activation.control, service: service, startedAt: Date(),
                                             logger: logger,
                                             access: AccessControl(adminGroup: options.adminGroup, readerGroup: options.readerGroup),
                                             socketGroup: options.socketGroup, metrics: metrics)
            if let listen = options.metricsListen {
                let control = self.control, blobServer = self.blobServer
                self.metricsServer = try MetricsEndpoint.server(listen: listen, metrics: metrics, logger: logger) {
                    [("medstore_open_connections", [("listener", "control")], Double(control.openConnections)),
                     ("medstore_open_connections", [("listener", "blob")], Double(blobServer.activeConnections))]
                }
            }
        } catch {
            service.close()
            throw error
        }
        let service = self.service, control = self.control
        self.heartbeat = SystemdHeartbeat(
            notifier: notifier, statusInterval: statusInterval,
            statusLine: { [slot] in Daemon.statusLine(service: service, control: control, blobRequests: slot.served) },
            healthCheck: { (try? service.statusCounts()) != nil })
    }

    /// Starts serving, then tells systemd `READY=1`: every listener is bound and accepting.
    public func start() {
        blobServer.start()
        control.start()
        metricsServer?.start()
        maintenance.start()
        let options = self.options
        logger.notice("medstored ready", [("version", Daemon.version), ("socket", control.socketPath),
                                          ("state_dir", options.stateDirectory),
                                          ("blob_listen", options.blobListen), ("blob_port", "\(blobServer.boundPort)"),
                                          ("blob_endpoint", service.configuration.blobEndpointTemplate)])
        notifier.ready(status: Daemon.statusLine(service: service, control: control, blobRequests: blobRequests.served))
        heartbeat.start()
    }

    /// Stops accepting, drains in-flight requests and transfers, closes the database. Tells
    /// systemd `STOPPING=1` first.
    public func stop() {
        notifier.stopping()
        heartbeat.stop()
        let drainTimeout = options.drainTimeoutSeconds
        logger.notice("medstored stopping", [("drain_timeout", "\(drainTimeout)")])
        maintenance.stop()
        metricsServer?.stop(drainTimeout: 1)
        let blobsDrained = blobServer.stop(drainTimeout: drainTimeout)
        let controlDrained = control.stop(drainTimeout: drainTimeout)
        service.close()
        logger.notice("medstored stopped", [("drained", blobsDrained && controlDrained ? "yes" : "no"),
                                            ("requests_served", "\(control.requestsServed)")])
    }

    /// Blob requests handled since start.
    var blobRequestsServed: UInt64 { blobRequests.served }

    /// Installs the live settings of `fresh` (log level, cluster networks, drain timeout, backup retention).
    func applyLive(_ fresh: DaemonOptions) {
        levelSwitch.level = fresh.logLevel
        service.updateClusterNetworks(fresh.clusterNetworks)
        do {
            try service.updateBackupRetention(days: fresh.backupRetentionDays)
        } catch {
            logger.error("reload: backup retention not changed", [("error", error.message)])
        }
        stateLock.withLock {
            currentOptions.backupRetentionDays = fresh.backupRetentionDays
            currentOptions.logLevel = fresh.logLevel
            currentOptions.clusterNetworks = fresh.clusterNetworks
            currentOptions.drainTimeoutSeconds = fresh.drainTimeoutSeconds
        }
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

/// Lets the blob listener bind before its handler exists (the handler needs the bound port);
/// counts the requests it passes on.
final class HandlerSlot: HTTPHandler, @unchecked Sendable {
    var target: (any HTTPHandler)?
    private let lock = NSLock()
    private var count: UInt64 = 0

    /// Blob requests handled since start.
    var served: UInt64 { lock.withLock { count } }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        lock.withLock { count += 1 }
        guard let target else {
            return AzureErrorBody.response(for: MedStoreError(.unavailable, "The server is starting."), requestID: request.requestID)
        }
        return target.handle(request)
    }
}
