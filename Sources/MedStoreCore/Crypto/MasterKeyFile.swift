#if canImport(Glibc)
import Glibc
#endif
import MedStoreProtocol

/// The POSIX side of master key files: checked reads and exclusive, durable creation.
/// Every call retries `EINTR`; read buffers are wiped before they are freed.
enum MasterKeyFile {
    /// Largest file read: 44 base64 characters and a newline, with room to report a bad length.
    static let maxReadLength = 128

    /// True if something (a file, a dangling link, anything) is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Opens `path`, checks it is a regular file owned by the effective uid with mode `0?00`,
    /// reads it and calls `body` with the contents (wiped afterwards).
    static func read<T>(_ path: String,
                        _ body: (UnsafeRawBufferPointer) throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        let fd = try openForReading(path)
        defer { _ = close(fd) }
        try checkOwnerAndMode(fd, path: path)
        var buffer = [UInt8](repeating: 0, count: maxReadLength + 1)
        defer { Crypto.cleanse(&buffer) }
        var length = 0
        while length < buffer.count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + length, $0.count - length) }
            if n == 0 { break }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw MedStoreError(.failedPrecondition, "cannot read master key file \(path): \(String(cString: strerror(code)))")
            }
            length += n
        }
        guard length <= maxReadLength else {
            throw MedStoreError(.failedPrecondition,
                                "master key file \(path) is longer than \(maxReadLength) bytes; it must hold exactly \(MasterKey.byteCount) raw bytes or \(MasterKey.base64Length) characters of base64")
        }
        let result = buffer.withUnsafeBytes { all in
            Result { () throws(MedStoreError) -> T in try body(UnsafeRawBufferPointer(rebasing: all[0..<length])) }
        }
        return try result.get()
    }

    private static func openForReading(_ path: String) throws(MedStoreError) -> Int32 {
        while true {
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
            if fd >= 0 { return fd }
            let code = errno
            if code == EINTR { continue }
            if code == ENOENT {
                throw MedStoreError(.failedPrecondition, "master key file \(path) does not exist")
            }
            throw MedStoreError(.failedPrecondition, "cannot open master key file \(path): \(String(cString: strerror(code)))")
        }
    }

    private static func checkOwnerAndMode(_ fd: Int32, path: String) throws(MedStoreError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw MedStoreError(.failedPrecondition, "cannot stat master key file \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw MedStoreError(.failedPrecondition, "master key file \(path) is not a regular file")
        }
        let uid = geteuid()
        guard info.st_uid == uid else {
            throw MedStoreError(.failedPrecondition,
                                "master key file \(path) is owned by uid \(info.st_uid), not by medstored's uid \(uid); fix with `chown \(uid) \(path)`")
        }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 == 0 else {
            throw MedStoreError(.failedPrecondition,
                                "master key file \(path) has mode \(String(mode, radix: 8).leftPadded(to: 4)): group or others may access it; fix with `chmod 600 \(path)`")
        }
    }

    /// Writes `contents` to a fresh 0600 file `path`: created `O_CREAT|O_EXCL` under a temporary
    /// name, written, fsynced, then hard-linked to `path` (which fails if `path` appeared in the
    /// meantime) and the directory fsynced. Returns false, writing nothing, if `path` exists.
    static func createExclusively(_ path: String, contents: UnsafeRawBufferPointer) throws(MedStoreError) -> Bool {
        let directory = parentDirectory(of: path)
        let temp = path + ".new-" + Crypto.hex(try Crypto.randomBytes(8))
        let fd = try BlobFiles.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
        var linked = false
        do {
            defer {
                _ = close(fd)
                BlobFiles.remove(temp)
            }
            guard fchmod(fd, 0o600) == 0 else {
                throw BlobFiles.failure("cannot set mode 0600 on", temp, errno)
            }
            try BlobFiles.writeAll(fd, contents, path: temp)
            try BlobFiles.fsync(fd, path: temp)
            linked = try link(temp, path)
        }
        try BlobFiles.fsyncDirectory(directory)
        return linked
    }

    /// `link(from, to)`; false if `to` already exists.
    private static func link(_ from: String, _ to: String) throws(MedStoreError) -> Bool {
        while Glibc.link(from, to) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EEXIST { return false }
            throw BlobFiles.failure("cannot create master key file", to, code)
        }
        return true
    }

    private static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
