import Testing
@testable import MedStoreCore

@Suite("Metrics exposition")
struct MetricsTests {
    @Test func countersHistogramsAndGaugesRenderInPrometheusTextFormat() {
        let metrics = Metrics()
        metrics.add("medstore_blob_requests_total", [("operation", "getBlob"), ("status", "200")])
        metrics.add("medstore_blob_requests_total", [("operation", "getBlob"), ("status", "200")])
        metrics.add("medstore_blob_bytes_out_total", [], 4096)
        metrics.observe("medstore_prune_seconds", seconds: 0.003)
        let text = metrics.render(gauges: [("medstore_open_connections", [("listener", "blob")], 3)])
        #expect(text.contains("# TYPE medstore_blob_requests_total counter\n"))
        #expect(text.contains("medstore_blob_requests_total{operation=\"getBlob\",status=\"200\"} 2\n"))
        #expect(text.contains("medstore_blob_bytes_out_total 4096\n"))
        #expect(text.contains("medstore_prune_seconds_bucket{le=\"0.0025\"} 0\n"))
        #expect(text.contains("medstore_prune_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("medstore_prune_seconds_bucket{le=\"+Inf\"} 1\n"))
        #expect(text.contains("medstore_prune_seconds_count 1\n"))
        #expect(text.contains("medstore_open_connections{listener=\"blob\"} 3\n"))
        #expect(metrics.total("medstore_blob_requests_total") == 2)
        for family in Metrics.families {
            #expect(text.contains("# HELP \(family.name) "), "\(family.name)")
        }
    }

    @Test func labelValuesAreEscaped() {
        let metrics = Metrics()
        metrics.add("medstore_auth_failures_total", [("code", "a\"b\\c\nd")])
        #expect(metrics.render().contains("medstore_auth_failures_total{code=\"a\\\"b\\\\c\\nd\"} 1\n"))
    }
}
