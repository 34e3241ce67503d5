import MedStoreFuzzing

/// Picks the harness from `--target=NAME` in the arguments. libFuzzer ignores arguments that
/// start with `--`, so the same command line works with and without the fuzzer.
enum TargetSelection {
    static let usage = """
        usage: medstore-fuzz --target=NAME [libFuzzer flags] [corpus dirs or files]
        targets:
        \(FuzzTarget.allCases.map { "  \($0.rawValue.padding(8)) \($0.summary)" }.joined(separator: "\n"))
        """

    /// The selected target, or nil when there is no `--target=` or it names no target.
    static func target(in arguments: [String]) -> FuzzTarget? {
        arguments.lazy.compactMap { argument -> FuzzTarget? in
            guard argument.hasPrefix("--target=") else { return nil }
            return FuzzTarget(rawValue: String(argument.dropFirst("--target=".count)))
        }.first
    }
}

private extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
