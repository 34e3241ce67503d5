/// A typed request/response pair of the control protocol. Each method names its parameter and
/// result types; `MethodRegistry` lists them all.
public protocol RPCMethod: Sendable {
    /// Fields of the request's `params` map.
    associatedtype Params: Codable & Sendable
    /// Fields of the reply's `result` map.
    associatedtype Result: Codable & Sendable
    /// Wire name, e.g. `container.create`.
    static var name: String { get }
}

/// An empty `params` or `result` map.
public struct Empty: Codable, Sendable, Equatable {
    /// Creates an empty value.
    public init() {}
}
