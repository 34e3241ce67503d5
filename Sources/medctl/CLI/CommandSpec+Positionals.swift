extension CommandSpec {
    /// Checks that `given` has no more positionals than the command takes and none of the
    /// required ones is missing.
    func checkPositionals(_ given: [String]) throws(UsageError) {
        if given.count > positionals.count {
            let extra = given[positionals.count]
            throw UsageError(positionals.isEmpty
                ? "\(commandName) takes no arguments, but got '\(extra)'"
                : "unexpected argument '\(extra)'")
        }
        let requiredCount = positionals.filter { !$0.optional }.count
        if given.count < requiredCount {
            throw UsageError("missing \(positionals[given.count].name)")
        }
    }
}
