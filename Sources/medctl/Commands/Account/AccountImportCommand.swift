import MedStoreProtocol

/// `medctl account import --name N --primary-key-file F --secondary-key-file F`: adopts an
/// existing account's name and base64 keys. Keys only go in; medctl never prints them.
struct AccountImportCommand: Command {
    static let spec = CommandSpec(
        path: ["account", "import"],
        summary: "adopt an existing account's name and keys",
        discussion: """
        Adopts an account that already exists elsewhere (in Azure, or on a rebuilt node): its name
        and its two base64 keys, each read from a file. Use '-' for standard input (for at most one
        of the two). Keys only go in: no command ever shows them again.
        """,
        options: [
            .value("--name", "N", "the account's name: 3-24 lowercase letters and digits (required)"),
            .value("--primary-key-file", "F", "file holding the primary key in base64, or '-' for stdin (required)"),
            .value("--secondary-key-file", "F", "file holding the secondary key in base64, or '-' for stdin (required)"),
        ],
        synopsis: "--name N --primary-key-file F --secondary-key-file F")

    /// The account's name.
    let name: String
    /// Where the primary key is (`-` = stdin).
    let primaryKeyFile: String
    /// Where the secondary key is (`-` = stdin).
    let secondaryKeyFile: String
    /// The keys' base64 text, once `prepare()` has read them. Never printed.
    private var keys: (primary: String, secondary: String)?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.required("--name")
        primaryKeyFile = try arguments.required("--primary-key-file")
        secondaryKeyFile = try arguments.required("--secondary-key-file")
    }

    func validate() throws(UsageError) {
        if primaryKeyFile == "-" && secondaryKeyFile == "-" {
            throw UsageError("only one key file may be '-' (standard input); put the other key in a file")
        }
        if primaryKeyFile.isEmpty || secondaryKeyFile.isEmpty {
            throw UsageError("a key file path is empty")
        }
    }

    /// Reads both key files (before connecting, so a bad path fails fast).
    mutating func prepare() throws(MedStoreError) {
        keys = (primary: try KeyFileReader.read(primaryKeyFile, label: "primary"),
                secondary: try KeyFileReader.read(secondaryKeyFile, label: "secondary"))
    }

    func run(_ context: CommandContext) async throws(MedStoreError) {
        guard let keys else { throw MedStoreError(.internal, "account import ran before its key files were read") }
        let account = try await context.client.importAccount(name: name, primaryKey: keys.primary, secondaryKey: keys.secondary)
        try context.printer.emit(account) {
            "Imported account \(TerminalText.clean(account.name)) with its primary and secondary keys (keys are never shown).\n\n\(account.humanText)"
        }
    }
}
