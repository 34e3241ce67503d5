import MedStoreProtocol

/// `medctl keys show`: which key signs tokens, and each key's creation time and age.
struct KeysShowCommand: Command {
    static let spec = CommandSpec(
        path: ["keys", "show"],
        summary: "show which key signs tokens and each key's age",
        discussion: """
        Shows which key signs new tokens and when each key was created. Key bytes are never shown
        by any command.
        """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func run(_ context: CommandContext) async throws(MedStoreError) {
        let keys = try await context.client.showKeys()
        try context.printer.emit(keys) { keys.humanText }
    }
}
