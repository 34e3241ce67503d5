/// What a command line asks medctl to do, worked out without touching the daemon.
enum Invocation: Sendable {
    /// Print help for a node of the command tree on stdout and exit 0.
    case help(HelpTopic)
    /// Run a validated command with the global options.
    case run(any Command, GlobalOptions)
}

/// A node of the command tree with the words that led to it, for help output.
struct HelpTopic: Sendable {
    /// The node.
    let node: CommandNode
    /// The command words, without `medctl`.
    let path: [String]
}

/// A usage error together with the help that explains the right usage.
struct InvocationFailure: Error, Sendable {
    /// What is wrong.
    let error: UsageError
    /// The help to print under the message.
    let topic: HelpTopic
}

extension Invocation {
    /// Resolves the command words in `words` (the arguments without the program name), then scans
    /// and validates the rest against that command. Global options and `-h`/`--help` may appear
    /// before or after the command words; `help COMMAND...` is the same as `COMMAND --help`.
    static func parse(_ words: [String], tree: CommandNode = CommandTree.root) throws(InvocationFailure) -> Invocation {
        let found = try CommandWords.resolve(words, in: tree)
        if found.helpFlag || found.helpWord { return .help(found.topic) }
        guard case .command(let type) = found.node else {
            let message = found.path.isEmpty ? "no command given" : "'\(found.path.joined(separator: " "))' needs a subcommand"
            throw InvocationFailure(error: UsageError(message), topic: found.topic)
        }
        do throws(UsageError) {
            let scanner = ArgumentScanner(options: type.spec.options + GlobalOptions.specs)
            let arguments = try scanner.scan(found.leadingGlobals + words[found.rest...])
            try type.spec.checkPositionals(arguments.positionals)
            let options = try GlobalOptions(arguments)
            let command = try type.init(arguments)
            try command.validate()
            return .run(command, options)
        } catch {
            throw InvocationFailure(error: error, topic: found.topic)
        }
    }
}
