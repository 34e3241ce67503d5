/// `hello`: the first request on every connection. States versions; a client on another major
/// version is refused with `unsupportedVersion` and the connection closes.
public enum Hello: RPCMethod {
    public static let name = "hello"

    /// What the client speaks.
    public struct Params: Codable, Sendable, Equatable {
        /// The client's protocol major version.
        public var protocolMajor: UInt64
        /// The client's protocol minor version.
        public var protocolMinor: UInt64
        /// Free text naming the client, e.g. `medctl/0.1.0`.
        public var client: String?

        /// Creates hello parameters for this library's protocol version.
        public init(client: String?, protocolMajor: UInt64 = ProtocolVersion.major,
                    protocolMinor: UInt64 = ProtocolVersion.minor) {
            self.protocolMajor = protocolMajor
            self.protocolMinor = protocolMinor
            self.client = client
        }
    }

    /// What the daemon speaks.
    public struct Result: Codable, Sendable, Equatable {
        /// Always `medstored`.
        public var daemon: String
        /// The daemon's release version.
        public var daemonVersion: String
        /// The daemon's protocol major version.
        public var protocolMajor: UInt64
        /// The daemon's protocol minor version.
        public var protocolMinor: UInt64
        /// Every method the daemon serves.
        public var methods: [String]
        /// Largest frame payload the daemon accepts.
        public var maxFrameBytes: UInt64
        /// Requests one connection may have in flight.
        public var maxInFlight: UInt64

        /// Creates a hello result.
        public init(daemon: String, daemonVersion: String, protocolMajor: UInt64, protocolMinor: UInt64,
                    methods: [String], maxFrameBytes: UInt64, maxInFlight: UInt64) {
            self.daemon = daemon
            self.daemonVersion = daemonVersion
            self.protocolMajor = protocolMajor
            self.protocolMinor = protocolMinor
            self.methods = methods
            self.maxFrameBytes = maxFrameBytes
            self.maxInFlight = maxInFlight
        }
    }
}
