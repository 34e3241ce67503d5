import Foundation
import MedStoreCore

/// One line of the data access log: who did what to which blob, the outcome and the size.
/// Tokens appear only as a fingerprint; the query string is never logged.
struct AccessLogEntry {
    var peer: String
    var method: String
    var requestID: String
    var operation = "-"
    var container: String?
    var blob: String?
    var status = 0
    var errorCode: String?
    var bytesIn: Int64 = 0
    var bytesOut: Int64 = 0
    var seconds: TimeInterval = 0
    var tokenFingerprint: String?
    let time = Date()

    init(request: HTTPRequest) {
        peer = request.peer.description
        method = request.method
        requestID = request.requestID
    }

    func write(to logger: Logger) {
        var fields: [(String, String)] = [
            ("time", Timestamp.format(time)), ("peer", peer), ("method", method), ("op", operation), ("container", container ?? "-"),
            ("blob", blob ?? "-"), ("status", "\(status)"), ("bytes_in", "\(bytesIn)"), ("bytes_out", "\(bytesOut)"),
            ("ms", String(format: "%.2f", seconds * 1000)), ("request_id", requestID),
        ]
        if let errorCode { fields.append(("error", errorCode)) }
        if let tokenFingerprint { fields.append(("token", tokenFingerprint)) }
        logger.info("blob request", fields)
    }
}
