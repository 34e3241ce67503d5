/// The outer map of every request: `{id, method, params}`.
public struct RequestEnvelope: Sendable, Equatable {
    /// Chosen by the client; echoed in the reply. 0 is reserved for connection errors.
    public var id: UInt64
    /// A name from `MethodRegistry`.
    public var method: String
    /// The method's parameters (an empty map when absent).
    public var params: CBORValue

    /// Creates a request envelope.
    public init(id: UInt64, method: String, params: CBORValue) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// Encodes the envelope as CBOR bytes.
    public func encoded() -> [UInt8] {
        CBORSerialization.encode(.map([
            CBORMapEntry(key: .text("id"), value: .unsigned(id)),
            CBORMapEntry(key: .text("method"), value: .text(method)),
            CBORMapEntry(key: .text("params"), value: params),
        ]))
    }

    /// Decodes a payload. Throws `protocolError` when the payload is not a request map with an
    /// unsigned `id`, a text `method` and a map (or absent/null) `params`; the id, when known, is
    /// returned inside `EnvelopeError` so the reply can still echo it.
    public static func decode(_ payload: [UInt8]) throws(EnvelopeError) -> RequestEnvelope {
        let value: CBORValue
        do {
            value = try CBORSerialization.decode(payload[...], limits: ProtocolLimits.cbor)
        } catch {
            throw EnvelopeError(id: 0, error: MedStoreError(.protocolError, "payload is not valid CBOR: \(error)"))
        }
        guard case .map = value else {
            throw EnvelopeError(id: 0, error: MedStoreError(.protocolError, "request must be a CBOR map"))
        }
        guard let id = value["id"]?.uint64Value else {
            throw EnvelopeError(id: 0, error: MedStoreError(.protocolError, "request needs an unsigned integer 'id'"))
        }
        guard let method = value["method"]?.textValue else {
            throw EnvelopeError(id: id, error: MedStoreError(.protocolError, "request needs a text 'method'"))
        }
        let params = value["params"] ?? .map([])
        switch params {
        case .map, .null: break
        default:
            throw EnvelopeError(id: id, error: MedStoreError(.protocolError, "'params' must be a map"))
        }
        return RequestEnvelope(id: id, method: method, params: params == .null ? .map([]) : params)
    }
}

/// A request that could not be decoded, with the id to answer (0 when unknown).
public struct EnvelopeError: Error, Sendable {
    /// The request id, or 0.
    public var id: UInt64
    /// What was wrong.
    public var error: MedStoreError
}

/// The outer map of every reply: `{id, result}` or `{id, error: {code, message}}`.
public struct ResponseEnvelope: Sendable, Equatable {
    /// The request id this answers.
    public var id: UInt64
    /// Success with a result map, or failure with an error.
    public var outcome: Outcome

    /// A reply's content.
    public enum Outcome: Sendable, Equatable {
        case result(CBORValue)
        case error(MedStoreError)
    }

    /// Creates a reply.
    public init(id: UInt64, outcome: Outcome) {
        self.id = id
        self.outcome = outcome
    }

    /// Encodes the reply as CBOR bytes.
    public func encoded() -> [UInt8] {
        var entries = [CBORMapEntry(key: .text("id"), value: .unsigned(id))]
        switch outcome {
        case .result(let value):
            entries.append(CBORMapEntry(key: .text("result"), value: value))
        case .error(let error):
            entries.append(CBORMapEntry(key: .text("error"), value: .map([
                CBORMapEntry(key: .text("code"), value: .text(error.code.rawValue)),
                CBORMapEntry(key: .text("message"), value: .text(error.message)),
            ])))
        }
        return CBORSerialization.encode(.map(entries))
    }

    /// Decodes a reply payload.
    public static func decode(_ payload: [UInt8]) throws(MedStoreError) -> ResponseEnvelope {
        let value: CBORValue
        do {
            value = try CBORSerialization.decode(payload[...], limits: ProtocolLimits.cbor)
        } catch {
            throw MedStoreError(.protocolError, "reply is not valid CBOR: \(error)")
        }
        guard let id = value["id"]?.uint64Value else {
            throw MedStoreError(.protocolError, "reply has no unsigned integer 'id'")
        }
        if let error = value["error"] {
            let codeName = error["code"]?.textValue ?? "internal"
            let message = error["message"]?.textValue ?? ""
            // A code this client does not know is reported as `internal` with the name kept.
            let code = ErrorCode(rawValue: codeName) ?? .internal
            let text = ErrorCode(rawValue: codeName) == nil ? "\(codeName): \(message)" : message
            return ResponseEnvelope(id: id, outcome: .error(MedStoreError(code, text)))
        }
        guard let result = value["result"] else {
            throw MedStoreError(.protocolError, "reply has neither 'result' nor 'error'")
        }
        return ResponseEnvelope(id: id, outcome: .result(result))
    }
}
