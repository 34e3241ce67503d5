import MedStoreCore
import MedStoreProtocol

/// Maps method names to handlers. Each handler decodes its typed params from the request's CBOR
/// map, runs, and encodes its typed result; a params map that does not fit is `invalidArgument`
/// with the field named. Handlers run only after ``Gatekeeper`` admitted the caller.
struct RequestRouter: Sendable {
    typealias Handler = @Sendable (CBORValue, RequestCaller) -> Result<CBORValue, MedStoreError>
    private var handlers: [String: Handler] = [:]

    /// Registers the handler for `method`. `body` throws `MedStoreError`; anything else it
    /// throws is reported as `internal`.
    mutating func register<M: RPCMethod>(_ method: M.Type, _ body: @escaping @Sendable (M.Params) throws -> M.Result) {
        register(method) { params, _ in try body(params) }
    }

    /// Registers a handler that also sees who is calling (for limits beyond the role).
    mutating func register<M: RPCMethod>(_ method: M.Type,
                                         _ body: @escaping @Sendable (M.Params, RequestCaller) throws -> M.Result) {
        handlers[M.name] = { params, caller in
            let typed: M.Params
            do {
                typed = try CBORDecoder().decode(M.Params.self, from: params)
            } catch {
                return .failure(MedStoreError(.invalidArgument, "\(M.name): \(describeDecodingError(error))"))
            }
            let result: M.Result
            do {
                result = try body(typed, caller)
            } catch let error as MedStoreError {
                return .failure(error)
            } catch {
                return .failure(MedStoreError(.internal, "\(M.name): \(error)"))
            }
            do {
                return .success(try CBOREncoder().encode(result))
            } catch {
                return .failure(MedStoreError(.internal, "cannot encode \(M.name) result: \(error)"))
            }
        }
    }

    /// The handler for `name`, if any.
    func handler(for name: String) -> Handler? { handlers[name] }

    /// Names of every registered method.
    var methodNames: [String] { handlers.keys.sorted() }
}
