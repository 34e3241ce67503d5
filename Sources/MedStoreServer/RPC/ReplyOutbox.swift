import Foundation
import MedStoreProtocol
import MedStoreSocket

/// The replies waiting to go out on one connection, and the thread that sends them. Workers
/// only enqueue, so a client that stops reading can never hold a worker; the reader stops
/// taking requests from it while too much is queued (backpressure), and after the send timeout
/// the connection is given up.
final class ReplyOutbox: @unchecked Sendable {
    /// Queued bytes above which the reader waits before taking more requests.
    static let highWaterBytes = 4 << 20

    private let fd: Int32
    private let condition = NSCondition()
    private var frames: [[UInt8]] = []
    private var queuedBytes = 0
    private var closed = false
    private var broken = false
    private let done = DispatchSemaphore(value: 0)

    init(fd: Int32, connectionID: UInt64) {
        self.fd = fd
        let thread = Thread { [self] in run() }
        thread.name = "medstore-conn-\(connectionID)-w"
        thread.start()
    }

    /// Queues one frame (dropped when the connection is broken).
    func enqueue(_ frame: [UInt8]) {
        condition.lock()
        if !broken && !closed {
            frames.append(frame)
            queuedBytes += frame.count
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Blocks while more than `highWaterBytes` wait to be sent; false once the peer is gone.
    func waitForRoom() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queuedBytes > ReplyOutbox.highWaterBytes && !broken { condition.wait() }
        return !broken
    }

    /// Sends what is queued, then stops the writer thread and waits for it.
    func finish() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        done.wait()
    }

    private func run() {
        defer { done.signal() }
        while true {
            condition.lock()
            while frames.isEmpty && !closed { condition.wait() }
            if frames.isEmpty && closed {
                condition.unlock()
                return
            }
            let batch = frames
            frames.removeAll(keepingCapacity: true)
            condition.unlock()
            var sent = 0
            for frame in batch {
                do {
                    try SocketIO.sendAll(fd, frame)
                } catch {
                    condition.lock()
                    broken = true
                    frames.removeAll()
                    queuedBytes = 0
                    condition.broadcast()
                    condition.unlock()
                    // Wake the reader too: nobody is listening for replies any more.
                    shutdown(fd, Int32(SHUT_RDWR))
                    return
                }
                sent += frame.count
            }
            condition.lock()
            queuedBytes -= sent
            condition.broadcast()
            condition.unlock()
        }
    }
}
