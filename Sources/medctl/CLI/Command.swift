import MedStoreClient
import MedStoreProtocol

/// One medctl subcommand. medctl scans the words against `spec`, builds the command with
/// `init(_:)` (which converts values, e.g. durations), calls `validate()` for rules that span
/// several options, then `prepare()` for local input (key files), and only then connects and
/// calls `run(_:)`.
///
/// `init(_:)` and `validate()` are pure and throw `UsageError` (exit 64); `prepare()` and
/// `run(_:)` throw `MedStoreError` (its code decides the exit status).
protocol Command: Sendable {
    /// Where the command sits, what it takes, and its help.
    static var spec: CommandSpec { get }
    /// Binds scanned arguments to typed properties.
    init(_ arguments: ParsedArguments) throws(UsageError)
    /// Checks rules that involve more than one option. Pure.
    func validate() throws(UsageError)
    /// Reads local input the command needs before contacting the daemon.
    mutating func prepare() throws(MedStoreError)
    /// Performs the command against the daemon and prints its result.
    func run(_ context: CommandContext) async throws(MedStoreError)
}

extension Command {
    /// Most commands have no cross-option rules.
    func validate() throws(UsageError) {}

    /// Most commands read nothing locally.
    mutating func prepare() throws(MedStoreError) {}
}

/// What a running command may use: the connected client and the printer.
struct CommandContext: Sendable {
    /// A client that has completed the hello exchange.
    let client: MedStoreClient
    /// Prints results in the chosen format.
    let printer: Printer
}
