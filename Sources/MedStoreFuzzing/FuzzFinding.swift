/// A harness found an input on which the code under test broke one of its own promises: a value
/// that does not survive an encode/decode round trip, the same bytes parsed differently when they
/// arrive in other pieces, a token that verifies when it must not.
///
/// Deliberately not a `MedStoreError`: it never reaches a user, the wire or a log, only the
/// fuzzer (which saves the input as a crash) and the tests.
public struct FuzzFinding: Error, Sendable, CustomStringConvertible {
    /// The harness that found it.
    public let target: FuzzTarget
    /// The promise that was broken, with the values that show it.
    public let message: String

    /// Creates a finding.
    public init(_ target: FuzzTarget, _ message: String) {
        self.target = target
        self.message = message
    }

    /// `<target>: <message>`.
    public var description: String { "\(target.rawValue): \(message)" }
}
