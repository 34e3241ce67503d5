/// Who asked for a token, as the registry records it: what the kernel and `/proc` said about
/// the control connection's peer, and a label for people.
public struct TokenCaller: Sendable, Equatable {
    /// Effective uid, gid and pid of the peer; nil for a token issued inside the daemon.
    public var uid: UInt32?
    /// See `uid`.
    public var gid: UInt32?
    /// See `uid`.
    public var pid: Int32?
    /// The peer's executable, when readable.
    public var executable: String?
    /// The peer's systemd service, if any.
    public var unit: String?
    /// `uid 1001 (alice)`, `uid 1001` when the user has no name, `medstored` without a peer.
    public var label: String

    /// Describes `identity` (nil: a call from inside the daemon, e.g. a test). Looks the user
    /// name up in the system databases: call it outside the store lock.
    public init(_ identity: CallerIdentity?) {
        guard let identity else {
            label = "medstored"
            return
        }
        uid = identity.uid
        gid = identity.gid
        pid = identity.pid
        executable = identity.executable
        unit = identity.unit
        label = Self.label(uid: identity.uid, name: SystemAccounts.userName(identity.uid))
    }

    /// `uid 1001 (alice)` or `uid 1001`.
    static func label(uid: UInt32, name: String?) -> String {
        name.map { "uid \(uid) (\($0))" } ?? "uid \(uid)"
    }
}
