import Foundation
import MedStoreCore

/// The server's part of every response: the headers it always adds and the framing rules.
enum HTTPResponsePreparation {
    /// `x-ms-version` sent when the request did not name one (azure-storage-blob 12.31.1's default).
    static let defaultServiceVersion = "2026-10-06"

    /// The response head to send and how many body bytes follow it.
    struct Prepared {
        var head: [UInt8]
        /// Whether the body is sent (false for HEAD, 1xx, 204 and 304).
        var sendsBody: Bool
        /// Body bytes that follow the head.
        var bodyLength: Int64
    }

    /// Applies the server's rules to `response`:
    /// - `Content-Length` is the body's length (a handler's value is replaced); for HEAD and 304
    ///   a handler's value is kept (HEAD: the length a GET would send), otherwise the body's
    ///   length (HEAD) or 0 (304); 1xx and 204 carry none. `Transfer-Encoding` is never sent.
    /// - `Date` is always the server's; `x-ms-request-id` (`requestID`), `x-ms-version` (the
    ///   request's, else ``defaultServiceVersion``), `x-ms-client-request-id` (echoed) and
    ///   `Server: medstored` are added unless the handler set them.
    /// - `Connection: close` when the connection closes after this response; `Connection:
    ///   keep-alive` for a kept HTTP/1.0 connection.
    static func prepare(_ response: HTTPResponse, request: HTTPRequestHead?, requestID: String,
                        keepAlive: Bool, now: Date = Date()) -> Prepared {
        var headers = response.headers
        let isHEAD = request?.method == "HEAD"
        let noBody = isHEAD || HTTPStatus.forbidsBody(response.status)
        let handlerLength = headers["Content-Length"].flatMap { text in
            text.utf8.allSatisfy(HTTPHeadParser.isDigit) ? Int64(text) : nil
        }
        headers.remove("Content-Length")
        headers.remove("Transfer-Encoding")
        headers.remove("Connection")
        headers.remove("Date")
        if response.status >= 200 && response.status != 204 {
            let length: Int64
            if isHEAD {
                length = handlerLength ?? response.body.length
            } else if response.status == 304 {
                length = handlerLength ?? 0
            } else {
                length = response.body.length
            }
            headers.add("Content-Length", String(length))
        }
        headers.add("Date", RFC1123Date.format(now))
        if !headers.contains("x-ms-request-id") { headers.add("x-ms-request-id", requestID) }
        if !headers.contains("x-ms-version") {
            headers.add("x-ms-version", request?.headers["x-ms-version"] ?? defaultServiceVersion)
        }
        if !headers.contains("x-ms-client-request-id"), let clientID = request?.headers["x-ms-client-request-id"] {
            headers.add("x-ms-client-request-id", clientID)
        }
        if !headers.contains("Server") { headers.add("Server", "medstored") }
        if !keepAlive {
            headers.add("Connection", "close")
        } else if request?.minorVersion == 0 {
            headers.add("Connection", "keep-alive")
        }
        return Prepared(head: HTTPResponseWriter.serializeHead(status: response.status, headers: headers),
                        sendsBody: !noBody, bodyLength: noBody ? 0 : response.body.length)
    }

    /// Whether the handler asked to close the connection (`Connection: close` in its response).
    static func handlerWantsClose(_ response: HTTPResponse) -> Bool {
        response.headers.values("Connection").contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
        }
    }
}
