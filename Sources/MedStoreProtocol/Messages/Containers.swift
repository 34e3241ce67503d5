/// A container.
public struct ContainerInfo: Codable, Sendable, Equatable {
    /// The container name.
    public var name: String
    /// When it was created (RFC 3339 UTC).
    public var createdAt: String
    /// Creates container info.
    public init(name: String, createdAt: String) {
        self.name = name
        self.createdAt = createdAt
    }
}

/// `container.create`.
public enum ContainerCreate: RPCMethod {
    public static let name = "container.create"
    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// Azure container name: 3–63 of `a-z0-9-`, no `--`, letter or digit at both ends.
        public var name: String
        /// Creates parameters.
        public init(name: String) { self.name = name }
    }
    public typealias Result = ContainerInfo
}

/// `container.show`.
public enum ContainerShow: RPCMethod {
    public static let name = "container.show"
    public typealias Params = ContainerCreate.Params
    public typealias Result = ContainerInfo
}

/// `container.delete`: deletes the container and everything in it.
public enum ContainerDelete: RPCMethod {
    public static let name = "container.delete"
    public typealias Params = ContainerCreate.Params
    public typealias Result = ContainerInfo
}

/// `container.list`: one page of containers in name order.
public enum ContainerList: RPCMethod {
    public static let name = "container.list"

    /// Parameters.
    public struct Params: Codable, Sendable, Equatable {
        /// Only names starting with this.
        public var prefix: String?
        /// Only names after this (the previous page's `nextMarker`).
        public var marker: String?
        /// Page size, 1–5000 (default 1000).
        public var limit: UInt64?
        /// Creates parameters.
        public init(prefix: String? = nil, marker: String? = nil, limit: UInt64? = nil) {
            self.prefix = prefix
            self.marker = marker
            self.limit = limit
        }
    }

    /// One page.
    public struct Result: Codable, Sendable, Equatable {
        /// Containers in name order.
        public var containers: [ContainerInfo]
        /// Present when more follow: pass it as `marker`.
        public var nextMarker: String?
        /// Creates a page.
        public init(containers: [ContainerInfo], nextMarker: String?) {
            self.containers = containers
            self.nextMarker = nextMarker
        }
    }
}
