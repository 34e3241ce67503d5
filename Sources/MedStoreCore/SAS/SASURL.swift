/// Percent-encoding as the Azure Python SDK does it, and plain percent-decoding for validators.
public enum PercentEncoding {
    /// Bytes Python's `urllib.parse.quote` never escapes: `A-Z a-z 0-9 _ . - ~`.
    private static func isAlwaysSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Python's `urllib.parse.quote(text, safe=safe)` (Python ≥ 3.7): every UTF-8 byte except
    /// `A-Z a-z 0-9 _ . - ~` and the ASCII characters in `safe` becomes `%XX` (uppercase hex).
    /// The default `safe: "/"` is what the SDK uses for SAS token values.
    public static func quote(_ text: String, safe: String = "/") -> String {
        let safeBytes = Set(safe.utf8.filter { $0 < 0x80 })
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isAlwaysSafe(byte) || safeBytes.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Plain percent-decoding (RFC 3986, not form decoding: `+` stays `+`). Returns `nil` when a
    /// `%` is not followed by two hex digits or the decoded bytes are not valid UTF-8.
    public static func decode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return text }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return validUTF8String(out)
    }

    /// Decodes UTF-8, returning `nil` for ill-formed input (instead of inserting U+FFFD).
    static func validUTF8String(_ bytes: [UInt8]) -> String? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: return String(scalars)
            case .error: return nil
            }
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Builds SAS URLs the way azure-storage-blob's `ContainerClient.url` / `BlobClient.url` spell
/// them, so a URL medstore hands out is byte-identical to one the SDK would build.
public enum SASURL {
    /// Percent-encodes a blob name for a URL path exactly like the SDK's `BlobClient.url`:
    /// `urllib.parse.quote(blob_name, safe='~/')` — UTF-8, `A-Z a-z 0-9 _ . - ~ /` kept, every
    /// other byte `%XX` (space `%20`, `+` `%2B`, `%` `%25`, `#` `%23`, `?` `%3F`, `&` `%26`).
    public static func encodeBlobName(_ name: String) -> String {
        PercentEncoding.quote(name, safe: "~/")
    }

    /// `<endpoint>/<container>[/<blob>]` without a query. Trailing slashes on the endpoint are
    /// dropped (the SDK does `rstrip("/")`); the container goes through `quote` like the SDK does
    /// (a no-op for valid container names); the blob name through ``encodeBlobName(_:)``.
    ///
    /// `endpoint` is the account's blob endpoint, e.g. `https://acct.blob.core.windows.net`
    /// or, path style, `http://127.0.0.1:10000/acct`.
    public static func resourceURL(endpoint blobEndpoint: String, container: String, blob: String?) -> String {
        var endpoint = Substring(blobEndpoint)
        while endpoint.hasSuffix("/") { endpoint = endpoint.dropLast() }
        var url = String(endpoint) + "/" + PercentEncoding.quote(container)
        if let blob { url += "/" + encodeBlobName(blob) }
        return url
    }

    /// The full SAS URL: `<endpoint>/<container>[/<blob>]?<token>` (no `?` if `token` is empty).
    /// `token` is used as is (it is already encoded by ``ServiceSASParameters/token(account:container:blob:key:)``).
    public static func url(endpoint: String, container: String, blob: String?, token: String) -> String {
        let url = resourceURL(endpoint: endpoint, container: container, blob: blob)
        return token.isEmpty ? url : url + "?" + token
    }
}
