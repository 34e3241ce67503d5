import Foundation
@testable import MedStoreCore
import MedStoreProtocol
import Testing

private let allContainerLetters = SASResource.container.allowedPermissionLetters  // racwdxyltfmei
private let allBlobLetters = SASResource.blob.allowedPermissionLetters  // racwdxytmei

/// Every letter valid for `resource` except those in `removed`, in canonical order.
private func allExcept(_ removed: String, for resource: SASResource) -> String {
    String(resource.allowedPermissionLetters.filter { !removed.contains($0) })
}

private func token(_ letters: String, _ resource: SASResource, version: String = ServiceSASParameters.defaultVersion) throws -> String {
    try AuthFixtures.token(AuthFixtures.parameters(letters, resource, version: version))
}

private func attempt(_ operation: BlobOperation, _ letters: String, _ resource: SASResource,
                     version: String = ServiceSASParameters.defaultVersion, blobExists: Bool? = nil) throws -> MedStoreError? {
    AuthFixtures.failure(AuthFixtures.request(operation, query: try token(letters, resource, version: version),
                                              blobExists: blobExists))
}

@Suite("SAS permission table: every row")
struct AuthPermissionTableTests {
    @Test("the table in code is the documented table")
    func tableRows() {
        let expected: [BlobOperation: SASPermissionTable.Requirement] = [
            .getBlob: .anyOf("r"), .getBlobProperties: .anyOf("r"), .getBlobMetadata: .anyOf("r"), .getBlockList: .anyOf("r"),
            .getAccountInfo: .anyOf("r"),
            .putBlob: .createOrWrite(createSince: nil),
            .putBlock: .createOrWrite(createSince: "2026-04-06"), .putBlockList: .createOrWrite(createSince: "2026-04-06"),
            .deleteBlob: .anyOf("d"), .setBlobMetadata: .anyOf("w"), .setBlobProperties: .anyOf("w"),
            .listBlobs: .anyOf("l"),
            .createContainer: .never, .deleteContainer: .never, .getContainerProperties: .never,
            .getContainerMetadata: .never, .setContainerMetadata: .never,
            .listContainers: .never, .getServiceProperties: .never, .setServiceProperties: .never,
        ]
        #expect(expected.count == BlobOperation.allCases.count)
        for operation in BlobOperation.allCases {
            #expect(SASPermissionTable.requirement(for: operation) == expected[operation], "\(operation)")
        }
    }

    @Test("single-letter rows: the letter alone passes, every other letter together fails (blob and container SAS)",
          arguments: [
              (BlobOperation.getBlob, "r"), (.getBlobProperties, "r"), (.getBlobMetadata, "r"), (.getBlockList, "r"),
              (.deleteBlob, "d"), (.setBlobMetadata, "w"), (.setBlobProperties, "w"),
          ])
    func singleLetterBlobRows(operation: BlobOperation, letter: String) throws {
        for resource in [SASResource.blob, .container] {
            #expect(try attempt(operation, letter, resource) == nil, "\(operation) \(resource) with \(letter)")
            let error = try attempt(operation, allExcept(letter, for: resource), resource)
            #expect(error?.code == .authorizationPermissionMismatch, "\(operation) \(resource) without \(letter)")
            #expect(error?.message == "This request is not authorized to perform this operation using this permission.")
        }
    }

    @Test("listBlobs needs l on a container SAS")
    func listBlobs() throws {
        #expect(try attempt(.listBlobs, "l", .container) == nil)
        #expect(try attempt(.listBlobs, allExcept("l", for: .container), .container)?.code == .authorizationPermissionMismatch)
    }

    @Test("getAccountInfo on a container or blob URL needs r")
    func accountInfo() throws {
        for (resource, blob) in [(SASResource.container, nil as String?), (.container, AuthFixtures.blob), (.blob, AuthFixtures.blob)] {
            for (letters, passes) in [("r", true), (allExcept("r", for: resource), false)] {
                let request = AuthRequest(
                    method: "GET", account: AuthFixtures.account, container: AuthFixtures.container, blob: blob,
                    operation: .getAccountInfo, rawQuery: "restype=account&comp=properties&" + (try token(letters, resource)),
                    headers: [], rawPath: AuthFixtures.rawPath(container: AuthFixtures.container, blob: blob),
                    peer: AuthFixtures.ip("127.0.0.1"), isTLS: true, now: AuthFixtures.now)
                let error = AuthFixtures.failure(request)
                #expect(passes ? error == nil : error?.code == .authorizationPermissionMismatch, "\(resource) \(letters)")
            }
        }
    }

