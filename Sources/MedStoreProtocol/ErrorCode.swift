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

    // Data-plane codes (the blob REST API); each maps to Azure's own error code.
    /// No such blob.
    case blobNotFound
    /// The blob exists and the request may not overwrite it.
    case blobAlreadyExists
    /// A conditional header (`If-Match`, `If-Unmodified-Since`, ...) did not hold.
    case conditionNotMet
    /// A read's `If-None-Match`/`If-Modified-Since` held: nothing changed (HTTP 304).
    case notModified
    /// The requested range starts beyond the blob's end.
    case invalidRange
    /// The body's MD5 differs from `Content-MD5`.
    case md5Mismatch
    /// A block list names a block that is not there.
    case invalidBlockList
    /// A block id is not valid base64 or too long.
    case invalidBlockId
    /// A block id differs in length from the blob's other blocks.
    case invalidBlobOrBlock
    /// The signature, its key, its time window or the Shared Key date did not verify.
    case authenticationFailed
    /// The account firewall does not allow the caller's address.
    case authorizationFailure
    /// The token does not grant the permission this operation needs.
    case authorizationPermissionMismatch
    /// A create-only token may not overwrite an existing blob.
    case unauthorizedBlobOverwrite
    /// The token is for another resource (a blob SAS on another blob, a service SAS on the service).
    case authorizationResourceTypeMismatch
    /// The token requires HTTPS and the request came over HTTP.
    case authorizationProtocolMismatch
    /// The token's `sip` range does not contain the caller's address.
    case authorizationSourceIPMismatch
    /// The request has no credentials (anonymous access is never allowed).
    case noAuthenticationInformation
    /// A header has a value the service does not accept.
    case invalidHeaderValue
    /// A required header is missing.
    case missingRequiredHeader
    /// A query parameter has a value the service does not accept.
    case invalidQueryParameterValue
    /// A number is outside its allowed range (e.g. `maxresults`).
    case outOfRangeInput
    /// The request body is larger than the operation allows.
    case requestBodyTooLarge
    /// The request body is not the XML the operation expects.
    case invalidXmlDocument
    /// The metadata names or values break Azure's rules.
    case invalidMetadata
    /// The method and query do not name an operation.
    case unsupportedOperation

    /// The general code a client falls back to when it does not know a domain code.
    public var generalCode: ErrorCode {
        switch self {
        case .accountNotFound, .containerNotFound, .ipRuleNotFound, .blobNotFound: return .notFound
        case .accountAlreadyExists, .containerAlreadyExists, .ipRuleAlreadyExists, .blobAlreadyExists: return .alreadyExists
        case .invalidAccountName, .invalidKey, .invalidContainerName, .invalidBlobName,
             .invalidPermissions, .invalidTime, .invalidIPRule, .invalidRange, .md5Mismatch, .invalidBlockList,
             .invalidBlockId, .invalidBlobOrBlock, .invalidHeaderValue, .missingRequiredHeader, .invalidQueryParameterValue,
             .outOfRangeInput, .invalidXmlDocument, .invalidMetadata, .unsupportedOperation: return .invalidArgument
        case .keyInUse, .conditionNotMet, .notModified: return .failedPrecondition
        case .authenticationFailed, .authorizationFailure, .authorizationPermissionMismatch, .unauthorizedBlobOverwrite,
             .authorizationResourceTypeMismatch, .authorizationProtocolMismatch, .authorizationSourceIPMismatch,
             .noAuthenticationInformation: return .permissionDenied
        case .requestBodyTooLarge: return .resourceExhausted
        default: return self
        }
    }

    /// HTTP status used when this error reaches the blob data plane.
    public var httpStatus: Int {
        switch self {
        case .blobNotFound: return 404
        case .blobAlreadyExists: return 409
        case .conditionNotMet: return 412
        case .notModified: return 304
        case .invalidRange: return 416
        case .authenticationFailed, .authorizationFailure, .authorizationPermissionMismatch, .unauthorizedBlobOverwrite,
             .authorizationResourceTypeMismatch, .authorizationProtocolMismatch, .authorizationSourceIPMismatch: return 403
        case .noAuthenticationInformation: return 401
        case .unsupportedOperation: return 405
        case .requestBodyTooLarge: return 413
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
        case .blobNotFound: return "BlobNotFound"
        case .blobAlreadyExists: return "BlobAlreadyExists"
        case .conditionNotMet: return "ConditionNotMet"
        case .notModified: return "ConditionNotMet"
        case .invalidRange: return "InvalidRange"
        case .md5Mismatch: return "Md5Mismatch"
        case .invalidBlockList: return "InvalidBlockList"
        case .invalidBlockId: return "InvalidBlockId"
        case .invalidBlobOrBlock: return "InvalidBlobOrBlock"
        case .authenticationFailed: return "AuthenticationFailed"
        case .authorizationFailure: return "AuthorizationFailure"
        case .authorizationPermissionMismatch: return "AuthorizationPermissionMismatch"
        case .unauthorizedBlobOverwrite: return "UnauthorizedBlobOverwrite"
        case .authorizationResourceTypeMismatch: return "AuthorizationResourceTypeMismatch"
        case .authorizationProtocolMismatch: return "AuthorizationProtocolMismatch"
        case .authorizationSourceIPMismatch: return "AuthorizationSourceIPMismatch"
        case .noAuthenticationInformation: return "NoAuthenticationInformation"
        case .invalidHeaderValue: return "InvalidHeaderValue"
        case .missingRequiredHeader: return "MissingRequiredHeader"
        case .invalidQueryParameterValue: return "InvalidQueryParameterValue"
        case .outOfRangeInput: return "OutOfRangeInput"
        case .requestBodyTooLarge: return "RequestBodyTooLarge"
        case .invalidXmlDocument: return "InvalidXmlDocument"
        case .invalidMetadata: return "InvalidMetadata"
        case .unsupportedOperation: return "UnsupportedHttpVerb"
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
