/// Splits command-line words into options, flags and positionals for a known set of options.
///
/// Understands `--opt value`, `--opt=value`, flags (`--force`), `--` (everything after it is
/// positional), and `-h`/`--help` anywhere before `--`. A lone `-` is a positional (it means
/// standard input to commands that read files). A value that itself starts with `-` must be
/// written `--opt=-value`, so that a forgotten value is not silently filled with the next option.
/// Pure: no I/O, no globals.
struct ArgumentScanner: Sendable {
    /// The options recognised, by spelling.
    let options: [String: OptionSpec]

    /// A scanner for `options` (plus `-h`/`--help`, which every command understands).
    init(options: [OptionSpec]) {
        var byName: [String: OptionSpec] = [:]
        for option in options { byName[option.name] = option }
        self.options = byName
    }

    /// Scans `words` (without the program name and the command words).
    func scan(_ words: [String]) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments()
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word == "--" {
                result.positionals += words[index...]
                break
            }
            if GlobalOptions.helpSpellings.contains(word) {
                result.helpRequested = true
                continue
            }
            guard ArgumentScanner.looksLikeOption(word) else {
                result.positionals.append(word)
                continue
            }
            let (name, inlineValue) = ArgumentScanner.split(word)
            guard let option = options[name] else {
                throw UsageError("unknown option \(name)")
            }
            if !option.takesValue {
                if inlineValue != nil {
                    throw UsageError("\(name) takes no value")
                }
                result.flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < words.count, !ArgumentScanner.looksLikeOption(words[index]) {
                value = words[index]
                index += 1
            } else {
                throw UsageError("\(name) needs a value (\(name) \(option.placeholder ?? "VALUE"); write \(name)=VALUE for a value that starts with '-')")
            }
            result.values[name, default: []].append(value)
        }
        return result
    }

    /// Whether `word` is written like an option: starts with `-` and is not just `-`, nor a dash
    /// and a digit (a relative time such as `-2h` is a value; no option is named like that).
    static func looksLikeOption(_ word: String) -> Bool {
        guard word.hasPrefix("-") && word != "-" else { return false }
        let second = word.dropFirst().first
        return !(second.map { $0.isASCII && $0.isNumber } ?? false)
    }

    /// Splits `--name=value` into its name and value; a word without `=` has no inline value.
    static func split(_ word: String) -> (name: String, value: String?) {
        guard word.hasPrefix("--"), let equals = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }
}
