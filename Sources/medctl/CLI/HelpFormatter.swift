/// Builds the help texts: the overview, a group's help and a command's help. Pure.
enum HelpFormatter {
    /// The help for `topic`.
    static func text(for topic: HelpTopic) -> String {
        switch topic.node {
        case .command(let type): return command(type.spec)
        case .group where topic.path.isEmpty: return overview(topic.node)
        case .group(_, let summary, let children): return group(path: topic.path, summary: summary, children: children)
        }
    }

    /// `medctl --help`: every command with its arguments and a one-line summary.
    static func overview(_ root: CommandNode) -> String {
        var commands = TableWriter(indent: 2)
        for type in root.commands {
            commands.add([([type.spec.commandName] + positionalWords(type.spec)).joined(separator: " "), type.spec.summary])
        }
        return """
        medctl: administer medstored, the cluster's object store for health data

        Usage: medctl [--socket PATH] [--json] COMMAND [ARGUMENTS]

        Commands:
        \(commands.render())

        Global options (before or after the command):
        \(globalOptions())

        Run `medctl COMMAND --help` (or `medctl help COMMAND`) for a command's arguments and options.
        The socket is --socket, else $MEDSTORE_SOCKET, else /run/medstore/medstored.sock for root and
        systemd, else $XDG_RUNTIME_DIR/medstore/medstored.sock (or /tmp/medstore-UID/medstored.sock).
        Exit status: 0 success, 1 the operation failed, 64 usage error, 69 medstored unreachable,
        76 protocol mismatch between medctl and medstored.
        """
    }

    /// `medctl account --help`: the group's subcommands.
    static func group(path: [String], summary: String, children: [CommandNode]) -> String {
        let name = path.joined(separator: " ")
        var commands = TableWriter(indent: 2)
        for child in children {
            for type in child.commands {
                let words = type.spec.path.dropFirst(path.count) + positionalWords(type.spec)
                commands.add([words.joined(separator: " "), type.spec.summary])
            }
        }
        return """
        Usage: medctl \(name) COMMAND [ARGUMENTS]

        \(summary.prefix(1).uppercased() + summary.dropFirst()).

        Commands:
        \(commands.render())

        Run `medctl \(name) COMMAND --help` for a command's arguments and options.
        """
    }

    /// `medctl account create --help`: synopsis, description, arguments, options.
    static func command(_ spec: CommandSpec) -> String {
        let synopsis = spec.synopsis
        var sections = ["Usage: medctl \(spec.commandName)\(synopsis.isEmpty ? "" : " " + synopsis)"]
        sections.append(spec.discussion.isEmpty ? spec.summary.prefix(1).uppercased() + spec.summary.dropFirst() + "."
                                                : spec.discussion)
        var table = TableWriter(indent: 2)
        var headings: [(title: String, rows: Int)] = []
        if !spec.positionals.isEmpty {
            for positional in spec.positionals { table.add([positional.name, positional.help]) }
            headings.append(("Arguments:", spec.positionals.count))
        }
        if !spec.options.isEmpty {
            for option in spec.options { table.add([optionLabel(option), option.help]) }
            headings.append(("Options:", spec.options.count))
        }
        for option in GlobalOptions.specs { table.add([optionLabel(option), option.help]) }
        table.add(["-h, --help", "show this help"])
        headings.append(("Global options:", GlobalOptions.specs.count + 1))

        // One table for all sections keeps the help column aligned across them.
        var lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for heading in headings {
            let block = lines.prefix(heading.rows)
            lines.removeFirst(heading.rows)
            sections.append(([heading.title] + block).joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n")
    }

    /// The global options as an indented table.
    static func globalOptions() -> String {
        var table = TableWriter(indent: 2)
        for option in GlobalOptions.specs { table.add([optionLabel(option), option.help]) }
        table.add(["-h, --help", "show help (of a command when given after it)"])
        return table.render()
    }

    /// The positionals as the synopsis writes them: `NAME`, `[KEY]`.
    static func positionalWords(_ spec: CommandSpec) -> [String] {
        spec.positionals.map { $0.optional ? "[\($0.name)]" : $0.name }
    }

    /// `--name N` or `--force`.
    static func optionLabel(_ option: OptionSpec) -> String {
        option.placeholder.map { "\(option.name) \($0)" } ?? option.name
    }
}
