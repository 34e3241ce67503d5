/// Options every command accepts, before or after the command words.
struct GlobalOptions: Sendable, Equatable {
    /// The control socket; nil means `MEDSTORE_SOCKET` or the default location.
    var socketPath: String?
    /// Print results as JSON instead of tables.
    var json: Bool = false

    /// `--socket PATH`.
    static let socket = OptionSpec.value("--socket", "PATH",
                                         "control socket of medstored (default: $MEDSTORE_SOCKET, else the daemon's default path)")
    /// `--json`.
    static let jsonFlag = OptionSpec.flag("--json", "print the result as one JSON document with the protocol's field names")
    /// The spellings of the help flag.
    static let helpSpellings: Set<String> = ["-h", "--help"]
    /// The options shared by all commands, in help order.
    static let specs: [OptionSpec] = [socket, jsonFlag]

    /// Reads the global options out of scanned arguments.
    init(_ arguments: ParsedArguments) throws(UsageError) {
        socketPath = try arguments.value(GlobalOptions.socket.name)
        if socketPath == "" {
            throw UsageError("--socket needs a path")
        }
        json = arguments.flag(GlobalOptions.jsonFlag.name)
    }

    /// Defaults: no socket override, human output.
    init() {}
}
