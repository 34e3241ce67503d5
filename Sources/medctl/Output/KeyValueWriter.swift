/// Renders `key: value` lines with the values aligned, for one object's fields. Pure.
///
/// ```
/// name:            mystore
/// key for tokens:  primary
/// ```
struct KeyValueWriter: Sendable {
    /// The pairs in print order.
    private(set) var pairs: [(key: String, value: String)] = []

    /// An empty block.
    init() {}

    /// Appends a line.
    mutating func add(_ key: String, _ value: String) {
        pairs.append((key, value))
    }

    /// Appends a line when `value` is present.
    mutating func add(_ key: String, ifPresent value: String?) {
        if let value { add(key, value) }
    }

    /// The block as lines joined by newlines (no final newline).
    func render() -> String {
        let width = pairs.map { $0.key.count + 1 }.max() ?? 0
        return pairs.map { pair in
            let label = TerminalText.clean(pair.key) + ":"
            let value = TerminalText.clean(pair.value)
            if value.isEmpty { return label }
            return label + String(repeating: " ", count: width - label.count + 2) + value
        }.joined(separator: "\n")
    }
}
