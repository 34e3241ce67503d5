import Foundation
import MedStoreCore
import MedStoreProtocol
@testable import MedStoreServer
import MedStoreTestSupport
import Testing

/// medstored.conf parsing and precedence: defaults < file < environment < flags.
@Suite struct DaemonConfigTests {
    private let base = ["MEDSTORE_STATE_DIR": "/var/lib/ms", "MEDSTORE_SOCKET": "/run/ms.sock"]
    private let directory = TemporaryDirectory(prefix: "mscf")

    private func write(_ text: String) -> String {
        let path = directory.file("medstored-\(UUID().uuidString.prefix(8)).conf")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    private func run(_ arguments: [String], _ environment: [String: String] = [:],
                     defaultPath: String = "/nonexistent/medstored.conf") throws -> DaemonOptions {
        switch try DaemonOptions.parse(arguments, environment: base.merging(environment) { $1 }, defaultConfigPath: defaultPath) {
        case .run(let options), .checkConfig(let options): return options
        default: throw MedStoreError(.internal, "not a run")
        }
    }

    private func failure(_ arguments: [String], _ environment: [String: String] = [:]) -> String {
        do {
            _ = try run(arguments, environment)
            return "no error"
        } catch let error as MedStoreError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func aGoodFileSetsEveryKey() throws {
        let path = write("""
            # medstored.conf
            log-level = debug   # while testing
            cluster-network = 10.0.0.0/8
            cluster-network = 192.168.1.7/32

            blob-listen = 127.0.0.1:0
            blob-endpoint = "https://blob.example.org/{account}"
            drain-timeout = 7.5
            socket-mode = 0640
            master-key-file = /etc/medstore/master.key
            tls-cert = /etc/c.pem
            tls-key = /etc/k.pem
            """)
        let options = try run(["--config", path])
        #expect(options.logLevel == .debug)
        #expect(options.clusterNetworks == ["10.0.0.0/8", "192.168.1.7/32"])
        #expect(options.blobEndpoint == "https://blob.example.org/{account}")
        #expect(options.drainTimeoutSeconds == 7.5)
        #expect(options.socketMode == 0o640)
        #expect(options.masterKeyFile == "/etc/medstore/master.key")
        #expect(options.configFile == path)
        // Environment beats the file; flags beat both. A new source replaces the network list.
        let layered = try run(["--config", path, "--log-level", "error"],
                              ["MEDSTORE_LOG_LEVEL": "notice", "MEDSTORE_CLUSTER_NETWORKS": "172.16.0.0/12, ::1/128",
                               "MEDSTORE_DRAIN_TIMEOUT": "3"])
        #expect(layered.logLevel == .error)
        #expect(layered.clusterNetworks == ["172.16.0.0/12", "::1/128"])
        #expect(layered.drainTimeoutSeconds == 3)
        // The rendering is itself a valid config file giving the same options.
        let rendered = write(DaemonConfigFile.render(options))
        var again = try run(["--config", rendered])
        again.configFile = options.configFile
        #expect(again == options)
    }

    @Test func badLinesAreRefusedWithTheirLineNumber() {
        let cases: [(String, String)] = [
            ("log-level = info\nverbosity = 3\n", ":2: unknown key 'verbosity'"),
            ("\n\nlog-level = loud\n", ":3: log level must be"),
            ("cluster-network = 10.0.0.0/33\n", ":1: "),
            ("drain-timeout = soon\n", ":1: drain timeout"),
            ("# ok\nblob-listen = example.org:80\n", ":2: listen address"),
            ("socket-mode = 999\n", ":1: socket mode"),
            ("just words\n", ":1: expected 'key = value'"),
            ("state-dir =\n", ":1: state-dir needs a value"),
        ]
        for (text, expected) in cases {
            let path = write(text)
            let message = failure(["--config", path])
            #expect(message.contains(path + expected), "\(text.debugDescription) gave: \(message)")
        }
    }

    @Test func missingFiles() throws {
        // The default file may be missing; one named explicitly may not.
        #expect(try run([]).configFile == nil)
        #expect(failure(["--config", "/nonexistent/x.conf"]).contains("cannot read config file /nonexistent/x.conf"))
        #expect(failure([], ["MEDSTORE_CONFIG": "/nonexistent/y.conf"]).contains("/nonexistent/y.conf"))
        let path = write("log-level = warning\n")
        #expect(try run([], defaultPath: path).logLevel == .warning)
        #expect(failure(["--log-level", "chatty"]).contains("--log-level: log level must be"))
        #expect(failure(["--frobnicate"]).contains("unknown option '--frobnicate'"))
    }

    @Test func checkConfigAndEveryFlagHasAKey() throws {
        guard case .checkConfig(let options) = try DaemonOptions.parse(["--check-config"], environment: base,
                                                                        defaultConfigPath: "/nonexistent") else {
            Issue.record("--check-config did not ask to check")
            return
        }
        let text = DaemonConfigFile.render(options)
        #expect(text.contains("state-dir = /var/lib/ms"))
        #expect(text.contains("cluster-network = 127.0.0.0/8\ncluster-network = ::1/128"))
        for setting in DaemonSetting.allCases {
            #expect(DaemonOptions.usage.contains("--\(setting.key) "), "usage lacks --\(setting.key)")
            #expect(text.contains(setting.key))
        }
    }
}
