import Foundation
import MedStoreClient
import MedStoreCore
import MedStoreTestSupport
import Testing
@testable import MedStoreProtocol
@testable import MedStoreServer

@Suite("Sealed keys: daemon")
struct SealedKeyDaemonTests {
    /// A fixed window (tomorrow, one hour) so that tokens issued at different times compare equal.
    static let tokenOptions: TokenOptions = {
        let day = (Date().timeIntervalSince1970 / 86400).rounded(.down) + 1
        let start = Date(timeIntervalSince1970: day * 86400)
        let formatter = ISO8601DateFormatter()
        return TokenOptions(permissions: "rl", start: formatter.string(from: start),
                            expiry: formatter.string(from: start.addingTimeInterval(3600)))
    }()

    private func issue(_ daemon: InProcessDaemon, setUp: Bool) async throws -> String {
        let client = try await daemon.client()
        defer { client.close() }
        if setUp {
            _ = try await client.createAccount(name: "sealedacct")
            _ = try await client.createContainer("box")
        }
        return try await client.containerToken("box", Self.tokenOptions).token
    }

    @Test func restartWithAnotherMasterKeyFailsClosedAndTheRightOneGivesTheSameTokens() async throws {
        let keys = TemporaryDirectory(prefix: "mskeys")
        let right = keys.file("right.key")
        let wrong = keys.file("wrong.key")
        _ = try MasterKey.loadOrCreate(atPath: right)
        _ = try MasterKey.loadOrCreate(atPath: wrong)

        let first = try InProcessDaemon { $0.masterKeyFile = right }
        #expect(first.daemon.options.masterKeySource == .file(right))
        let before = try await issue(first, setUp: true)
        first.stop()
        let database = first.stateDirectory + "/medstore.db"

        do {
            _ = try InProcessDaemon(directory: first.directory) { $0.masterKeyFile = wrong }
            Issue.record("the daemon started with the wrong master key")
        } catch let error as MedStoreError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message == "the master key does not open the account keys in \(database): wrong --master-key-file?")
        }
        #expect(!FileManager.default.fileExists(atPath: first.socketPath))

        // Without any key option the state-directory default is made, and it is wrong too.
        do {
            _ = try InProcessDaemon(directory: first.directory)
            Issue.record("the daemon started with a freshly generated master key")
        } catch let error as MedStoreError {
            #expect(KeySealer.isWrongMasterKey(error))
            #expect(error.message.contains("there was no master key at \(first.stateDirectory)/master.key, so a new one was generated there"))
        }

        let second = try InProcessDaemon(directory: first.directory) { $0.masterKeyFile = right }
        defer { second.stop() }
        #expect(try await issue(second, setUp: false) == before)
    }

    @Test func theDefaultKeyIsMadeBesideTheDatabaseAndReusedOnRestart() async throws {
        let first = try InProcessDaemon()
        let keyPath = first.stateDirectory + "/master.key"
        #expect(first.daemon.options.masterKeySource == .stateDirectory(keyPath))
        var info = stat()
        #expect(stat(keyPath, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600 && info.st_size == 32)
        let before = try await issue(first, setUp: true)
        first.stop()

        let second = try InProcessDaemon(directory: first.directory)
        #expect(try await issue(second, setUp: false) == before)
        second.stop()

        #expect(chmod(keyPath, 0o644) == 0)
        do {
            _ = try InProcessDaemon(directory: first.directory)
            Issue.record("the daemon read a master key file others may read")
        } catch let error as MedStoreError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("chmod 600 \(keyPath)"))
        }
    }

    @Test func aSystemdCredentialIsUsedWhenPresent() async throws {
        let credentials = TemporaryDirectory(prefix: "mscred")
        let credential = credentials.file(MasterKeySource.credentialName)
        _ = try MasterKey.loadOrCreate(atPath: credential)
        let daemon = try InProcessDaemon { $0.credentialsDirectory = credentials.path }
        defer { daemon.stop() }
        #expect(daemon.daemon.options.masterKeySource == .credential(credential))
        _ = try await issue(daemon, setUp: true)
        #expect(!FileManager.default.fileExists(atPath: daemon.stateDirectory + "/master.key"))
    }

    @Test func optionsAndEnvironmentChooseTheKeySource() throws {
        let env = ["MEDSTORE_STATE_DIR": "/var/lib/ms", "MEDSTORE_SOCKET": "/run/ms.sock"]
        func options(_ arguments: [String], _ extra: [String: String] = [:]) throws -> DaemonOptions {
            guard case .run(let options) = try DaemonOptions.parse(arguments, environment: env.merging(extra) { $1 }) else {
                throw MedStoreError(.internal, "not a run")
            }
            return options
        }
        #expect(try options([]).masterKeySource == .stateDirectory("/var/lib/ms/master.key"))
        #expect(try options(["--master-key-file", "/etc/k"]).masterKeySource == .file("/etc/k"))
        #expect(try options(["--master-key-file=/etc/k"], ["MEDSTORE_MASTER_KEY_FILE": "/env/k"]).masterKeyFile == "/etc/k")
        #expect(try options([], ["MEDSTORE_MASTER_KEY_FILE": "/env/k"]).masterKeySource == .file("/env/k"))
        // A credentials directory without our credential leaves the default in place.
        #expect(try options([], ["CREDENTIALS_DIRECTORY": "/nonexistent/creds"]).masterKeySource
                == .stateDirectory("/var/lib/ms/master.key"))
        #expect(try options([], ["CREDENTIALS_DIRECTORY": "/run/creds"]).credentialsDirectory == "/run/creds")
        #expect(throws: MedStoreError.self) { try options(["--master-key-file", ""]) }
        #expect(DaemonOptions.usage.contains("--master-key-file PATH"))
    }
}
