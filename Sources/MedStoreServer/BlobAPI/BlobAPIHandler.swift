import Foundation
import MedStoreCore
import MedStoreProtocol

/// The Azure Blob REST API over the account service and blob store: resolves the operation,
/// checks the firewall and credentials, runs the operation and writes one access-log line.
public final class BlobAPIHandler: HTTPHandler, @unchecked Sendable {
    let service: AccountService
    let blobs: BlobStore
    let authenticator: RequestAuthenticator
    let logger: Logger
    let metrics: Metrics

    /// Largest single Put Blob, as Azure allows (5000 MiB).
    static let maxPutBlobBytes: Int64 = 5000 * 1024 * 1024
    /// Largest block, as Azure allows (4000 MiB).
    static let maxBlockBytes: Int64 = 4000 * 1024 * 1024
    /// Largest XML request body (a block list of 50,000 ids fits).
    static let maxXMLBodyBytes = 8 * 1024 * 1024

    /// Creates the handler.
    public init(service: AccountService, logger: Logger, metrics: Metrics = Metrics()) {
        self.metrics = metrics
        self.service = service
        self.blobs = service.blobs
        self.authenticator = RequestAuthenticator(logger: logger)
        self.logger = logger
    }

    /// A request as the operations see it: the HTTP request plus what was resolved about it.
    struct Call {
        var request: HTTPRequest
        var path: BlobPath
        var query: QueryParameters
        var operation: BlobOperation
        var identity: AuthIdentity
        var container: String { path.container ?? "" }
        var blob: String { path.blob ?? "" }
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = Date()
        var entry = AccessLogEntry(request: request)
        let response: HTTPResponse
        do {
            response = try serve(request, &entry)
        } catch {
            if entry.tokenFingerprint == nil {
                entry.tokenFingerprint = RequestAuthenticator.tokenFingerprint(rawQuery: request.rawQuery)
            }
            response = errorResponse(error, request: request, container: entry.container, blob: entry.blob)
            entry.errorCode = error.code.azureErrorCode
        }
        entry.status = response.status
        entry.bytesOut = response.body.length
        entry.bytesIn = request.body.bytesRead
        entry.seconds = Date().timeIntervalSince(started)
        entry.write(to: logger)
        record(entry)
        return response
    }

    private func serve(_ request: HTTPRequest, _ entry: inout AccessLogEntry) throws(MedStoreError) -> HTTPResponse {
        let path = try BlobPath.parse(request.rawPath)
        let query = try QueryParameters(request.rawQuery)
        entry.container = path.container
        entry.blob = path.blob
        let operation = try OperationResolver.resolve(method: request.method, path: path, query: query)
        entry.operation = operation.rawValue
        let context = try service.dataPlaneContext()
        guard context.firewall.allows(request.peer) else {
            throw MedStoreError(.authorizationFailure, "This request is not authorized to perform this operation.")
        }
        guard let accountName = context.accountName, accountName == path.account else {
            throw MedStoreError(.notFound, "The specified account does not exist.")
        }
        var blobExists: Bool?
        if [.putBlob, .putBlockList, .putBlock].contains(operation), let container = path.container, let blob = path.blob {
            blobExists = (try? blobs.properties(container: container, name: blob, conditions: AccessConditions(), forRead: false)) != nil
        }
        let authRequest = AuthRequest(method: request.method, account: path.account, container: path.container,
                                      blob: path.blob, operation: operation, blobExists: blobExists,
                                      rawQuery: request.rawQuery, headers: request.headers.all.map { ($0.name, $0.value) },
                                      rawPath: request.rawPath, peer: request.peer, isTLS: request.isTLS, now: Date())
        let identity = try authenticator.authenticate(authRequest, keys: context.keys, accountName: accountName,
                                                      firewall: context.firewall, revoked: context.revokedTokens)
        entry.tokenFingerprint = identity.fingerprint
        let call = Call(request: request, path: path, query: query, operation: operation, identity: identity)
        return try dispatch(call, accountName: accountName)
    }

    private func dispatch(_ call: Call, accountName: String) throws(MedStoreError) -> HTTPResponse {
        switch call.operation {
        case .listContainers: return try listContainers(call, accountName: accountName)
        case .getAccountInfo: return getAccountInfo()
        case .getServiceProperties: return try getServiceProperties()
        case .setServiceProperties: return try setServiceProperties(call)
        case .createContainer: return try createContainer(call)
        case .deleteContainer: return try deleteContainer(call)
        case .getContainerProperties, .getContainerMetadata: return try getContainerProperties(call)
        case .setContainerMetadata: return try setContainerMetadata(call)
        case .listBlobs: return try listBlobs(call, accountName: accountName)
        case .putBlob: return try putBlob(call)
        case .putBlock: return try putBlock(call)
        case .putBlockList: return try putBlockList(call)
        case .getBlockList: return try getBlockList(call)
        case .getBlob: return try getBlob(call)
        case .getBlobProperties, .getBlobMetadata: return try getBlobProperties(call)
        case .deleteBlob: return try deleteBlob(call)
        case .setBlobMetadata: return try setBlobMetadata(call)
        case .setBlobProperties: return try setBlobProperties(call)
        }
    }

    /// Azure's error response; `internal` details go to the log only. A 304 has no body but
    /// carries the blob's current ETag and Last-Modified, as HTTP requires.
    private func errorResponse(_ error: MedStoreError, request: HTTPRequest, container: String?, blob: String?) -> HTTPResponse {
        if error.code == .notModified {
            guard let container, let blob,
                  let current = try? blobs.properties(container: container, name: blob, conditions: AccessConditions(), forRead: true) else {
                return HTTPResponse(status: 304)
            }
            return HTTPResponse(status: 304, headers: ResponseHeaders.version(etag: current.etag, lastModified: current.lastModified))
        }
        var shown = error
        if error.code == .internal {
            logger.error("blob request failed", [("request_id", request.requestID), ("detail", error.message)])
            shown = MedStoreError(.internal, "Server encountered an internal error. Please try again after some time.")
        }
        if error.code == .authenticationFailed {
            return AzureErrorBody.response(status: error.code.httpStatus, code: error.code.azureErrorCode,
                                           message: RequestAuthenticator.authenticationFailedMessage,
                                           requestID: request.requestID,
                                           details: [("AuthenticationErrorDetail", error.message)])
        }
        return AzureErrorBody.response(for: shown, requestID: request.requestID)
    }

    /// The request's counters: operation and status, latency, bytes, and refusals by code.
    private func record(_ entry: AccessLogEntry) {
        metrics.add("medstore_blob_requests_total", [("operation", entry.operation), ("status", "\(entry.status)")])
        metrics.observe("medstore_blob_request_seconds", [("operation", entry.operation)], seconds: entry.seconds)
        metrics.add("medstore_blob_bytes_in_total", [], Double(entry.bytesIn))
        metrics.add("medstore_blob_bytes_out_total", [], Double(entry.bytesOut))
        if let code = entry.errorCode, entry.status == 401 || entry.status == 403 {
            metrics.add("medstore_auth_failures_total", [("code", code)])
        }
    }

    /// A create-only token that meets an existing blob gets Azure's `UnauthorizedBlobOverwrite`.
    func refusingOverwrite<T>(_ call: Call, _ body: () throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        do {
            return try body()
        } catch {
            if error.code == .blobAlreadyExists && !call.identity.mayOverwriteBlobs {
                throw RequestAuthenticator.unauthorizedBlobOverwrite()
            }
            throw error
        }
    }
}
