import MedStoreProtocol

extension IPRuleInfo {
    /// The rule as a key-value block for people.
    var humanText: String {
        var block = KeyValueWriter()
        block.add("id", String(id))
        block.add("network", network)
        block.add("note", ifPresent: note)
        block.add("created", createdAt)
        return block.render()
    }
}
