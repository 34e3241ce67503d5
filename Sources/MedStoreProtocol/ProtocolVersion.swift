/// Version and limits of the medstore control protocol (spec: `Protocol/medstore-v1.md`).
public enum ProtocolVersion {
    /// Major version: a client on another major version is refused at hello.
    public static let major: UInt64 = 1
    /// Minor version: additions that old clients can ignore.
    public static let minor: UInt64 = 2
}

/// Hard limits of the protocol; both sides enforce them.
public enum ProtocolLimits {
    /// Largest payload of one frame, in bytes (the 4-byte length prefix excluded).
    public static let maxFrameBytes: UInt32 = 1 << 20
    /// Requests one connection may have awaiting a reply; more are refused with `resourceExhausted`.
    public static let maxInFlightPerConnection = 64
    /// Largest `limit` a paginated list accepts.
    public static let maxPageSize: UInt64 = 5000
    /// Page size when a list request gives no `limit`.
    public static let defaultPageSize: UInt64 = 1000
    /// Longest text field (a note, a name, a key) the daemon accepts, in bytes.
    public static let maxTextFieldBytes = 4096
    /// Decoder limits for payloads.
    public static let cbor = CBORLimits(maxDepth: 8, maxCollectionCount: 10_000,
                                        maxStringLength: Int(maxFrameBytes), maxTotalItems: 100_000)
}
