import MedStoreProtocol

/// The kind of resource a service SAS grants access to (its `sr` value).
public enum SASResource: String, Sendable, Hashable, CaseIterable {
    /// `sr=c`: every blob in one container (and listing it).
    case container = "c"
    /// `sr=b`: one blob.
    case blob = "b"

    /// The permission letters valid for this resource, in canonical order.
    ///
    /// Container: azure-storage-blob's `ContainerSasPermissions` order `racwdxyltfmei`.
    /// Blob: the SDK's `BlobSasPermissions` order `racwdxyltmei` without `l`: the SDK's blob `l`
    /// lists a directory on hierarchical-namespace accounts, which medstore does not have, so a
    /// blob SAS cannot list (use a container SAS).
    public var allowedPermissionLetters: String {
        switch self {
        case .container: return "racwdxyltfmei"
        case .blob: return "racwdxytmei"
        }
    }

    /// A word for messages: "container" or "blob".
    public var noun: String {
        switch self {
        case .container: return "container"
        case .blob: return "blob"
        }
    }
}

/// A validated SAS permission string (`sp`) in canonical letter order.
///
/// ``parse(_:for:)`` accepts the letters in any order (what a person types) and normalises them;
/// ``parseSigned(_:for:)`` is for the data plane and, like Azure, also requires the canonical order.
public struct SASPermissions: Sendable, Hashable, CustomStringConvertible {
    /// The letters in canonical order, e.g. `racwdl`; this is what gets signed as `sp`.
    public let canonical: String

    private init(canonical: String) {
        self.canonical = canonical
    }

    /// Letter meanings, for help texts and error messages.
    public static let letterMeanings: [(letter: Character, meaning: String)] = [
        ("r", "read"), ("a", "add"), ("c", "create"), ("w", "write"), ("d", "delete"),
        ("x", "delete version"), ("y", "permanent delete"), ("l", "list"), ("t", "tags"),
        ("f", "find by tags"), ("m", "move"), ("e", "execute"), ("i", "set immutability policy"),
    ]

    /// Parses permission letters for `resource`, in any order, and returns them in canonical order
    /// (`"lr"` → `"rl"`).
    ///
    /// - Throws: `.invalidPermissions` for an empty string, an unknown letter, a letter not valid
    ///   for `resource` (for example `l` or `f` on a blob) or a repeated letter; the message lists
    ///   the allowed letters.
    public static func parse(_ text: String, for resource: SASResource) throws(MedStoreError) -> SASPermissions {
        let allowed = Array(resource.allowedPermissionLetters)
        guard !text.isEmpty else {
            throw MedStoreError(.invalidPermissions, "permissions must not be empty; \(allowedText(resource))")
        }
        var seen = Set<Character>()
        for letter in text {
            guard allowed.contains(letter) else {
                let everyLetter = SASResource.container.allowedPermissionLetters + SASResource.blob.allowedPermissionLetters
                if everyLetter.contains(letter) {
                    throw MedStoreError(.invalidPermissions, "permission '\(letter)' (\(meaning(of: letter))) is not valid for a \(resource.noun) SAS; \(allowedText(resource))")
                }
                let lowered = Character(letter.lowercased())
                if lowered != letter && allowed.contains(lowered) {
                    throw MedStoreError(.invalidPermissions, "permission letters are lowercase: use '\(lowered)' instead of '\(letter)'; \(allowedText(resource))")
                }
                throw MedStoreError(.invalidPermissions, "unknown permission letter \(quoted(letter)); \(allowedText(resource))")
            }
            guard seen.insert(letter).inserted else {
                throw MedStoreError(.invalidPermissions, "permission '\(letter)' is given more than once; \(allowedText(resource))")
            }
        }
        return SASPermissions(canonical: String(allowed.filter { seen.contains($0) }))
    }

    /// Parses an `sp` value exactly as signed in a token: as ``parse(_:for:)``, and the letters
    /// must already be in canonical order (Azure rejects `wr`; it accepts `rw`).
    ///
    /// - Throws: `.invalidPermissions`.
    public static func parseSigned(_ text: String, for resource: SASResource) throws(MedStoreError) -> SASPermissions {
        let permissions = try parse(text, for: resource)
        guard permissions.canonical == text else {
            throw MedStoreError(.invalidPermissions, "permissions must be in the order \(resource.allowedPermissionLetters): '\(text)' should be '\(permissions.canonical)'")
        }
        return permissions
    }

    /// Whether the permission `letter` (e.g. `"r"`) is granted.
    public func contains(_ letter: Character) -> Bool {
        canonical.contains(letter)
    }

    /// The canonical letters.
    public var description: String { canonical }

    private static func meaning(of letter: Character) -> String {
        letterMeanings.first { $0.letter == letter }?.meaning ?? "unknown"
    }

    private static func allowedText(_ resource: SASResource) -> String {
        let letters = resource.allowedPermissionLetters
        let meanings = letters.map { "\($0) \(meaning(of: $0))" }.joined(separator: ", ")
        return "allowed for a \(resource.noun) SAS: \(letters) (\(meanings))"
    }

    private static func quoted(_ letter: Character) -> String {
        if letter.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7f }) { return "'\(letter)'" }
        let codes = letter.unicodeScalars.map { scalar -> String in
            let digits = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
        return codes.joined(separator: " ")
    }
}
