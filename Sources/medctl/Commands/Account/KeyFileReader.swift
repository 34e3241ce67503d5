import Glibc
import MedStoreProtocol

/// Reads a base64 account key from a file or standard input (`-`) for `account import`.
///
/// The key's text never appears in an error: failures name the file and the system's reason
/// only. Whitespace is removed (a trailing newline, line-wrapped base64). The read buffer is zeroed
/// after use (best effort: the returned `String` is itself a copy medctl cannot wipe).
enum KeyFileReader {
    /// Files larger than this cannot hold a 64-byte key in base64 and are refused unread.
    static let maximumBytes = 64 * 1024

    /// The trimmed text of `path` (`-` = stdin); `label` is `primary` or `secondary` for messages.
    static func read(_ path: String, label: String) throws(MedStoreError) -> String {
        let shownPath = path == "-" ? "- (standard input)" : path
        func failure(_ reason: String) -> MedStoreError {
            MedStoreError(.invalidArgument, "cannot read \(label) key file \(shownPath): \(reason)")
        }
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        defer { if fd != STDIN_FILENO { close(fd) } }

        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        defer { wipe(&bytes) }
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + count, raw.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            count += n
        }
        guard count <= maximumBytes else { throw failure("larger than \(maximumBytes / 1024) KiB, so not a key") }
        // Base64 has no whitespace, so all of it goes: a trailing newline, or the line breaks of
        // `base64`'s default 76-column output.
        var kept = 0
        for index in 0..<count where !(bytes[index] == 0x20 || (0x09...0x0D).contains(bytes[index])) {
            bytes[kept] = bytes[index]
            kept += 1
        }
        guard kept > 0 else { throw failure("the file is empty") }
        return String(decoding: bytes[..<kept], as: UTF8.self)
    }

    /// Overwrites `bytes` with zeros.
    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            _ = memset(base, 0, raw.count)
        }
    }
}
