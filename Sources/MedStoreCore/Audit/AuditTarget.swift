import MedStoreProtocol

/// What resource a control request names, for its audit record: `field=value` pairs taken from
/// the request's params, joined by spaces (`container=ward-a blob=scans/1.dcm`).
///
/// Methods are covered generically: any method, including ones added later, contributes the
/// well-known fields ``defaultFields`` it has. A few methods say which fields name their target
/// (``fieldsByMethod``). Only text and unsigned integer values are taken; `key` only when it is
/// a key *name* (`primary`/`secondary`). Key material (`account.import`'s `primaryKey` and
/// `secondaryKey`), tokens and signatures are never in these lists, so never recorded.
public enum AuditTarget {
    /// Fields that name a resource in any method's params, in the order they are shown.
    public static let defaultFields = ["name", "container", "blob", "key", "rule", "id", "address"]

    /// Methods whose target is named by other fields.
    public static let fieldsByMethod: [String: [String]] = [
        GrantAdd.name: ["kind", "subject", "containers"],
        AccountDelete.name: ["confirmName"],
    ]

    /// The target of `method` called with `params`; nil when the params name nothing.
    public static func describe(method: String, params: CBORValue) -> String? {
        let fields = fieldsByMethod[method] ?? defaultFields
        var parts: [String] = []
        for field in fields {
            guard let value = params[field], let text = text(of: value, field: field) else { continue }
            parts.append("\(field)=\(quoted(text))")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// The value as text, when it is one the trail may hold.
    private static func text(of value: CBORValue, field: String) -> String? {
        if field == "key" {
            // Only a key's name; anything else under `key` could be key material.
            guard let name = value.textValue, KeyName(rawValue: name) != nil else { return nil }
            return name
        }
        if let text = value.textValue { return text }
        if let number = value.uint64Value { return String(number) }
        return nil
    }

    /// `text` as is when it is plain, otherwise in double quotes with `"` and `\` escaped.
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && !text.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "\\" || $0 == "=" || $0.properties.generalCategory == .control
        }
        if plain { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
