import Foundation
import MedStoreCore
import MedStoreProtocol

/// `medstored`'s settings: defaults, then the config file, the `MEDSTORE_*` environment and
/// flags, each overriding the one before (see ``parse(_:environment:defaultConfigPath:)``).
public struct DaemonOptions: Sendable, Equatable {
    /// Directory holding the database (created 0700 if missing).
    public var stateDirectory: String
    /// Control socket path.
    public var socketPath: String
    /// Mode of the control socket file.
    public var socketMode: mode_t = 0o660
    /// Address the blob listener will bind (`HOST:PORT`); also the default blob endpoint.
    public var blobListen: String = "127.0.0.1:10000"
    /// Public base URL for SAS URLs; `{account}` is substituted. Defaults to the blob listener's
    /// real address (`http://` or `https://` with TLS).
    public var blobEndpoint: String?
    /// PEM certificate and key for HTTPS on the blob listener; both or neither.
    public var tlsCertificate: String?
    /// PEM private key for HTTPS.
    public var tlsKey: String?
    /// Networks always allowed (canonical CIDR). Default loopback only.
    public var clusterNetworks: [String] = ["127.0.0.0/8", "::1/128"]
    /// Log level.
    public var logLevel: LogLevel = .info
    /// How long SIGTERM waits for in-flight requests.
    public var drainTimeoutSeconds: Double = 30
    /// `HOST:PORT` for the Prometheus endpoint (`GET /metrics`); off when nil.
    public var metricsListen: String?
    /// File holding the master key that seals the account keys at rest. When nil the key comes
    /// from the systemd credential or the state directory (see ``masterKeySource``).
    public var masterKeyFile: String?
    /// `$CREDENTIALS_DIRECTORY`, where systemd's `LoadCredential=` puts credentials, if set.
    public var credentialsDirectory: String?
    /// The config file these options were read from, nil when none was.
    public var configFile: String?
    /// Group (name or gid) given to the control socket file; nil keeps the daemon's group.
    public var socketGroup: String?
    /// Members of this group are admins besides root (a missing group means only root).
    public var adminGroup: String = "medstore-admin"
    /// Members of this group are readers.
    public var readerGroup: String = "medstore-readers"
    /// Days the backup journal keeps history (1–365).
    public var backupRetentionDays: Int = BackupRetention.defaultDays

    /// Options with the given paths and every other setting at its default.
    public init(stateDirectory: String, socketPath: String) {
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
    }

    /// The endpoint template put into SAS URLs, given the port the blob listener really bound.
    public func effectiveBlobEndpoint(boundPort: Int) -> String {
        if let blobEndpoint { return blobEndpoint }
        var host = blobListen
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        if host == "0.0.0.0" || host.isEmpty { host = "127.0.0.1" }
        if host == "[::]" { host = "[::1]" }
        return "\(tlsCertificate == nil ? "http" : "https")://\(host):\(boundPort)"
    }

    /// Usage text.
    public static let usage = """
        usage: medstored [options]

        Object storage daemon for clusters that hold health data.

        Settings come from, each overriding the one before: built-in defaults, the config file,
        the environment variables shown, the command line. Every option below except --config,
        --check-config, --version and --help is also a config-file key (the name without --).

        options:
          --config PATH            config file (MEDSTORE_CONFIG), default /etc/medstore/medstored.conf
                                   (optional; a file named explicitly must exist). Lines are
                                   `key = value`; `#` starts a comment; cluster-network may repeat
          --check-config           validate flags, environment and config file, print the effective
                                   configuration and exit (0 valid, 64 invalid)
          --state-dir DIR          state directory (MEDSTORE_STATE_DIR)
                                   default: /var/lib/medstore as root or under systemd,
                                   else $XDG_STATE_HOME/medstore or ~/.local/state/medstore
          --socket PATH            control socket (MEDSTORE_SOCKET)
                                   default: /run/medstore/medstored.sock as root or under systemd,
                                   else $XDG_RUNTIME_DIR/medstore/medstored.sock or /tmp/medstore-UID/medstored.sock
          --socket-mode OCTAL      mode of the socket file (MEDSTORE_SOCKET_MODE), default 0660
          --blob-listen HOST:PORT  blob listener address (MEDSTORE_BLOB_LISTEN), default 127.0.0.1:10000
          --blob-endpoint URL      public base URL in SAS URLs (MEDSTORE_BLOB_ENDPOINT); {account} is
                                   replaced by the account name, otherwise the name is appended as a
                                   path segment; default http(s)://<blob-listen>
          --tls-cert PEM           certificate for HTTPS on the blob listener (MEDSTORE_TLS_CERT)
          --tls-key PEM            its private key (MEDSTORE_TLS_KEY)
          --cluster-network CIDR   network always allowed, repeatable (MEDSTORE_CLUSTER_NETWORKS,
                                   comma-separated); default 127.0.0.0/8 and ::1/128
          --log-level LEVEL        error, warning, notice, info, debug (MEDSTORE_LOG_LEVEL), default info
          --drain-timeout SECONDS  how long SIGTERM waits for requests in flight (MEDSTORE_DRAIN_TIMEOUT), default 30;
                                   a second SIGTERM exits at once with status 1
          --socket-group GROUP     group of the socket file (MEDSTORE_SOCKET_GROUP), so members can connect
          --admin-group GROUP      members may do everything, like root (MEDSTORE_ADMIN_GROUP), default
                                   medstore-admin; a missing group means only root
          --reader-group GROUP     members may read status and lists (MEDSTORE_READER_GROUP), default
                                   medstore-readers; others need a grant (medctl grant add)
          --master-key-file PATH   master key sealing the account keys at rest (MEDSTORE_MASTER_KEY_FILE):
                                   32 raw bytes or their base64, owned by medstored's user, mode 0600;
                                   default: the systemd credential medstore-master-key, else
                                   <state-dir>/master.key, created on first start. Keep it out of
                                   database backups: a copied medstore.db alone reveals no key
          --metrics-listen HOST:PORT  serve Prometheus metrics at /metrics (MEDSTORE_METRICS_LISTEN); off by
                                   default; keep it on loopback (e.g. 127.0.0.1:9464)
          --backup-retention-days N  days every container can be restored back to (MEDSTORE_BACKUP_RETENTION_DAYS),
                                   1–365, default 35; older history is pruned hourly
          --version                print the version and exit

        signals: SIGTERM/SIGINT drain and exit 0; SIGHUP re-reads the configuration and applies
        log-level, cluster-network, drain-timeout and backup-retention-days without dropping connections (other changes
        need a restart). Under systemd: sd_notify (Type=notify), WATCHDOG=1 pings, socket
        activation (LISTEN_FDS; fds named "control" and "blob").
          -h, --help               print this help and exit
        """

