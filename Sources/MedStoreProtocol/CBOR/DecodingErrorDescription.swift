/// A short, human-readable message for an error thrown while decoding a request, suitable for an
/// `invalidArgument` reply, such as "missing field 'params.name'".
///
/// `DecodingError`s name the offending field; `CBORError`s and other errors use their description.
public func describeDecodingError(_ error: any Error) -> String {
    if let decodingError = error as? DecodingError { return decodingError.medstoreMessage }
    if let cborError = error as? CBORError { return "malformed CBOR: \(cborError.description)" }
    return String(describing: error)
}

extension DecodingError {
    /// The dotted path of the field the error is about, with array indices in brackets,
    /// such as "params.rules[2].address"; empty for the top-level value.
    public var medstoreFieldPath: String {
        switch self {
        case .keyNotFound(let key, let context):
            return Self.renderPath(context.codingPath + [key])
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return Self.renderPath(context.codingPath)
        @unknown default:
            return ""
        }
    }

    /// A short message such as "missing field 'params.name'" or
    /// "field 'params.ttlSeconds' has the wrong type: expected unsigned integer, found text".
    public var medstoreMessage: String {
        let path = medstoreFieldPath
        let subject = path.isEmpty ? "value" : "field '\(path)'"
        switch self {
        case .keyNotFound:
            return "missing field '\(path)'"
        case .typeMismatch(_, let context):
            return "\(subject) has the wrong type: \(context.debugDescription)"
        case .valueNotFound(_, let context):
            return "\(subject) has no value: \(context.debugDescription)"
        case .dataCorrupted(let context):
            // Swift's own text for a raw-value enum names Swift types; say it plainly instead.
            if context.debugDescription.hasPrefix("Cannot initialize"),
               let value = context.debugDescription.components(separatedBy: " value ").last {
                return "\(subject) is not one of the allowed values (got '\(value)')"
            }
            return "\(subject) is invalid: \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }

    /// Joins coding keys into "a.b[3].c"; keys that are array indices render as "[n]".
    static func renderPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result
    }
}
