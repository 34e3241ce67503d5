import MedStoreProtocol

/// Decodes a CBOR value as each method's `Params` (or `Result`) type and checks that whatever
/// decodes also encodes, decodes again from its own encoding, and encodes the same again.
enum TypedRoundTrip {
    /// Tries every method in ``MethodRegistry``; returns whether any type decoded `value`.
    static func all(_ value: CBORValue, results: Bool, _ target: FuzzTarget) throws(FuzzFinding) -> Bool {
        var decodedAny = false
        for method in MethodRegistry.all where try check(method, value, results: results, target) {
            decodedAny = true
        }
        return decodedAny
    }

    private static func check<M: RPCMethod>(_ method: M.Type, _ value: CBORValue, results: Bool,
                                            _ target: FuzzTarget) throws(FuzzFinding) -> Bool {
        results ? try check(M.Result.self, value, "\(M.name) result", target)
            : try check(M.Params.self, value, "\(M.name) params", target)
    }

    private static func check<T: Codable>(_ type: T.Type, _ value: CBORValue, _ name: String,
                                          _ target: FuzzTarget) throws(FuzzFinding) -> Bool {
        guard let decoded = try? CBORDecoder().decode(T.self, from: value) else { return false }
        let encoded: CBORValue
        do {
            encoded = try CBOREncoder().encode(decoded)
        } catch {
            throw FuzzFinding(target, "\(name) decoded but does not encode: \(error)")
        }
        let again: T
        do {
            again = try CBORDecoder().decode(T.self, from: encoded)
        } catch {
            throw FuzzFinding(target, "\(name) does not decode from its own encoding: \(describeDecodingError(error))")
        }
        let reencoded: CBORValue
        do {
            reencoded = try CBOREncoder().encode(again)
        } catch {
            throw FuzzFinding(target, "\(name) decoded from its own encoding does not encode: \(error)")
        }
        guard reencoded == encoded else {
            throw FuzzFinding(target, "\(name) encodes differently after a round trip")
        }
        return true
    }
}
