import MedStoreProtocol

/// The permission a service SAS needs for each ``BlobOperation``.
///
/// | Operation | Needs | Source |
/// |---|---|---|
/// | getBlob, getBlobProperties, getBlobMetadata, getBlockList | `r` | create-service-sas: Read = "read the content, blocklist, properties, and metadata" |
/// | putBlob, new blob | `c` or `w` | create-service-sas: Create = "write a new blob"; Write = "create or write content" |
/// | putBlob, existing blob | `w` (`c` alone → 403 `UnauthorizedBlobOverwrite`) | create-service-sas; observed 403 UnauthorizedBlobOverwrite (azure-storage-node#485, azure-cli#19203) |
/// | putBlockList, new blob | `w`; `c` when `sv` ≥ 2026-04-06 | put-block-list; version-2026-04-06: "create (c) can now be used with Put Block, Put Block List" |
/// | putBlockList, existing blob | `w` (`c` alone → `UnauthorizedBlobOverwrite`) | as Put Blob (committing replaces the blob) |
/// | putBlock, blob absent | `w`; `c` when `sv` ≥ 2026-04-06 | before 2026-04-06 `c` was refused (azure-cli#16899, azure-storage-node#485); Azurite: `w` |
/// | putBlock, blob exists | `w` (`c` alone refused: medstore's safer choice, undocumented) | — |
/// | deleteBlob | `d` | create-service-sas: Delete |
/// | setBlobMetadata, setBlobProperties | `w` | create-service-sas: Write = "content, properties, metadata" |
/// | listBlobs | `l`, container SAS only | create-service-sas: List (container/directory) |
/// | getAccountInfo on a container or blob URL | `r` | get-account-information (SAS on container/blob URLs); permission undocumented, `r` as Azurite |
/// | getContainerProperties/Metadata, setContainerMetadata, createContainer, deleteContainer | never (403 `AuthorizationFailure`) | reference §1 "service SAS cannot … container properties or metadata"; observed AuthorizationFailure (azure-sdk-for-net#17142, azure-sdk-for-python#24227) |
/// | listContainers, getServiceProperties, setServiceProperties | never | a service SAS names a container or blob; at service level the resource check fails first (403 `AuthenticationFailed`) |
///
/// The letter `a` (add) is for append blobs, which medstore does not have: it grants nothing
/// here (Azurite: Put Block needs `w`). Letters such as `x`, `y`, `t`, `f`, `m`, `e`, `i` are
/// accepted in a token but grant none of these operations.
public enum SASPermissionTable {
    /// The first `sv` at which `c` may be used for Put Block and Put Block List.
    public static let createForBlocksSince = "2026-04-06"

    /// What one operation needs.
    public enum Requirement: Sendable, Equatable {
        /// Any one of these permission letters.
        case anyOf(String)
        /// `w`, or `c` for a blob that does not exist yet (from `sv` ≥ `createSince` when given).
        case createOrWrite(createSince: String?)
        /// A service SAS can never perform this operation (403 `AuthorizationFailure`).
        case never
    }

    /// The row of the table for `operation`.
    public static func requirement(for operation: BlobOperation) -> Requirement {
        switch operation {
        case .getBlob, .getBlobProperties, .getBlobMetadata, .getBlockList, .getAccountInfo:
            return .anyOf("r")
        case .putBlob:
            return .createOrWrite(createSince: nil)
        case .putBlock, .putBlockList:
            return .createOrWrite(createSince: createForBlocksSince)
        case .deleteBlob:
            return .anyOf("d")
        case .setBlobMetadata, .setBlobProperties:
            return .anyOf("w")
        case .listBlobs:
            return .anyOf("l")
        case .createContainer, .deleteContainer, .getContainerProperties, .getContainerMetadata, .setContainerMetadata,
             .listContainers, .getServiceProperties, .setServiceProperties:
            return .never
        }
    }

    /// Checks that `permissions` (signed at `signedVersion`) allow `operation`.
    ///
    /// `blobExists` matters only for a create-only token (`c` without `w`): `true` refuses
    /// (Put Blob / Put Block List: `UnauthorizedBlobOverwrite`; Put Block: permission mismatch),
    /// `false` allows, and `nil` (not looked up) allows Put Blob and Put Block List — the caller
    /// must then pass ``AuthIdentity/mayOverwriteBlobs`` (false) to the blob store, which refuses
    /// an existing blob atomically — but refuses Put Block, which the store cannot guard.
    ///
    /// - Throws: `.authorizationPermissionMismatch` or `.authorizationFailure`, with Azure's texts.
    public static func check(_ operation: BlobOperation, permissions: SASPermissions, signedVersion: String,
                             blobExists: Bool?) throws(MedStoreError) {
        switch requirement(for: operation) {
        case .never:
            throw AuthErrors.authorizationFailure()
        case .anyOf(let letters):
            guard letters.contains(where: { permissions.contains($0) }) else { throw AuthErrors.permissionMismatch() }
        case .createOrWrite(let createSince):
            if permissions.contains("w") { return }
            let createAllowed = permissions.contains("c") && createSince.map { signedVersion >= $0 } ?? true
            guard createAllowed else { throw AuthErrors.permissionMismatch() }
            switch (operation, blobExists) {
            case (_, false?):
                return
            case (.putBlock, _):
                // Staging into an existing (or unknown) blob with a create-only token is refused.
                throw AuthErrors.permissionMismatch()
            case (_, true?):
                throw AuthErrors.unauthorizedBlobOverwrite()
            case (_, nil):
                return
            }
        }
    }
}
