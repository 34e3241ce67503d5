/// A request the server itself refuses before any handler sees it (bad syntax, limits,
/// timeouts). Answered with Azure's XML error body, then the connection closes.
struct HTTPProtocolError: Error {
    /// HTTP status, e.g. 400, 414, 431.
    var status: Int
    /// Azure `x-ms-error-code`.
    var code: String
    /// Human-readable explanation; never echoes the target or header values (they may hold a SAS
    /// or a signature).
    var message: String
    /// Extra XML elements, e.g. `HeaderName`.
    var details: [(String, String)] = []

    static func badRequest(_ message: String) -> HTTPProtocolError {
        HTTPProtocolError(status: 400, code: "InvalidInput", message: message)
    }

    static func invalidURI(_ message: String) -> HTTPProtocolError {
        HTTPProtocolError(status: 400, code: "InvalidUri", message: message)
    }

    static func invalidHeader(_ name: String, _ message: String) -> HTTPProtocolError {
        HTTPProtocolError(status: 400, code: "InvalidHeaderValue", message: message, details: [("HeaderName", name)])
    }

    static func uriTooLong(limit: Int) -> HTTPProtocolError {
        HTTPProtocolError(status: 414, code: "InvalidUri",
                          message: "The request line is longer than \(limit) bytes.")
    }

    static func headersTooLarge(_ message: String) -> HTTPProtocolError {
        HTTPProtocolError(status: 431, code: "RequestHeaderFieldsTooLarge", message: message)
    }

    static func timedOut(seconds: Double) -> HTTPProtocolError {
        HTTPProtocolError(status: 408, code: "RequestTimeout",
                          message: "The request was not received completely within \(Int(seconds.rounded(.up))) seconds.")
    }
}
