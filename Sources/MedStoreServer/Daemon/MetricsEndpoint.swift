import Foundation
import MedStoreCore
import MedStoreProtocol

/// `GET /metrics` in the Prometheus text format on `--metrics-listen` (off unless configured;
/// meant for loopback). Anything else is 404.
enum MetricsEndpoint {
    /// A server for `listen` reporting `metrics`, with `gauges` read at each scrape.
    static func server(listen: String, metrics: Metrics, logger: Logger,
                       gauges: @escaping @Sendable () -> [(String, [(String, String)], Double)]) throws(MedStoreError) -> HTTPServer {
        let handler = HTTPClosureHandler { request in
            guard request.method == "GET" || request.method == "HEAD", request.rawPath == "/metrics" else {
                return HTTPResponse(status: 404, headers: ["Content-Type": "text/plain"], body: .bytes(Array("not found\n".utf8)))
            }
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"],
                                body: .bytes(Array(metrics.render(gauges: gauges()).utf8)))
        }
        return try HTTPServer(listen: listen, tls: nil, handler: handler, logger: logger)
    }
}
