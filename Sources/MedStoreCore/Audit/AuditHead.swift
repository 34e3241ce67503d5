import Foundation
import MedStoreProtocol

/// The last durable record of the chain: its `seq` and `hash` (seq 0 and the genesis hash for an
/// empty chain). Kept in memory by the writer and in `audit.head`, so that removing the newest
/// records (which leaves a shorter but intact chain) is caught.
public struct AuditHead: Sendable, Equatable {
    /// The last record's seq; 0 for an empty chain.
    public var seq: UInt64
    /// The last record's hash; 32 zero bytes for an empty chain.
    public var hash: [UInt8]

    /// The head of an empty chain.
    public static let empty = AuditHead(seq: 0, hash: AuditChain.genesis)

    /// Creates a head.
    public init(seq: UInt64, hash: [UInt8]) {
        self.seq = seq
        self.hash = hash
    }
}

/// `audit.head`: the head, authenticated with a key derived from the master key (which is never
/// in the state directory), rewritten in place after every group commit.
///
/// Layout (80 bytes): `"MSAUDHD1"` ‖ seq (u64 big-endian) ‖ hash (32) ‖
/// HMAC-SHA256(head key, the first 48 bytes) (32), where head key =
/// HMAC-SHA256(master key, `"medstore audit head key v1"`). Without the master key nobody can
/// write a head that matches a rewritten chain. The file is written (not fsynced) after each
/// commit is durable, so it is never ahead of `audit.db`; after a power loss it may be behind
/// (a lower bound), never wrong. It is fsynced when the log closes.
final class AuditHeadFile: @unchecked Sendable {
    static let magic = Array("MSAUDHD1".utf8)
    static let size = 80
    static let keyLabel = "medstore audit head key v1"

    let path: String
    private let key: SecretBuffer
    private var fd: Int32 = -1

    /// Prepares to read and write `path`, authenticated under a key derived from `masterKey`.
    init(path: String, masterKey: MasterKey) {
        self.path = path
        self.key = SecretBuffer(count: Crypto.sha256Length)
        let label = Array(AuditHeadFile.keyLabel.utf8)
        var derived = masterKey.withUnsafeKeyBytes { master in
            label.withUnsafeBytes { Crypto.hmacSHA256(key: master, message: $0) }
        }
        derived.withUnsafeBytes { key.bytes.copyMemory(from: $0) }
        Crypto.cleanse(&derived)
    }

    deinit { close() }

    /// What the file says now.
    enum Reading: Equatable {
        /// There is no file.
        case missing
        /// The file exists but is not a head this master key wrote (wrong size, magic or MAC).
        case invalid(String)
        /// A valid head.
        case head(AuditHead)
    }

    /// Reads and authenticates the file.
    func read() -> Reading {
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileManager.default.fileExists(atPath: path) ? .invalid("unreadable") : .missing
        }
        let bytes = [UInt8](data)
        guard bytes.count == AuditHeadFile.size, Array(bytes[0..<8]) == AuditHeadFile.magic else {
            return .invalid("\(bytes.count) bytes, not a head file")
        }
        let expected = mac(Array(bytes[0..<48]))
        guard Crypto.constantTimeEquals(expected, Array(bytes[48..<80])) else {
            return .invalid("its authentication code does not match (written with another master key, or edited)")
        }
        var seq: UInt64 = 0
        for byte in bytes[8..<16] { seq = seq << 8 | UInt64(byte) }
        return .head(AuditHead(seq: seq, hash: Array(bytes[16..<48])))
    }

    /// Overwrites the file with `head` (creating it, mode 0600, on first use).
    func write(_ head: AuditHead) throws(MedStoreError) {
        if fd < 0 {
            let existed = FileManager.default.fileExists(atPath: path)
            fd = try BlobFiles.open(path, O_RDWR | O_CREAT, mode: 0o600)
            if !existed { try BlobFiles.fsyncDirectory((path as NSString).deletingLastPathComponent) }
        }
        var body = AuditHeadFile.magic
        for shift in stride(from: 56, through: 0, by: -8) { body.append(UInt8(truncatingIfNeeded: head.seq >> UInt64(shift))) }
        body += head.hash
        let record = body + mac(body)
        var offset = 0
        while offset < record.count {
            let n = record.withUnsafeBytes { pwrite(fd, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MedStoreError(.unavailable, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Flushes the file to disk and closes it.
    func close() {
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = Glibc.close(fd)
        fd = -1
    }

    private func mac(_ body: [UInt8]) -> [UInt8] {
        body.withUnsafeBytes { Crypto.hmacSHA256(key: UnsafeRawBufferPointer(key.bytes), message: $0) }
    }
}
