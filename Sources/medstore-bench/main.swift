// medstore-bench: the Swift load generator behind `make bench` (bench/run.py drives it).
//
//   medstore-bench issue   --socket P --container C [--blob NAME] [--clients 16] [--seconds 10]
//   medstore-bench latency --socket P [--count 20000]
//   medstore-bench echo    [--count 20000]
//   medstore-bench journal-fixture --state-dir D --container C [--blobs N] [--versions K] (daemon stopped)
//
// Each subcommand prints one JSON object on stdout; errors go to stderr with exit status 1
// (64 for a usage error).
import Foundation
import MedStoreClient
import MedStoreProtocol

let usage = """
usage: medstore-bench issue   --socket PATH --container NAME [--blob NAME] [--clients N] [--seconds S] [--warmup S]
       medstore-bench latency --socket PATH [--count N] [--warmup N]
       medstore-bench echo    [--count N] [--warmup N] [--request-bytes N] [--reply-bytes N]
       medstore-bench journal-fixture --state-dir DIR --container NAME [--blobs N] [--versions K]
                      [--from-days-ago D] [--to-days-ago D]

issue    N concurrent tasks, each with its own MedStoreClient connection, issue token.blob
         requests back to back for S seconds: count, tokens/s, p50/p99 latency in ms.
latency  one client, sequential status requests: p50/p99 round trip in microseconds.
echo     the floor for `latency`: a raw Unix-socket round trip of the same frame sizes as a
         status request and its reply (server on a dedicated thread in this process, client
         blocking send/recv): p50/p99 in microseconds.
journal-fixture  writes N blobs x K versions of backup history into a STOPPED daemon's state
         directory (a new container NAME), spread over the given days; prints the span and midpoint.
"""

func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("medstore-bench: \(message)\n".utf8))
    exit(status)
}

/// `--name value` options after the subcommand.
struct Options {
    private var values: [String: String] = [:]

    init(_ args: ArraySlice<String>, allowed: Set<String>) {
        var it = args.makeIterator()
        while let arg = it.next() {
            if arg == "-h" || arg == "--help" {
                print(usage)
                exit(0)
            }
            guard arg.hasPrefix("--"), allowed.contains(String(arg.dropFirst(2))) else {
                fail("unknown option \(arg)\n\(usage)", status: 64)
            }
            guard let value = it.next() else { fail("\(arg) needs a value", status: 64) }
            values[String(arg.dropFirst(2))] = value
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func required(_ name: String) -> String {
        guard let v = values[name] else { fail("--\(name) is required\n\(usage)", status: 64) }
        return v
    }

    func int(_ name: String, default value: Int) -> Int {
        guard let text = values[name] else { return value }
        guard let v = Int(text), v >= 0 else { fail("--\(name) needs a non-negative integer, not \(text)", status: 64) }
        return v
    }

    func double(_ name: String, default value: Double) -> Double {
        guard let text = values[name] else { return value }
        guard let v = Double(text), v >= 0 else { fail("--\(name) needs a non-negative number, not \(text)", status: 64) }
        return v
    }
}

/// Monotonic nanoseconds.
@inline(__always) func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Nearest-rank percentile of sorted samples.
func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}

func printJSON(_ object: [String: Any]) {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
        fail("cannot encode the result as JSON")
    }
    print(String(decoding: data, as: UTF8.self))
}

