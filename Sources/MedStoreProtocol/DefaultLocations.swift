#if canImport(Glibc)
import Glibc
#endif

/// Where `medstored` keeps its state and socket when no flag or environment variable says
/// otherwise. `medctl` resolves the same socket, so the two meet without configuration.
///
/// - As root or under systemd (`INVOCATION_ID` set): `/var/lib/medstore` and
///   `/run/medstore/medstored.sock`.
/// - Otherwise, per user: `$XDG_STATE_HOME/medstore` (or `~/.local/state/medstore`) and
///   `$XDG_RUNTIME_DIR/medstore/medstored.sock` (or `/tmp/medstore-<uid>/medstored.sock`).
public enum DefaultLocations {
    /// Environment variable naming the socket for both programs.
    public static let socketEnvironmentVariable = "MEDSTORE_SOCKET"
    /// Environment variable naming the state directory for `medstored`.
    public static let stateDirEnvironmentVariable = "MEDSTORE_STATE_DIR"

    /// Whether system-wide paths apply.
    public static func isSystemInstance(environment: [String: String]) -> Bool {
        getuid() == 0 || environment["INVOCATION_ID"] != nil
    }

    /// The default socket path.
    public static func socketPath(environment: [String: String]) -> String {
        if let explicit = environment[socketEnvironmentVariable], !explicit.isEmpty { return explicit }
        if isSystemInstance(environment: environment) { return "/run/medstore/medstored.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/medstore/medstored.sock" }
        return "/tmp/medstore-\(getuid())/medstored.sock"
    }

    /// The default state directory.
    public static func stateDirectory(environment: [String: String]) -> String {
        if let explicit = environment[stateDirEnvironmentVariable], !explicit.isEmpty { return explicit }
        if let systemd = environment["STATE_DIRECTORY"], !systemd.isEmpty {
            return String(systemd.split(separator: ":").first ?? Substring(systemd))
        }
        if isSystemInstance(environment: environment) { return "/var/lib/medstore" }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/medstore" }
        let home = environment["HOME"] ?? "/tmp"
        return home + "/.local/state/medstore"
    }
}