    @Test("putBlob: w always; c only for a blob that does not exist (UnauthorizedBlobOverwrite otherwise)")
    func putBlob() throws {
        for resource in [SASResource.blob, .container] {
            for exists in [true, false, nil] as [Bool?] {
                #expect(try attempt(.putBlob, "w", resource, blobExists: exists) == nil)
                #expect(try attempt(.putBlob, "cw", resource, blobExists: exists) == nil)
            }
            #expect(try attempt(.putBlob, "c", resource, blobExists: false) == nil)
            #expect(try attempt(.putBlob, "c", resource, blobExists: nil) == nil, "unknown: the store enforces overwrite=false")
            let overwrite = try attempt(.putBlob, "c", resource, blobExists: true)
            #expect(overwrite?.code == .unauthorizedBlobOverwrite)
            #expect(overwrite?.message == "This request is not authorized to perform blob overwrites.")
            #expect(overwrite == RequestAuthenticator.unauthorizedBlobOverwrite())
            let neither = try attempt(.putBlob, allExcept("cw", for: resource), resource, blobExists: false)
            #expect(neither?.code == .authorizationPermissionMismatch)
            #expect(neither?.message != overwrite?.message)
        }
    }

    @Test("the identity tells the REST layer whether the store may overwrite")
    func overwriteFlag() throws {
        let createOnly = try AuthFixtures.authenticate(AuthFixtures.request(.putBlob, query: try token("c", .blob), blobExists: nil))
        #expect(!createOnly.mayOverwriteBlobs)
        let write = try AuthFixtures.authenticate(AuthFixtures.request(.putBlob, query: try token("w", .blob), blobExists: nil))
        #expect(write.mayOverwriteBlobs)
    }

    @Test("putBlockList: w always; c from sv 2026-04-06 for a new blob; c on an existing blob is an overwrite")
    func putBlockList() throws {
        for resource in [SASResource.blob, .container] {
            #expect(try attempt(.putBlockList, "w", resource, blobExists: true) == nil)
            #expect(try attempt(.putBlockList, "c", resource, blobExists: false) == nil)
            #expect(try attempt(.putBlockList, "c", resource, version: "2026-04-06", blobExists: false) == nil)
            #expect(try attempt(.putBlockList, "c", resource, blobExists: nil) == nil)
            #expect(try attempt(.putBlockList, "c", resource, blobExists: true)?.message
                == "This request is not authorized to perform blob overwrites.")
            #expect(try attempt(.putBlockList, "c", resource, version: "2025-11-05", blobExists: false)?.code
                == .authorizationPermissionMismatch)
            #expect(try attempt(.putBlockList, allExcept("cw", for: resource), resource, blobExists: false)?.code
                == .authorizationPermissionMismatch)
        }
    }

    @Test("putBlock: w always; c from sv 2026-04-06 only when the blob is known not to exist; a grants nothing")
    func putBlock() throws {
        for resource in [SASResource.blob, .container] {
            for exists in [true, false, nil] as [Bool?] {
                #expect(try attempt(.putBlock, "w", resource, blobExists: exists) == nil)
            }
            #expect(try attempt(.putBlock, "c", resource, blobExists: false) == nil)
            let existing = try attempt(.putBlock, "c", resource, blobExists: true)
            #expect(existing?.code == .authorizationPermissionMismatch)
            #expect(existing?.message == "This request is not authorized to perform this operation using this permission.")
            #expect(try attempt(.putBlock, "c", resource, blobExists: nil)?.code == .authorizationPermissionMismatch)
            #expect(try attempt(.putBlock, "c", resource, version: "2026-02-06", blobExists: false)?.code
                == .authorizationPermissionMismatch)
            #expect(try attempt(.putBlock, "a", resource, blobExists: false)?.code == .authorizationPermissionMismatch)
            #expect(try attempt(.putBlock, allExcept("cw", for: resource), resource, blobExists: false)?.code
                == .authorizationPermissionMismatch)
        }
    }

    @Test("rows that a service SAS can never perform fail even with every letter")
    func neverRows() throws {
        for operation in [BlobOperation.createContainer, .deleteContainer, .getContainerProperties, .getContainerMetadata,
                          .setContainerMetadata] {
            #expect(try attempt(operation, allContainerLetters, .container)?.code == .authorizationFailure, "\(operation)")
            #expect(try attempt(operation, allBlobLetters, .blob)?.code == .authenticationFailed, "\(operation): blob SAS")
        }
        for operation in [BlobOperation.listContainers, .getServiceProperties, .setServiceProperties] {
            #expect(try attempt(operation, allContainerLetters, .container)?.code == .authenticationFailed, "\(operation)")
        }
    }

    @Test("check() alone, independent of signatures")
    func directCheck() throws {
        let read = try SASPermissions.parseSigned("r", for: .blob)
        try SASPermissionTable.check(.getBlob, permissions: read, signedVersion: "2026-10-06", blobExists: nil)
        #expect(throws: MedStoreError.self) {
            try SASPermissionTable.check(.deleteBlob, permissions: read, signedVersion: "2026-10-06", blobExists: nil)
        }
        let create = try SASPermissions.parseSigned("c", for: .blob)
        try SASPermissionTable.check(.putBlock, permissions: create, signedVersion: "2026-04-06", blobExists: false)
        #expect(throws: MedStoreError.self) {
            try SASPermissionTable.check(.putBlock, permissions: create, signedVersion: "2026-04-05", blobExists: false)
        }
    }
}
