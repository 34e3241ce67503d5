import Foundation
import MedStoreSocket
import MedStoreTestSupport
import Testing
@testable import MedStoreProtocol

/// Hostile bytes on the control socket: each gets a typed error or a closed connection, and the
/// daemon keeps serving others.
@Suite("Bad input on the control socket")
struct BadInputTests {
    private func connectionError(_ bytes: [UInt8]) -> MedStoreError? {
        var decoder = FrameDecoder()
        decoder.append(bytes)
        guard let payload = try? decoder.nextFrame(), let reply = try? ResponseEnvelope.decode(payload),
              case .error(let error) = reply.outcome else { return nil }
        return reply.id == 0 ? error : nil
    }

    private func stillServes(_ daemon: InProcessDaemon) async throws {
        let client = try await daemon.client()
        defer { client.close() }
        #expect(try await client.status().daemonVersion == "0.1.0")
    }

    private func hello(id: UInt64 = 1) throws -> [UInt8] {
        try FrameEncoder.frame(RequestEnvelope(id: id, method: "hello",
                                               params: CBOREncoder().encode(Hello.Params(client: "raw"))).encoded())
    }

    @Test func fourGigabyteLengthIsRefusedAndClosed() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let fd = try SocketIOTestHelpers.connect(daemon.socketPath)
        defer { close(fd) }
        try SocketIO.sendAll(fd, [0xFF, 0xFF, 0xFF, 0xFF, 0x00])
        let (bytes, closed) = SocketIOTestHelpers.readUntilClosed(fd)
        #expect(closed)
        #expect(connectionError(bytes)?.code == .protocolError)
        try await stillServes(daemon)
    }

    @Test func garbageThatLooksLikeAFrameIsAProtocolError() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let fd = try SocketIOTestHelpers.connect(daemon.socketPath)
        defer { close(fd) }
        try SocketIO.sendAll(fd, [0, 0, 0, 5, 0xff, 0xfe, 0x00, 0x13, 0x37])
        let (bytes, closed) = SocketIOTestHelpers.readUntilClosed(fd)
        #expect(closed)
        #expect(connectionError(bytes)?.code == .protocolError)
        try await stillServes(daemon)
    }

    @Test func requestBeforeHelloClosesTheConnection() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let fd = try SocketIOTestHelpers.connect(daemon.socketPath)
        defer { close(fd) }
        try SocketIO.sendAll(fd, try FrameEncoder.frame(RequestEnvelope(id: 9, method: "status", params: .map([])).encoded()))
        let (bytes, closed) = SocketIOTestHelpers.readUntilClosed(fd)
        #expect(closed)
        var decoder = FrameDecoder()
        decoder.append(bytes)
        let reply = try ResponseEnvelope.decode(try #require(try decoder.nextFrame()))
        #expect(reply.id == 9)
        #expect(reply.outcome == .error(MedStoreError(.protocolError, "the first request on a connection must be 'hello'")))
    }

    @Test func otherMajorVersionIsRefused() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let fd = try SocketIOTestHelpers.connect(daemon.socketPath)
        defer { close(fd) }
        let params = try CBOREncoder().encode(Hello.Params(client: "future", protocolMajor: 2, protocolMinor: 0))
        try SocketIO.sendAll(fd, try FrameEncoder.frame(RequestEnvelope(id: 1, method: "hello", params: params).encoded()))
        let (bytes, closed) = SocketIOTestHelpers.readUntilClosed(fd)
        #expect(closed)
        var decoder = FrameDecoder()
        decoder.append(bytes)
        let reply = try ResponseEnvelope.decode(try #require(try decoder.nextFrame()))
        guard case .error(let error) = reply.outcome else { Issue.record("accepted major 2"); return }
        #expect(error.code == .unsupportedVersion)
    }

    @Test func unknownMethodAndBadFieldsKeepTheConnectionUsable() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        let fd = try SocketIOTestHelpers.connect(daemon.socketPath)
        defer { close(fd) }
        var stream = try hello()
        stream += try FrameEncoder.frame(RequestEnvelope(id: 2, method: "no.such", params: .map([])).encoded())
        stream += try FrameEncoder.frame(RequestEnvelope(id: 3, method: "container.create", params: .map([])).encoded())
        stream += try FrameEncoder.frame(RequestEnvelope(id: 4, method: "container.create",
            params: .map([CBORMapEntry(key: .text("name"), value: .unsigned(5))])).encoded())
        stream += try FrameEncoder.frame(RequestEnvelope(id: 5, method: "status", params: .map([])).encoded())
        try SocketIO.sendAll(fd, stream)
        SocketIO.setTimeout(fd, option: SO_RCVTIMEO, seconds: 5)
        var decoder = FrameDecoder()
        var replies: [UInt64: ResponseEnvelope] = [:]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while replies.count < 5 {
            let n = try SocketIO.receive(fd, into: &buffer)
            if n == 0 { break }
            decoder.append(buffer[0..<n])
            while let payload = try decoder.nextFrame() {
                let reply = try ResponseEnvelope.decode(payload)
                replies[reply.id] = reply
            }
        }
        guard case .error(let unknown) = replies[2]?.outcome,
              case .error(let missing) = replies[3]?.outcome,
              case .error(let mistyped) = replies[4]?.outcome,
              case .result = replies[5]?.outcome else {
            Issue.record("unexpected replies: \(replies)")
            return
        }
        #expect(unknown.code == .unknownMethod)
        #expect(missing.code == .invalidArgument && missing.message.contains("name"))
        #expect(mistyped.code == .invalidArgument && mistyped.message.contains("name"))
    }
}
