/// One `--option` a command accepts, with the help text shown beside it.
struct OptionSpec: Sendable, Equatable {
    /// The spelling, including the dashes: `--name`.
    let name: String
    /// The placeholder shown in help (`N`, `PATH`); nil for a flag that takes no value.
    let placeholder: String?
    /// One line of help.
    let help: String

    /// Whether the option takes a value.
    var takesValue: Bool { placeholder != nil }

    /// An option that takes a value: `--name N` or `--name=N`.
    static func value(_ name: String, _ placeholder: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, placeholder: placeholder, help: help)
    }

    /// A flag that takes no value: `--force`.
    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, placeholder: nil, help: help)
    }
}

/// One positional argument a command accepts.
struct PositionalSpec: Sendable, Equatable {
    /// The placeholder shown in help, e.g. `NAME`.
    let name: String
    /// One line of help.
    let help: String
    /// Whether it may be left out (only the last positionals may be optional).
    let optional: Bool

    /// A positional argument.
    init(_ name: String, _ help: String, optional: Bool = false) {
        self.name = name
        self.help = help
        self.optional = optional
    }
}

/// Everything medctl knows about a command's shape: where it sits, what it takes, its help.
struct CommandSpec: Sendable {
    /// The words that select it, e.g. `["account", "create"]`.
    let path: [String]
    /// One line for the overview.
    let summary: String
    /// A paragraph or two for the command's own help.
    let discussion: String
    /// Positional arguments in order.
    let positionals: [PositionalSpec]
    /// Options, in the order help lists them.
    let options: [OptionSpec]
    /// The synopsis after `medctl <path>`; generated from the arguments when nil.
    let synopsisOverride: String?

    /// Creates a spec.
    init(path: [String], summary: String, discussion: String = "", positionals: [PositionalSpec] = [],
         options: [OptionSpec] = [], synopsis: String? = nil) {
        self.path = path
        self.summary = summary
        self.discussion = discussion
        self.positionals = positionals
        self.options = options
        self.synopsisOverride = synopsis
    }

    /// The command's name as typed: `account create`.
    var commandName: String { path.joined(separator: " ") }

    /// The arguments part of the synopsis, e.g. `NAME [--prefix P]`.
    var synopsis: String {
        if let synopsisOverride { return synopsisOverride }
        var parts: [String] = positionals.map { $0.optional ? "[\($0.name)]" : $0.name }
        for option in options {
            let text = option.placeholder.map { "\(option.name) \($0)" } ?? option.name
            parts.append("[\(text)]")
        }
        return parts.joined(separator: " ")
    }
}
