/// The fuzz targets. Each takes any bytes, runs them through one parser of hostile input and
/// checks the promises that parser makes (see each harness). `medstore-fuzz` runs them under
/// libFuzzer; the tests run the committed corpus and regressions through the same functions.
public enum FuzzTarget: String, Sendable, CaseIterable {
    /// Control-socket byte stream → frame decoder (→ the `payload` checks per frame).
    case frame
    /// One frame payload → CBOR, the request and reply envelopes, every method's types.
    case payload
    /// Blob REST request line → path, query, operation, service SAS parser and authenticator.
    case sas
    /// Data-plane connection bytes → HTTP/1.1 head parser and body decoder.
    case http

    /// One line on what the target feeds its input to.
    public var summary: String {
        switch self {
        case .frame: return "control-socket stream -> FrameDecoder, then each payload as in 'payload'"
        case .payload: return "frame payload -> CBOR decoder, request/reply envelopes, every method's Params and Result"
        case .sas: return "'METHOD target' line -> BlobPath, QueryParameters, OperationResolver, SAS parser, RequestAuthenticator"
        case .http: return "connection bytes -> HTTP head reader and body decoder, in several delivery sizes"
        }
    }

    /// Runs `input` through this target's harness.
    /// - Returns: how deep the input got.
    /// - Throws: a ``FuzzFinding`` when a promise is broken. A trap in the code under test is
    ///   not caught: under libFuzzer it is the crash that gets reported.
    public func run(_ input: [UInt8]) throws(FuzzFinding) -> Set<FuzzMilestone> {
        switch self {
        case .frame: return try FrameHarness.run(input)
        case .payload: return try PayloadHarness.run(input, as: .payload)
        case .sas: return try SASHarness.run(input)
        case .http: return try HTTPHarness.run(input)
        }
    }
}
