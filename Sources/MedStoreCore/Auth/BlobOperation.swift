/// Every operation the blob REST layer serves, as the authenticator sees it.
///
/// The REST layer maps method, `restype` and `comp` to one of these before authentication; the
/// permission a service SAS needs for each is in ``SASPermissionTable``.
public enum BlobOperation: String, Sendable, CaseIterable {
    /// `GET /<account>?comp=list`.
    case listContainers
    /// `GET|HEAD …?restype=account&comp=properties` (on the service, a container or a blob URL).
    case getAccountInfo
    /// `GET /<account>?restype=service&comp=properties`.
    case getServiceProperties
    /// `PUT /<account>?restype=service&comp=properties`.
    case setServiceProperties
    /// `PUT /<account>/<container>?restype=container`.
    case createContainer
    /// `DELETE /<account>/<container>?restype=container`.
    case deleteContainer
    /// `GET|HEAD /<account>/<container>?restype=container`.
    case getContainerProperties
    /// `GET|HEAD /<account>/<container>?restype=container&comp=metadata`.
    case getContainerMetadata
    /// `PUT /<account>/<container>?restype=container&comp=metadata`.
    case setContainerMetadata
    /// `GET /<account>/<container>?restype=container&comp=list`.
    case listBlobs
    /// `PUT /<account>/<container>/<blob>` (block blob).
    case putBlob
    /// `PUT …/<blob>?comp=block&blockid=…`.
    case putBlock
    /// `PUT …/<blob>?comp=blocklist`.
    case putBlockList
    /// `GET …/<blob>?comp=blocklist`.
    case getBlockList
    /// `GET …/<blob>`.
    case getBlob
    /// `HEAD …/<blob>`.
    case getBlobProperties
    /// `DELETE …/<blob>`.
    case deleteBlob
    /// `PUT …/<blob>?comp=metadata`.
    case setBlobMetadata
    /// `GET|HEAD …/<blob>?comp=metadata`.
    case getBlobMetadata
    /// `PUT …/<blob>?comp=properties`.
    case setBlobProperties

    /// The level of resource an operation acts on.
    public enum Level: String, Sendable, Comparable {
        /// The account's blob service (`/<account>`).
        case service
        /// One container (`/<account>/<container>`).
        case container
        /// One blob (`/<account>/<container>/<blob>`).
        case blob

        private var rank: Int {
            switch self {
            case .service: return 0
            case .container: return 1
            case .blob: return 2
            }
        }

        /// Service < container < blob.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    /// Resource level: service, container or blob.
    ///
    /// `getAccountInfo` is a service operation, but Azure also accepts it on a container or blob
    /// URL (that is how a SAS reaches it); the level of such a request is the level of its path.
    public var level: Level {
        switch self {
        case .listContainers, .getAccountInfo, .getServiceProperties, .setServiceProperties:
            return .service
        case .createContainer, .deleteContainer, .getContainerProperties, .getContainerMetadata,
             .setContainerMetadata, .listBlobs:
            return .container
        case .putBlob, .putBlock, .putBlockList, .getBlockList, .getBlob, .getBlobProperties, .deleteBlob,
             .setBlobMetadata, .getBlobMetadata, .setBlobProperties:
            return .blob
        }
    }
}
