/// The command words found at the front of a command line (`account create`), with any global
/// options written before or between them, and whether help was asked for.
struct CommandWords: Sendable {
    /// The deepest node the words reached.
    var node: CommandNode
    /// The words that reached it.
    var path: [String] = []
    /// Global options (and their values) seen among the command words, to scan with the rest.
    var leadingGlobals: [String] = []
    /// Index of the first word after the command words.
    var rest = 0
    /// Whether `-h`/`--help` appears before any `--`.
    var helpFlag = false
    /// Whether the line started with the word `help`.
    var helpWord = false

    /// The help for where the words led.
    var topic: HelpTopic { HelpTopic(node: node, path: path) }

    /// Walks `words` down `tree` until a command is reached, a word does not match, or the
    /// options start. Only global options may appear before the command is known.
    static func resolve(_ words: [String], in tree: CommandNode) throws(InvocationFailure) -> CommandWords {
        var found = CommandWords(node: tree)
        found.helpFlag = words.prefix { $0 != "--" }.contains { GlobalOptions.helpSpellings.contains($0) }
        let globals = ArgumentScanner(options: GlobalOptions.specs).options
        var index = 0
        while index < words.count, case .group = found.node {
            let word = words[index]
            if word == "--" { break }
            index += 1
            if GlobalOptions.helpSpellings.contains(word) { continue }
            if ArgumentScanner.looksLikeOption(word) {
                let (name, inlineValue) = ArgumentScanner.split(word)
                guard let option = globals[name] else {
                    if found.helpFlag { break }
                    throw InvocationFailure(error: UsageError("unknown option \(name) (command options go after the command)"),
                                            topic: found.topic)
                }
                found.leadingGlobals.append(word)
                if option.takesValue, inlineValue == nil, index < words.count, !ArgumentScanner.looksLikeOption(words[index]) {
                    found.leadingGlobals.append(words[index])
                    index += 1
                }
                continue
            }
            if found.path.isEmpty, word == "help", !found.helpWord {
                found.helpWord = true
                continue
            }
            guard let child = found.node.child(word) else {
                // `TYPO --help` shows the nearest help; `help TYPO` is an error.
                if found.helpFlag && !found.helpWord { break }
                throw InvocationFailure(error: UsageError("unknown command '\((found.path + [word]).joined(separator: " "))'"),
                                        topic: found.topic)
            }
            found.node = child
            found.path.append(word)
        }
        found.rest = index
        return found
    }
}
