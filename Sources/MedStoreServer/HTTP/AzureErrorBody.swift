import Foundation
import MedStoreProtocol

/// Azure Storage's error responses: an XML body
/// `<?xml version="1.0" encoding="utf-8"?><Error><Code>…</Code><Message>…</Message></Error>`
/// (the message ends with `RequestId:` and `Time:` lines, as Azure's does) and the
/// `x-ms-error-code` header. The server adds `Date`, `x-ms-request-id` and `x-ms-version`.
public enum AzureErrorBody {
    /// The XML document for an error. `details` become extra elements after `Message`
    /// (e.g. `("HeaderName", "Content-Length")`, `("AuthenticationErrorDetail", "…")`).
    public static func xml(code: String, message: String, requestID: String, time: Date = Date(),
                           details: [(String, String)] = []) -> [UInt8] {
        var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>\(XMLWriter.escape(code))</Code><Message>"
        text += XMLWriter.escape(SecretShape.redact(message)) + "\nRequestId:\(XMLWriter.escape(requestID))\nTime:\(HTTPServerDate.iso8601Ticks(time))</Message>"
        for (name, value) in details where isElementName(name) {
            text += "<\(name)>\(XMLWriter.escape(value))</\(name)>"
        }
        text += "</Error>"
        return Array(text.utf8)
    }

    /// A complete error response: `status`, `x-ms-error-code: code`, `Content-Type: application/xml`
    /// and the XML body.
    public static func response(status: Int, code: String, message: String, requestID: String,
                                details: [(String, String)] = []) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/xml")
        headers.add("x-ms-error-code", code)
        return HTTPResponse(status: status, headers: headers,
                            body: .bytes(xml(code: code, message: message, requestID: requestID, details: details)))
    }

    /// The response for `error`: its code's `httpStatus` and `azureErrorCode`, and its message.
    /// A `notModified` error yields a bare 304 (no body is allowed).
    public static func response(for error: MedStoreError, requestID: String, details: [(String, String)] = []) -> HTTPResponse {
        if error.code == .notModified {
            var headers = HTTPHeaders()
            headers.add("x-ms-error-code", error.code.azureErrorCode)
            return HTTPResponse(status: 304, headers: headers)
        }
        let message = error.code == .internal ? "Server encountered an internal error. Please try again after some time." : error.message
        return response(status: error.code.httpStatus, code: error.code.azureErrorCode, message: message,
                        requestID: requestID, details: details)
    }

    private static func isElementName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == ".") }
    }
}
