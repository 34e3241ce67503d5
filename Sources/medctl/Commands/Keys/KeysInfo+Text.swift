import MedStoreProtocol

extension KeysInfo {
    /// Both keys as a table for people, plus which one signs tokens.
    var humanText: String {
        var table = TableWriter(header: ["KEY", "SIGNS TOKENS", "CREATED", "AGE"])
        for key in keys {
            table.add([key.name.rawValue, key.name == keyForTokens ? "yes" : "no", key.createdAt,
                       HumanDuration.format(key.ageSeconds)])
        }
        return "New tokens are signed with the \(keyForTokens.rawValue) key.\n\n\(table.render())"
    }
}

/// Parses `primary` or `secondary` for the keys commands.
enum KeyNameArgument {
    /// The key named by `text`, or a usage error listing the choices.
    static func parse(_ text: String) throws(UsageError) -> KeyName {
        guard let key = KeyName(rawValue: text) else {
            throw UsageError("unknown key '\(text)': use primary or secondary")
        }
        return key
    }
}
