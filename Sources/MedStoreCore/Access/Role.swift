/// What a caller of the control socket may do, weakest first. Each role includes the ones below it.
public enum Role: Int, Sendable, Comparable, CustomStringConvertible {
    /// Unknown to medstore: only the hello is answered.
    case stranger = 0
    /// Status and lists; no tokens, no key or rule changes.
    case reader = 1
    /// Reader, plus tokens within its grants.
    case issuer = 2
    /// Everything.
    case admin = 3

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The role's name as the spec and messages spell it.
    public var description: String {
        switch self {
        case .stranger: return "stranger"
        case .reader: return "reader"
        case .issuer: return "issuer"
        case .admin: return "admin"
        }
    }
}
