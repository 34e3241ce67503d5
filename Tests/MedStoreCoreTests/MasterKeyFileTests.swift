import Foundation
import MedStoreTestSupport
import Testing
@testable import MedStoreCore
@testable import MedStoreProtocol

@Suite("Sealed keys: master key file")
struct MasterKeyFileTests {
    let directory = TemporaryDirectory(prefix: "msmk")
    var path: String { directory.file("master.key") }

    @Test func firstStartCreatesA0600FileAndLaterStartsReadIt() throws {
        let (key, created) = try MasterKey.loadOrCreate(atPath: path)
        #expect(created)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600)
        #expect(info.st_size == 32)
        #expect(info.st_uid == geteuid())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["master.key"])
        let (again, createdAgain) = try MasterKey.loadOrCreate(atPath: path)
        #expect(!createdAgain)
        #expect(try sameKey(key, again))
        #expect(try sameKey(key, MasterKey.load(fromFile: path)))
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o602, 0o700 | 0o010])
    func aFileOthersMayAccessIsRefused(mode: Int) throws {
        _ = try MasterKey.loadOrCreate(atPath: path)
        #expect(chmod(path, mode_t(mode)) == 0)
        expectFailure(.failedPrecondition, containing: "mode 0\(String(mode, radix: 8)): group or others may access it; fix with `chmod 600 \(path)`") {
            () throws(MedStoreError) in try MasterKey.load(fromFile: path)
        }
        // The state-directory default is refused the same way, never replaced.
        expectFailure(.failedPrecondition, containing: "chmod 600") { () throws(MedStoreError) in try MasterKey.loadOrCreate(atPath: path) }
    }

    @Test func aFileOwnedBySomeoneElseIsRefused() throws {
        guard geteuid() == 0 else { return }  // only root can give a file away
        _ = try MasterKey.loadOrCreate(atPath: path)
        #expect(chown(path, 65534, 65534) == 0)
        expectFailure(.failedPrecondition, containing: "is owned by uid 65534, not by medstored's uid 0") {
            () throws(MedStoreError) in try MasterKey.load(fromFile: path)
        }
    }

    @Test(arguments: ["", "\n"])
    func base64ContentsAreAccepted(ending: String) throws {
        let raw = try Crypto.randomBytes(32)
        try write(Array((Crypto.base64Encode(raw) + ending).utf8))
        let fromText = try MasterKey.load(fromFile: path)
        try write(raw, to: directory.file("raw.key"))
        #expect(try sameKey(fromText, MasterKey.load(fromFile: directory.file("raw.key"))))
    }

    @Test(arguments: [0, 31, 33, 45, 200])
    func wrongLengthsAreRefusedWithoutEchoingTheContents(length: Int) throws {
        let contents = [UInt8](repeating: UInt8(ascii: "Q"), count: length)
        try write(contents)
        do {
            _ = try MasterKey.load(fromFile: path)
            Issue.record("accepted a \(length)-byte master key file")
        } catch {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("32 raw bytes"))
            #expect(!error.message.contains("QQQQ"))
        }
    }

    @Test func malformedBase64IsRefused() throws {
        try write(Array(String(repeating: "*", count: 44).utf8))
        expectFailure(.failedPrecondition, containing: "not valid standard base64") { () throws(MedStoreError) in
            try MasterKey.load(fromFile: path)
        }
    }

    @Test func aMissingExplicitFileIsNotCreated() throws {
        expectFailure(.failedPrecondition, containing: "master key file \(path) does not exist") { () throws(MedStoreError) in
            try MasterKey.load(fromFile: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    private func write(_ bytes: [UInt8], to file: String? = nil) throws {
        let target = file ?? path
        #expect(FileManager.default.createFile(atPath: target, contents: Data(bytes), attributes: [.posixPermissions: 0o600]))
    }
}

/// True if two master keys are the same key: one opens what the other sealed.
func sameKey(_ a: MasterKey, _ b: MasterKey) throws -> Bool {
    let key = try AccountKey.generate()
    let sealed = try KeySealer(masterKey: a, databasePath: "db").seal(key, slot: .primary)
    return (try? KeySealer(masterKey: b, databasePath: "db").open(sealed, slot: .primary)) == key
}