func summary(_ samples: [UInt64], unit: Double, suffix: String) -> [String: Any] {
    let sorted = samples.sorted()
    let total = sorted.reduce(0, +)
    func r(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
    return [
        "p50\(suffix)": r(Double(percentile(sorted, 50)) / unit),
        "p90\(suffix)": r(Double(percentile(sorted, 90)) / unit),
        "p99\(suffix)": r(Double(percentile(sorted, 99)) / unit),
        "max\(suffix)": r(Double(sorted.last ?? 0) / unit),
        "mean\(suffix)": r(sorted.isEmpty ? 0 : Double(total) / Double(sorted.count) / unit),
    ]
}

// MARK: - issue

/// One connection's share of the `issue` run.
struct IssueShare: Sendable {
    var latencies: [UInt64] = []
    var errors = 0
    var firstError: String?
}

func runIssue(_ options: Options) async {
    let socket = options.required("socket")
    let container = options.required("container")
    let blob = options.string("blob") ?? "bench/token-target.bin"
    let clients = max(1, options.int("clients", default: 16))
    let seconds = options.double("seconds", default: 10)
    let warmup = options.double("warmup", default: 1)
    let tokenOptions = TokenOptions(permissions: "r", ttlSeconds: 3600)

    var connections: [MedStoreClient] = []
    for i in 0..<clients {
        do {
            connections.append(try await MedStoreClient.connect(socketPath: socket, clientName: "medstore-bench/\(i)"))
        } catch {
            fail("connect \(socket): \(error.message)")
        }
    }
    // Every connection issues one token first, so a wrong container fails fast and loudly.
    do {
        _ = try await connections[0].blobToken(container, blob: blob, tokenOptions)
    } catch {
        fail("token.blob \(container)/\(blob): \(error.message)")
    }

    let start = nowNanos()
    let measureFrom = start + UInt64(warmup * 1e9)
    let deadline = measureFrom + UInt64(seconds * 1e9)
    let shares: [IssueShare] = await withTaskGroup(of: IssueShare.self) { group in
        for client in connections {
            group.addTask {
                var share = IssueShare()
                share.latencies.reserveCapacity(Int(seconds * 20_000) / clients + 1024)
                while true {
                    let t0 = nowNanos()
                    if t0 >= deadline { break }
                    do throws(MedStoreError) {
                        _ = try await client.blobToken(container, blob: blob, tokenOptions)
                    } catch {
                        share.errors += 1
                        if share.firstError == nil { share.firstError = "\(error.code.rawValue): \(error.message)" }
                    }
                    let t1 = nowNanos()
                    // Count only requests that both started and finished inside the window.
                    if t0 >= measureFrom && t1 <= deadline { share.latencies.append(t1 - t0) }
                }
                return share
            }
        }
        var all: [IssueShare] = []
        for await share in group { all.append(share) }
        return all
    }
    for client in connections { client.close() }

    let latencies = shares.flatMap(\.latencies)
    let errors = shares.reduce(0) { $0 + $1.errors }
    var result: [String: Any] = [
        "benchmark": "issue",
        "clients": clients,
        "seconds": seconds,
        "count": latencies.count,
        "errors": errors,
        "tokensPerSecond": (Double(latencies.count) / seconds).rounded(),
    ]
    if let first = shares.compactMap(\.firstError).first { result["firstError"] = first }
    result.merge(summary(latencies, unit: 1e6, suffix: "Ms")) { a, _ in a }
    printJSON(result)
    if errors > 0 { exit(1) }
}

// MARK: - latency

func runLatency(_ options: Options) async {
    let socket = options.required("socket")
    let count = max(1, options.int("count", default: 20_000))
    let warmup = options.int("warmup", default: 1000)
    let client: MedStoreClient
    do {
        client = try await MedStoreClient.connect(socketPath: socket, clientName: "medstore-bench/latency")
    } catch {
        fail("connect \(socket): \(error.message)")
    }
    var samples: [UInt64] = []
    samples.reserveCapacity(count)
    for i in 0..<(warmup + count) {
        let t0 = nowNanos()
        do {
            _ = try await client.status()
        } catch {
            fail("status: \(error.message)")
        }
        if i >= warmup { samples.append(nowNanos() - t0) }
    }
    client.close()
    var result: [String: Any] = ["benchmark": "latency", "method": "status", "count": count]
    result.merge(summary(samples, unit: 1e3, suffix: "Us")) { a, _ in a }
    printJSON(result)
}

// MARK: - echo

/// Frame sizes of a `status` request and a typical reply, built with the protocol's own encoder.
func statusFrameSizes() -> (request: Int, reply: Int) {
    let request = RequestEnvelope(id: 12345, method: Status.name, params: .map([])).encoded().count + 4
    let sample = Status.Result(daemonVersion: "0.1.0", protocolVersion: "1.0", startedAt: "2026-12-04T19:25:11Z",
                               uptimeSeconds: 12345, accountPresent: true, accountName: "med4k2v9q0x1m7c3p",
                               containerCount: 1, clusterNetworks: ["127.0.0.0/8", "::1/128"], requestsServed: 12345)
    let value = (try? CBOREncoder().encode(sample)) ?? .map([])
    let reply = ResponseEnvelope(id: 12345, outcome: .result(value)).encoded().count + 4
    return (request, reply)
}

func sendAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < buffer.count {
        let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

func receiveExactly(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Bool {
    var offset = 0
    while offset < buffer.count {
        let n = recv(fd, buffer.baseAddress! + offset, buffer.count - offset, 0)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, b) in bytes.enumerated() { raw[i] = b }
        raw[bytes.count] = 0
    }
    return address
}

func runEcho(_ options: Options) {
    let sizes = statusFrameSizes()
    let requestBytes = max(1, options.int("request-bytes", default: sizes.request))
    let replyBytes = max(1, options.int("reply-bytes", default: sizes.reply))
    let count = max(1, options.int("count", default: 20_000))
    let warmup = options.int("warmup", default: 1000)
    let total = warmup + count

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("msb-echo-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/e.sock"
    defer {
        unlink(path)
        rmdir(dir)
    }
    var address = unixAddress(path)
    let size = socklen_t(MemoryLayout<sockaddr_un>.size)
    let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard listener >= 0 else { fail("socket: \(String(cString: strerror(errno)))") }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, size) }
    }
    guard bound == 0, listen(listener, 1) == 0 else { fail("bind/listen \(path): \(String(cString: strerror(errno)))") }

    // The server: read one request frame, write one reply frame, on its own thread.
    let server = Thread {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        let request = UnsafeMutableRawBufferPointer.allocate(byteCount: requestBytes, alignment: 8)
        let reply = UnsafeMutableRawBufferPointer.allocate(byteCount: replyBytes, alignment: 8)
        reply.initializeMemory(as: UInt8.self, repeating: 0xa5)
        while receiveExactly(fd, request) {
            if !sendAll(fd, UnsafeRawBufferPointer(reply)) { break }
        }
        close(fd)
        request.deallocate()
        reply.deallocate()
    }
    server.name = "echo-server"
    server.start()

    let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, size) }
    }
    guard client >= 0, connected == 0 else { fail("connect \(path): \(String(cString: strerror(errno)))") }
    let request = UnsafeMutableRawBufferPointer.allocate(byteCount: requestBytes, alignment: 8)
    request.initializeMemory(as: UInt8.self, repeating: 0x5a)
    let reply = UnsafeMutableRawBufferPointer.allocate(byteCount: replyBytes, alignment: 8)
    var samples = [UInt64]()
    samples.reserveCapacity(count)
    for i in 0..<total {
        let t0 = nowNanos()
        guard sendAll(client, UnsafeRawBufferPointer(request)), receiveExactly(client, reply) else {
            fail("echo round trip \(i) failed: \(String(cString: strerror(errno)))")
        }
        if i >= warmup { samples.append(nowNanos() - t0) }
    }
    close(client)
    close(listener)
    request.deallocate()
    reply.deallocate()

    var result: [String: Any] = [
        "benchmark": "echo", "count": count, "requestBytes": requestBytes, "replyBytes": replyBytes,
    ]
    result.merge(summary(samples, unit: 1e3, suffix: "Us")) { a, _ in a }
    printJSON(result)
}

// MARK: - main

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail(usage, status: 64) }
let rest = arguments[2...]
switch arguments[1] {
case "issue":
    await runIssue(Options(rest, allowed: ["socket", "container", "blob", "clients", "seconds", "warmup"]))
case "latency":
    await runLatency(Options(rest, allowed: ["socket", "count", "warmup"]))
case "echo":
    runEcho(Options(rest, allowed: ["count", "warmup", "request-bytes", "reply-bytes"]))
case "journal-fixture":
    JournalFixture.run(Options(rest, allowed: ["state-dir", "container", "blobs", "versions", "from-days-ago", "to-days-ago"]))
case "-h", "--help", "help":
    print(usage)
default:
    fail("unknown subcommand \(arguments[1])\n\(usage)", status: 64)
}