    /// What the command line asked for besides running.
    public enum Action: Equatable, Sendable {
        case run(DaemonOptions)
        /// `--check-config`: the options were valid; print them and exit.
        case checkConfig(DaemonOptions)
        case help
        case version
    }

    /// Parses `arguments` (without the program name) over `environment` and the config file.
    /// Precedence, lowest first: built-in defaults, the config file (`--config`, else
    /// `MEDSTORE_CONFIG`, else `defaultConfigPath`, which may be missing), the `MEDSTORE_*`
    /// environment, then flags. A source naming `cluster-network` replaces the list it got.
    public static func parse(_ arguments: [String], environment: [String: String],
                             defaultConfigPath: String = DaemonConfigFile.defaultPath) throws(MedStoreError) -> Action {
        var options = DaemonOptions(stateDirectory: DefaultLocations.stateDirectory(environment: environment),
                                    socketPath: DefaultLocations.socketPath(environment: environment))
        if let v = environment["CREDENTIALS_DIRECTORY"], !v.isEmpty { options.credentialsDirectory = v }

        var flags = SettingAssignments()
        var explicitConfig = environment["MEDSTORE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var checkOnly = false
        var index = 0
        while index < arguments.count {
            var argument = arguments[index]
            var inline: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                inline = String(argument[argument.index(after: eq)...])
                argument = String(argument[..<eq])
            }
            func next() throws(MedStoreError) -> String {
                if let inline { return inline }
                index += 1
                guard index < arguments.count else { throw MedStoreError(.invalidArgument, "\(argument) needs a value") }
                return arguments[index]
            }
            switch argument {
            case "-h", "--help": return .help
            case "--version": return .version
            case "--check-config": checkOnly = true
            case "--config":
                explicitConfig = try next()
                guard explicitConfig?.isEmpty == false else { throw MedStoreError(.invalidArgument, "--config needs a value") }
            default:
                guard argument.hasPrefix("--"), let setting = DaemonSetting(rawValue: String(argument.dropFirst(2))) else {
                    throw MedStoreError(.invalidArgument, "unknown option '\(argument)'")
                }
                flags.entries.append((setting, try next(), argument))
            }
            index += 1
        }

        let configPath = explicitConfig ?? defaultConfigPath
        if let file = try DaemonConfigFile.load(configPath, required: explicitConfig != nil) {
            try file.apply(to: &options)
            options.configFile = configPath
        }
        try environmentAssignments(environment).apply(to: &options)
        try flags.apply(to: &options)

        guard (options.tlsCertificate == nil) == (options.tlsKey == nil) else {
            throw MedStoreError(.invalidArgument, "--tls-cert and --tls-key go together")
        }
        return checkOnly ? .checkConfig(options) : .run(options)
    }

    /// The `MEDSTORE_*` variables that are set, as assignments (cluster networks split at commas).
    static func environmentAssignments(_ environment: [String: String]) -> SettingAssignments {
        var result = SettingAssignments()
        for setting in DaemonSetting.allCases {
            guard let value = environment[setting.environmentVariable] else { continue }
            let values = setting == .clusterNetwork
                ? value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [value]
            for v in values { result.entries.append((setting, v, setting.environmentVariable)) }
        }
        return result
    }
}
