/// The result of scanning a command line against a command's options: the values of options,
/// the flags given and the positional arguments in order. Accessors report usage errors.
struct ParsedArguments: Sendable, Equatable {
    /// Values of options that take one, in the order given (an option may appear more than once
    /// here; `value(_:)` refuses that).
    var values: [String: [String]] = [:]
    /// Flags that were given.
    var flags: Set<String> = []
    /// Positional arguments in order (everything after `--` included).
    var positionals: [String] = []
    /// Whether `-h` or `--help` appeared (before any `--`).
    var helpRequested = false

    /// The single value of `name`, nil when absent; giving it twice is a usage error.
    func value(_ name: String) throws(UsageError) -> String? {
        guard let given = values[name] else { return nil }
        if given.count > 1 {
            throw UsageError("\(name) was given \(given.count) times; give it once")
        }
        return given.first
    }

    /// The value of a required option.
    func required(_ name: String) throws(UsageError) -> String {
        guard let value = try value(name) else {
            throw UsageError("\(name) is required")
        }
        return value
    }

    /// Whether the flag `name` was given.
    func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// The positional at `index`, which must be there; `name` is its placeholder for the message.
    func positional(_ index: Int, _ name: String) throws(UsageError) -> String {
        guard let value = positional(index) else { throw UsageError("missing \(name)") }
        return value
    }

    /// The positional at `index`, or nil when fewer were given.
    func positional(_ index: Int) -> String? {
        index < positionals.count ? positionals[index] : nil
    }
}
