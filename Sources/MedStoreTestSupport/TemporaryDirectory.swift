import Foundation

/// A directory under /tmp removed when the value is released. Its path is short so that a Unix
/// socket inside it fits in `sun_path`.
public final class TemporaryDirectory: @unchecked Sendable {
    /// Absolute path.
    public let path: String

    /// Creates `/tmp/<prefix>-XXXXXX` with mode 0700.
    public init(prefix: String = "ms") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        path = String(cString: made!)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }
}
