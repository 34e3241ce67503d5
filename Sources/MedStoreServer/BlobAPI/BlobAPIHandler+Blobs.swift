import Foundation
import MedStoreCore
import MedStoreProtocol

extension BlobAPIHandler {
    /// Put Blob (block blobs): the body streams to a staged file, hashed, then commits at once.
    func putBlob(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let headers = call.request.headers
        guard let type = headers["x-ms-blob-type"] else {
            throw MedStoreError(.missingRequiredHeader, "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type")
        }
        guard type == "BlockBlob" else {
            throw MedStoreError(.invalidHeaderValue, "x-ms-blob-type '\(type)' is not supported: only BlockBlob")
        }
        var content = try RequestHeaders.contentSettings(headers, fallBackToStandard: true)
        let metadata = try RequestHeaders.metadata(headers)
        let conditions = try RequestHeaders.conditions(headers)
        let staged = try stageBody(call, maxBytes: Self.maxPutBlobBytes)
        if content.contentMD5 == nil { content.contentMD5 = staged.md5 }
        let properties = try refusingOverwrite(call) { () throws(MedStoreError) -> BlobProperties in
            try blobs.putBlob(container: call.container, name: call.blob, data: staged, content: content,
                              metadata: metadata, conditions: conditions, overwrite: call.identity.mayOverwriteBlobs)
        }
        var response = ResponseHeaders.version(etag: properties.etag, lastModified: properties.lastModified)
        response.set("Content-MD5", Crypto.base64Encode(staged.md5))
        response.set("x-ms-request-server-encrypted", "true")
        return HTTPResponse(status: 201, headers: response)
    }

    /// Streams the request body into a staged file, checking `Content-MD5` when sent.
    func stageBody(_ call: Call, maxBytes: Int64) throws(MedStoreError) -> StagedData {
        let body = call.request.body
        if let declared = body.declaredLength, declared > maxBytes {
            throw MedStoreError(.requestBodyTooLarge, "The request body is too large and exceeds the maximum permissible limit of \(maxBytes) bytes.")
        }
        let md5 = try RequestHeaders.transactionalMD5(call.request.headers)
        return try blobs.stage(maxBytes: maxBytes, expectedMD5: md5) { (buffer) throws(MedStoreError) -> Int in
            try body.read(into: buffer)
        }
    }

    /// Largest range whose MD5 Get Blob computes on request (`x-ms-range-get-content-md5`).
    static let maxRangeMD5Bytes: Int64 = 4 << 20

    /// Get Blob, whole or a range, streamed from the blob's files.
    func getBlob(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let headers = call.request.headers
        let conditions = try RequestHeaders.conditions(headers)
        let requested = try RequestHeaders.range(headers)
        let rangeMD5 = headers["x-ms-range-get-content-md5"]?.lowercased() == "true"
        if rangeMD5 {
            guard let requested else {
                throw MedStoreError(.missingRequiredHeader, "x-ms-range-get-content-md5 needs a range (x-ms-range or Range)")
            }
            if let end = requested.end, end - requested.start + 1 > Self.maxRangeMD5Bytes {
                throw MedStoreError(.outOfRangeInput, "x-ms-range-get-content-md5 is allowed for ranges of at most 4 MiB")
            }
        }
        let reader = try blobs.openForRead(container: call.container, name: call.blob,
                                           range: requested.map { BlobRange(start: $0.start, end: $0.end) },
                                           conditions: conditions)
        let properties = reader.properties
        var response = ResponseHeaders.blob(properties, overrides: call.identity.responseOverrides,
                                            wholeBlobMD5: requested == nil)
        var status = 200
        if requested != nil {
            status = 206
            let last = reader.offset + reader.length - 1
            response.set("Content-Range", "bytes \(reader.offset)-\(max(last, reader.offset))/\(properties.size)")
        }
        let length = reader.length
        if rangeMD5 {
            guard length <= Self.maxRangeMD5Bytes else {
                reader.close()
                throw MedStoreError(.outOfRangeInput, "x-ms-range-get-content-md5 is allowed for ranges of at most 4 MiB")
            }
            let bytes = try readAll(reader)
            response.set("Content-MD5", Crypto.base64Encode(Crypto.md5(bytes)))
            return HTTPResponse(status: status, headers: response, body: .bytes(bytes))
        }
        return HTTPResponse(status: status, headers: response, body: .stream(length: length) { writer in
            defer { reader.close() }
            var buffer = [UInt8](repeating: 0, count: Int(min(max(length, 1), 1 << 20)))
            while true {
                let n = try buffer.withUnsafeMutableBytes { raw in try reader.read(into: raw) }
                if n == 0 { break }
                try buffer.withUnsafeBytes { raw in try writer.write(UnsafeRawBufferPointer(rebasing: raw[0..<n])) }
            }
        })
    }

    /// Reads a (small) reader to the end and closes it.
    private func readAll(_ reader: BlobStore.BlobReader) throws(MedStoreError) -> [UInt8] {
        defer { reader.close() }
        var bytes = [UInt8](repeating: 0, count: Int(reader.length))
        var filled = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        defer { buffer.deallocate() }
        while filled < bytes.count {
            let n = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<bytes.count]))
            if n == 0 { break }
            filled += n
        }
        bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<filled])) }
        return Array(bytes.prefix(filled))
    }

    /// Get Blob Properties (HEAD) and Get Blob Metadata.
    func getBlobProperties(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let conditions = try RequestHeaders.conditions(call.request.headers)
        let properties = try blobs.properties(container: call.container, name: call.blob, conditions: conditions, forRead: true)
        var headers = ResponseHeaders.blob(properties, overrides: call.identity.responseOverrides, wholeBlobMD5: true)
        headers.set("Content-Length", "\(properties.size)")
        return HTTPResponse(status: 200, headers: headers)
    }

    /// Delete Blob.
    func deleteBlob(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let conditions = try RequestHeaders.conditions(call.request.headers)
        _ = try blobs.deleteBlob(container: call.container, name: call.blob, conditions: conditions)
        var headers = HTTPHeaders()
        headers.set("x-ms-delete-type-permanent", "true")
        return HTTPResponse(status: 202, headers: headers)
    }

    /// Set Blob Metadata: replaces all metadata.
    func setBlobMetadata(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let headers = call.request.headers
        let properties = try blobs.setMetadata(container: call.container, name: call.blob,
                                               metadata: try RequestHeaders.metadata(headers),
                                               conditions: try RequestHeaders.conditions(headers))
        var response = ResponseHeaders.version(etag: properties.etag, lastModified: properties.lastModified)
        response.set("x-ms-request-server-encrypted", "true")
        return HTTPResponse(status: 200, headers: response)
    }

    /// Set Blob Properties: replaces the stored content headers.
    func setBlobProperties(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let headers = call.request.headers
        let properties = try blobs.setContentSettings(container: call.container, name: call.blob,
                                                      content: try RequestHeaders.contentSettings(headers, fallBackToStandard: false),
                                                      conditions: try RequestHeaders.conditions(headers))
        return HTTPResponse(status: 200, headers: ResponseHeaders.version(etag: properties.etag, lastModified: properties.lastModified))
    }
}
