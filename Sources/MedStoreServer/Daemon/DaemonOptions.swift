import Foundation
import MedStoreCore
import MedStoreProtocol

/// `medstored`'s settings, from flags and matching environment variables (flags win).
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
    /// File holding the master key that seals the account keys at rest. When nil the key comes
    /// from the systemd credential or the state directory (see ``masterKeySource``).
    public var masterKeyFile: String?
    /// `$CREDENTIALS_DIRECTORY`, where systemd's `LoadCredential=` puts credentials, if set.
    public var credentialsDirectory: String?

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

        options (each also read from the environment variable shown):
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
          --drain-timeout SECONDS  how long SIGTERM waits for requests in flight (MEDSTORE_DRAIN_TIMEOUT), default 30
          --master-key-file PATH   master key sealing the account keys at rest (MEDSTORE_MASTER_KEY_FILE):
                                   32 raw bytes or their base64, owned by medstored's user, mode 0600;
                                   default: the systemd credential medstore-master-key, else
                                   <state-dir>/master.key, created on first start. Keep it out of
                                   database backups: a copied medstore.db alone reveals no key
          --version                print the version and exit
          -h, --help               print this help and exit
        """

    /// What the command line asked for besides running.
    public enum Action: Equatable, Sendable {
        case run(DaemonOptions)
        case help
        case version
    }

    /// Parses `arguments` (without the program name) over `environment`.
    public static func parse(_ arguments: [String], environment: [String: String]) throws(MedStoreError) -> Action {
        var options = DaemonOptions(stateDirectory: DefaultLocations.stateDirectory(environment: environment),
                                    socketPath: DefaultLocations.socketPath(environment: environment))
        if let v = environment["MEDSTORE_SOCKET_MODE"] { options.socketMode = try parseMode(v) }
        if let v = environment["MEDSTORE_BLOB_LISTEN"] { options.blobListen = v }
        if let v = environment["MEDSTORE_BLOB_ENDPOINT"] { options.blobEndpoint = v }
        if let v = environment["MEDSTORE_CLUSTER_NETWORKS"] {
            options.clusterNetworks = try v.split(separator: ",").map { (s) throws(MedStoreError) -> String in
                try CIDR.parse(String(s).trimmingCharacters(in: .whitespaces)).description
            }
        }
        if let v = environment["MEDSTORE_TLS_CERT"] { options.tlsCertificate = v }
        if let v = environment["MEDSTORE_TLS_KEY"] { options.tlsKey = v }
        if let v = environment["MEDSTORE_LOG_LEVEL"] { options.logLevel = try parseLevel(v) }
        if let v = environment["MEDSTORE_DRAIN_TIMEOUT"] { options.drainTimeoutSeconds = try parseSeconds(v) }
        if let v = environment["MEDSTORE_MASTER_KEY_FILE"] { options.masterKeyFile = v }
        if let v = environment["CREDENTIALS_DIRECTORY"], !v.isEmpty { options.credentialsDirectory = v }

        var clusterFromFlags: [String] = []
        var index = 0
        func value(_ flag: String) throws(MedStoreError) -> String {
            index += 1
            guard index < arguments.count else { throw MedStoreError(.invalidArgument, "\(flag) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            var argument = arguments[index]
            var inline: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                inline = String(argument[argument.index(after: eq)...])
                argument = String(argument[..<eq])
            }
            func next() throws(MedStoreError) -> String {
                if let inline { return inline }
                return try value(argument)
            }
            switch argument {
            case "-h", "--help": return .help
            case "--version": return .version
            case "--state-dir": options.stateDirectory = try next()
            case "--socket": options.socketPath = try next()
            case "--socket-mode": options.socketMode = try parseMode(try next())
            case "--blob-listen": options.blobListen = try next()
            case "--blob-endpoint": options.blobEndpoint = try next()
            case "--cluster-network": clusterFromFlags.append(try CIDR.parse(try next()).description)
            case "--tls-cert": options.tlsCertificate = try next()
            case "--tls-key": options.tlsKey = try next()
            case "--log-level": options.logLevel = try parseLevel(try next())
            case "--drain-timeout": options.drainTimeoutSeconds = try parseSeconds(try next())
            case "--master-key-file": options.masterKeyFile = try next()
            default: throw MedStoreError(.invalidArgument, "unknown option '\(argument)'")
            }
            index += 1
        }
        if !clusterFromFlags.isEmpty { options.clusterNetworks = clusterFromFlags }
        if let endpoint = options.blobEndpoint {
            guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
                throw MedStoreError(.invalidArgument, "--blob-endpoint must start with http:// or https://, got '\(endpoint)'")
            }
        }
        guard (options.tlsCertificate == nil) == (options.tlsKey == nil) else {
            throw MedStoreError(.invalidArgument, "--tls-cert and --tls-key go together")
        }
        guard !options.stateDirectory.isEmpty, !options.socketPath.isEmpty else {
            throw MedStoreError(.invalidArgument, "--state-dir and --socket must not be empty")
        }
        guard options.masterKeyFile?.isEmpty != true else {
            throw MedStoreError(.invalidArgument, "--master-key-file must not be empty")
        }
        return .run(options)
    }

    private static func parseMode(_ text: String) throws(MedStoreError) -> mode_t {
        guard let mode = mode_t(text, radix: 8), mode <= 0o777 else {
            throw MedStoreError(.invalidArgument, "socket mode must be octal like 0660, got '\(text)'")
        }
        return mode
    }

    private static func parseLevel(_ text: String) throws(MedStoreError) -> LogLevel {
        guard let level = LogLevel(name: text) else {
            throw MedStoreError(.invalidArgument, "log level must be error, warning, notice, info or debug, got '\(text)'")
        }
        return level
    }

    private static func parseSeconds(_ text: String) throws(MedStoreError) -> Double {
        guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
            throw MedStoreError(.invalidArgument, "drain timeout must be 0–3600 seconds, got '\(text)'")
        }
        return seconds
    }
}
