import Foundation
import MedStoreProtocol
import MedStoreSocket

/// A client of medstored's control socket. Connect once, then call typed methods from any task;
/// requests on one client run concurrently. Errors are `MedStoreError` with the daemon's code.
///
/// ```swift
/// let client = try await MedStoreClient.connect()
/// let token = try await client.containerToken("scans", TokenOptions(permissions: "rl", ttlSeconds: 3600))
/// ```
public final class MedStoreClient: Sendable {
    private let connection: ClientConnection
    private let limiter: InFlightLimiter
    /// What the daemon said at hello: versions, methods, limits.
    public let server: Hello.Result
    /// The socket this client is connected to.
    public let socketPath: String

    private init(connection: ClientConnection, server: Hello.Result, socketPath: String) {
        self.connection = connection
        self.limiter = InFlightLimiter(limit: Int(min(server.maxInFlight, UInt64(ProtocolLimits.maxInFlightPerConnection))))
        self.server = server
        self.socketPath = socketPath
    }

    /// Connects to `socketPath` (default: `MEDSTORE_SOCKET` or the daemon's default location) and
    /// performs the hello exchange.
    /// - Throws: `unavailable` when no daemon listens (the message says how to start one),
    ///   `permissionDenied` when the socket may not be opened, `unsupportedVersion` when the daemon
    ///   speaks another major protocol version.
    public static func connect(socketPath: String? = nil, clientName: String = "MedStoreClient") async throws(MedStoreError) -> MedStoreClient {
        let path = socketPath ?? DefaultLocations.socketPath(environment: ProcessInfo.processInfo.environment)
        let fd: Int32
        switch try SocketIO.connectUnix(path) {
        case .success(let connected): fd = connected
        case .failure(let code):
            switch code {
            case .EACCES, .EPERM:
                throw MedStoreError(.permissionDenied, "not allowed to open \(path): ask an admin to add you to the socket's group")
            default:
                throw MedStoreError(.unavailable,
                                    "cannot reach medstored at \(path) (\(String(cString: strerror(code.rawValue)))); start it with `systemctl start medstored` or `make run`, or point --socket / MEDSTORE_SOCKET at its socket")
            }
        }
        let connection = ClientConnection(fd: fd)
        let hello: Hello.Result
        do {
            hello = try await call(connection, Hello.self, Hello.Params(client: clientName))
        } catch {
            connection.close()
            throw error
        }
        guard hello.protocolMajor == ProtocolVersion.major else {
            connection.close()
            throw MedStoreError(.unsupportedVersion,
                                "medstored at \(path) speaks protocol \(hello.protocolMajor).\(hello.protocolMinor); this client speaks \(ProtocolVersion.major).\(ProtocolVersion.minor)")
        }
        return MedStoreClient(connection: connection, server: hello, socketPath: path)
    }

    /// Sends any registered method and decodes its typed result. Calls beyond the daemon's
    /// in-flight limit wait for a free slot.
    public func call<M: RPCMethod>(_ method: M.Type, _ params: M.Params) async throws(MedStoreError) -> M.Result {
        await limiter.acquire()
        do {
            let result = try await MedStoreClient.call(connection, method, params)
            await limiter.release()
            return result
        } catch {
            await limiter.release()
            throw error
        }
    }

    private static func call<M: RPCMethod>(_ connection: ClientConnection, _ method: M.Type,
                                           _ params: M.Params) async throws(MedStoreError) -> M.Result {
        let encoded: CBORValue
        do {
            encoded = try CBOREncoder().encode(params)
        } catch {
            throw MedStoreError(.invalidArgument, "cannot encode \(M.name) parameters: \(error)")
        }
        let response = try await connection.send(method: M.name, params: encoded)
        switch response.outcome {
        case .error(let error):
            throw error
        case .result(let value):
            do {
                return try CBORDecoder().decode(M.Result.self, from: value)
            } catch {
                throw MedStoreError(.protocolError, "cannot read the \(M.name) reply: \(describeDecodingError(error))")
            }
        }
    }

    /// Closes the connection.
    public func close() {
        connection.close()
    }
}
