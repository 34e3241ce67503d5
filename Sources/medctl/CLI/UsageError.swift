/// A mistake in how medctl was called, found before contacting the daemon. medctl prints
/// `medctl: <message>` and the relevant help on stderr, then exits 64 (EX_USAGE).
struct UsageError: Error, Sendable, Equatable {
    /// What is wrong, for a person.
    var message: String

    /// Creates a usage error.
    init(_ message: String) {
        self.message = message
    }
}
