/// Builds the small XML documents of the Blob REST API, escaping text and attribute values.
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"

    /// Escapes `&`, `<`, `>`, `"`, `'` and control characters XML 1.0 cannot hold.
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += "&#\(scalar.value);"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `<name attr="value">`.
    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        text += "<" + name
        for (key, value) in attributes { text += " \(key)=\"\(XMLWriter.escape(value))\"" }
        text += ">"
    }

    /// `</name>`.
    mutating func close(_ name: String) { text += "</\(name)>" }

    /// `<name>value</name>`, or `<name />` for nil.
    mutating func element(_ name: String, _ value: String?) {
        if let value {
            text += "<\(name)>\(XMLWriter.escape(value))</\(name)>"
        } else {
            text += "<\(name) />"
        }
    }

    /// The document as UTF-8 bytes.
    var bytes: [UInt8] { Array(text.utf8) }
}
