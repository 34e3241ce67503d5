import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreTestSupport
import Testing
@testable import MedStoreServer

/// HTTPS: a self-signed certificate made with the `openssl` tool at test time, `curl` and
/// `openssl s_client` as independent clients.
@Suite("HTTP over TLS")
struct HTTPTLSTests {
    private struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command found on PATH, feeding it `input` on stdin.
    private func run(_ arguments: [String], input: String = "") throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    /// A fresh self-signed certificate and key for CN=localhost.
    private func makeCertificate(in directory: TemporaryDirectory, name: String = "server") throws -> TLSConfiguration {
        let configuration = TLSConfiguration(certificatePath: directory.file("\(name).crt"), privateKeyPath: directory.file("\(name).key"))
        let result = try run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                              "-keyout", configuration.privateKeyPath, "-out", configuration.certificatePath])
        #expect(result.status == 0, "openssl req failed: \(result.stderr)")
        return configuration
    }

    @Test func roundTripsKeepAliveUploadAndDownloadOverTLS() throws {
        let directory = TemporaryDirectory()
        let server = try TestHTTPServer(tls: try makeCertificate(in: directory))
        defer { server.stop() }
        let base = "https://127.0.0.1:\(server.port)"

        let echo = try run(["curl", "-sSk", "\(base)/echo"])
        #expect(echo.status == 0, "\(echo.stderr)")
        #expect(echo.stdout.contains("tls=true\n") && echo.stdout.contains("peer=127.0.0.1\n"))

        // Two requests on one command line share one TLS connection.
        let twice = try run(["curl", "-sSk", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects}\n",
                             "\(base)/hello", "\(base)/hello"])
        #expect(twice.stdout.split(separator: "\n") == ["1", "0"], "\(twice.stderr)")

        let payload = try Crypto.randomBytes(4 << 20)
        let file = directory.file("payload.bin")
        #expect(FileManager.default.createFile(atPath: file, contents: Data(payload)))
        let upload = try run(["curl", "-sSk", "-T", file, "\(base)/upload"])
        #expect(upload.stdout == "len=\(payload.count) sha=\(Crypto.hex(Crypto.sha256(payload))) declared=\(payload.count) chunked=false",
                "\(upload.stderr)")

        let downloaded = directory.file("down.bin")
        let download = try run(["curl", "-sSk", "-o", downloaded, "\(base)/stream?mib=8"])
        #expect(download.status == 0, "\(download.stderr)")
        var expected: [UInt8] = []
        for index in 0..<8 { expected += TestHandler.streamChunk(index) }
        let received = try #require(FileManager.default.contents(atPath: downloaded))
        #expect(Crypto.sha256(Array(received)) == Crypto.sha256(expected))
    }

    @Test func tls11IsRefusedAndTls12Accepted() throws {
        let directory = TemporaryDirectory()
        let server = try TestHTTPServer(tls: try makeCertificate(in: directory))
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"
        // SECLEVEL=0 lets this OpenSSL client offer TLS 1.1 at all; the refusal must come from the server.
        let old = try run(["openssl", "s_client", "-connect", address, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        #expect(old.status != 0)
        #expect((old.stdout + old.stderr).contains("alert protocol version"), "\(old.stderr)")
        let current = try run(["openssl", "s_client", "-connect", address, "-tls1_2"])
        #expect(current.status == 0, "\(current.stderr)")
        #expect(current.stdout.contains("Protocol  : TLSv1.2"))
    }

    @Test func plainHTTPOnTheTLSPortIsDroppedAndServingContinues() throws {
        let directory = TemporaryDirectory()
        let server = try TestHTTPServer(tls: try makeCertificate(in: directory))
        defer { server.stop() }
        let plain = try server.client()
        try plain.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(throws: RawClientError.self) { _ = try plain.readResponse() }
        let after = try run(["curl", "-sSk", "https://127.0.0.1:\(server.port)/hello"])
        #expect(after.stdout == "hello", "\(after.stderr)")
    }

    @Test func missingOrMismatchedKeyMaterialIsRejected() throws {
        let directory = TemporaryDirectory()
        let good = try makeCertificate(in: directory)
        let other = try makeCertificate(in: directory, name: "other")
        let handler = HTTPClosureHandler { _ in HTTPResponse(status: 200) }
        let quiet = Logger(level: .error) { _ in }
        let missing = TLSConfiguration(certificatePath: directory.file("nope.crt"), privateKeyPath: good.privateKeyPath)
        let e1 = #expect(throws: MedStoreError.self) {
            _ = try HTTPServer(listen: "127.0.0.1:0", tls: missing, handler: handler, logger: quiet)
        }
        #expect(e1?.code == .invalidArgument && e1?.message.contains("nope.crt") == true)
        let mismatched = TLSConfiguration(certificatePath: good.certificatePath, privateKeyPath: other.privateKeyPath)
        let e2 = #expect(throws: MedStoreError.self) {
            _ = try HTTPServer(listen: "127.0.0.1:0", tls: mismatched, handler: handler, logger: quiet)
        }
        #expect(e2?.code == .invalidArgument)
        #expect(e2?.message.contains("does not match") == true || e2?.message.contains("key values mismatch") == true)
    }
}
