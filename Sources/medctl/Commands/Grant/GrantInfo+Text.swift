import MedStoreProtocol

extension GrantInfo {
    /// `user alice (1001)`, `group 1002`, `unit backup.service`, `exe /usr/bin/x`.
    var subjectText: String {
        let name = subjectName.map { " \(TerminalText.clean($0)) (\(subject))" } ?? " \(TerminalText.clean(subject))"
        return kind.rawValue + name
    }

    /// The grant as a key-value block for people.
    var humanText: String {
        var block = KeyValueWriter()
        block.add("id", String(id))
        block.add("for", subjectText)
        block.add("containers", containers)
        block.add("permissions", permissions)
        block.add("max ttl", HumanDuration.format(maxTTLSeconds))
        block.add("ip range", ipRange ?? "any")
        block.add("https only", httpsOnly ? "yes" : "no")
        block.add("created", createdAt)
        return block.render()
    }
}
