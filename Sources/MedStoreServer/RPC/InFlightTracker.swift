import Foundation

/// Counts requests being handled so shutdown can wait for them to finish.
final class InFlightTracker: @unchecked Sendable {
    private let condition = NSCondition()
    private var count = 0
    private var served: UInt64 = 0

    /// Marks a request as started.
    func begin() {
        condition.lock()
        count += 1
        condition.unlock()
    }

    /// Marks a request as finished.
    func end() {
        condition.lock()
        count -= 1
        served += 1
        if count == 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Requests finished since start.
    var totalServed: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return served
    }

    /// Waits until nothing is in flight or `timeout` passes; returns whether it drained.
    func waitUntilIdle(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while count > 0 {
            if !condition.wait(until: deadline) { return count == 0 }
        }
        return true
    }
}
