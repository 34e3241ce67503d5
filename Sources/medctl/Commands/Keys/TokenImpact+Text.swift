import MedStoreProtocol

extension TokenImpact {
    /// `3 unexpired tokens: uid 1001 (alice) ×2, uid 0 (root) ×1` or `no unexpired tokens`.
    var summaryText: String {
        guard tokens > 0 else { return "no unexpired tokens" }
        let noun = tokens == 1 ? "1 unexpired token" : "\(tokens) unexpired tokens"
        let shown = callers.prefix(10).map { "\(TerminalText.clean($0.caller)) ×\($0.tokens)" }
        let rest = callers.count > 10 ? ", and \(callers.count - 10) more callers" : ""
        return noun + ": " + shown.joined(separator: ", ") + rest
    }
}
