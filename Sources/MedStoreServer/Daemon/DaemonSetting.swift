import Foundation
import MedStoreCore
import MedStoreProtocol

/// One `medstored` setting: its config-file key (the flag without `--`), its environment
/// variable, and how a text value is checked and applied. Every flag that sets something has one.
public enum DaemonSetting: String, CaseIterable, Sendable {
    case stateDir = "state-dir"
    case socket = "socket"
    case socketMode = "socket-mode"
    case blobListen = "blob-listen"
    case blobEndpoint = "blob-endpoint"
    case tlsCert = "tls-cert"
    case tlsKey = "tls-key"
    case clusterNetwork = "cluster-network"
    case logLevel = "log-level"
    case drainTimeout = "drain-timeout"
    case masterKeyFile = "master-key-file"
    case socketGroup = "socket-group"
    case adminGroup = "admin-group"
    case readerGroup = "reader-group"
    case metricsListen = "metrics-listen"
    case backupRetentionDays = "backup-retention-days"

    /// The config-file key and flag name (without `--`).
    public var key: String { rawValue }

    /// The environment variable read for this setting (`MEDSTORE_CLUSTER_NETWORKS` holds a
    /// comma-separated list).
    public var environmentVariable: String {
        self == .clusterNetwork ? "MEDSTORE_CLUSTER_NETWORKS"
            : "MEDSTORE_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Whether a reload (`SIGHUP`) applies a change of this setting without a restart.
    public var isLive: Bool {
        self == .logLevel || self == .clusterNetwork || self == .drainTimeout || self == .backupRetentionDays
    }

    /// Checks `value` and stores it in `options`. `cluster-network` appends; callers reset the
    /// list when a new source (file, environment, flags) starts naming networks.
    func apply(_ value: String, to options: inout DaemonOptions) throws(MedStoreError) {
        guard !value.isEmpty else { throw MedStoreError(.invalidArgument, "\(key) needs a value") }
        switch self {
        case .stateDir: options.stateDirectory = value
        case .socket: options.socketPath = value
        case .socketMode:
            guard let mode = mode_t(value, radix: 8), mode <= 0o777 else {
                throw MedStoreError(.invalidArgument, "socket mode must be octal like 0660, got '\(value)'")
            }
            options.socketMode = mode
        case .blobListen:
            _ = try HTTPListener.parse(value)
            options.blobListen = value
        case .blobEndpoint:
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw MedStoreError(.invalidArgument, "blob-endpoint must start with http:// or https://, got '\(value)'")
            }
            options.blobEndpoint = value
        case .tlsCert: options.tlsCertificate = value
        case .tlsKey: options.tlsKey = value
        case .clusterNetwork: options.clusterNetworks.append(try CIDR.parse(value).description)
        case .logLevel:
            guard let level = LogLevel(name: value) else {
                throw MedStoreError(.invalidArgument, "log level must be error, warning, notice, info or debug, got '\(value)'")
            }
            options.logLevel = level
        case .drainTimeout:
            guard let seconds = Double(value), seconds >= 0, seconds <= 3600 else {
                throw MedStoreError(.invalidArgument, "drain timeout must be 0–3600 seconds, got '\(value)'")
            }
            options.drainTimeoutSeconds = seconds
        case .masterKeyFile: options.masterKeyFile = value
        case .socketGroup: options.socketGroup = value
        case .adminGroup: options.adminGroup = value
        case .readerGroup: options.readerGroup = value
        case .metricsListen:
            _ = try HTTPListener.parse(value)
            options.metricsListen = value
        case .backupRetentionDays:
            guard let days = Int(value) else {
                throw MedStoreError(.invalidArgument, "backup retention must be a whole number of days, got '\(value)'")
            }
            try BackupRetention.validate(days)
            options.backupRetentionDays = days
        }
    }

    /// The value(s) `options` holds for this setting, as config-file text; empty when unset.
    func values(in options: DaemonOptions) -> [String] {
        switch self {
        case .stateDir: return [options.stateDirectory]
        case .socket: return [options.socketPath]
        case .socketMode: return ["0" + String(options.socketMode, radix: 8)]
        case .blobListen: return [options.blobListen]
        case .blobEndpoint: return options.blobEndpoint.map { [$0] } ?? []
        case .tlsCert: return options.tlsCertificate.map { [$0] } ?? []
        case .tlsKey: return options.tlsKey.map { [$0] } ?? []
        case .clusterNetwork: return options.clusterNetworks
        case .logLevel: return ["\(options.logLevel)"]
        case .drainTimeout:
            let seconds = options.drainTimeoutSeconds
            return [seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)]
        case .masterKeyFile: return options.masterKeyFile.map { [$0] } ?? []
        case .socketGroup: return options.socketGroup.map { [$0] } ?? []
        case .adminGroup: return [options.adminGroup]
        case .readerGroup: return [options.readerGroup]
        case .metricsListen: return options.metricsListen.map { [$0] } ?? []
        case .backupRetentionDays: return [String(options.backupRetentionDays)]
        }
    }
}

/// Assignments from one source (config file, environment or command line), applied in order.
struct SettingAssignments {
    /// Where they came from, for error messages (`/etc/medstore/medstored.conf:12`, `MEDSTORE_…`).
    var entries: [(setting: DaemonSetting, value: String, origin: String)] = []

    /// Applies every entry; the first `cluster-network` of this source replaces earlier lists.
    func apply(to options: inout DaemonOptions) throws(MedStoreError) {
        var clusterReset = false
        for entry in entries {
            if entry.setting == .clusterNetwork && !clusterReset {
                options.clusterNetworks = []
                clusterReset = true
            }
            do {
                try entry.setting.apply(entry.value, to: &options)
            } catch {
                throw MedStoreError(.invalidArgument, "\(entry.origin): \(error.message)")
            }
        }
    }
}
