import MedStoreProtocol

/// `payload`: one frame's payload, through the CBOR decoder, both envelopes and the `Params` and
/// `Result` types of every method in ``MethodRegistry``.
///
/// Invariants: a decoded CBOR value re-encodes to bytes that decode to the same value, and
/// encoding that again gives the same bytes; an envelope decodes only from valid CBOR and
/// survives `encoded()` → `decode` unchanged; a typed value that decoded encodes, decodes from its
/// own encoding, and encodes the same the second time.
enum PayloadHarness {
    static func run(_ payload: [UInt8], as target: FuzzTarget) throws(FuzzFinding) -> Set<FuzzMilestone> {
        let value: CBORValue
        do {
            value = try CBORSerialization.decode(payload, limits: ProtocolLimits.cbor)
        } catch {
            if (try? RequestEnvelope.decode(payload)) != nil || (try? ResponseEnvelope.decode(payload)) != nil {
                throw FuzzFinding(target, "an envelope decoded from bytes the CBOR decoder refuses (\(error))")
            }
            return []
        }
        var reached: Set<FuzzMilestone> = [.cborDecoded]
        try checkRoundTrip(value, target)

        if let request = try? RequestEnvelope.decode(payload) {
            reached.insert(.requestEnvelopeDecoded)
            let again = try? RequestEnvelope.decode(request.encoded())
            guard again == request else {
                throw FuzzFinding(target, "request envelope id=\(request.id) method=\(request.method.debugDescription) does not survive encoded() → decode")
            }
            if try TypedRoundTrip.all(request.params, results: false, target) { reached.insert(.methodTypeDecoded) }
        }
        if let reply = try? ResponseEnvelope.decode(payload) {
            reached.insert(.responseEnvelopeDecoded)
            let again = try? ResponseEnvelope.decode(reply.encoded())
            guard again == reply else {
                throw FuzzFinding(target, "reply envelope id=\(reply.id) does not survive encoded() → decode")
            }
            if case .result(let result) = reply.outcome, try TypedRoundTrip.all(result, results: true, target) {
                reached.insert(.methodTypeDecoded)
            }
        }
        // The typed decoders straight on the value too, so they are reached without an envelope.
        if try TypedRoundTrip.all(value, results: false, target) { reached.insert(.methodTypeDecoded) }
        if try TypedRoundTrip.all(value, results: true, target) { reached.insert(.methodTypeDecoded) }
        return reached
    }

    private static func checkRoundTrip(_ value: CBORValue, _ target: FuzzTarget) throws(FuzzFinding) {
        let encoded = CBORSerialization.encode(value)
        let again: CBORValue
        do {
            again = try CBORSerialization.decode(encoded, limits: ProtocolLimits.cbor)
        } catch {
            throw FuzzFinding(target, "a decoded \(value.typeName) re-encodes to bytes the decoder refuses: \(error)")
        }
        guard again == value else {
            throw FuzzFinding(target, "a decoded \(value.typeName) re-encodes to a different value")
        }
        guard CBORSerialization.encode(again) == encoded else {
            throw FuzzFinding(target, "encoding a decoded \(value.typeName) twice gives different bytes")
        }
    }
}
