import MedStoreProtocol

/// Who a request was authenticated as.
public enum AuthIdentity: Sendable {
    /// `Authorization: SharedKey <account>:<signature>` with a current account key: full access.
    case sharedKey
    /// A valid service SAS (`sr=c` or `sr=b`) that allows this operation.
    case serviceSAS(SASGrant)

    /// Whether the caller may replace an existing blob (Put Blob / Put Block List over a blob that
    /// exists). Shared Key: yes; SAS: only with `w`. Pass this as the blob store's `overwrite`
    /// flag so a create-only token cannot overwrite even if the blob appears after the check; when
    /// the store then refuses, answer ``RequestAuthenticator/unauthorizedBlobOverwrite()``.
    public var mayOverwriteBlobs: Bool {
        switch self {
        case .sharedKey: return true
        case .serviceSAS(let grant): return grant.mayOverwriteBlobs
        }
    }

    /// The token fingerprint for logs (`nil` for Shared Key).
    public var fingerprint: String? {
        switch self {
        case .sharedKey: return nil
        case .serviceSAS(let grant): return grant.fingerprint
        }
    }

    /// Response header overrides to apply to Get Blob / Get Blob Properties (empty for Shared Key).
    public var responseOverrides: SASResponseOverrides {
        switch self {
        case .sharedKey: return SASResponseOverrides()
        case .serviceSAS(let grant): return grant.responseOverrides
        }
    }
}

/// What a verified service SAS grants.
public struct SASGrant: Sendable, Equatable {
    /// The signed permissions (canonical order, as signed).
    public var permissions: SASPermissions
    /// `sr`: container or blob.
    public var resource: SASResource
    /// First 16 hex digits of SHA-256 of the signature: safe to log, never the token itself.
    public var fingerprint: String
    /// The signed `rscc`/`rscd`/`rsce`/`rscl`/`rsct` values. They are part of the string-to-sign,
    /// so only signed values ever appear here.
    public var responseOverrides: SASResponseOverrides
    /// Which account key verified the signature.
    public var signedWith: KeyName
    /// `sv` as signed.
    public var signedVersion: String

    /// Creates a grant (the authenticator makes these; public for tests of the REST layer).
    public init(permissions: SASPermissions, resource: SASResource, fingerprint: String,
                responseOverrides: SASResponseOverrides, signedWith: KeyName, signedVersion: String) {
        self.permissions = permissions
        self.resource = resource
        self.fingerprint = fingerprint
        self.responseOverrides = responseOverrides
        self.signedWith = signedWith
        self.signedVersion = signedVersion
    }

    /// `w` is granted: the token may replace existing blobs.
    public var mayOverwriteBlobs: Bool { permissions.contains("w") }
}

/// Response header overrides of a SAS (`rscc`, `rscd`, `rsce`, `rscl`, `rsct`).
public struct SASResponseOverrides: Sendable, Equatable {
    /// `rscc` → `Cache-Control`.
    public var cacheControl: String?
    /// `rscd` → `Content-Disposition`.
    public var contentDisposition: String?
    /// `rsce` → `Content-Encoding`.
    public var contentEncoding: String?
    /// `rscl` → `Content-Language`.
    public var contentLanguage: String?
    /// `rsct` → `Content-Type`.
    public var contentType: String?

    /// Creates a set of overrides; all absent by default.
    public init(cacheControl: String? = nil, contentDisposition: String? = nil, contentEncoding: String? = nil,
                contentLanguage: String? = nil, contentType: String? = nil) {
        self.cacheControl = cacheControl
        self.contentDisposition = contentDisposition
        self.contentEncoding = contentEncoding
        self.contentLanguage = contentLanguage
        self.contentType = contentType
    }

    /// No override present.
    public var isEmpty: Bool {
        cacheControl == nil && contentDisposition == nil && contentEncoding == nil && contentLanguage == nil && contentType == nil
    }

    /// The overrides as (response header name, value) pairs, absent ones left out.
    public var headers: [(name: String, value: String)] {
        let all: [(String, String?)] = [
            ("Cache-Control", cacheControl), ("Content-Disposition", contentDisposition),
            ("Content-Encoding", contentEncoding), ("Content-Language", contentLanguage), ("Content-Type", contentType),
        ]
        return all.compactMap { name, value in value.map { (name, $0) } }
    }
}
