import MedStoreCore
import MedStoreProtocol

/// Names the Blob REST operation a request asks for, from its method, path level and the
/// `restype`/`comp` query parameters.
package enum OperationResolver {
    /// The operation, or `unsupportedOperation` for another verb and `invalidQueryParameterValue`
    /// for a combination no operation has.
    package static func resolve(method: String, path: BlobPath, query: QueryParameters) throws(MedStoreError) -> BlobOperation {
        let restype = query["restype"]
        let comp = query["comp"]
        let isRead = method == "GET" || method == "HEAD"
        if restype == "account" && comp == "properties" && isRead { return .getAccountInfo }
        if path.container == nil {
            switch (method, restype, comp) {
            case ("GET", nil, "list"): return .listContainers
            case ("GET", "service", "properties"): return .getServiceProperties
            case ("PUT", "service", "properties"): return .setServiceProperties
            default: break
            }
        } else if path.blob == nil {
            switch (method, restype, comp) {
            case ("PUT", "container", nil): return .createContainer
            case ("DELETE", "container", nil): return .deleteContainer
            case ("GET", "container", nil), ("HEAD", "container", nil): return .getContainerProperties
            case ("GET", "container", "metadata"), ("HEAD", "container", "metadata"): return .getContainerMetadata
            case ("PUT", "container", "metadata"): return .setContainerMetadata
            case ("GET", "container", "list"): return .listBlobs
            default: break
            }
        } else {
            switch (method, comp) {
            case ("PUT", nil): return .putBlob
            case ("PUT", "block"): return .putBlock
            case ("PUT", "blocklist"): return .putBlockList
            case ("GET", "blocklist"): return .getBlockList
            case ("GET", nil): return .getBlob
            case ("HEAD", nil): return .getBlobProperties
            case ("DELETE", nil): return .deleteBlob
            case ("PUT", "metadata"): return .setBlobMetadata
            case ("GET", "metadata"), ("HEAD", "metadata"): return .getBlobMetadata
            case ("PUT", "properties"): return .setBlobProperties
            default: break
            }
        }
        guard ["GET", "HEAD", "PUT", "DELETE"].contains(method) else {
            throw MedStoreError(.unsupportedOperation, "The resource doesn't support the specified HTTP verb \(method).")
        }
        throw MedStoreError(.invalidQueryParameterValue,
                            "\(method) with restype=\(restype ?? "-") comp=\(comp ?? "-") is not an operation this service supports")
    }
}
