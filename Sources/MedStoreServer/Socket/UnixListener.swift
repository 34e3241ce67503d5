import CMedStoreShims
import Foundation
import MedStoreCore
import MedStoreProtocol
import MedStoreSocket

/// A listening Unix stream socket at a path, created with an explicit mode. A stale socket file
/// (nobody accepting) is replaced; a live one is refused so two daemons never share a path.
final class UnixListener: @unchecked Sendable {
    let path: String
    private(set) var fd: Int32
    /// False for an adopted socket: its file belongs to whoever created it (systemd).
    private let ownsPath: Bool

    /// Binds `path` with `mode`, creating its directory (mode 0755) when missing.
    init(path: String, mode: mode_t = 0o660, logger: Logger) throws(MedStoreError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
            } catch {
                throw MedStoreError(.unavailable, "cannot create socket directory \(directory): \(error.localizedDescription)")
            }
        }
        try UnixListener.clearStale(path: path, logger: logger)
        var address = try SocketIO.unixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MedStoreError(.unavailable, "socket() failed: \(String(cString: strerror(errno)))") }
        // Bind under a restrictive umask so the socket is never briefly wider than `mode`.
        let oldMask = umask(0o177)
        let rc = withUnsafePointer(to: &address) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(oldMask)
        guard rc == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw MedStoreError(.unavailable, "cannot bind \(path): \(message)")
        }
        guard chmod(path, mode) == 0, listen(fd, 1024) == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw MedStoreError(.unavailable, "cannot listen on \(path): \(message)")
        }
        self.fd = fd
        self.ownsPath = true
    }

    /// Adopts an already listening socket (socket activation); `close` leaves its file alone.
    init(adoptingFD fd: Int32, path: String) {
        self.fd = fd
        self.path = UnixListener.boundPath(fd) ?? path
        self.ownsPath = false
        _ = medstore_set_cloexec(fd)
    }

    /// The filesystem path `fd` is bound to, nil for unnamed or abstract sockets.
    static func boundPath(_ fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let rc = withUnsafeMutablePointer(to: &address) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0, Int32(address.sun_family) == AF_UNIX else { return nil }
        let path = withUnsafeBytes(of: address.sun_path) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return path.hasPrefix("/") ? path : nil
    }

    /// Removes `path` when it is a socket nobody accepts on; refuses a live socket or another file.
    static func clearStale(path: String, logger: Logger) throws(MedStoreError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw MedStoreError(.failedPrecondition, "\(path) exists and is not a socket; remove it or choose another --socket")
        }
        switch try SocketIO.connectUnix(path) {
        case .success(let fd):
            Glibc.close(fd)
            throw MedStoreError(.failedPrecondition, "another medstored is already listening on \(path)")
        case .failure:
            logger.notice("removing stale socket", [("path", path)])
            unlink(path)
        }
    }

    /// Stops listening and removes the socket file.
    func close() {
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        fd = -1
        if ownsPath { unlink(path) }
    }
}
