import MedStoreCore
import MedStoreProtocol
import Testing

@Suite("SAS permissions")
struct SASPermissionsTests {
    @Test("normalises to the SDK's canonical order",
          arguments: [
              ("lr", SASResource.container, "rl"),
              ("racwdl", .container, "racwdl"),
              ("ilr", .container, "rli"),
              ("iemftlyxdwcar", .container, "racwdxyltfmei"),
              ("f", .container, "f"),
              ("wr", .blob, "rw"),
              ("iemtyxdwcar", .blob, "racwdxytmei"),
              ("racwdxytmei", .blob, "racwdxytmei"),
              ("d", .blob, "d"),
          ])
    func normalises(input: String, resource: SASResource, canonical: String) throws {
        let permissions = try SASPermissions.parse(input, for: resource)
        #expect(permissions.canonical == canonical)
        #expect(permissions.description == canonical)
    }

    @Test("allowed letters per resource")
    func allowedLetters() {
        #expect(SASResource.container.allowedPermissionLetters == "racwdxyltfmei")
        // The SDK's BlobSasPermissions order is racwdxyltmei; medstore leaves out l (list) for blobs.
        #expect(SASResource.blob.allowedPermissionLetters == "racwdxytmei")
        #expect(SASResource.container.rawValue == "c")
        #expect(SASResource.blob.rawValue == "b")
    }

    @Test("rejects empty, unknown, wrong-resource and repeated letters",
          arguments: [
              ("", SASResource.container, "must not be empty"),
              ("z", .container, "unknown permission letter 'z'"),
              ("rz", .blob, "unknown permission letter 'z'"),
              ("o", .container, "unknown permission letter 'o'"),
              ("p", .blob, "unknown permission letter 'p'"),
              (" r", .container, "unknown permission letter U+0020"),
              ("R", .container, "lowercase"),
              ("l", .blob, "'l' (list) is not valid for a blob SAS"),
              ("rf", .blob, "'f' (find by tags) is not valid for a blob SAS"),
              ("rr", .container, "'r' is given more than once"),
              ("rwlw", .container, "'w' is given more than once"),
          ])
    func rejects(input: String, resource: SASResource, messagePart: String) {
        let error = #expect(throws: MedStoreError.self) { try SASPermissions.parse(input, for: resource) }
        #expect(error?.code == .invalidPermissions)
        #expect(error?.message.contains(messagePart) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("allowed for a \(resource.noun) SAS: \(resource.allowedPermissionLetters)") == true)
    }

    @Test("signed permissions must already be in canonical order")
    func signedOrder() throws {
        #expect(try SASPermissions.parseSigned("rw", for: .blob).canonical == "rw")
        #expect(try SASPermissions.parseSigned("racwdl", for: .container).canonical == "racwdl")
        for bad in ["wr", "dr", "lr", "dw"] {
            let error = #expect(throws: MedStoreError.self) { try SASPermissions.parseSigned(bad, for: .container) }
            #expect(error?.code == .invalidPermissions)
        }
        let error = #expect(throws: MedStoreError.self) { try SASPermissions.parseSigned("rl", for: .blob) }
        #expect(error?.code == .invalidPermissions)
    }

    @Test("contains")
    func contains() throws {
        let permissions = try SASPermissions.parse("wr", for: .blob)
        #expect(permissions.contains("r"))
        #expect(permissions.contains("w"))
        #expect(!permissions.contains("d"))
        #expect(!permissions.contains("l"))
    }
}
