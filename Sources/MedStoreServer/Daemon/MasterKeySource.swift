import Foundation
import MedStoreCore
import MedStoreProtocol

/// Where the daemon's master key comes from, first match wins:
/// 1. `--master-key-file` / `MEDSTORE_MASTER_KEY_FILE` (must exist);
/// 2. the systemd credential `$CREDENTIALS_DIRECTORY/medstore-master-key` when that file exists;
/// 3. `<state-dir>/master.key`, beside the database, generated (0600) on first start.
/// None of them falls back to another once chosen: a missing or unusable file stops the daemon.
public enum MasterKeySource: Equatable, Sendable {
    /// An explicitly named file.
    case file(String)
    /// A systemd credential (`LoadCredential=medstore-master-key:...`).
    case credential(String)
    /// The embedded default in the state directory.
    case stateDirectory(String)

    /// Name of the systemd credential.
    public static let credentialName = "medstore-master-key"
    /// Name of the default key file inside the state directory.
    public static let defaultFileName = "master.key"

    /// The file the key is read from.
    public var path: String {
        switch self {
        case .file(let path), .credential(let path), .stateDirectory(let path): return path
        }
    }

    /// A short name for logs: `file`, `credential` or `state-dir`.
    public var kind: String {
        switch self {
        case .file: return "file"
        case .credential: return "credential"
        case .stateDirectory: return "state-dir"
        }
    }

    /// Reads the key; only the state-directory default is created when missing.
    public func load() throws(MedStoreError) -> (key: MasterKey, created: Bool) {
        switch self {
        case .file(let path), .credential(let path):
            return (try MasterKey.load(fromFile: path), false)
        case .stateDirectory(let path):
            return try MasterKey.loadOrCreate(atPath: path)
        }
    }
}

extension DaemonOptions {
    /// Where this daemon's master key comes from (see ``MasterKeySource``).
    public var masterKeySource: MasterKeySource {
        if let masterKeyFile { return .file(masterKeyFile) }
        if let credentialsDirectory {
            let path = credentialsDirectory + "/" + MasterKeySource.credentialName
            if FileManager.default.fileExists(atPath: path) { return .credential(path) }
        }
        return .stateDirectory(stateDirectory + "/" + MasterKeySource.defaultFileName)
    }
}
