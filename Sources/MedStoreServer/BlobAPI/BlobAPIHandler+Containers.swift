import Foundation
import MedStoreCore
import MedStoreProtocol

extension BlobAPIHandler {
    /// Create Container (Shared Key only: the authenticator refuses a service SAS).
    func createContainer(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let metadata = try RequestHeaders.metadata(call.request.headers)
        try BlobMetadata.validate(metadata)
        _ = try service.createContainer(name: call.container)
        var properties = try blobs.containerProperties(container: call.container)
        if !metadata.isEmpty {
            properties = try blobs.setContainerMetadata(container: call.container, metadata: metadata, conditions: AccessConditions())
        }
        return HTTPResponse(status: 201, headers: ResponseHeaders.version(etag: properties.etag, lastModified: properties.lastModified))
    }

    /// Delete Container: the container and every blob in it.
    func deleteContainer(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        _ = try service.deleteContainer(name: call.container)
        return HTTPResponse(status: 202)
    }

    /// Get Container Properties / Metadata.
    func getContainerProperties(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let properties = try blobs.containerProperties(container: call.container)
        var headers = ResponseHeaders.version(etag: properties.etag, lastModified: properties.lastModified)
        ResponseHeaders.addMetadata(properties.metadata, to: &headers)
        headers.set("x-ms-lease-status", "unlocked")
        headers.set("x-ms-lease-state", "available")
        headers.set("x-ms-has-immutability-policy", "false")
        headers.set("x-ms-has-legal-hold", "false")
        return HTTPResponse(status: 200, headers: headers)
    }

    /// Set Container Metadata: replaces all metadata.
    func setContainerMetadata(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let metadata = try RequestHeaders.metadata(call.request.headers)
        let conditions = try RequestHeaders.conditions(call.request.headers)
        let properties = try blobs.setContainerMetadata(container: call.container, metadata: metadata, conditions: conditions)
        return HTTPResponse(status: 200, headers: ResponseHeaders.version(etag: properties.etag, lastModified: properties.lastModified))
    }

    /// List Blobs, flat or with a delimiter.
    func listBlobs(_ call: Call, accountName: String) throws(MedStoreError) -> HTTPResponse {
        let maxResults = try call.query.maxResults()
        let include = Set((call.query["include"] ?? "").split(separator: ",").map(String.init))
        let delimiter = call.query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let listing = try blobs.listBlobs(container: call.container, prefix: call.query["prefix"], delimiter: delimiter,
                                          marker: call.query["marker"].flatMap { $0.isEmpty ? nil : $0 },
                                          maxResults: maxResults)
        var xml = XMLWriter()
        xml.open("EnumerationResults", [("ServiceEndpoint", serviceEndpoint(call, accountName: accountName)),
                                        ("ContainerName", call.container)])
        xml.element("Prefix", call.query["prefix"])
        xml.element("Marker", call.query["marker"])
        xml.element("MaxResults", "\(maxResults)")
        if let delimiter { xml.element("Delimiter", delimiter) }
        xml.open("Blobs")
        for blob in listing.blobs {
            xml.open("Blob")
            xml.element("Name", blob.name)
            xml.open("Properties")
            xml.element("Creation-Time", RFC1123Date.format(blob.createdAt))
            xml.element("Last-Modified", RFC1123Date.format(blob.lastModified))
            xml.element("Etag", blob.etag)
            xml.element("Content-Length", "\(blob.size)")
            xml.element("Content-Type", blob.content.contentType ?? "application/octet-stream")
            xml.element("Content-Encoding", blob.content.contentEncoding)
            xml.element("Content-Language", blob.content.contentLanguage)
            xml.element("Content-MD5", blob.content.contentMD5.map(Crypto.base64Encode))
            xml.element("Cache-Control", blob.content.cacheControl)
            xml.element("Content-Disposition", blob.content.contentDisposition)
            xml.element("BlobType", "BlockBlob")
            xml.element("AccessTier", "Hot")
            xml.element("AccessTierInferred", "true")
            xml.element("LeaseStatus", "unlocked")
            xml.element("LeaseState", "available")
            xml.element("ServerEncrypted", "true")
            xml.close("Properties")
            if include.contains("metadata") { Self.writeMetadata(blob.metadata, to: &xml) }
            xml.close("Blob")
        }
        for prefix in listing.prefixes {
            xml.open("BlobPrefix")
            xml.element("Name", prefix)
            xml.close("BlobPrefix")
        }
        xml.close("Blobs")
        xml.element("NextMarker", listing.nextMarker ?? "")
        xml.close("EnumerationResults")
        return Self.xmlResponse(xml)
    }
}
