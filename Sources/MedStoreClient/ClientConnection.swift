import Foundation
import MedStoreProtocol
import MedStoreSocket

/// A framed connection to medstored: one reader thread matches replies to waiting callers by
/// request id, so many requests can be in flight at once.
final class ClientConnection: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private let writeLock = NSLock()
    private var nextID: UInt64 = 1
    private var waiting: [UInt64: CheckedContinuation<ResponseEnvelope, Never>] = [:]
    private var failure: MedStoreError?
    private let readerDone = DispatchSemaphore(value: 0)

    init(fd: Int32) {
        self.fd = fd
        let thread = Thread { [self] in readLoop() }
        thread.name = "medstore-client-reader"
        thread.start()
    }

    /// Sends a request and waits for its reply.
    func send(method: String, params: CBORValue) async throws(MedStoreError) -> ResponseEnvelope {
        let id = try allocateID()
        let frame = try FrameEncoder.frame(RequestEnvelope(id: id, method: method, params: params).encoded())
        let response = await withCheckedContinuation { (continuation: CheckedContinuation<ResponseEnvelope, Never>) in
            lock.lock()
            if let failure {
                lock.unlock()
                continuation.resume(returning: ResponseEnvelope(id: id, outcome: .error(failure)))
                return
            }
            waiting[id] = continuation
            lock.unlock()
            writeLock.lock()
            defer { writeLock.unlock() }
            do {
                try SocketIO.sendAll(fd, frame)
            } catch let error as MedStoreError {
                fail(MedStoreError(.unavailable, "connection to medstored lost: \(error.message)"))
            } catch {
                fail(MedStoreError(.unavailable, "connection to medstored lost"))
            }
        }
        return response
    }

    private func allocateID() throws(MedStoreError) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        let id = nextID
        nextID += 1
        return id
    }

    private func readLoop() {
        defer { readerDone.signal() }
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n: Int
            do { n = try SocketIO.receive(fd, into: &buffer) } catch {
                fail(MedStoreError(.unavailable, "connection to medstored lost: \(error.message)"))
                return
            }
            if n == 0 {
                fail(MedStoreError(.unavailable, "medstored closed the connection"))
                return
            }
            decoder.append(buffer[0..<n])
            do {
                while let payload = try decoder.nextFrame() {
                    let response = try ResponseEnvelope.decode(payload)
                    deliver(response)
                }
            } catch {
                fail(MedStoreError(.protocolError, "medstored sent something this client cannot read: \(error.message)"))
                return
            }
        }
    }

    private func deliver(_ response: ResponseEnvelope) {
        if response.id == 0, case .error(let error) = response.outcome {
            // A connection-level error: every waiting request gets it.
            fail(error)
            return
        }
        lock.lock()
        let continuation = waiting.removeValue(forKey: response.id)
        lock.unlock()
        continuation?.resume(returning: response)
    }

    /// Marks the connection failed and answers every waiting request with `error`.
    private func fail(_ error: MedStoreError) {
        lock.lock()
        if failure == nil { failure = error }
        let pending = waiting
        waiting.removeAll()
        lock.unlock()
        for (id, continuation) in pending {
            continuation.resume(returning: ResponseEnvelope(id: id, outcome: .error(error)))
        }
    }

    /// Closes the socket and waits for the reader to stop.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        readerDone.wait()
        Glibc.close(fd)
    }
}
