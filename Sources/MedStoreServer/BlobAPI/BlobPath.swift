import MedStoreCore
import MedStoreProtocol

/// The resource a path-style request names: `/<account>[/<container>[/<blob>]]`.
package struct BlobPath: Equatable {
    package var account: String
    package var container: String?
    package var blob: String?

    /// Splits and percent-decodes a raw (still encoded) path. The blob name keeps its slashes.
    package static func parse(_ rawPath: String) throws(MedStoreError) -> BlobPath {
        guard rawPath.hasPrefix("/") else {
            throw MedStoreError(.invalidArgument, "the request path must start with '/'")
        }
        let parts = rawPath.dropFirst().split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        func decode(_ part: Substring, _ what: String) throws(MedStoreError) -> String {
            guard let value = PercentEncoding.decode(String(part)) else {
                throw MedStoreError(.invalidArgument, "the \(what) in the path has a bad percent-escape")
            }
            return value
        }
        guard let first = parts.first, !first.isEmpty else {
            throw MedStoreError(.invalidArgument, "the path must name the account: /<account>/<container>/<blob>")
        }
        var path = BlobPath(account: try decode(first, "account name"), container: nil, blob: nil)
        if parts.count > 1, !parts[1].isEmpty {
            path.container = try decode(parts[1], "container name")
        }
        if parts.count > 2 {
            guard path.container != nil else {
                throw MedStoreError(.invalidArgument, "the path has an empty container name")
            }
            let blob = try decode(parts[2], "blob name")
            if !blob.isEmpty { path.blob = blob }
        }
        return path
    }
}
