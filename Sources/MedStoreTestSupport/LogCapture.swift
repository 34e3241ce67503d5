import Foundation
import MedStoreCore

/// Log lines captured from a component under test (to check what it logs, e.g. never a key or a
/// query string). Safe to feed from several threads.
public final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    /// Creates an empty capture.
    public init() {}

    /// Every line so far.
    public var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    /// A debug-level logger writing into this capture.
    public var logger: Logger {
        Logger(level: .debug) { [self] line in
            lock.lock()
            storage.append(line)
            lock.unlock()
        }
    }
}
