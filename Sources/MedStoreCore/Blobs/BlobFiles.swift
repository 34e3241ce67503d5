#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MedStoreProtocol

/// Where blob data files live and the few POSIX calls that put them there durably.
///
/// Layout under the state directory: `blobs/<2 hex>/<2 hex>/<32 hex>` for data files (named by a
/// random id) and `blobs/tmp/<32 hex>.tmp` while a file is being written. Every call retries
/// `EINTR`; failures become `MedStoreError`s naming the path and the system's reason.
struct BlobFiles: Sendable {
    /// `<state>/blobs`.
    let root: String
    /// `<state>/blobs/tmp`.
    let tempDirectory: String

    init(stateDirectory: String) {
        root = stateDirectory + "/blobs"
        tempDirectory = root + "/tmp"
    }

    /// A fresh random file name: 32 lowercase hex digits (128 bits from OpenSSL's RNG).
    static func newFileName() throws(MedStoreError) -> String {
        Crypto.hex(try Crypto.randomBytes(16))
    }

    /// True when `name` has the shape of a data file name.
    static func isFileName(_ name: String) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The directory holding data file `name`: `blobs/ab/cd`.
    func directory(of name: String) -> String {
        let chars = Array(name.utf8)
        return root + "/" + String(decoding: chars[0..<2], as: UTF8.self) + "/" + String(decoding: chars[2..<4], as: UTF8.self)
    }

    /// The final path of data file `name`.
    func path(of name: String) -> String { directory(of: name) + "/" + name }

    /// The temporary path used while data file `name` is written.
    func tempPath(of name: String) -> String { tempDirectory + "/" + name + ".tmp" }

    /// Creates `blobs/` and `blobs/tmp/` (mode 0700) if missing.
    func prepare() throws(MedStoreError) {
        try BlobFiles.makeDirectory(root)
        try BlobFiles.makeDirectory(tempDirectory)
    }

    /// Creates the two-level directory for `name` if needed, fsyncing each parent that gained an entry.
    func prepareDirectory(of name: String) throws(MedStoreError) {
        let leaf = directory(of: name)
        let middle = String(leaf.dropLast(3))
        if try BlobFiles.makeDirectory(middle) { try BlobFiles.fsyncDirectory(root) }
        if try BlobFiles.makeDirectory(leaf) { try BlobFiles.fsyncDirectory(middle) }
    }

    // MARK: - POSIX helpers

    /// `mkdir(path, 0700)`; returns true if it created the directory, false if it existed.
    @discardableResult
    static func makeDirectory(_ path: String) throws(MedStoreError) -> Bool {
        while mkdir(path, 0o700) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EEXIST { return false }
            throw failure("cannot create directory", path, code)
        }
        return true
    }

    /// Opens `path` with `flags` (O_CLOEXEC added) and `mode`.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(MedStoreError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            let code = errno
            if code == EINTR { continue }
            throw failure("cannot open", path, code)
        }
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(MedStoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure("cannot write", path, code)
            }
            offset += n
        }
    }

    /// `pread` that retries `EINTR`; returns the bytes read (0 at end of file).
    static func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(MedStoreError) -> Int {
        while true {
            let n = Glibc.pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            throw failure("cannot read", path, code)
        }
    }

    /// `fsync(fd)`.
    static func fsync(_ fd: Int32, path: String) throws(MedStoreError) {
        while Glibc.fsync(fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw failure("cannot fsync", path, code)
        }
    }

    /// Opens a directory read-only and fsyncs it, making renames and new entries in it durable.
    static func fsyncDirectory(_ path: String) throws(MedStoreError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { _ = Glibc.close(fd) }
        try fsync(fd, path: path)
    }

    /// `rename(from, to)`.
    static func rename(_ from: String, _ to: String) throws(MedStoreError) {
        while Glibc.rename(from, to) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw failure("cannot rename \(from) to", to, code)
        }
    }

    /// `unlink(path)`; a missing file is not an error. Returns true if a file was removed.
    @discardableResult
    static func remove(_ path: String) -> Bool {
        while Glibc.unlink(path) != 0 {
            if errno == EINTR { continue }
            return false
        }
        return true
    }

    /// The size of the file at `path`, or nil if it does not exist or is not a regular file.
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Names in a directory (empty if it does not exist).
    static func listDirectory(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    static func failure(_ what: String, _ path: String, _ code: Int32) -> MedStoreError {
        let reason = String(cString: strerror(code))
        if code == ENOSPC || code == EDQUOT {
            return MedStoreError(.resourceExhausted, "\(what) \(path): \(reason)")
        }
        return MedStoreError(.internal, "\(what) \(path): \(reason)")
    }
}
