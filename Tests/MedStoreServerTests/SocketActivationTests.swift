import Foundation
import MedStoreClient
import MedStoreCore
import MedStoreProtocol
@testable import MedStoreServer
import MedStoreSocket
import MedStoreTestSupport
import Testing

/// LISTEN_FDS adoption with real listening sockets placed at consecutive descriptors.
@Suite(.serialized) struct SocketActivationTests {
    /// A listening Unix socket at `path`.
    private func unixListener(_ path: String) throws -> Int32 {
        var address = try SocketIO.unixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let rc = withUnsafePointer(to: &address) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(rc == 0)
        #expect(listen(fd, 16) == 0)
        return fd
    }

    /// A listening TCP socket on 127.0.0.1, any port.
    private func tcpListener() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        _ = withUnsafePointer(to: &sa) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(fd, 16)
        return fd
    }

    /// Moves `fds` to consecutive descriptors starting at `base`; returns `base`.
    private func consecutive(_ fds: [Int32], base: Int32) -> Int32 {
        for (offset, fd) in fds.enumerated() {
            #expect(dup2(fd, base + Int32(offset)) == base + Int32(offset))
            close(fd)
        }
        return base
    }

    @Test func namedSocketsAreAdoptedAndServe() async throws {
        let directory = TemporaryDirectory(prefix: "msa")
        defer { withExtendedLifetime(directory) {} }
        let socketPath = directory.file("activated.sock")
        // "blob" first, "control" second: names, not positions, decide.
        let first = consecutive([tcpListener(), try unixListener(socketPath)], base: 700)
        let environment = ["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "blob:control"]
        let activation = try SocketActivation.from(environment: environment, firstFD: first)
        #expect(activation == SocketActivation(control: first + 1, blob: first))

        var options = DaemonOptions(stateDirectory: directory.file("state"), socketPath: directory.file("unused.sock"))
        options.blobListen = "127.0.0.1:1"  // would fail to bind as non-root: proves the fd is used
        let daemon = try Daemon(options: options, logger: Logger(level: .error), activation: activation)
        daemon.start()
        #expect(daemon.control.socketPath == socketPath)
        #expect(daemon.blobServer.boundPort > 0)
        let client = try await MedStoreClient.connect(socketPath: socketPath, clientName: "activation-test")
        #expect(try await client.status().protocolVersion == "\(ProtocolVersion.major).\(ProtocolVersion.minor)")
        client.close()
        daemon.stop()
        // The socket file belongs to systemd: stopping leaves it.
        #expect(FileManager.default.fileExists(atPath: socketPath))
        #expect(!FileManager.default.fileExists(atPath: directory.file("unused.sock")))
    }

    @Test func environmentRules() throws {
        let directory = TemporaryDirectory(prefix: "msb")
        defer { withExtendedLifetime(directory) {} }
        let fd = consecutive([try unixListener(directory.file("a.sock"))], base: 720)
        defer { close(fd) }
        // Another process's LISTEN_PID: not ours, nothing adopted.
        #expect(try SocketActivation.from(environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1"], firstFD: fd) == .none)
        // Unnamed (systemd says "unknown"): the first becomes the control socket.
        #expect(try SocketActivation.from(environment: ["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "1",
                                                        "LISTEN_FDNAMES": "unknown"], firstFD: fd).control == fd)
        // A Unix socket offered as the blob listener is refused.
        #expect(throws: MedStoreError.self) {
            try SocketActivation.from(environment: ["LISTEN_PID": "\(getpid())", "LISTEN_FDS": "1",
                                                    "LISTEN_FDNAMES": "blob"], firstFD: fd)
        }
        #expect(try SocketActivation.from(environment: [:]) == .none)
    }
}
