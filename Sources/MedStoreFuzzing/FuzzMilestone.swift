/// How deep one input got into the code under test. The tests use these to show that the seed
/// corpus reaches past the first parser, so a harness that rejects everything cannot pass.
public enum FuzzMilestone: String, Sendable, Hashable, CaseIterable {
    /// `frame`: at least one complete frame came out of the decoder.
    case frameDecoded
    /// `payload` (and `frame`, per frame): the bytes were one valid CBOR item.
    case cborDecoded
    /// The CBOR was a valid request envelope.
    case requestEnvelopeDecoded
    /// The CBOR was a valid reply envelope.
    case responseEnvelopeDecoded
    /// The params (or result) decoded as the `Params` (or `Result`) of at least one method.
    case methodTypeDecoded
    /// `sas`: the query held a service SAS that parsed.
    case sasParsed
    /// `sas`: the request authenticated with the signature it carried.
    case sasAuthenticated
    /// `sas`: the request authenticated once its token was signed again with the harness key.
    case sasAuthenticatedAfterResigning
    /// `http`: at least one request head parsed.
    case httpRequestParsed
    /// `http`: at least one request carried a non-empty body that was read to its end.
    case httpBodyRead
}
