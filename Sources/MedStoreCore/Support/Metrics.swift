import Foundation

/// The daemon's counters and latency histograms, rendered in the Prometheus text exposition
/// format (version 0.0.4). Thread-safe; components receive the one instance, they never make
/// their own. Labels never carry tokens, keys or blob names.
public final class Metrics: @unchecked Sendable {
    /// What a metric is, for the `# HELP` and `# TYPE` lines.
    public struct Family: Sendable {
        /// Metric name.
        public let name: String
        /// `counter`, `gauge` or `histogram`.
        public let type: String
        /// One line of help.
        public let help: String
    }

    /// Every family the daemon reports, in output order.
    public static let families: [Family] = [
        Family(name: "medstore_control_requests_total", type: "counter", help: "Control-socket requests by method and outcome (ok or the error code)."),
        Family(name: "medstore_control_request_seconds", type: "histogram", help: "Control-socket request latency by method."),
        Family(name: "medstore_tokens_issued_total", type: "counter", help: "SAS tokens issued, by resource (container or blob)."),
        Family(name: "medstore_blob_requests_total", type: "counter", help: "Blob API requests by operation and HTTP status."),
        Family(name: "medstore_blob_request_seconds", type: "histogram", help: "Blob API request latency by operation (to the response head)."),
        Family(name: "medstore_blob_bytes_in_total", type: "counter", help: "Request body bytes received by the blob API."),
        Family(name: "medstore_blob_bytes_out_total", type: "counter", help: "Response body bytes sent by the blob API."),
        Family(name: "medstore_auth_failures_total", type: "counter", help: "Blob API requests refused by the firewall or authentication, by Azure error code."),
        Family(name: "medstore_prune_seconds", type: "histogram", help: "Duration of backup journal prunes (hourly and backup.prune)."),
        Family(name: "medstore_restore_seconds", type: "histogram", help: "Duration of container restores (backup.restore)."),
        Family(name: "medstore_open_connections", type: "gauge", help: "Open connections by listener (control or blob)."),
        Family(name: "medstore_audit_records_total", type: "counter", help: "Audit records made durable."),
        Family(name: "medstore_audit_commits_total", type: "counter", help: "Audit group commits by result (ok or failed)."),
        Family(name: "medstore_audit_commit_seconds", type: "histogram", help: "Duration of audit group commits (inserts, commit, fsync)."),
    ]

    /// Histogram bucket upper bounds, in seconds.
    public static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Histogram {
        var counts = [UInt64](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var count: UInt64 = 0
    }

    private let lock = NSLock()
    private var counters: [String: [String: Double]] = [:]
    private var histograms: [String: [String: Histogram]] = [:]

    /// Creates empty metrics.
    public init() {}

    /// Adds `amount` to a counter.
    public func add(_ name: String, _ labels: [(String, String)] = [], _ amount: Double = 1) {
        let key = Metrics.labelText(labels)
        lock.lock()
        counters[name, default: [:]][key, default: 0] += amount
        lock.unlock()
    }

    /// Records one observation (seconds) in a histogram.
    public func observe(_ name: String, _ labels: [(String, String)] = [], seconds: Double) {
        let key = Metrics.labelText(labels)
        lock.lock()
        var histogram = histograms[name, default: [:]][key] ?? Histogram()
        for (index, bound) in Metrics.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
        histogram.sum += seconds
        histogram.count += 1
        histograms[name, default: [:]][key] = histogram
        lock.unlock()
    }

    /// The sum of a counter over all its labels (for `status`).
    public func total(_ name: String) -> Double {
        lock.lock()
        defer { lock.unlock() }
        return counters[name]?.values.reduce(0, +) ?? 0
    }

    /// The exposition text, with `gauges` (name, labels, value) read by the caller just now.
    public func render(gauges: [(String, [(String, String)], Double)] = []) -> String {
        lock.lock()
        let counters = self.counters
        let histograms = self.histograms
        lock.unlock()
        var out = ""
        for family in Metrics.families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            switch family.type {
            case "histogram":
                for (labels, h) in (histograms[family.name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    for (index, bound) in Metrics.buckets.enumerated() {
                        out += "\(family.name)_bucket\(Metrics.joined(labels, ("le", Metrics.number(bound)))) \(h.counts[index])\n"
                    }
                    out += "\(family.name)_bucket\(Metrics.joined(labels, ("le", "+Inf"))) \(h.count)\n"
                    out += "\(family.name)_sum\(Metrics.braced(labels)) \(Metrics.number(h.sum))\n"
                    out += "\(family.name)_count\(Metrics.braced(labels)) \(h.count)\n"
                }
            case "gauge":
                for (name, labels, value) in gauges where name == family.name {
                    out += "\(name)\(Metrics.braced(Metrics.labelText(labels))) \(Metrics.number(value))\n"
                }
            default:
                for (labels, value) in (counters[family.name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    out += "\(family.name)\(Metrics.braced(labels)) \(Metrics.number(value))\n"
                }
            }
        }
        return out
    }

    static func labelText(_ labels: [(String, String)]) -> String {
        labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
    }

    static func braced(_ labels: String) -> String { labels.isEmpty ? "" : "{\(labels)}" }

    static func joined(_ labels: String, _ extra: (String, String)) -> String {
        let tail = "\(extra.0)=\"\(extra.1)\""
        return "{" + (labels.isEmpty ? tail : labels + "," + tail) + "}"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
