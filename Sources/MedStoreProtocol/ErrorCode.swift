/// The one error vocabulary of medstore. Each code has a stable wire name (its raw value),
/// an HTTP status and Azure `x-ms-error-code` for the blob data plane, and a `medctl` exit code.
///
/// Codes are never renumbered or reused; new codes may be added in a minor protocol version and
/// a client that does not know one treats it as its `generalCode`.
public enum ErrorCode: String, Sendable, CaseIterable, Codable {
    // General codes (every client must know these).
    case invalidArgument
    case notFound
    case alreadyExists
    case permissionDenied
    case failedPrecondition
    case resourceExhausted
    case unavailable
    case `internal`
    /// The peer speaks another major protocol version.
    case unsupportedVersion
    /// The frame or envelope was malformed; the connection is closed after this error.
    case protocolError
    /// The method name is not in the registry.
    case unknownMethod

    // Domain codes that users need to tell apart.
    case accountNotFound
    case accountAlreadyExists
    case invalidAccountName
    case invalidKey
    case keyInUse
    case containerNotFound
    case containerAlreadyExists
    case invalidContainerName
    case invalidBlobName
    case invalidPermissions
    case invalidTime
    case invalidIPRule
    case ipRuleNotFound
    case ipRuleAlreadyExists

    /// The general code a client falls back to when it does not know a domain code.
    public var generalCode: ErrorCode {
        switch self {
        case .accountNotFound, .containerNotFound, .ipRuleNotFound: return .notFound
        case .accountAlreadyExists, .containerAlreadyExists, .ipRuleAlreadyExists: return .alreadyExists
        case .invalidAccountName, .invalidKey, .invalidContainerName, .invalidBlobName,
             .invalidPermissions, .invalidTime, .invalidIPRule: return .invalidArgument
        case .keyInUse: return .failedPrecondition
        default: return self
        }
    }

    /// HTTP status used when this error reaches the blob data plane.
    public var httpStatus: Int {
        switch self {
        case .containerNotFound, .accountNotFound, .notFound, .ipRuleNotFound: return 404
        case .alreadyExists, .accountAlreadyExists, .containerAlreadyExists, .ipRuleAlreadyExists: return 409
        case .permissionDenied: return 403
        case .failedPrecondition, .keyInUse: return 412
        case .resourceExhausted: return 413
        case .unavailable: return 503
        case .internal: return 500
        case .unknownMethod: return 405
        default: return 400
        }
    }

    /// Azure Storage `x-ms-error-code` used on the data plane.
    public var azureErrorCode: String {
        switch self {
        case .containerNotFound: return "ContainerNotFound"
        case .containerAlreadyExists: return "ContainerAlreadyExists"
        case .invalidContainerName, .invalidBlobName, .invalidAccountName: return "InvalidResourceName"
        case .accountNotFound, .notFound, .ipRuleNotFound: return "ResourceNotFound"
        case .alreadyExists, .accountAlreadyExists, .ipRuleAlreadyExists: return "ResourceAlreadyExists"
        case .permissionDenied: return "AuthorizationPermissionMismatch"
        case .failedPrecondition, .keyInUse: return "ConditionNotMet"
        case .resourceExhausted: return "RequestBodyTooLarge"
        case .unavailable: return "ServerBusy"
        case .internal: return "InternalError"
        case .unknownMethod: return "UnsupportedHttpVerb"
        case .unsupportedVersion: return "InvalidHeaderValue"
        case .invalidPermissions, .invalidTime, .invalidIPRule, .invalidKey: return "InvalidQueryParameterValue"
        case .invalidArgument, .protocolError: return "InvalidInput"
        }
    }

    /// Exit code of `medctl` when an operation fails with this error.
    /// 1 = the daemon refused or failed the operation; 69 (EX_UNAVAILABLE) = no daemon;
    /// 76 (EX_PROTOCOL) = the daemon and medctl do not understand each other;
    /// usage errors found by medctl itself exit 64.
    public var exitCode: Int32 {
        switch self {
        case .unavailable: return 69
        case .unsupportedVersion, .protocolError, .unknownMethod: return 76
        default: return 1
        }
    }
}

/// An error with a code from the shared vocabulary and a message that helps a person fix the call.
/// Messages never contain key material, signatures or tokens.
public struct MedStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error's code.
    public var code: ErrorCode
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
